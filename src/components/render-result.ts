// Draws a check result as DOM, in the browser. Everything in a result can come from a
// cluster (names, annotations, messages built from them), so every value goes into a text
// node: no innerHTML, no attribute other than a validated site-relative href (and, in the
// matrix from matrix-svg.ts, escaped-by-DOM attributes and same-page `#finding-…` links).
// Cluster text also passes through `printable`, so invisible and bidi-override characters
// show as `\u202E`-style escapes and cannot reorder or hide the rest of a finding; the
// elements that hold it are bidi-isolated in meshbook.css.

import { STATUS_WORDS, type CheckResult, type CheckStatus, type Finding, type ReadCount, type RunProblem } from '../engine/types.ts';
import { printable } from '../engine/display-text.ts';
import { reachabilityMatrices } from '../engine/reachability-matrix.ts';
import { findingAnchor, linkToFindings, matrixFigure, toDom } from './matrix-svg.ts';
import { enhanceMatrix, type Explainer } from './matrix-tool.ts';

export { STATUS_WORDS };

/** Any value from a result as text fit to show: invisible and reordering characters escaped. */
export function shown(value: unknown): string {
  return printable(String(value));
}

type Child = Node | string | null | undefined | false;

// createElement with a class and children; strings become text nodes.
function h<K extends keyof HTMLElementTagNameMap>(tag: K, className: string | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (className !== null) el.className = className;
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return el;
}

/** A site-relative URL (`/path…`), or undefined: never `javascript:`, never another host. */
export function safeHref(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (!value.startsWith('/') || value.startsWith('//') || /[\\\s]/.test(value)) return undefined;
  return value;
}

/**
 * Text with `backtick` spans as <code> elements. Still text nodes only: the spans come from
 * check templates, and whatever cluster value sits inside one is set with textContent.
 */
export function withCode(raw: string): Node[] {
  const text = shown(raw);
  const parts = text.split('`');
  // An unpaired backtick (say, in a resource name) leaves the text as it is.
  if (parts.length % 2 === 0) return [document.createTextNode(text)];
  return parts.map((part, i) => (i % 2 === 1 ? h('code', null, part) : document.createTextNode(part)));
}

function link(href: string | undefined, text: string, className: string | null = null): HTMLElement {
  if (href === undefined) return h('span', className, text);
  const a = h('a', className, text);
  a.href = href;
  return a;
}

/** `Kind namespace/name`, or `Kind name` for cluster-scoped resources (as istioctl prints it). */
export function resourceText(resource: Finding['resource'] | undefined): string {
  if (resource === undefined) return '';
  const name = resource.namespace ? `${resource.namespace}/${resource.name}` : String(resource.name);
  return shown(`${resource.kind} ${name}`);
}

function codeHref(finding: Finding): string | undefined {
  const given = safeHref(finding.codeDocs);
  if (given !== undefined) return given;
  return /^[A-Z]{2,4}\d{4}$/.test(String(finding.code)) ? `/reference/codes/${String(finding.code).toLowerCase()}/` : undefined;
}

function renderFinding(finding: Finding, anchor: string): HTMLElement {
  const severity = String(finding.severity);
  const li = h('li', 'rb-finding');
  // The anchor a matrix cell links to: the finding about the policy that blocks it.
  li.id = anchor;
  li.dataset.severity = severity;
  li.append(
    h(
      'p',
      'rb-finding-head',
      link(codeHref(finding), shown(finding.code), 'rb-code'),
      h('span', 'rb-severity', shown(severity)),
      h('span', 'rb-resource', resourceText(finding.resource)),
    ),
    h('p', 'rb-message', ...withCode(String(finding.message))),
  );
  const evidence = finding.evidence !== undefined && finding.evidence !== null ? Object.entries(finding.evidence) : [];
  if (evidence.length > 0) {
    const dl = h('dl', 'rb-evidence');
    for (const [key, value] of evidence) dl.append(h('div', null, h('dt', null, shown(key)), h('dd', null, shown(value))));
    li.append(h('p', 'rb-label', 'Evidence'), dl);
  }
  if (finding.remediation) li.append(h('p', 'rb-remediation', h('strong', null, 'What to do: '), ...withCode(String(finding.remediation))));
  const docs = safeHref(finding.docs);
  const where = finding.location ? shown(`${finding.location.file}:${finding.location.line}`) : undefined;
  if (docs !== undefined || where !== undefined) {
    li.append(
      h(
        'p',
        'rb-finding-foot',
        docs !== undefined && link(docs, 'Read the guide section'),
        where !== undefined && h('span', 'rb-location', `Defined at ${where}`),
      ),
    );
  }
  return li;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** "Read 412 objects of 5 kinds": how much a check (or run) read, so a pass is never taken on trust. */
export function readText(read: ReadCount): string {
  return `Read ${plural(Number(read.objects) || 0, 'object')} of ${plural(Number(read.kinds) || 0, 'kind')}`;
}

function readLine(result: CheckResult, status: CheckStatus): HTMLElement | undefined {
  const read = result.read;
  if (read !== undefined && read !== null && typeof read === 'object') {
    const p = h('p', 'rb-read', `${readText(read)}.`);
    p.dataset.objects = String(read.objects);
    p.dataset.kinds = String(read.kinds);
    return p;
  }
  // A verdict about the cluster without a word on what was read is not one to take on trust.
  if (status === 'pass' || status === 'warn' || status === 'fail') return h('p', 'rb-read', 'How much was read was not reported.');
  return undefined;
}

/** The results of one check: status word, summary line, what was read, reason and findings. */
export function renderResult(result: CheckResult, targetName: string, options: { note?: string; explain?: Explainer } = {}): DocumentFragment {
  const status: CheckStatus = result.status in STATUS_WORDS ? result.status : 'error';
  const findings = Array.isArray(result.findings) ? result.findings : [];
  // Findings cut to fit still count: "No findings" would be a false all-clear.
  const found = findings.length + (typeof result.truncated === 'number' && result.truncated > 0 ? result.truncated : 0);
  const outcome = h(
    'p',
    'rb-outcome',
    h('span', 'rb-status-word', STATUS_WORDS[status]),
    h('span', 'rb-summary', `${found === 0 ? 'No findings' : plural(found, 'finding')} · ${Number(result.durationMs) || 0} ms · ${shown(targetName)}`),
  );
  outcome.dataset.status = status;
  const fragment = document.createDocumentFragment();
  fragment.append(outcome);
  const read = readLine(result, status);
  if (read !== undefined) fragment.append(read);
  if (result.reason) fragment.append(h('p', 'rb-reason', shown(result.reason)));
  if (findings.length > 0) {
    const list = h('ol', 'rb-findings');
    for (const [i, finding] of findings.entries()) list.append(renderFinding(finding, findingAnchor(String(result.id), i)));
    fragment.append(list);
  }
  // Pictures the check attached (a reachability matrix), drawn under the findings they link to.
  for (const matrix of reachabilityMatrices(result.attachments)) {
    const figure = toDom(matrixFigure(matrix, { cellHref: linkToFindings(String(result.id), findings) })) as HTMLElement;
    enhanceMatrix(figure, options.explain);
    fragment.append(figure);
  }
  if (typeof result.truncated === 'number' && result.truncated > 0) {
    const more = h('p', 'rb-reason', `${plural(result.truncated, 'more finding')} not shown; run the CLI for the full list.`);
    more.dataset.truncated = String(result.truncated);
    fragment.append(more);
  }
  if (options.note !== undefined && options.note !== '') {
    const note = h('p', 'rb-reason', shown(options.note));
    note.dataset.trimmed = '';
    fragment.append(note);
  }
  return fragment;
}

/**
 * The run's one "the cluster could not be read" banner: the problem said once, whether it
 * stands for one runbook or for every runbook of a "Run all".
 */
export function renderProblem(problem: RunProblem, targetName: string): HTMLElement {
  const banner = h(
    'div',
    'rb-problem',
    h('p', 'rb-problem-head', h('strong', null, 'Nothing was checked:'), ` ${shown(targetName)} could not be read.`),
    h('p', 'rb-problem-message', shown(problem.message)),
  );
  banner.setAttribute('role', 'alert');
  banner.dataset.reason = shown(problem.reason);
  return banner;
}

/** A runbook whose check did not run because the run's source could not be read (said in the banner above). */
export function renderNotRun(): HTMLElement {
  const p = h('p', 'rb-outcome', h('span', 'rb-status-word', 'Not run'), h('span', 'rb-summary', 'the cluster could not be read (see above)'));
  p.dataset.status = 'not-run';
  return p;
}

/** A one-line note in the results region while a check runs. */
export function renderNote(text: string, kind: 'running' | 'waiting'): HTMLElement {
  const p = h('p', 'rb-note', text);
  p.dataset.kind = kind;
  return p;
}

/** Why a check produced no result (refused, unreachable, stopped), under the status word Error. */
export function renderFailure(text: string): HTMLElement {
  const p = h('p', 'rb-outcome', h('span', 'rb-status-word', STATUS_WORDS.error), h('span', 'rb-summary', shown(text)));
  p.dataset.status = 'error';
  return p;
}
