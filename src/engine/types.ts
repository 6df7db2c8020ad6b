// Result types: what a check produces. Renderers (terminal, JSON, JUnit, the page)
// read only these; nothing here carries markup or colour.

export type Severity = 'error' | 'warning' | 'info';

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'error' | 'skipped';

/** The word people see for a status, on the page and in the CLI's text. */
export const STATUS_WORDS: Readonly<Record<CheckStatus, string>> = {
  pass: 'Passed',
  warn: 'Warning',
  fail: 'Failed',
  error: 'Error',
  skipped: 'Skipped',
};

/** The cluster object a finding is about. */
export interface ResourceRef {
  kind: string;
  namespace?: string;
  name: string;
}

/** Where in a snapshot file an object came from. */
export interface SourceLocation {
  file: string;
  line: number;
}

export interface Finding {
  /** Stable code: an `istioctl analyze` IST code where the meaning is the same, else MBxxxx. */
  code: string;
  severity: Severity;
  /** One line, plain text. */
  message: string;
  resource: ResourceRef;
  /** The values the message was built from. */
  params: Record<string, string | number>;
  /** The few fields that prove the finding: field path → value (plain text). */
  evidence?: Record<string, string>;
  /** What to do about it. */
  remediation?: string;
  /** The guide section that explains the check. */
  docs?: string;
  /** The reference page of the code. */
  codeDocs?: string;
  location?: SourceLocation;
}

/** How much a check (or a run) read: the kinds it could read and the objects in them. */
export interface ReadCount {
  /** Input kinds read (an empty list counts; a kind that could not be read or is not installed does not). */
  kinds: number;
  /** Objects of those kinds (in the run's namespace, when the run has one). */
  objects: number;
}

/** A run that could not read its source at all: said once, and no check passes. */
export interface RunProblem {
  reason: 'not-kubernetes' | 'unreachable' | 'unauthorized' | 'forbidden' | 'timeout' | 'tls' | 'server-error' | 'invalid';
  /** One or two sentences: what was answered, by which server, and what to do. */
  message: string;
}

export interface CheckResult {
  id: string;
  title: string;
  status: CheckStatus;
  /** The `istioctl analyze` analyzer this check mirrors, by its Metadata name. */
  analyzer?: string;
  durationMs: number;
  findings: Finding[];
  /** Why the check was skipped or errored, in one sentence. */
  reason?: string;
  /** Findings dropped because the check reported more than the output bound. */
  truncated?: number;
  /** Structured pictures of what the check found (drawn by renderers that can). */
  attachments?: Attachment[];
  /** What the check had to read; absent when it never reached the data (skipped early, or the source failed). */
  read?: ReadCount;
}

/** One cell of a reachability matrix: can traffic from the row reach the column? */
export interface MatrixCell {
  row: string;
  column: string;
  state: 'allowed' | 'blocked' | 'partial' | 'not-applicable';
  /** The policies that block it (for blocked and partial cells). */
  blockedBy?: ResourceRef[];
  /** One line, plain text: which ports, why. */
  detail?: string;
}

/** A grid of sources (rows) × destinations (columns), e.g. namespaces × Service ports. */
export interface ReachabilityMatrix {
  type: 'reachability-matrix';
  title: string;
  rows: { id: string; label: string }[];
  columns: { id: string; label: string }[];
  cells: MatrixCell[];
}

/** Data a check attaches for renderers to draw; plain data, never markup. */
export type Attachment = ReachabilityMatrix;

/** What the checks ran against. */
export interface TargetInfo {
  type: 'snapshot' | 'live';
  /** Human name: "demo cluster snapshot", a file name, or a kubeconfig context. */
  name: string;
  /** Snapshot files, for snapshot targets. */
  paths?: string[];
  context?: string;
  cluster?: string;
  server?: string;
}

export interface RunReport {
  target: TargetInfo;
  startedAt: string;
  gatherMs: number;
  /** What the run read, over the union of the checks' inputs. */
  read: ReadCount;
  /** Set when the source could not be read at all; every check that needed it is then an error. */
  problem?: RunProblem;
  checks: CheckResult[];
}

/** Counts of results by status, for summaries. */
export function summarize(results: readonly CheckResult[]): Record<CheckStatus, number> {
  const counts: Record<CheckStatus, number> = { pass: 0, warn: 0, fail: 0, error: 0, skipped: 0 };
  for (const r of results) counts[r.status]++;
  return counts;
}
