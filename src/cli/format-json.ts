// The machine contract (docs/cli.md). Every key is copied by name, never spread, so a
// field added to the engine's types does not leak into the contract unannounced.
// Left out on purpose: a finding's `params` (already in `message`) and `codeDocs` (always
// /reference/codes/<code in lower case>/, derivable from `code`). `docs` stays a
// site-relative path: the guide has no single canonical host (dev server, archives).

import type { Attachment, CheckResult, Finding, MatrixCell, ReadCount, RunProblem, RunReport, TargetInfo } from '../engine/types.ts';

export interface JsonResource {
  kind: string;
  namespace?: string;
  name: string;
}

export interface JsonFinding {
  code: string;
  severity: 'error' | 'warning' | 'info';
  message: string;
  resource: JsonResource;
  location?: { file: string; line: number };
  evidence?: Record<string, string>;
  remediation?: string;
  docs?: string;
}

export interface JsonCheck {
  id: string;
  title: string;
  status: 'pass' | 'warn' | 'fail' | 'error' | 'skipped';
  analyzer?: string;
  durationMs: number;
  reason?: string;
  /** How much the check read; absent when it never reached the data. */
  read?: ReadCount;
  truncated?: number;
  findings: JsonFinding[];
  /** Pictures the check attached: a reachability matrix (R3). */
  attachments?: JsonAttachment[];
}

export interface JsonMatrixCell {
  row: string;
  column: string;
  state: 'allowed' | 'blocked' | 'partial' | 'not-applicable';
  blockedBy?: JsonResource[];
  detail?: string;
}

export interface JsonReachabilityMatrix {
  type: 'reachability-matrix';
  title: string;
  rows: { id: string; label: string }[];
  columns: { id: string; label: string }[];
  cells: JsonMatrixCell[];
}

export type JsonAttachment = JsonReachabilityMatrix;

export interface JsonTarget {
  type: 'snapshot' | 'live';
  name: string;
  paths?: string[];
  context?: string;
  cluster?: string;
  server?: string;
}

export interface JsonReport {
  target: JsonTarget;
  startedAt: string;
  /** What the run read over all its checks' inputs (absent only in records made before it was reported). */
  read?: ReadCount;
  /** The source could not be read at all: every check that needed it is an error. */
  problem?: RunProblem;
  checks: JsonCheck[];
}

/** The report as the JSON contract's object. */
export function toJsonReport(report: RunReport): JsonReport {
  return { ...jsonHead(report), checks: report.checks.map((c) => jsonCheck(c, eager)) };
}

/** Renders the report as pretty-printed JSON, one trailing newline. */
export function formatJson(report: RunReport): string {
  return [...formatJsonChunks(report)].join('');
}

/**
 * The text of formatJson, in pieces, byte for byte: a large report (a reachability matrix
 * holds one cell per source and destination, hundreds of megabytes as JSON on a big mesh) is
 * never built as one string, nor copied whole into the contract's shape: each check, finding
 * and cell is converted and rendered as it is written.
 */
export function* formatJsonChunks(report: RunReport): Generator<string> {
  const doc = { ...jsonHead(report), checks: new Lazy(report.checks, (c: CheckResult) => jsonCheck(c, lazy)) };
  yield* prettyChunks(doc, '', 0);
  yield '\n';
}

// A list mapped item by item while it is rendered (only the streaming renderer makes them).
class Lazy<T> {
  constructor(
    readonly items: readonly T[],
    readonly map: (item: T) => unknown,
  ) {}
}

type ListOf = <T, U>(items: readonly T[], map: (item: T) => U) => U[];
const eager: ListOf = (items, map) => items.map((item) => map(item));
const lazy: ListOf = (items, map) => new Lazy(items, map) as unknown as ReturnType<typeof map>[];

// Below this depth containers are rendered key by key; deeper values (a finding's fields, one
// cell) with one JSON.stringify call each.
const STREAM_DEPTH = 6;

// JSON.stringify(value, null, 2), as chunks, for the values the contract holds. Pretty-printed
// JSON has a raw newline only between tokens (strings escape theirs), so a nested value's own
// rendering is indented by replacing its newlines.
function* prettyChunks(value: unknown, indent: string, depth: number): Generator<string> {
  if (value instanceof Lazy) {
    yield* listChunks(value.items.length, (i) => value.map(value.items[i]), indent, depth);
    return;
  }
  if (depth >= STREAM_DEPTH || typeof value !== 'object' || value === null || !isPlainData(value)) {
    yield stringifyAt(value, indent);
    return;
  }
  if (Array.isArray(value)) {
    yield* listChunks(value.length, (i) => value[i] as unknown, indent, depth);
    return;
  }
  const inner = `${indent}  `;
  let first = true;
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    yield `${first ? '{' : ','}\n${inner}${JSON.stringify(key)}: `;
    first = false;
    yield* prettyChunks(v, inner, depth + 1);
  }
  yield first ? '{}' : `\n${indent}}`;
}

function* listChunks(length: number, at: (i: number) => unknown, indent: string, depth: number): Generator<string> {
  if (length === 0) {
    yield '[]';
    return;
  }
  const inner = `${indent}  `;
  for (let i = 0; i < length; i++) {
    yield `${i === 0 ? '[' : ','}\n${inner}`;
    const v = at(i);
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') yield 'null';
    else yield* prettyChunks(v, inner, depth + 1);
  }
  yield `\n${indent}]`;
}

// Arrays and plain objects without toJSON: what the renderer may walk itself.
function isPlainData(value: object): boolean {
  if (Array.isArray(value)) return true;
  const proto: unknown = Object.getPrototypeOf(value);
  return (proto === Object.prototype || proto === null) && typeof (value as { toJSON?: unknown }).toJSON !== 'function';
}

function stringifyAt(value: unknown, indent: string): string {
  const text = JSON.stringify(value, null, 2);
  return indent === '' || !text.includes('\n') ? text : text.replaceAll('\n', `\n${indent}`);
}

function jsonHead(report: RunReport): Omit<JsonReport, 'checks'> {
  return {
    target: jsonTarget(report.target),
    startedAt: report.startedAt,
    read: { kinds: report.read.kinds, objects: report.read.objects },
    ...(report.problem === undefined ? {} : { problem: { reason: report.problem.reason, message: report.problem.message } }),
  };
}

function jsonTarget(t: TargetInfo): JsonTarget {
  const out: JsonTarget = { type: t.type, name: t.name };
  if (t.paths !== undefined) out.paths = [...t.paths];
  if (t.context !== undefined) out.context = t.context;
  if (t.cluster !== undefined) out.cluster = t.cluster;
  if (t.server !== undefined) out.server = t.server;
  return out;
}

function jsonCheck(c: CheckResult, list: ListOf): JsonCheck {
  // Built in contract order: optional keys sit where the contract lists them.
  return {
    id: c.id,
    title: c.title,
    status: c.status,
    ...(c.analyzer === undefined ? {} : { analyzer: c.analyzer }),
    durationMs: c.durationMs,
    ...(c.reason === undefined ? {} : { reason: c.reason }),
    ...(c.read === undefined ? {} : { read: { kinds: c.read.kinds, objects: c.read.objects } }),
    ...(c.truncated === undefined || c.truncated === 0 ? {} : { truncated: c.truncated }),
    findings: list(c.findings, jsonFinding),
    ...(c.attachments === undefined || c.attachments.length === 0 ? {} : { attachments: list(c.attachments, (a) => jsonAttachment(a, list)) }),
  };
}

function jsonResource(r: { kind: string; namespace?: string; name: string }): JsonResource {
  return { kind: r.kind, ...(r.namespace === undefined ? {} : { namespace: r.namespace }), name: r.name };
}

function jsonAttachment(a: Attachment, list: ListOf): JsonAttachment {
  return {
    type: a.type,
    title: a.title,
    rows: list(a.rows, (r) => ({ id: r.id, label: r.label })),
    columns: list(a.columns, (c) => ({ id: c.id, label: c.label })),
    cells: list(a.cells, jsonCell),
  };
}

function jsonCell(c: MatrixCell): JsonMatrixCell {
  return {
    row: c.row,
    column: c.column,
    state: c.state,
    ...(c.blockedBy === undefined ? {} : { blockedBy: c.blockedBy.map(jsonResource) }),
    ...(c.detail === undefined ? {} : { detail: c.detail }),
  };
}

function jsonFinding(f: Finding): JsonFinding {
  return {
    code: f.code,
    severity: f.severity,
    message: f.message,
    resource: {
      kind: f.resource.kind,
      ...(f.resource.namespace === undefined ? {} : { namespace: f.resource.namespace }),
      name: f.resource.name,
    },
    ...(f.location === undefined ? {} : { location: { file: f.location.file, line: f.location.line } }),
    ...(f.evidence === undefined ? {} : { evidence: { ...f.evidence } }),
    ...(f.remediation === undefined ? {} : { remediation: f.remediation }),
    ...(f.docs === undefined ? {} : { docs: f.docs }),
  };
}
