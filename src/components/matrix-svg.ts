// Draws a ReachabilityMatrix as an inline SVG figure. The layout is built once as a small
// declarative tree (tag, attributes, text children); `toDom` turns it into DOM nodes in the
// browser (createElementNS, text nodes) and `toMarkup` serializes it with XML escaping for the
// static build, so the dev-server island and the recorded results draw the same picture.
// Labels and details come from the cluster: they only ever become text nodes or escaped
// attribute values; the only hrefs are `#fragment` links this module builds.

import type { MatrixCell, ReachabilityMatrix } from '../engine/types.ts';
import { findingForCell, matrixCounts, problemPairs, refsText, type LinkableFinding } from '../engine/reachability-matrix.ts';
import { printable } from '../engine/display-text.ts';

/** One element of the figure: HTML around the picture, SVG inside it. */
export interface MarkupNode {
  ns: 'html' | 'svg';
  tag: string;
  attrs: Record<string, string>;
  children: (MarkupNode | string)[];
}

type Child = MarkupNode | string | null | undefined | false;

// Every text the figure shows (labels, tooltips, the summary read aloud) goes through `printable`:
// an invisible or bidi-override character in a cluster name shows as an escape instead of
// reordering the labels around it.
function node(ns: MarkupNode['ns'], tag: string, attrs: Record<string, string | number | undefined>, children: Child[]): MarkupNode {
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) clean[k] = typeof v === 'number' ? String(round(v)) : k === 'aria-label' ? printable(v) : v;
  const kept = children.filter((c): c is MarkupNode | string => c !== null && c !== undefined && c !== false);
  return { ns, tag, attrs: clean, children: kept.map((c) => (typeof c === 'string' ? printable(c) : c)) };
}
const svg = (tag: string, attrs: Record<string, string | number | undefined>, ...children: Child[]): MarkupNode => node('svg', tag, attrs, children);
const html = (tag: string, attrs: Record<string, string | number | undefined>, ...children: Child[]): MarkupNode => node('html', tag, attrs, children);
const round = (n: number): number => Math.round(n * 10) / 10;

/** Above these sizes only the first rows/columns are drawn (the pairs list still names every blocked pair up to MAX_PAIRS). */
export const MAX_ROWS = 40;
export const MAX_COLUMNS = 40;
/** Blocked pairs listed under the picture. */
export const MAX_PAIRS = 100;
/** Longer labels are shortened in the middle (the tooltip has them whole). */
export const MAX_LABEL = 44;

// Geometry, in CSS pixels. Labels are monospace (0.6em advance), so their width is predictable.
const CELL = 18;
const PITCH = 21;
const FONT = 11;
const CHAR = FONT * 0.62;
const COS45 = Math.SQRT1_2;

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
export function linkToFindings(checkId: string, findings: readonly LinkableFinding[], prefix = 'finding'): NonNullable<MatrixOptions['cellHref']> {
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

// A cell's square and its non-colour cue: ✕ for blocked, a slash for partly blocked.
function cellShape(state: MatrixCell['state'], x: number, y: number, size: number): MarkupNode[] {
  const out = [svg('rect', { class: 'mb-mx-cell', x: x + 0.5, y: y + 0.5, width: size - 1, height: size - 1, rx: 2 })];
  const a = size * 0.25;
  const b = size * 0.75;
  if (state === 'blocked') out.push(svg('path', { class: 'mb-mx-mark', d: `M${round(x + a)} ${round(y + a)}L${round(x + b)} ${round(y + b)}M${round(x + b)} ${round(y + a)}L${round(x + a)} ${round(y + b)}` }));
  if (state === 'partial') out.push(svg('path', { class: 'mb-mx-mark', d: `M${round(x + a)} ${round(y + b)}L${round(x + b)} ${round(y + a)}` }));
  return out;
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

  // Layout: legend in the top-left corner, row labels under it, column labels rotated 45° above the grid.
  const legend: MatrixCell['state'][] = ['allowed', 'blocked', 'partial', 'not-applicable'];
  const legendWidth = 14 + 6 + Math.max(...legend.map((s) => STATE_WORDS[s].length)) * CHAR;
  const legendHeight = legend.length * 20;
  const rowLabelWidth = Math.max(0, ...rows.map((r) => [...shorten(printable(r.label))].length)) * CHAR;
  const columnLabelWidth = Math.max(0, ...columns.map((c) => [...shorten(printable(c.label))].length)) * CHAR;
  const left = Math.ceil(Math.max(rowLabelWidth, legendWidth) + 12);
  const top = Math.ceil(Math.max(columnLabelWidth * COS45 + 14, legendHeight + 8));
  const width = Math.ceil(left + columns.length * PITCH + columnLabelWidth * COS45 + 8);
  const height = Math.ceil(top + rows.length * PITCH + 4);

  const legendNodes = legend.map((state, i) =>
    svg(
      'g',
      { class: 'mb-mx-legend-item', 'data-state': state },
      ...cellShape(state, 0, i * 20, 14),
      svg('text', { class: 'mb-mx-label', x: 20, y: i * 20 + 7, 'dominant-baseline': 'central' }, STATE_WORDS[state]),
    ),
  );
  const rowNodes = rows.map((r, i) =>
    svg('text', { class: 'mb-mx-label mb-mx-row', x: left - 8, y: top + i * PITCH + CELL / 2, 'text-anchor': 'end', 'dominant-baseline': 'central' }, svg('title', {}, r.label), shorten(printable(r.label))),
  );
  const columnNodes = columns.map((c, j) => {
    const x = left + j * PITCH + CELL / 2;
    const y = top - 6;
    return svg(
      'text',
      { class: 'mb-mx-label mb-mx-column', x, y, transform: `rotate(-45 ${round(x)} ${round(y)})`, 'dominant-baseline': 'central' },
      svg('title', {}, c.label),
      shorten(printable(c.label)),
    );
  });
  const cellNodes: MarkupNode[] = [];
  for (const [i, r] of rows.entries()) {
    for (const [j, c] of columns.entries()) {
      const cell = cells.get(`${r.id}\u0000${c.id}`) ?? { row: r.id, column: c.id, state: 'not-applicable' as const };
      const x = left + j * PITCH;
      const y = top + i * PITCH;
      const attrs = { class: 'mb-mx-pair', 'data-state': cell.state, 'data-row': r.id, 'data-column': c.id };
      const title = svg('title', {}, tooltip(r.label, c.label, cell));
      const href = hrefs.get(cell);
      cellNodes.push(href === undefined ? svg('g', attrs, title, ...cellShape(cell.state, x, y, CELL)) : svg('a', { ...attrs, class: 'mb-mx-pair mb-mx-link', href }, title, ...cellShape(cell.state, x, y, CELL)));
    }
  }

  const applicable = matrix.cells.length - counts['not-applicable'];
  const summary =
    `${matrix.title}. ${counts.blocked} of ${applicable} source → destination pairs blocked, ${counts.partial} partly blocked, ${counts.allowed} allowed` +
    (pairs.length > 0 ? '; the list below names the blocked pairs.' : '.');
  const picture = svg(
    'svg',
    { class: 'mb-matrix-svg', role: 'img', 'aria-label': summary, width, height, viewBox: `0 0 ${width} ${height}`, xmlns: 'http://www.w3.org/2000/svg' },
    svg('g', { class: 'mb-mx-legend' }, ...legendNodes),
    svg('g', { class: 'mb-mx-rows' }, ...rowNodes),
    svg('g', { class: 'mb-mx-columns' }, ...columnNodes),
    svg('g', { class: 'mb-mx-cells' }, ...cellNodes),
  );

  const leftOut = [
    matrix.rows.length > rows.length && `${matrix.rows.length - rows.length} of ${matrix.rows.length} sources`,
    matrix.columns.length > columns.length && `${matrix.columns.length - columns.length} of ${matrix.columns.length} destinations`,
  ].filter((s): s is string => typeof s === 'string');
  const capNote =
    leftOut.length > 0 &&
    html('p', { class: 'mb-matrix-note', 'data-capped': '' }, `Showing the first ${rows.length} sources and ${columns.length} destinations: ${leftOut.join(' and ')} are left out of the picture. The list of blocked pairs below covers them all.`);

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
          pairs.length > shown.length && html('p', { class: 'mb-matrix-note' }, `${pairs.length - shown.length} more blocked pairs not listed; run the CLI for the full list.`),
        );

  return html(
    'figure',
    { class: 'mb-matrix', 'data-rows': matrix.rows.length, 'data-columns': matrix.columns.length, 'data-blocked': counts.blocked, 'data-partial': counts.partial },
    html('figcaption', { class: 'mb-matrix-title' }, matrix.title),
    html('div', { class: 'mb-matrix-scroll' }, picture),
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
  for (const child of tree.children) el.append(typeof child === 'string' ? doc.createTextNode(child) : toDom(child, doc));
  return el;
}

// Characters XML 1.0 cannot carry (controls, lone surrogates, U+FFFE/FFFF) become U+FFFD.
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

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
  for (const child of tree.children) out += typeof child === 'string' ? escapeText(child) : toMarkup(child);
  return `${out}</${tree.tag}>`;
}
