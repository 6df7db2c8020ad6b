import { describe, expect, it } from 'vitest';
import {
  MAX_COLUMNS,
  MAX_ROWS,
  escapeText,
  findingAnchor,
  linkToFindings,
  matrixFigure,
  shorten,
  toMarkup,
  type MarkupNode,
} from '../../src/components/matrix-svg.ts';
import { findingForCell, matrixCounts, problemPairs } from '../../src/engine/reachability-matrix.ts';
import { isReachabilityMatrix } from '../../src/engine/result-schema.ts';
import type { MatrixCell, ReachabilityMatrix } from '../../src/engine/types.ts';
import { matrixLines } from '../../src/report/format-text.ts';
import { parseXml, type XmlElement, type XmlNode } from '../cli/helpers/xml.ts';

const HOSTILE = '<script>alert(1)</script> & "q" \'a\' ]]>';

function matrix(
  rows: string[],
  columns: string[],
  state: (r: number, c: number) => MatrixCell['state'] = () => 'allowed',
): ReachabilityMatrix {
  const cells: MatrixCell[] = [];
  for (const [i, r] of rows.entries()) {
    for (const [j, c] of columns.entries()) {
      const s = state(i, j);
      cells.push(
        s === 'blocked' || s === 'partial'
          ? {
              row: r,
              column: c,
              state: s,
              blockedBy: [{ kind: 'NetworkPolicy', namespace: 'ns', name: `deny-${j}` }],
              detail: `1 of 1 connections blocked on port ${j}`,
            }
          : { row: r, column: c, state: s },
      );
    }
  }
  return {
    type: 'reachability-matrix',
    title: 'Workloads → Service ports',
    rows: rows.map((id) => ({ id, label: id })),
    columns: columns.map((id) => ({ id, label: id })),
    cells,
  };
}

// Every element of a tree (depth first), and the text under one.
function all(tree: MarkupNode): MarkupNode[] {
  return [tree, ...tree.children.flatMap((c) => (typeof c === 'string' ? [] : all(c)))];
}
function text(n: MarkupNode | string): string {
  return typeof n === 'string' ? n : n.children.map(text).join('');
}
function byClass(tree: MarkupNode, cls: string): MarkupNode[] {
  return all(tree).filter((n) => (n.attrs.class ?? '').split(' ').includes(cls));
}
function xmlAll(el: XmlElement): XmlElement[] {
  return [el, ...el.children.flatMap((c: XmlNode) => ('name' in c ? xmlAll(c) : []))];
}
function xmlText(n: XmlNode): string {
  return 'text' in n ? n.text : n.children.map(xmlText).join('');
}

describe('matrixFigure layout', () => {
  const m = matrix(['a/one', 'a/two'], ['b/svc:80', 'b/svc:443', 'c/db:5432'], (r, c) =>
    r === 0 && c === 1 ? 'blocked' : r === 1 && c === 2 ? 'partial' : c === 0 && r === 0 ? 'not-applicable' : 'allowed',
  );
  const tree = matrixFigure(m);

  it('draws a grid table: a header row of column labels, then one row per source with its label and one cell per column', () => {
    const table = all(tree).find((n) => n.tag === 'table')!;
    expect(table.attrs.role).toBe('grid');
    const [thead, tbody] = table.children as MarkupNode[];
    const columns = byClass(thead!, 'mb-mx-column');
    expect(columns.map(text)).toEqual(['b/svc:80', 'b/svc:443', 'c/db:5432']);
    expect(columns.map((c) => [c.tag, c.attrs.scope, c.attrs.title, c.attrs['data-ns']])).toEqual([
      ['th', 'col', 'b/svc:80', 'b'],
      ['th', 'col', 'b/svc:443', 'b'],
      ['th', 'col', 'c/db:5432', 'c'],
    ]);
    const rows = tbody!.children as MarkupNode[];
    expect(rows.map((r) => [r.attrs['data-row'], r.attrs['data-ns']])).toEqual([
      ['a/one', 'a'],
      ['a/two', 'a'],
    ]);
    for (const r of rows) expect((r.children[0] as MarkupNode).attrs).toMatchObject({ class: 'mb-mx-label mb-mx-row', scope: 'row' });
    const cells = byClass(tree, 'mb-mx-pair');
    expect(cells.map((c) => c.attrs['data-state'])).toEqual(['not-applicable', 'blocked', 'allowed', 'allowed', 'allowed', 'partial']);
    // One tab stop: the first cell; arrow keys (matrix-tool.ts) move from there.
    expect(cells.map((c) => c.attrs.tabindex)).toEqual(['0', '-1', '-1', '-1', '-1', '-1']);
    expect(cells.every((c) => c.tag === 'td' && c.attrs.role === 'gridcell')).toBe(true);
  });

  it('has a legend of the four states, and a mark on blocked and partly blocked cells only', () => {
    const legend = byClass(tree, 'mb-mx-legend-item');
    expect(legend.map((n) => [n.attrs['data-state'], text(byClass(n, 'mb-mx-label')[0]!)])).toEqual([
      ['allowed', 'allowed'],
      ['blocked', 'blocked'],
      ['partial', 'partly blocked'],
      ['not-applicable', 'not applicable'],
    ]);
    const marked = byClass(tree, 'mb-mx-pair').filter((c) => byClass(c, 'mb-mx-mark').length > 0);
    expect(marked.map((c) => c.attrs['data-state'])).toEqual(['blocked', 'partial']);
  });

  it('gives each cell a tooltip (row → column: state — detail (policies)) and the picture an accessible summary', () => {
    const blocked = byClass(tree, 'mb-mx-pair').find((c) => c.attrs['data-state'] === 'blocked')!;
    expect(blocked.attrs.title).toBe('a/one → b/svc:443: blocked — 1 of 1 connections blocked on port 1 (NetworkPolicy ns/deny-1)');
    expect(blocked.attrs['aria-label']).toBe(blocked.attrs.title);
    const table = all(tree).find((n) => n.tag === 'table')!;
    expect(table.attrs['aria-label']).toBe(
      'Workloads → Service ports. 1 of 5 source → destination pairs blocked, 1 partly blocked, 3 allowed; the list below names the blocked pairs.',
    );
  });

  it('lists the blocked pairs as text under the picture', () => {
    const list = all(tree).find((n) => n.tag === 'details')!;
    expect(byClass(tree, 'mb-matrix-status')).toHaveLength(1);
    expect(text(list.children[0]!)).toBe('Blocked pairs (2)');
    const items = all(list).filter((n) => n.tag === 'li');
    expect(items.map(text)).toEqual([
      'a/one → b/svc:443: blocked — 1 of 1 connections blocked on port 1 (NetworkPolicy ns/deny-1)',
      'a/two → c/db:5432: partly blocked — 1 of 1 connections blocked on port 2 (NetworkPolicy ns/deny-2)',
    ]);
  });

  it('says so when nothing is blocked', () => {
    const clear = matrixFigure(matrix(['a'], ['b']));
    expect(all(clear).some((n) => n.tag === 'details')).toBe(false);
    expect(byClass(clear, 'mb-matrix-note').map(text)).toEqual(['No pair is blocked.']);
  });
});

describe('links from cells to findings', () => {
  const m = matrix(['shop/cart', 'shop/web'], ['bookinfo/ratings:9080', 'bookinfo/reviews:9080'], (_, c) =>
    c === 0 ? 'blocked' : 'allowed',
  );
  // Both cells are blocked by deny-0; the second finding is the one about that policy and Service.
  const findings = [
    { message: 'something else', resource: { kind: 'NetworkPolicy', namespace: 'ns', name: 'other' } },
    { message: 'about reviews', resource: { kind: 'NetworkPolicy', namespace: 'ns', name: 'deny-0' } },
    {
      message: '2 meshed workload(s) cannot reach Service bookinfo/ratings port 9080',
      resource: { kind: 'NetworkPolicy', namespace: 'ns', name: 'deny-0' },
    },
  ];

  it('names finding anchors after the check and a 1-based index', () => {
    expect(findingAnchor('mesh-reachability', 0)).toBe('finding-mesh-reachability-1');
    expect(findingAnchor('mesh-reachability', 2, 'recorded-finding')).toBe('recorded-finding-mesh-reachability-3');
    expect(findingAnchor('we<ird id', 0)).toBe('finding-we_ird_id-1');
  });

  it('prefers the finding about a blocking policy that names the destination', () => {
    const cell = m.cells[0]!;
    expect(findingForCell(cell, 'bookinfo/ratings:9080', 'shop/cart', findings)).toBe(2);
    expect(findingForCell(cell, 'elsewhere:1', 'shop/cart', findings)).toBe(1);
    expect(
      findingForCell({ ...cell, blockedBy: [{ kind: 'NetworkPolicy', namespace: 'ns', name: 'none' }] }, 'x', 'y', findings),
    ).toBeUndefined();
  });

  it('makes blocked cells and pair entries links to #finding-<check>-<n>, and only those', () => {
    const tree = matrixFigure(m, { cellHref: linkToFindings('mesh-reachability', findings) });
    const links = all(tree).filter((n) => n.tag === 'a');
    expect(links.map((a) => a.attrs.href)).toEqual([
      '#finding-mesh-reachability-3',
      '#finding-mesh-reachability-3',
      '#finding-mesh-reachability-3',
      '#finding-mesh-reachability-3',
    ]);
    expect(byClass(tree, 'mb-mx-link').map((a) => a.attrs['data-state'])).toEqual(['blocked', 'blocked']);
  });

  it('drops any href that is not a same-page fragment', () => {
    for (const href of ['javascript:alert(1)', '/elsewhere/', '#a b', '#"x']) {
      const tree = matrixFigure(m, { cellHref: () => href });
      expect(all(tree).filter((n) => n.tag === 'a')).toHaveLength(0);
    }
  });
});

describe('caps', () => {
  const rows = Array.from({ length: 55 }, (_, i) => `ns/w${String(i).padStart(2, '0')}`);
  const columns = Array.from({ length: 47 }, (_, i) => `ns/s${String(i).padStart(2, '0')}:80`);
  const big = matrix(rows, columns, (r, c) => (r === c ? 'blocked' : 'allowed'));

  it(`draws at most ${MAX_ROWS} rows and ${MAX_COLUMNS} columns and says how many were left out`, () => {
    const tree = matrixFigure(big);
    expect(byClass(tree, 'mb-mx-row')).toHaveLength(MAX_ROWS);
    expect(byClass(tree, 'mb-mx-column')).toHaveLength(MAX_COLUMNS);
    expect(byClass(tree, 'mb-mx-pair')).toHaveLength(MAX_ROWS * MAX_COLUMNS);
    const note = all(tree).find((n) => n.attrs['data-capped'] !== undefined)!;
    expect(text(note)).toBe(
      'Showing the first 40 sources and 40 destinations: 15 of 55 sources and 7 of 47 destinations are left out of the picture. The list of blocked pairs below covers them all.',
    );
    expect(tree.attrs['data-rows']).toBe('55');
    // The pairs list still has the 47 blocked pairs, including those outside the picture.
    expect(all(tree).filter((n) => n.tag === 'li' && n.attrs.class === undefined)).toHaveLength(47);
  });

  it('caps the pairs list too', () => {
    const tree = matrixFigure(big, { maxPairs: 10 });
    expect(all(tree).filter((n) => n.tag === 'li' && n.attrs.class === undefined)).toHaveLength(10);
    expect(byClass(tree, 'mb-matrix-note').map(text)).toContain('37 more blocked pairs not listed; run the CLI for the full list.');
  });

  it('shortens long labels in the middle, keeping both ends', () => {
    const long = `very-long-namespace-name/${'x'.repeat(60)}:15021`;
    const s = shorten(long);
    expect([...s]).toHaveLength(44);
    expect(s.startsWith('very-long-namespace-')).toBe(true);
    expect(s.endsWith(':15021')).toBe(true);
    expect(s).toContain('…');
    expect(shorten('short')).toBe('short');
  });

  it('does not draw a matrix without a finding cap note when it fits', () => {
    expect(all(matrixFigure(matrix(['a'], ['b']))).some((n) => n.attrs['data-capped'] !== undefined)).toBe(false);
  });
});

describe('toMarkup', () => {
  const hostile: ReachabilityMatrix = {
    type: 'reachability-matrix',
    title: `Title ${HOSTILE}`,
    rows: [{ id: HOSTILE, label: `row ${HOSTILE}` }],
    columns: [{ id: 'c"ol', label: `col ${HOSTILE}\u0007\ud800` }],
    cells: [
      {
        row: HOSTILE,
        column: 'c"ol',
        state: 'blocked',
        detail: `detail ${HOSTILE}`,
        blockedBy: [{ kind: 'NetworkPolicy', namespace: '<ns>', name: '"name"' }],
      },
    ],
  };
  const markup = toMarkup(matrixFigure(hostile, { cellHref: () => '#finding-x-1' }));

  it('escapes markup in every label, detail and attribute, and stays well-formed XML', () => {
    expect(markup).not.toContain('<script>');
    expect(markup).toContain('data-column="c&quot;ol"');
    expect(markup).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; ');
    const doc = parseXml(markup);
    const elements = xmlAll(doc);
    // Only the layout's own elements: nothing from the data became one.
    const names = new Set(elements.map((e) => e.name));
    for (const n of names)
      expect([
        'figure',
        'figcaption',
        'div',
        'p',
        'table',
        'thead',
        'tbody',
        'tr',
        'th',
        'td',
        'a',
        'details',
        'summary',
        'ul',
        'li',
        'span',
      ]).toContain(n);
    // The data round-trips as text and attribute values.
    expect(xmlText(elements.find((e) => e.name === 'figcaption')!)).toBe(`Title ${HOSTILE}`);
    const row = elements.find((e) => e.attributes.class === 'mb-mx-label mb-mx-row')!;
    expect(xmlText(row)).toBe(`row ${HOSTILE}`);
    expect(row.attributes.title).toBe(`row ${HOSTILE}`);
    const pair = elements.find((e) => e.attributes.class === 'mb-mx-pair')!;
    expect(pair.attributes['data-row']).toBe(HOSTILE);
    expect(pair.attributes['data-column']).toBe('c"ol');
    expect(pair.attributes.title).toContain(`detail ${HOSTILE}`);
    expect(elements.find((e) => e.attributes.class === 'mb-mx-link')!.attributes.href).toBe('#finding-x-1');
    expect(elements.find((e) => e.name === 'table')!.attributes['aria-label']).toContain(`Title ${HOSTILE}.`);
    // Control characters show as escapes; what XML cannot carry at all (a lone surrogate) is replaced.
    const column = elements.find((e) => e.attributes.class === 'mb-mx-label mb-mx-column')!;
    expect(column.attributes.title).toContain(`col ${HOSTILE}\\u0007\ufffd`);
  });

  it('escapes text for element content', () => {
    expect(escapeText('a<b>&c')).toBe('a&lt;b&gt;&amp;c');
  });
});

describe('reading matrices', () => {
  it('accepts well-formed matrices and rejects anything else', () => {
    const m = matrix(['a'], ['b'], () => 'blocked');
    expect(isReachabilityMatrix(m)).toBe(true);
    expect(isReachabilityMatrix({ ...m, type: 'other' })).toBe(false);
    expect(isReachabilityMatrix({ ...m, cells: [{ row: 'a', column: 'b', state: 'open' }] })).toBe(false);
    expect(isReachabilityMatrix({ ...m, rows: [{ id: 1, label: 'a' }] })).toBe(false);
    expect(isReachabilityMatrix(null)).toBe(false);
    // Strict, like the JSON contract: a key the schema does not name is not a matrix.
    expect(isReachabilityMatrix({ ...m, cells: [{ row: 'a', column: 'b', state: 'blocked', color: 'red' }] })).toBe(false);
  });

  it('counts cells by state and lists problem pairs in row, column order', () => {
    const m = matrix(['r1', 'r2'], ['c1', 'c2'], (r, c) => (r + c === 1 ? 'blocked' : r === 1 ? 'partial' : 'allowed'));
    m.cells.reverse();
    expect(matrixCounts(m)).toEqual({ allowed: 1, blocked: 2, partial: 1, 'not-applicable': 0 });
    expect(problemPairs(m).map((p) => `${p.rowLabel}>${p.columnLabel}`)).toEqual(['r1>c2', 'r2>c1', 'r2>c2']);
  });

  it('summarizes a matrix for the terminal, blocked pairs capped at 10', () => {
    const rows = Array.from({ length: 12 }, (_, i) => `r${i}`);
    const lines = matrixLines(matrix(rows, ['c', 'd'], (_, c) => (c === 0 ? 'blocked' : 'allowed')));
    expect(lines[0]!.trim()).toBe(
      'Reachability: 12 of 24 source → destination pairs blocked, 0 partly blocked (Workloads → Service ports)',
    );
    expect(lines[1]!.trim()).toBe('✕ r0 → c — 1 of 1 connections blocked on port 0');
    expect(lines).toHaveLength(12);
    expect(lines.at(-1)!.trim()).toBe('… 2 more blocked pairs (--format json has every cell)');
  });
});
