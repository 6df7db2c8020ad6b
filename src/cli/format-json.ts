// The machine contract (docs/cli.md). Every key is copied by name, never spread, so a
// field added to the engine's types does not leak into the contract unannounced.
// Left out on purpose: a finding's `params` (already in `message`) and `codeDocs` (always
// /reference/codes/<code in lower case>/, derivable from `code`). `docs` stays a
// site-relative path: the guide has no single canonical host (dev server, archives).

import type { Attachment, CheckResult, Finding, MatrixCell, RunReport, TargetInfo } from '../engine/types.ts';

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
  checks: JsonCheck[];
}

/** The report as the JSON contract's object. */
export function toJsonReport(report: RunReport): JsonReport {
  return { target: jsonTarget(report.target), startedAt: report.startedAt, checks: report.checks.map(jsonCheck) };
}

/** Renders the report as pretty-printed JSON, one trailing newline. */
export function formatJson(report: RunReport): string {
  return `${JSON.stringify(toJsonReport(report), null, 2)}\n`;
}

function jsonTarget(t: TargetInfo): JsonTarget {
  const out: JsonTarget = { type: t.type, name: t.name };
  if (t.paths !== undefined) out.paths = [...t.paths];
  if (t.context !== undefined) out.context = t.context;
  if (t.cluster !== undefined) out.cluster = t.cluster;
  if (t.server !== undefined) out.server = t.server;
  return out;
}

function jsonCheck(c: CheckResult): JsonCheck {
  // Built in contract order: optional keys sit where the contract lists them.
  return {
    id: c.id,
    title: c.title,
    status: c.status,
    ...(c.analyzer === undefined ? {} : { analyzer: c.analyzer }),
    durationMs: c.durationMs,
    ...(c.reason === undefined ? {} : { reason: c.reason }),
    ...(c.truncated === undefined || c.truncated === 0 ? {} : { truncated: c.truncated }),
    findings: c.findings.map(jsonFinding),
    ...(c.attachments === undefined || c.attachments.length === 0 ? {} : { attachments: c.attachments.map(jsonAttachment) }),
  };
}

function jsonResource(r: { kind: string; namespace?: string; name: string }): JsonResource {
  return { kind: r.kind, ...(r.namespace === undefined ? {} : { namespace: r.namespace }), name: r.name };
}

function jsonAttachment(a: Attachment): JsonAttachment {
  return {
    type: a.type,
    title: a.title,
    rows: a.rows.map((r) => ({ id: r.id, label: r.label })),
    columns: a.columns.map((c) => ({ id: c.id, label: c.label })),
    cells: a.cells.map(jsonCell),
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
