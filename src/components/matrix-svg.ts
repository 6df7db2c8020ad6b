// Draws a ReachabilityMatrix as a figure: a table of coloured cells (sticky header row and
// column, vertical column labels), a legend, and the list of blocked pairs. The layout is built
// once as a small declarative tree (tag, attributes, text children); `toDom` turns it into DOM
// nodes in the browser (text nodes only) and `toMarkup` serializes it with XML escaping for the
// static build, so the dev-server island and the recorded results draw the same picture; the
// page's script (matrix-tool.ts) adds keyboard movement, a namespace filter and explanations.
// Labels and details come from the cluster: they only ever become text nodes or escaped
// attribute values; the only hrefs are `#fragment` links this module builds.

import type { MatrixCell, ReachabilityMatrix } from '../engine/types.ts';
import { findingForCell, matrixCounts, problemPairs, refsText, type LinkableFinding } from '../engine/reachability-matrix.ts';
import { printable } from '../engine/display-text.ts';

/** One element of the figure (HTML; the SVG namespace stays available to toDom). */
export interface MarkupNode {
  ns: 'html' | 'svg';
  tag: string;
  attrs: Record<string, string>;
  children: (MarkupNode | string)[];
  /**
   * Markup that stands in for the children, as it is: only Expressive Code's rendering of a fix
   * block (expressive-code.ts, on this site's own server), which escapes every text it is given.
   */
  trustedHtml?: string;
}

type Child = MarkupNode | string | null | undefined | false;

// Every text the figure shows (labels, tooltips, the summary read aloud) goes through `printable`:
// an invisible or bidi-override character in a cluster name shows as an escape instead of
// reordering the labels around it.
function node(ns: MarkupNode['ns'], tag: string, attrs: Record<string, string | number | undefined>, children: Child[]): MarkupNode {
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs))
    if (v !== undefined) clean[k] = typeof v === 'number' ? String(round(v)) : k === 'aria-label' || k === 'title' ? printable(v) : v;
  const kept = children.filter((c): c is MarkupNode | string => c !== null && c !== undefined && c !== false);
  return { ns, tag, attrs: clean, children: kept.map((c) => (typeof c === 'string' ? printable(c) : c)) };
}
const html = (tag: string, attrs: Record<string, string | number | undefined>, ...children: Child[]): MarkupNode =>
  node('html', tag, attrs, children);
const round = (n: number): number => Math.round(n * 10) / 10;

/** Above these sizes only the first rows/columns are drawn (the pairs list still names every blocked pair up to MAX_PAIRS). */
export const MAX_ROWS = 40;
export const MAX_COLUMNS = 40;
/** Blocked pairs listed under the picture. */
export const MAX_PAIRS = 100;
/** Longer labels are shortened in the middle (the tooltip has them whole). */
export const MAX_LABEL = 44;

/** What each state is called, in the legend, the tooltips and the pairs list. */
export const STATE_WORDS: Record<MatrixCell['state'], string> = {
  allowed: 'allowed',
  blocked: 'blocked',
  partial: 'partly blocked',
  'not-applicable': 'not applicable',
};

export interface MatrixOptions {
  /** Where a blocked or partly blocked cell links to (a `#fragment` on the page); undefined: no link. */
  cellHref?: (cell: MatrixCell, rowLabel: string, columnLabel: string) => string | undefined;
  maxRows?: number;
  maxColumns?: number;
  maxPairs?: number;
}

/** The anchor id of a result's nth finding (0-based index): `finding-<check>-<n+1>`, with an optional prefix. */
export function findingAnchor(checkId: string, index: number, prefix = 'finding'): string {
  return `${prefix}-${checkId.replace(/[^A-Za-z0-9_-]/g, '_')}-${index + 1}`;
}

/** A cellHref that links each blocked cell to the finding about the policy that blocks it. */
export function linkToFindings(
  checkId: string,
  findings: readonly LinkableFinding[],
  prefix = 'finding',
): NonNullable<MatrixOptions['cellHref']> {
  return (cell, rowLabel, columnLabel) => {
    const index = findingForCell(cell, columnLabel, rowLabel, findings);
    return index === undefined ? undefined : `#${findingAnchor(checkId, index, prefix)}`;
  };
}

/** A label no longer than `max` characters: the middle gives way, so namespace and port stay. */
export function shorten(label: string, max = MAX_LABEL): string {
  const chars = [...label];
  if (chars.length <= max) return label;
  const head = Math.ceil((max - 1) / 2);
  return `${chars.slice(0, head).join('')}…${chars.slice(chars.length - (max - 1 - head)).join('')}`;
}

// A cell's square and its non-colour cue: ✕ for blocked, a slash for partly blocked (hidden from
// screen readers, which read the cell's label instead).
function cellShape(state: MatrixCell['state']): MarkupNode {
  const mark = state === 'blocked' ? '✕' : state === 'partial' ? '╱' : '';
  return html('span', { class: 'mb-mx-cell', 'aria-hidden': 'true' }, mark !== '' && html('span', { class: 'mb-mx-mark' }, mark));
}

/** The namespace a row or column label starts with (`ns/workload`, `ns/svc:port`, or a bare namespace), printable: the filter shows it. */
export function labelNamespace(label: string): string {
  const at = label.indexOf('/');
  return printable(at < 0 ? label.replace(/:.*$/, '') : label.slice(0, at));
}

// `blocked — 1 of 1 connections blocked on port 9080 (NetworkPolicy ns/a, ns/b)`.
function stateText(cell: MatrixCell): string {
  const policies = cell.blockedBy ?? [];
  return `${STATE_WORDS[cell.state]}${cell.detail === undefined ? '' : ` — ${cell.detail}`}${policies.length === 0 ? '' : ` (${refsText(policies)})`}`;
}

function tooltip(rowLabel: string, columnLabel: string, cell: MatrixCell): string {
  return `${rowLabel} → ${columnLabel}: ${stateText(cell)}`;
}

// Only fragments on the same page: nothing a cluster value could turn into another URL.
const isFragment = (href: string | undefined): href is string => href !== undefined && /^#[A-Za-z0-9_-]+$/.test(href);

/** The figure for one matrix: caption, picture with legend, cap note and the list of blocked pairs. */
export function matrixFigure(matrix: ReachabilityMatrix, options: MatrixOptions = {}): MarkupNode {
  const maxRows = options.maxRows ?? MAX_ROWS;
  const maxColumns = options.maxColumns ?? MAX_COLUMNS;
  const maxPairs = options.maxPairs ?? MAX_PAIRS;
  const rows = matrix.rows.slice(0, maxRows);
  const columns = matrix.columns.slice(0, maxColumns);
  const cells = new Map(matrix.cells.map((c) => [`${c.row}\u0000${c.column}`, c]));
  const counts = matrixCounts(matrix);
  const pairs = problemPairs(matrix);
  const hrefs = new Map<MatrixCell, string>();
  for (const p of pairs) {
    const href = options.cellHref?.(p.cell, p.rowLabel, p.columnLabel);
    if (isFragment(href)) hrefs.set(p.cell, href);
  }

  // A table, so the header row and column stay in view (sticky) while the grid scrolls, column
  // labels run vertically along their own column, and each cell is a focusable grid cell.
  const legend: MatrixCell['state'][] = ['allowed', 'blocked', 'partial', 'not-applicable'];
  const legendNodes = html(
    'ul',
    { class: 'mb-mx-legend' },
    ...legend.map((state) =>
      html(
        'li',
        { class: 'mb-mx-legend-item', 'data-state': state },
        cellShape(state),
        html('span', { class: 'mb-mx-label' }, STATE_WORDS[state]),
      ),
    ),
  );
  const head = html(
    'tr',
    {},
    html('th', { class: 'mb-mx-corner', scope: 'col' }, html('span', { class: 'mb-mx-corner-text' }, 'source ↓ · destination →')),
    ...columns.map((c) =>
      html(
        'th',
        { class: 'mb-mx-label mb-mx-column', scope: 'col', title: c.label, 'data-column': c.id, 'data-ns': labelNamespace(c.label) },
        html('span', { class: 'mb-mx-column-text' }, shorten(printable(c.label))),
      ),
    ),
  );
  const bodyRows = rows.map((r, i) =>
    html(
      'tr',
      { 'data-row': r.id, 'data-ns': labelNamespace(r.label) },
      html('th', { class: 'mb-mx-label mb-mx-row', scope: 'row', title: r.label }, shorten(printable(r.label))),
      ...columns.map((c, j) => {
        const cell = cells.get(`${r.id}\u0000${c.id}`) ?? { row: r.id, column: c.id, state: 'not-applicable' as const };
        const tip = tooltip(r.label, c.label, cell);
        const attrs = {
          class: 'mb-mx-pair',
          role: 'gridcell',
          'data-state': cell.state,
          'data-row': r.id,
          'data-column': c.id,
          'data-column-ns': labelNamespace(c.label),
          title: tip,
          'aria-label': tip,
          tabindex: i === 0 && j === 0 ? 0 : -1,
        };
        const href = hrefs.get(cell);
        return html(
          'td',
          attrs,
          href === undefined
            ? cellShape(cell.state)
            : html('a', { class: 'mb-mx-link', href, tabindex: -1, 'data-state': cell.state }, cellShape(cell.state)),
        );
      }),
    ),
  );

  const applicable = matrix.cells.length - counts['not-applicable'];
  const summary =
    `${matrix.title}. ${counts.blocked} of ${applicable} source → destination pairs blocked, ${counts.partial} partly blocked, ${counts.allowed} allowed` +
    (pairs.length > 0 ? '; the list below names the blocked pairs.' : '.');
  const picture = html(
    'table',
    { class: 'mb-matrix-grid', role: 'grid', 'aria-label': summary },
    html('thead', {}, head),
    html('tbody', {}, ...bodyRows),
  );

  const leftOut = [
    matrix.rows.length > rows.length && `${matrix.rows.length - rows.length} of ${matrix.rows.length} sources`,
    matrix.columns.length > columns.length && `${matrix.columns.length - columns.length} of ${matrix.columns.length} destinations`,
  ].filter((s): s is string => typeof s === 'string');
  const capNote =
    leftOut.length > 0 &&
    html(
      'p',
      { class: 'mb-matrix-note', 'data-capped': '' },
      `Showing the first ${rows.length} sources and ${columns.length} destinations: ${leftOut.join(' and ')} are left out of the picture. The list of blocked pairs below covers them all.`,
    );

  const shown = pairs.slice(0, maxPairs);
  const pairList =
    pairs.length === 0
      ? html('p', { class: 'mb-matrix-note' }, 'No pair is blocked.')
      : html(
          'details',
          { class: 'mb-matrix-pairs' },
          html('summary', {}, `Blocked pairs (${pairs.length})`),
          html(
            'ul',
            {},
            ...shown.map((p) => {
              const href = hrefs.get(p.cell);
              const pair = `${p.rowLabel} → ${p.columnLabel}`;
              return html(
                'li',
                { 'data-state': p.cell.state },
                href === undefined ? html('span', { class: 'mb-matrix-pair' }, pair) : html('a', { class: 'mb-matrix-pair', href }, pair),
                `: ${stateText(p.cell)}`,
              );
            }),
          ),
          pairs.length > shown.length &&
            html(
              'p',
              { class: 'mb-matrix-note' },
              `${pairs.length - shown.length} more blocked pairs not listed; run the CLI for the full list.`,
            ),
        );

  return html(
    'figure',
    {
      class: 'mb-matrix',
      'data-rows': matrix.rows.length,
      'data-columns': matrix.columns.length,
      'data-blocked': counts.blocked,
      'data-partial': counts.partial,
    },
    html('figcaption', { class: 'mb-matrix-title' }, matrix.title),
    legendNodes,
    html('div', { class: 'mb-matrix-scroll' }, picture),
    // Filled by the page's script (matrix-tool.ts): the focused cell in words, and a cell's explanation.
    html('p', { class: 'mb-matrix-status', 'aria-live': 'polite' }),
    capNote,
    pairList,
  );
}

const SVG_NS = 'http://www.w3.org/2000/svg';
const NAME = /^[A-Za-z][A-Za-z0-9:-]*$/;

/** The tree as DOM nodes of `doc`: elements by namespace, text as text nodes. */
export function toDom(tree: MarkupNode, doc: Document = document): Element {
  if (!NAME.test(tree.tag)) throw new Error(`Not an element name: ${JSON.stringify(tree.tag)}`);
  const el = tree.ns === 'svg' ? doc.createElementNS(SVG_NS, tree.tag) : doc.createElement(tree.tag);
  for (const [name, value] of Object.entries(tree.attrs)) {
    if (!NAME.test(name)) throw new Error(`Not an attribute name: ${JSON.stringify(name)}`);
    if (name === 'xmlns') continue; // createElementNS already set the namespace
    el.setAttribute(name, value);
  }
  if (tree.trustedHtml !== undefined) el.innerHTML = tree.trustedHtml;
  else for (const child of tree.children) el.append(typeof child === 'string' ? doc.createTextNode(child) : toDom(child, doc));
  return el;
}

// Characters XML 1.0 cannot carry (controls, lone surrogates, U+FFFE/FFFF) become U+FFFD.
const NOT_XML =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Text escaped for element content. */
export function escapeText(text: string): string {
  return text.replace(NOT_XML, '\ufffd').replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

/** Text escaped for a double-quoted attribute value. */
export function escapeAttr(text: string): string {
  return escapeText(text).replace(/"/g, '&quot;');
}

/** The tree as markup (valid as XML and as HTML with inline SVG); every text and attribute escaped. */
export function toMarkup(tree: MarkupNode): string {
  if (!NAME.test(tree.tag)) throw new Error(`Not an element name: ${JSON.stringify(tree.tag)}`);
  let out = `<${tree.tag}`;
  for (const [name, value] of Object.entries(tree.attrs)) {
    if (!NAME.test(name)) throw new Error(`Not an attribute name: ${JSON.stringify(name)}`);
    out += ` ${name}="${escapeAttr(value)}"`;
  }
  out += '>';
  if (tree.trustedHtml !== undefined) out += tree.trustedHtml;
  else for (const child of tree.children) out += typeof child === 'string' ? escapeText(child) : toMarkup(child);
  return `${out}</${tree.tag}>`;
}
