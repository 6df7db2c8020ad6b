// One check result as a small declarative tree (matrix-svg.ts's MarkupNode), so the live island
// (render-result.ts, through `toDom`) and the recorded result of the static build
// (RecordedResults.astro, through `toMarkup`) draw the same thing from the same code: same
// classes, same `code` spans, same links. Everything in a result can come from a cluster, so
// every value is a text child (escaped by the DOM or by toMarkup) after `printable`, and the only
// hrefs are validated site-relative paths and same-page `#…` anchors. Inline labels are kept
// apart by a space (ignored by the flex layouts), so text taken from the page (search excerpts,
// a copy) does not run them together.

import {
  STATUS_WORDS,
  type Attachment,
  type CheckStatus,
  type Finding,
  type FixBlock,
  type ReadCount,
  type Suppression,
} from '../engine/types.ts';
import { printable } from '../engine/display-text.ts';
import { reachabilityMatrices } from '../engine/reachability-matrix.ts';
import { findingAnchor, linkToFindings, matrixFigure, type MarkupNode } from './matrix-svg.ts';

/** What a renderer needs of a finding: the engine's and the JSON report's findings both fit. */
export type FindingView = Pick<Finding, 'code' | 'severity' | 'message' | 'resource'> &
  Partial<Pick<Finding, 'location' | 'evidence' | 'remediation' | 'fixCode' | 'docs' | 'codeDocs'>>;

/** What a renderer needs of a check result (a live CheckResult or a recorded JsonCheck). */
export interface ResultView {
  id: string;
  status: CheckStatus;
  durationMs: number;
  reason?: string | undefined;
  read?: ReadCount | undefined;
  truncated?: number | undefined;
  findings: readonly FindingView[];
  /** Findings set aside by suppressions: shown apart, never counted for the status. */
  suppressed?: readonly (FindingView & { suppression: Suppression })[] | undefined;
  attachments?: readonly Attachment[] | undefined;
}

export interface ResultTreeOptions {
  /** Prefix of the findings' anchors: `finding` (live) or `recorded-finding`, so both can share a page. */
  anchorPrefix?: string;
  /** Prepended to site links: an archive is served under its own base. */
  base?: string;
  /** A finding code's reference page (site-relative), or undefined for no link. */
  codeHref?: (code: string) => string | undefined;
  /** What was left out of the result to fit the stream. */
  note?: string;
  /** Expressive Code's HTML for each fix block of the finding at this index (expressive-code.ts). */
  fixHtml?: (findingIndex: number) => readonly string[] | undefined;
}

type Child = MarkupNode | string | null | undefined | false;

function el(tag: string, attrs: Record<string, string | undefined>, ...children: Child[]): MarkupNode {
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) clean[k] = v;
  return {
    ns: 'html',
    tag,
    attrs: clean,
    children: children.filter((c): c is MarkupNode | string => c !== null && c !== undefined && c !== false),
  };
}

/** Any value from a result as text fit to show: invisible and reordering characters escaped. */
export function shown(value: unknown): string {
  return printable(String(value));
}

/** A site-relative URL (`/path…`), or undefined: never `javascript:`, never another host. */
export function safeHref(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (!value.startsWith('/') || value.startsWith('//') || /[\\\s]/.test(value)) return undefined;
  return value;
}

/** Text with `backtick` spans as <code> elements (the spans come from check templates). */
export function withCode(raw: string): (MarkupNode | string)[] {
  const text = shown(raw);
  const parts = text.split('`');
  // An unpaired backtick (say, in a resource name) leaves the text as it is.
  if (parts.length % 2 === 0) return [text];
  return parts.map((part, i) => (i % 2 === 1 ? el('code', {}, part) : part)).filter((p) => p !== '');
}

/** `Kind namespace/name`, or `Kind name` for cluster-scoped resources (as istioctl prints it); `east: Kind ns/name` in a run over several clusters. */
export function resourceText(resource: Finding['resource'] | undefined): string {
  if (resource === undefined) return '';
  const name = resource.namespace ? `${resource.namespace}/${resource.name}` : String(resource.name);
  return shown(`${resource.cluster ? `${resource.cluster}: ` : ''}${resource.kind} ${name}`);
}

/** What identifies a finding across two runs: its code and resource (messages carry run details). */
export function findingKey(finding: Pick<FindingView, 'code' | 'resource'>): string {
  const r = finding.resource;
  // Printable: it is written into an attribute, where a raw bidi override has no business either.
  const key = [finding.code, r?.kind ?? '', r?.namespace ?? '', r?.name ?? ''];
  // The same object in two clusters is two findings; a one-cluster key stays as it always was.
  if (r?.cluster) key.push(r.cluster);
  return shown(key.map(String).join('|'));
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** "Read 412 objects of 5 kinds": how much a check (or run) read, so a pass is never taken on trust. */
export function readText(read: ReadCount): string {
  return `Read ${plural(Number(read.objects) || 0, 'object')} of ${plural(Number(read.kinds) || 0, 'kind')}`;
}

function defaultCodeHref(code: string): string | undefined {
  return /^[A-Z]{2,4}\d{4}$/.test(code) ? `/reference/codes/${code.toLowerCase()}/` : undefined;
}

/**
 * A fix's code block: Expressive Code's own rendering when there is one (the frame, highlighting
 * and copy button of every code block on the site), else the code as a plain titled block.
 * Line by line through `shown`, which would otherwise escape the line breaks themselves.
 */
export function codeBlock(block: FixBlock, html: string | undefined): MarkupNode {
  const node = el(
    'div',
    { class: 'mb-fix-code', 'data-lang': block.lang },
    el(
      'figure',
      { class: 'mb-code', 'data-lang': block.lang },
      el('figcaption', { class: 'mb-code-head' }, shown(block.title)),
      el('pre', { tabindex: '0' }, el('code', {}, block.code.split('\n').map(shown).join('\n'))),
    ),
  );
  return html === undefined ? node : { ...node, children: [], trustedHtml: html };
}

function findingTree(finding: FindingView, anchor: string, options: ResultTreeOptions, html: readonly string[] | undefined): MarkupNode {
  const base = options.base ?? '';
  const site = (href: string | undefined): string | undefined => (href === undefined ? undefined : `${base}${href}`);
  const code = String(finding.code);
  const codeLink = site(safeHref(finding.codeDocs) ?? safeHref((options.codeHref ?? defaultCodeHref)(code)));
  const severity = shown(finding.severity);
  const fix = finding.fixCode ?? undefined;
  const remediation =
    fix?.text ?? (finding.remediation !== undefined && finding.remediation !== '' ? String(finding.remediation) : undefined);
  // Evidence that quotes the rule shown as YAML under the fix points there instead of repeating it.
  const evidence = (finding.evidence !== undefined && finding.evidence !== null ? Object.entries(finding.evidence) : []).map(
    ([k, v]): [string, unknown] => [k, fix?.quoted.includes(String(v)) === true ? '(shown as YAML under What to do)' : v],
  );
  const docs = site(safeHref(finding.docs));
  const where = finding.location ? shown(`${finding.location.file}:${finding.location.line}`) : undefined;
  return el(
    'li',
    { class: 'rb-finding', id: anchor, 'data-severity': severity, 'data-key': findingKey(finding) },
    el(
      'p',
      { class: 'rb-finding-head' },
      codeLink === undefined ? el('span', { class: 'rb-code' }, shown(code)) : el('a', { class: 'rb-code', href: codeLink }, shown(code)),
      ' ',
      el('span', { class: 'rb-severity' }, severity),
      ' ',
      el('span', { class: 'rb-resource' }, resourceText(finding.resource)),
    ),
    el('p', { class: 'rb-message' }, ...withCode(String(finding.message))),
    evidence.length > 0 && el('p', { class: 'rb-label' }, 'Evidence'),
    evidence.length > 0 &&
      el('dl', { class: 'rb-evidence' }, ...evidence.map(([k, v]) => el('div', {}, el('dt', {}, shown(k)), ' ', el('dd', {}, shown(v))))),
    remediation !== undefined && el('p', { class: 'rb-remediation' }, el('strong', {}, 'What to do: '), ...withCode(remediation)),
    ...(fix?.blocks ?? []).map((block, i) => codeBlock(block, html?.[i])),
    (docs !== undefined || where !== undefined) &&
      el(
        'p',
        { class: 'rb-finding-foot' },
        docs !== undefined && el('a', { href: docs }, 'Read the guide section'),
        docs !== undefined && where !== undefined && ' ',
        where !== undefined && el('span', { class: 'rb-location' }, `Defined at ${where}`),
      ),
  );
}

const SUPPRESSED_BY: Record<Suppression['by'], string> = {
  annotation: 'the resource’s annotation',
  flag: 'a --suppress rule',
  config: 'the project’s meshbook.yaml',
};

// Suppressed findings, folded under the real ones: one line each with the rule that set it aside.
function suppressedTree(findings: readonly (FindingView & { suppression: Suppression })[]): MarkupNode {
  return el(
    'details',
    { class: 'rb-suppressed', 'data-suppressed': String(findings.length) },
    el('summary', {}, `${plural(findings.length, 'suppressed finding')}, not counted`),
    el(
      'ul',
      { class: 'rb-suppressed-list' },
      ...findings.map((f) =>
        el(
          'li',
          { 'data-key': findingKey(f), 'data-by': shown(f.suppression.by) },
          el('span', { class: 'rb-severity' }, shown(f.severity)),
          ' ',
          el('span', { class: 'rb-code' }, shown(f.code)),
          ' ',
          el('span', { class: 'rb-resource' }, resourceText(f.resource)),
          ' — ',
          el('span', { class: 'rb-message' }, shown(f.message)),
          ' ',
          el(
            'span',
            { class: 'rb-suppression' },
            `Suppressed by ${SUPPRESSED_BY[f.suppression.by] ?? shown(f.suppression.by)}: ${shown(f.suppression.reason)}` +
              (f.suppression.until === undefined ? '' : ` (until ${shown(f.suppression.until)})`),
          ),
        ),
      ),
    ),
  );
}

/** The result of one check: status word, summary line, what was read, reason, findings, pictures. */
export function resultTree(result: ResultView, targetName: string, options: ResultTreeOptions = {}): MarkupNode[] {
  const status: CheckStatus = result.status in STATUS_WORDS ? result.status : 'error';
  const findings = Array.isArray(result.findings) ? result.findings : [];
  const truncated = typeof result.truncated === 'number' && result.truncated > 0 ? result.truncated : 0;
  const prefix = options.anchorPrefix ?? 'finding';
  // Findings cut to fit still count: "No findings" would be a false all-clear.
  const found = findings.length + truncated;
  const out: MarkupNode[] = [
    el(
      'p',
      { class: 'rb-outcome', 'data-status': status },
      el('span', { class: 'rb-status-word' }, STATUS_WORDS[status]),
      ' ',
      el(
        'span',
        { class: 'rb-summary' },
        `${found === 0 ? 'No findings' : plural(found, 'finding')}${
          Array.isArray(result.suppressed) && result.suppressed.length > 0 ? ` (${result.suppressed.length} suppressed)` : ''
        } · ${Number(result.durationMs) || 0} ms · ${shown(targetName)}`,
      ),
    ),
  ];
  const read = result.read;
  if (read !== undefined && read !== null && typeof read === 'object') {
    out.push(el('p', { class: 'rb-read', 'data-objects': String(read.objects), 'data-kinds': String(read.kinds) }, `${readText(read)}.`));
  } else if (status === 'pass' || status === 'warn' || status === 'fail') {
    // A verdict about the cluster without a word on what was read is not one to take on trust.
    out.push(el('p', { class: 'rb-read' }, 'How much was read was not reported.'));
  }
  if (result.reason) out.push(el('p', { class: 'rb-reason' }, shown(result.reason)));
  if (findings.length > 0)
    out.push(
      el(
        'ol',
        { class: 'rb-findings' },
        ...findings.map((f, i) => findingTree(f, findingAnchor(String(result.id), i, prefix), options, options.fixHtml?.(i))),
      ),
    );
  // Pictures the check attached (a reachability matrix), drawn under the findings they link to.
  for (const matrix of reachabilityMatrices(result.attachments)) {
    out.push(matrixFigure(matrix, { cellHref: linkToFindings(String(result.id), findings, prefix) }));
  }
  const suppressed = Array.isArray(result.suppressed) ? result.suppressed : [];
  if (suppressed.length > 0) out.push(suppressedTree(suppressed));
  if (truncated > 0)
    out.push(
      el(
        'p',
        { class: 'rb-reason', 'data-truncated': String(truncated) },
        `${plural(truncated, 'more finding')} not shown; run the CLI for the full list.`,
      ),
    );
  if (options.note !== undefined && options.note !== '') out.push(el('p', { class: 'rb-reason', 'data-trimmed': '' }, shown(options.note)));
  return out;
}
