// What a check produces, as zod schemas: the one definition of the result's shape. The
// engine's types (types.ts) are inferred from these, and the public JSON report
// (src/report/report-schema.ts) is a projection of them. Objects are strict (a key the
// schema does not name is an error) and keys are listed in the order the JSON report
// writes them. Node-side only at run time: browser code imports the inferred types, never
// this module, so zod does not ship to the page.

import { z } from 'astro/zod';

const count = z.number().int().nonnegative();

/** The cluster object a finding is about. */
export const resourceRefSchema = z.strictObject({
  kind: z.string().min(1),
  /** Absent for cluster-scoped objects. */
  namespace: z.string().optional(),
  name: z.string(),
  /** The cluster the object lives in, in a run over several clusters; absent in a one-cluster run. */
  cluster: z.string().optional(),
});

/** Where in a snapshot file an object came from. */
export const sourceLocationSchema = z.strictObject({
  file: z.string().min(1),
  line: z.number().int().positive(),
});

export const severitySchema = z.enum(['error', 'warning', 'info']);

export const checkStatusSchema = z.enum(['pass', 'warn', 'fail', 'error', 'skipped']);

/** One code block of a fix: the YAML to apply, or the command that applies it. */
export const fixBlockSchema = z.strictObject({
  lang: z.enum(['yaml', 'sh']),
  /** What the block is. @example "Rule to append to spec.egress" */
  title: z.string().min(1),
  code: z.string().min(1),
});

/** A fix as code to copy: the remediation with "below" where its code stood, and the code as blocks. */
export const fixCodeSchema = z.strictObject({
  text: z.string().min(1),
  blocks: z.array(fixBlockSchema).min(1),
  /** The one-line JSON texts now shown as YAML, so evidence quoting one of them can point there. */
  quoted: z.array(z.string()),
});

export const findingSchema = z.strictObject({
  /** Stable code: an `istioctl analyze` IST code where the meaning is the same, else MBxxxx. @example "IST0101" */
  code: z.string().regex(/^(IST|MB)\d{4}$/),
  severity: severitySchema,
  /** One line, plain text. */
  message: z.string().min(1),
  resource: resourceRefSchema,
  /** The values the message was built from (engine only: the message carries them). */
  params: z.record(z.string(), z.union([z.string(), z.number()])),
  location: sourceLocationSchema.optional(),
  /** The few fields that prove the finding: field path → value (plain text). */
  evidence: z.record(z.string(), z.string()).optional(),
  /** What to do about it. */
  remediation: z.string().optional(),
  /** The remediation's code as blocks to copy (engine only: derived from `remediation`, see fix-code.ts). */
  fixCode: fixCodeSchema.optional(),
  /** The guide section that explains the check. @example "/concepts/gateways/#gateway-ports" */
  docs: z.string().optional(),
  /** The reference page of the code (engine only: derivable from `code`). @example "/reference/codes/ist0101/" */
  codeDocs: z.string().optional(),
});

/** Why a finding was set aside: by the resource's `galley.istio.io/analyze-suppress` annotation, a --suppress flag, or the project's config file. */
export const suppressionSchema = z.strictObject({
  by: z.enum(['annotation', 'flag', 'config']),
  /** One line: the rule that matched and, for the config file, the reason it gives. */
  reason: z.string().min(1),
  /** The last day the rule applies (config file only; YYYY-MM-DD). */
  until: z.string().optional(),
});

/** A finding a suppression rule set aside: reported, but not counted for the status or --fail-on. */
export const suppressedFindingSchema = findingSchema.extend({ suppression: suppressionSchema });

/** A config-file suppression past its `until` date: it no longer suppresses, and the run says so. */
export const expiredSuppressionSchema = z.strictObject({
  code: z.string(),
  resource: z.string(),
  reason: z.string(),
  until: z.string(),
});

/** How much a check (or a run) read: the kinds it could read and the objects in them. */
export const readCountSchema = z.strictObject({
  /** Input kinds read (an empty list counts; a kind that could not be read or is not installed does not). */
  kinds: count,
  /** Objects of those kinds (in the run's namespace, when the run has one). */
  objects: count,
});

/** A run in numbers, for whoever acts on it without walking every check (the JSON report's `summary`). */
export const runSummarySchema = z.strictObject({
  /** Checks by status, and how many ran in all. */
  checks: z.strictObject({ total: count, pass: count, warn: count, fail: count, error: count, skipped: count }),
  /** Findings by severity, and how many in all (findings cut by the output bound are not counted). */
  findings: z.strictObject({ total: count, error: count, warning: count, info: count }),
  /** What the run read (the same numbers as the report's `read`). */
  read: readCountSchema,
  /** Findings set aside by suppression rules, not in `findings` (always written; absent only in records made before suppressions existed). */
  suppressed: count.optional(),
});

/** A run that could not read its source at all: said once, and no check passes. */
export const runProblemSchema = z.strictObject({
  reason: z.enum(['not-kubernetes', 'unreachable', 'unauthorized', 'forbidden', 'timeout', 'tls', 'server-error', 'invalid']),
  /** One or two sentences: what was answered, by which server, and what to do. */
  message: z.string().min(1),
});

const axisSchema = z.strictObject({ id: z.string(), label: z.string() });

/** One cell of a reachability matrix: can traffic from the row reach the column? */
export const matrixCellSchema = z.strictObject({
  row: z.string(),
  column: z.string(),
  state: z.enum(['allowed', 'blocked', 'partial', 'not-applicable']),
  /** The policies that block it (for blocked and partial cells). */
  blockedBy: z.array(resourceRefSchema).optional(),
  /** One line, plain text: which ports, why. */
  detail: z.string().optional(),
});

/** A grid of sources (rows) × destinations (columns), e.g. namespaces × Service ports. */
export const reachabilityMatrixSchema = z.strictObject({
  type: z.literal('reachability-matrix'),
  title: z.string(),
  rows: z.array(axisSchema),
  columns: z.array(axisSchema),
  cells: z.array(matrixCellSchema),
});

/** Data a check attaches for renderers to draw; plain data, never markup. */
export const attachmentSchema = reachabilityMatrixSchema;

export const checkResultSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/),
  title: z.string().min(1),
  status: checkStatusSchema,
  /** The `istioctl analyze` analyzer this check mirrors, by its Metadata name. */
  analyzer: z.string().optional(),
  /** The Kiali validation codes this check covers. */
  kiali: z.array(z.string()).optional(),
  durationMs: count,
  /** Why the check was skipped or errored, in one sentence. */
  reason: z.string().optional(),
  /** What the check had to read; absent when it never reached the data (skipped early, or the source failed). */
  read: readCountSchema.optional(),
  /** Findings dropped because the check reported more than the output bound. */
  truncated: z.number().int().positive().optional(),
  findings: z.array(findingSchema),
  /** Findings set aside by suppression rules, each with why; never counted for the status. */
  suppressed: z.array(suppressedFindingSchema).optional(),
  /** Structured pictures of what the check found (drawn by renderers that can). */
  attachments: z.array(attachmentSchema).optional(),
});

/** What the checks ran against. */
export const targetInfoSchema = z.strictObject({
  type: z.enum(['snapshot', 'live']),
  /** Human name: "demo cluster snapshot", a file name, or a kubeconfig context. */
  name: z.string(),
  /** Snapshot files, for snapshot targets. */
  paths: z.array(z.string()).optional(),
  context: z.string().optional(),
  cluster: z.string().optional(),
  server: z.string().optional(),
});

/** One cluster of a run over several: what it is, what was read from it, and why not, if it could not be read. */
export const clusterRunSchema = z.strictObject({
  /** The name its findings carry (`resource.cluster`). */
  name: z.string().min(1),
  target: targetInfoSchema,
  read: readCountSchema,
  /** Set when this cluster could not be read at all; the other clusters were still checked. */
  problem: runProblemSchema.optional(),
});

/** `check --with`: what applying the proposed objects would change, against the same gather without them. */
export const whatIfSchema = z.strictObject({
  /** Findings the run with the objects has and the run without them does not. */
  added: z.array(findingSchema),
  /** Findings the run without the objects has and the run with them does not. */
  fixed: z.array(findingSchema),
  /** The files the objects were read from. */
  files: z.array(z.string()),
});

export const runReportSchema = z.strictObject({
  target: targetInfoSchema,
  /** When the run started (ISO 8601, UTC). */
  startedAt: z.iso.datetime(),
  /** How long gathering took (engine only). */
  gatherMs: z.number().nonnegative(),
  /** What the run read, over the union of the checks' inputs. */
  read: readCountSchema,
  /** A run over several clusters: each of them, in the order given (absent in a one-cluster run). */
  clusters: z.array(clusterRunSchema).optional(),
  /** Set when the source could not be read at all; every check that needed it is then an error. */
  problem: runProblemSchema.optional(),
  /** Config-file suppressions past their date, which therefore suppressed nothing. */
  expiredSuppressions: z.array(expiredSuppressionSchema).optional(),
  /** Set by `check --with`: the checks are the run with the proposed objects applied. */
  whatIf: whatIfSchema.optional(),
  checks: z.array(checkResultSchema),
});

/** True when `value` is a well-formed ReachabilityMatrix (every row, column and cell checked), for data read from a wire or a file. */
export function isReachabilityMatrix(value: unknown): value is z.infer<typeof reachabilityMatrixSchema> {
  return reachabilityMatrixSchema.safeParse(value).success;
}
