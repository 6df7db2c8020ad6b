// Cluster text as people see it, on the page, the published site and in the terminal: every
// invisible or reordering character shown as an escape; ordinary text of any script untouched.

import { describe, expect, it } from 'vitest';
import { printable } from '../../src/engine/display-text.ts';
import { matrixFigure, toMarkup } from '../../src/components/matrix-svg.ts';
import type { ReachabilityMatrix } from '../../src/engine/types.ts';

describe('printable', () => {
  it.each([
    ['bidi override (Trojan Source)', 'gw\u202Eeteled', 'gw\\u202eeteled'],
    ['bidi embeddings', '\u202A\u202B\u202C\u202D', '\\u202a\\u202b\\u202c\\u202d'],
    ['bidi isolates', '\u2066\u2067\u2068\u2069', '\\u2066\\u2067\\u2068\\u2069'],
    ['zero-width space, joiners and marks', 'a\u200Bb\u200Cc\u200Dd\u200Ee\u200Ff', 'a\\u200bb\\u200cc\\u200dd\\u200ee\\u200ff'],
    ['Arabic letter mark and BOM', 'x\u061Cy\uFEFF', 'x\\u061cy\\ufeff'],
    ['word joiner and soft hyphen', 'a\u2060b\u00ADc', 'a\\u2060b\\u00adc'],
    ['tag characters', 'a\u{E0041}b', 'a\\u{e0041}b'],
    ['controls', 'a\nb\u001b[2J\u0085', 'a\\nb\\u001b[2J\\u0085'],
  ])('escapes %s', (_name, input, expected) => {
    expect(printable(input)).toBe(expected);
  });

  it.each([['plain-name-1'], ['שלום'], ['مرحبا'], ['名前'], ['café'], ['a → b · c — d'], ['`kubectl -n shop delete pod x`']])(
    'leaves %s as it is',
    (text) => {
      expect(printable(text)).toBe(text);
    },
  );

  it('is idempotent: an escape is not escaped again', () => {
    const once = printable('a\u202Eb');
    expect(printable(once)).toBe(once);
  });
});

describe('the matrix picture with bidi characters in labels', () => {
  const matrix: ReachabilityMatrix = {
    type: 'reachability-matrix',
    title: 'Reachability \u202Eeltit',
    rows: [{ id: 'r', label: 'ns\u202Eevil' }],
    columns: [{ id: 'c', label: 'svc\u200B:80' }],
    cells: [{ row: 'r', column: 'c', state: 'blocked', detail: 'blocked by \u2066policy\u2069' }],
  };
  const markup = toMarkup(matrixFigure(matrix));

  it('shows them escaped in labels, tooltips, the pairs list and the summary read aloud', () => {
    expect(markup).not.toMatch(/[\u200b-\u200f\u202a-\u202e\u2066-\u2069]/);
    expect(markup).toContain('>ns\\u202eevil</th>');
    expect(markup).toContain('svc\\u200b:80');
    expect(markup).toContain('blocked by \\u2066policy\\u2069');
    expect(markup).toContain('aria-label="Reachability \\u202eeltit.');
    expect(markup).toContain('<figcaption class="mb-matrix-title">Reachability \\u202eeltit</figcaption>');
  });
});
