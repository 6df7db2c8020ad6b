// Reading a ReachabilityMatrix attachment, shared by every renderer (page, static build,
// terminal): counts by state, and the blocked pairs in reading order. Pure: no DOM, no Node
// APIs and no zod, so the browser bundle can use it. Matrices that crossed a file are
// validated where they are read (the JSON report's schema); the check for a single value
// from a wire is `isReachabilityMatrix` in result-schema.ts (zod, so Node-side only).

import type { Attachment, Finding, MatrixCell, ReachabilityMatrix, ResourceRef } from './types.ts';

/** The reachability matrices among a result's attachments. */
export function reachabilityMatrices(attachments: readonly Attachment[] | undefined): ReachabilityMatrix[] {
  return (attachments ?? []).filter((a) => a.type === 'reachability-matrix');
}

export type MatrixCounts = Record<MatrixCell['state'], number>;

/** How many cells are in each state. */
export function matrixCounts(matrix: ReachabilityMatrix): MatrixCounts {
  const counts: MatrixCounts = { allowed: 0, blocked: 0, partial: 0, 'not-applicable': 0 };
  for (const cell of matrix.cells) counts[cell.state]++;
  return counts;
}

/** A blocked or partly blocked pair, with its row and column labels resolved. */
export interface ProblemPair {
  cell: MatrixCell;
  rowLabel: string;
  columnLabel: string;
}

/** The blocked and partly blocked cells, in row then column order (cells of unknown rows/columns last). */
export function problemPairs(matrix: ReachabilityMatrix): ProblemPair[] {
  const rowIndex = new Map(matrix.rows.map((r, i) => [r.id, i]));
  const columnIndex = new Map(matrix.columns.map((c, i) => [c.id, i]));
  const rowLabel = new Map(matrix.rows.map((r) => [r.id, r.label]));
  const columnLabel = new Map(matrix.columns.map((c) => [c.id, c.label]));
  const order = (cell: MatrixCell): number =>
    (rowIndex.get(cell.row) ?? matrix.rows.length) * (matrix.columns.length + 1) + (columnIndex.get(cell.column) ?? matrix.columns.length);
  return matrix.cells
    .filter((c) => c.state === 'blocked' || c.state === 'partial')
    .sort((a, b) => order(a) - order(b))
    .map((cell) => ({ cell, rowLabel: rowLabel.get(cell.row) ?? cell.row, columnLabel: columnLabel.get(cell.column) ?? cell.column }));
}

/** `NetworkPolicy ns/name`. */
export function refText(ref: ResourceRef): string {
  return `${ref.kind} ${ref.namespace === undefined ? ref.name : `${ref.namespace}/${ref.name}`}`;
}

/** `NetworkPolicy ns/a, ns/b`: refs grouped by kind (first-seen order), each kind named once. */
export function refsText(refs: readonly ResourceRef[]): string {
  const byKind = new Map<string, string[]>();
  for (const r of refs) {
    const names = byKind.get(r.kind) ?? [];
    names.push(r.namespace === undefined ? r.name : `${r.namespace}/${r.name}`);
    byKind.set(r.kind, names);
  }
  return [...byKind].map(([kind, names]) => `${kind} ${names.join(', ')}`).join('; ');
}

/** The finding shape the link resolver reads: the engine's Finding and the JSON contract's both fit. */
export type LinkableFinding = Pick<Finding, 'message' | 'resource' | 'evidence'>;

// "ns/svc:9080" is written "ns/svc port 9080" in messages; either spelling counts as a mention.
function spellings(label: string): string[] {
  const port = /^(.*):(\d+)$/.exec(label);
  return port === null ? [label] : [label, `${port[1]} port ${port[2]}`];
}

/**
 * The index of the finding a blocked cell should link to: a finding about one of the policies
 * that block it, preferring the one whose text names the cell's destination (then its source).
 * Undefined when no finding is about any of those policies (e.g. findings were truncated).
 */
export function findingForCell(
  cell: MatrixCell,
  columnLabel: string,
  rowLabel: string,
  findings: readonly LinkableFinding[],
): number | undefined {
  const policies = new Set((cell.blockedBy ?? []).map((r) => `${r.kind}\u0000${r.namespace ?? ''}\u0000${r.name}`));
  let best: number | undefined;
  let bestScore = -1;
  for (const [i, f] of findings.entries()) {
    const r = f.resource;
    if (!policies.has(`${r.kind}\u0000${r.namespace ?? ''}\u0000${r.name}`)) continue;
    const text = [f.message, ...Object.values(f.evidence ?? {})].join('\n');
    const score = (spellings(columnLabel).some((s) => text.includes(s)) ? 2 : 0) + (text.includes(rowLabel) ? 1 : 0);
    if (score > bestScore) {
      best = i;
      bestScore = score;
    }
  }
  return best;
}
