// Draws a check result as DOM, in the browser. Everything in a result can come from a
// cluster (names, annotations, messages built from them), so every value goes into a text
// node: no innerHTML, no attribute other than a validated site-relative href (and, in the
// matrix from matrix-svg.ts, escaped-by-DOM attributes and same-page `#finding-…` links).
// Cluster text also passes through `printable`, so invisible and bidi-override characters
// show as `\u202E`-style escapes and cannot reorder or hide the rest of a finding; the
// elements that hold it are bidi-isolated in meshbook.css.

import { STATUS_WORDS, type CheckResult, type Finding, type RunProblem } from '../engine/types.ts';
import { toDom } from './matrix-svg.ts';
import { enhanceMatrix, type Explainer } from './matrix-tool.ts';
import { resourceText, resultTree, shown } from './result-tree.ts';

export { STATUS_WORDS };
export { findingKey, readText, resourceText, safeHref, shown } from './result-tree.ts';

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

/**
 * The results of one check: status word, summary line, what was read, reason and findings,
 * drawn from the same tree as the recorded results of the static build (result-tree.ts).
 */
export function renderResult(
  result: CheckResult,
  targetName: string,
  options: { note?: string; explain?: Explainer; fixHtml?: readonly (readonly string[] | null)[] } = {},
): DocumentFragment {
  const fragment = document.createDocumentFragment();
  const fixHtml = options.fixHtml;
  const tree = resultTree(result, targetName, {
    ...(options.note === undefined ? {} : { note: options.note }),
    ...(fixHtml === undefined ? {} : { fixHtml: (i: number) => fixHtml[i] ?? undefined }),
  });
  for (const node of tree) {
    const dom = toDom(node) as HTMLElement;
    // A matrix gets keyboard movement, the namespace filter and the explain panel.
    if (dom.matches('figure.mb-matrix')) enhanceMatrix(dom, options.explain);
    fragment.append(dom);
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

/** One cluster of a run over several could not be read: said once; the other clusters were checked. */
export function renderClusterProblem(cluster: string, problem: RunProblem): HTMLElement {
  const banner = h(
    'div',
    'rb-problem',
    h(
      'p',
      'rb-problem-head',
      h('strong', null, `Cluster ${shown(cluster)} was not checked:`),
      ' it could not be read; the other clusters were.',
    ),
    h('p', 'rb-problem-message', shown(problem.message)),
  );
  banner.setAttribute('role', 'alert');
  banner.dataset.reason = shown(problem.reason);
  banner.dataset.cluster = shown(cluster);
  return banner;
}

/** A runbook whose check did not run because the run's source could not be read (said in the banner above). */
export function renderNotRun(): HTMLElement {
  const p = h(
    'p',
    'rb-outcome',
    h('span', 'rb-status-word', 'Not run'),
    h('span', 'rb-summary', 'the cluster could not be read (see above)'),
  );
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

type WhatIfFinding = Pick<Finding, 'code' | 'severity' | 'message' | 'resource'>;

/**
 * A what-if run's comparison: "What-if: N added, M fixed" and each finding the proposed YAML
 * adds or fixes, one line each (severity, code, resource — message), all as text.
 */
export function renderWhatIf(added: readonly WhatIfFinding[], fixed: readonly WhatIfFinding[]): HTMLElement {
  const list = (label: string, kind: string, findings: readonly WhatIfFinding[]): Child[] =>
    findings.length === 0
      ? []
      : [
          h('p', 'rb-what-if-label', label),
          h(
            'ul',
            'rb-what-if-list',
            ...findings.map((f) => {
              const li = h(
                'li',
                'rb-what-if-finding',
                `${shown(f.severity)} ${shown(f.code)} `,
                h('span', 'rb-resource', resourceText(f.resource)),
                ' — ',
                h('span', 'rb-message', shown(f.message)),
              );
              li.dataset.change = kind;
              return li;
            }),
          ),
        ];
  const box = h(
    'div',
    'rb-what-if',
    h('p', 'rb-what-if-head', `What-if: ${added.length} added, ${fixed.length} fixed`),
    ...list('Added by the change:', 'added', added),
    ...list('Fixed by the change:', 'fixed', fixed),
  );
  box.dataset.whatIf = '';
  return box;
}
