// The reachability matrix built from connection verdicts.

import { describe, expect, it } from 'vitest';
import { MatrixBuilder } from '../../src/reachability/matrix.ts';

describe('MatrixBuilder', () => {
  it('marks cells allowed, blocked, partial or not applicable, sorted by label, with their blocking policies', () => {
    const m = new MatrixBuilder();
    m.row('b', 'b-row');
    m.row('a', 'a-row');
    m.column('x', 'x');
    m.column('y', 'y');
    m.record('a', 'x', { allowed: 1, blocked: 0 });
    m.record('a', 'y', { allowed: 0, blocked: 1, blockedBy: [{ namespace: 'n', name: 'p1' }], ports: ['8080'] });
    m.record('a', 'y', {
      allowed: 0,
      blocked: 1,
      blockedBy: [
        { namespace: 'n', name: 'p1' },
        { namespace: 'n', name: 'p2' },
      ],
      ports: ['8080'],
    });
    m.record('b', 'x', { allowed: 1, blocked: 1, blockedBy: [{ namespace: 'n', name: 'p3' }], ports: ['80'] });
    m.note('b', 'y', 'why nothing');
    const built = m.build('t');
    expect(built.rows.map((r) => r.id)).toEqual(['a', 'b']);
    expect(built.cells).toEqual([
      { row: 'a', column: 'x', state: 'allowed' },
      {
        row: 'a',
        column: 'y',
        state: 'blocked',
        blockedBy: [
          { kind: 'NetworkPolicy', namespace: 'n', name: 'p1' },
          { kind: 'NetworkPolicy', namespace: 'n', name: 'p2' },
        ],
        detail: '2 of 2 connections blocked on port 8080',
      },
      {
        row: 'b',
        column: 'x',
        state: 'partial',
        blockedBy: [{ kind: 'NetworkPolicy', namespace: 'n', name: 'p3' }],
        detail: '1 of 2 connections blocked on port 80',
      },
      { row: 'b', column: 'y', state: 'not-applicable', detail: 'why nothing' },
    ]);
  });

  it('names at most five policies per cell', () => {
    const m = new MatrixBuilder();
    m.row('r', 'r');
    m.column('c', 'c');
    m.record('r', 'c', {
      allowed: 0,
      blocked: 1,
      blockedBy: Array.from({ length: 7 }, (_, i) => ({ namespace: 'n', name: `p${i}` })),
      ports: ['80'],
    });
    const cell = m.build('t').cells[0]!;
    expect(cell.blockedBy).toHaveLength(5);
    expect(cell.detail).toBe('1 of 1 connections blocked on port 80 (+2 more policies)');
  });

  it('above its limits keeps the rows and columns with the most blocked connections, in label order, and says so', () => {
    const m = new MatrixBuilder();
    for (const id of ['a', 'b', 'c', 'd']) {
      m.row(id, id);
      m.column(id, id);
    }
    // Blocked per row: a 1, b 5, c 0, d 3; per column: a 3, b 0, c 5, d 1.
    m.record('a', 'a', { allowed: 0, blocked: 1, blockedBy: [{ namespace: 'n', name: 'p' }], ports: [80] });
    m.record('b', 'c', { allowed: 0, blocked: 5, blockedBy: [{ namespace: 'n', name: 'p' }], ports: [80] });
    m.record('c', 'b', { allowed: 4, blocked: 0 });
    m.record('d', 'a', { allowed: 1, blocked: 2, blockedBy: [{ namespace: 'n', name: 'p' }], ports: [80] });
    m.record('d', 'd', { allowed: 0, blocked: 1, blockedBy: [{ namespace: 'n', name: 'p' }], ports: [80] });
    const built = m.build('t', { maxRows: 2, maxColumns: 3 });
    expect(built.rows.map((r) => r.id)).toEqual(['b', 'd']);
    expect(built.columns.map((c) => c.id)).toEqual(['a', 'c', 'd']);
    expect(built.cells).toHaveLength(6);
    expect(built.title).toBe('t; the 2 of 4 rows and 3 of 4 columns with the most blocked connections');
    // Within the limits nothing changes.
    expect(m.build('t', { maxRows: 4, maxColumns: 4 }).title).toBe('t');
    expect(m.build('t', { maxRows: 4, maxColumns: 4 }).cells).toHaveLength(16);
  });
});
