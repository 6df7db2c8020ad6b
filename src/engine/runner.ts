// The runner: gather the union of the checks' inputs once, then hand every check the
// same snapshot. Each check has a time budget; one that throws or times out becomes an
// error result and the run goes on. Results are delivered as each check finishes.

import { KINDS, KIND_IDS, type KindId } from '../k8s/kinds.ts';
import { SourceUnavailableError, type ClusterSource } from './source.ts';
import type { GatherProblem, Snapshot } from './snapshot.ts';
import type { KubeObject } from '../k8s/objects.ts';
import { ProbeError, type Check, type CheckContext, type ProbeContext, type Probes, type ReportExtra, type SharedState } from './check.ts';
import { CODES, codeDocsPath, type CodeDef, type CodeId } from './codes.ts';
import { renderFix, type FixParams } from './fixes.ts';
import { fixCodeOf } from './fix-code.ts';
import { applyPolicy, type FindingPolicy } from './suppress.ts';
import type { Attachment, CheckResult, CheckStatus, Finding, ReadCount, ResourceRef, RunProblem, RunReport } from './types.ts';

export interface RunOptions {
  /** Cancels the whole run: the gather and any check still running. */
  signal?: AbortSignal;
  /** Time budget per check's analyze, ms. */
  checkTimeoutMs?: number;
  /** Time budget for the gather step, ms. */
  gatherTimeoutMs?: number;
  /**
   * Report only findings on resources in this namespace (and cluster-scoped ones), like
   * `istioctl analyze -n`: checks still see every namespace the source could read, so a
   * route into another namespace is not mistaken for a missing host.
   */
  namespace?: string;
  /** At most this many findings per check are kept; the rest are counted. */
  maxFindingsPerCheck?: number;
  /** Severity overrides and suppressions, applied to each check's findings once it has reported. */
  policy?: FindingPolicy;
  /** Called as the run progresses: once gathered, then once per finished check. */
  onEvent?: (event: RunEvent) => void;
}

/** What was gathered: `problem` when the source could not be read at all (then no `gatheredAt`). */
export interface GatheredEvent<K extends string = KindId> {
  type: 'gathered';
  kinds: K[];
  objects: number;
  durationMs: number;
  read: ReadCount;
  problem?: RunProblem;
  gatheredAt?: string;
  cachedKinds?: number;
  /** The cluster this gather read, in a run over several clusters (one event per cluster). */
  cluster?: string;
}

export type RunEvent = GatheredEvent | { type: 'result'; result: CheckResult; done: number; total: number };

export const ONE_CLUSTER =
  'Skipped: nothing to compare in a run over one cluster. Run over every cluster of the mesh (--context a --context b, or --snapshot a=PATH --snapshot b=PATH).';
export const NEEDS_LIVE = 'Skipped: needs a live cluster (it reads live-only facts through the probe interface).';
const DEFAULTS = { checkTimeoutMs: 10_000, gatherTimeoutMs: 60_000, maxFindingsPerCheck: 1_000 };

/** A mesh-scoped check with nothing to compare in a run over one cluster (its inputs are not gathered). */
function skippedOnOneCluster(check: Check): boolean {
  return check.scope === 'mesh' && check.runsOnOneCluster !== true;
}

/** The union of declared inputs, in registry order. */
export function inputsOf(checks: readonly Check[]): KindId[] {
  const wanted = new Set(checks.flatMap((c) => c.inputs));
  return KIND_IDS.filter((id) => wanted.has(id));
}

/** Runs `checks` against `source`; every check yields exactly one result, in the given order. */
export async function runChecks(checks: readonly Check[], source: ClusterSource, options: RunOptions = {}): Promise<RunReport> {
  const opts = { ...DEFAULTS, ...options };
  const startedAt = new Date().toISOString();
  const runSignal = options.signal ?? new AbortController().signal;
  const results: CheckResult[] = new Array(checks.length);
  // Built by the first check that asks, handed to the others (ctx.shared): one run, one store.
  const shared: SharedState = new Map();
  let done = 0;
  const emit = (index: number, result: CheckResult): void => {
    results[index] = result;
    done++;
    options.onEvent?.({ type: 'result', result, done, total: checks.length });
  };

  // Live-only checks are settled first: on a snapshot they never need the gather.
  const runnable: number[] = [];
  checks.forEach((check, i) => {
    if (check.needs !== undefined && check.needs.length > 0 && (!source.live || source.probes === undefined)) {
      emit(i, base(check, 'skipped', 0, NEEDS_LIVE));
    } else runnable.push(i);
  });

  const kinds = inputsOf(runnable.map((i) => checks[i]!).filter((c) => !skippedOnOneCluster(c)));
  const gatherStart = performance.now();
  let snapshot: Snapshot | undefined;
  let problem: RunProblem | undefined;
  if (runnable.length > 0) {
    const gatherSignal = AbortSignal.any([runSignal, AbortSignal.timeout(opts.gatherTimeoutMs)]);
    try {
      snapshot = await source.gather(kinds, { signal: gatherSignal, namespace: options.namespace });
    } catch (error) {
      if (runSignal.aborted) throw runSignal.reason ?? error;
      problem = problemOf(error, gatherSignal.aborted, opts.gatherTimeoutMs);
    }
  }
  const gatherMs = Math.round(performance.now() - gatherStart);
  const read: ReadCount = snapshot === undefined ? { kinds: 0, objects: 0 } : readOf(kinds, snapshot);
  // Live snapshots say when their (possibly cached) data was read, so a page can show its age.
  const age = snapshot as { gatheredAt?: unknown; fromCache?: ReadonlySet<KindId> } | undefined;
  const freshness = typeof age?.gatheredAt === 'string' ? { gatheredAt: age.gatheredAt, cachedKinds: age.fromCache?.size ?? 0 } : {};
  options.onEvent?.({
    type: 'gathered',
    kinds,
    objects: read.objects,
    durationMs: gatherMs,
    read,
    ...(problem === undefined ? freshness : { problem }),
  });

  for (const i of runnable) {
    runSignal.throwIfAborted();
    const check = checks[i]!;
    if (snapshot === undefined) {
      // Said once for the run (report.problem); each check carries it too for readers of one result.
      emit(i, base(check, 'error', 0, problem?.message ?? 'Nothing was gathered.'));
      continue;
    }
    // After the gather problem: a cluster that cannot be read makes every check an error, these too.
    if (skippedOnOneCluster(check)) {
      emit(i, base(check, 'skipped', 0, ONE_CLUSTER));
      continue;
    }
    const settled = settleInputs(check, snapshot);
    if (settled !== undefined) {
      emit(i, settled);
      continue;
    }
    const checkRead = readOf(check.inputs, snapshot);
    // Probes only for checks that declare them: the others cannot reach past their snapshot.
    const probes = check.needs?.includes('probes') === true ? source.probes : undefined;
    const result = await runOne(check, snapshot, runSignal, probes === undefined ? { ...opts, shared } : { ...opts, shared, probes });
    result.read = checkRead;
    emit(i, result);
  }
  return { target: source.target, startedAt, gatherMs, read, ...(problem === undefined ? {} : { problem }), checks: results };
}

/** The result of a check whose inputs could not be read (error) or are not installed at all (skipped); undefined when it can run. */
export function settleInputs(check: Check, snapshot: Snapshot): CheckResult | undefined {
  const problems = check.inputs.map((k) => snapshot.problems.get(k)).filter((p): p is GatherProblem => p !== undefined);
  const blocking = problems.filter((p) => p.reason !== 'not-installed');
  if (blocking.length > 0) return base(check, 'error', 0, blocking.map((p) => p.message).join(' '));
  // Only an API server's discovery can say "not installed": with nothing of its inputs
  // installed a check has nothing to look at, which is not a pass.
  if (check.inputs.length > 0 && problems.length === check.inputs.length) {
    const result = base(check, 'skipped', 0, `Nothing to check: ${problems.map((p) => p.message).join(' ')}`);
    result.read = readOf(check.inputs, snapshot);
    return result;
  }
  return undefined;
}

/** How much of `kinds` the snapshot holds: kinds read (an empty list counts, "not installed" does not) and their objects. */
export function readOf(kinds: readonly KindId[], snapshot: Snapshot): ReadCount {
  let read = 0;
  let objects = 0;
  for (const kind of kinds) {
    if (!snapshot.kinds.has(kind) || snapshot.problems.has(kind)) continue;
    read++;
    objects += snapshot.list(kind).length;
  }
  return { kinds: read, objects };
}

// Why a gather produced nothing, as the run's one problem.
export function problemOf(error: unknown, timedOut: boolean, timeoutMs: number): RunProblem {
  if (error instanceof SourceUnavailableError) return { reason: error.reason, message: error.message };
  if (timedOut)
    return {
      reason: 'timeout',
      message: `Reading the cluster took longer than ${timeoutMs} ms; the run was stopped. Retry, or limit the run to a namespace.`,
    };
  return { reason: 'invalid', message: `Reading the cluster failed: ${error instanceof Error ? error.message : String(error)}` };
}

/** Runs one check over a snapshot; never throws (except when the run is cancelled). */
export async function runOne(
  check: Check,
  snapshot: Snapshot,
  runSignal: AbortSignal,
  opts: {
    checkTimeoutMs: number;
    maxFindingsPerCheck: number;
    namespace?: string;
    onRead?: (kind: KindId) => void;
    policy?: FindingPolicy;
    probes?: Probes;
    shared?: SharedState;
    /** The clusters a mesh-scoped check sees (a multi-cluster run); this snapshot alone otherwise. */
    clusters?: CheckContext<KindId>['clusters'];
    /** The snapshot of a named cluster, so a finding on another cluster's object is located and suppressed there. */
    snapshotOf?: (cluster: string) => Snapshot | undefined;
  },
): Promise<CheckResult> {
  const shared: SharedState = opts.shared ?? new Map();
  const snapshotFor = (ref: ResourceRef): Snapshot =>
    (ref.cluster === undefined || ref.cluster === '' ? undefined : opts.snapshotOf?.(ref.cluster)) ?? snapshot;
  const controller = new AbortController();
  const signal = AbortSignal.any([runSignal, controller.signal]);
  const findings: Finding[] = [];
  const attachments: Attachment[] = [];
  let truncated = 0;
  let skipped: string | undefined;
  const declared = new Set<KindId>(check.inputs);
  const assertDeclared = (kind: KindId): void => {
    if (!declared.has(kind)) throw new Error(`check ${check.id} read ${kind}, which it does not declare in its inputs`);
    opts.onRead?.(kind);
  };
  const list: CheckContext<KindId>['list'] = (kind, options) => {
    assertDeclared(kind);
    return snapshot.list(kind, options?.namespace) as never;
  };
  const find: CheckContext<KindId>['find'] = (kind, namespace, name) => {
    assertDeclared(kind);
    return snapshot.find(kind, namespace, name) as never;
  };
  const ctx: CheckContext<KindId> = {
    list,
    find,
    locate: (object) => snapshot.locate(object),
    report: (code, resource, params, extra) => {
      if (
        opts.namespace !== undefined &&
        resource.namespace !== undefined &&
        resource.namespace !== '' &&
        resource.namespace !== opts.namespace
      )
        return;
      if (findings.length >= opts.maxFindingsPerCheck) {
        truncated++;
        return;
      }
      findings.push(
        makeFinding(
          code,
          resource,
          params as Record<string, string | number>,
          extra as ReportExtra | undefined,
          check.docs,
          locateRef(snapshotFor(resource), resource),
        ),
      );
    },
    skip: (reason) => {
      if (findings.length > 0 || truncated > 0) throw new Error(`check ${check.id} asked to skip after reporting findings`);
      skipped = reason;
    },
    attach: (attachment) => {
      attachments.push(attachment);
    },
    shared: (key, build) => {
      if (shared.has(key)) return shared.get(key) as never;
      const value = build();
      shared.set(key, value);
      return value;
    },
    signal,
    namespace: opts.namespace,
    clusters: opts.clusters ?? [{ name: '', list, find }],
  };
  if (opts.probes !== undefined) {
    const probes = opts.probes;
    // Every probe is bound to the check's signal: a timed-out or cancelled check stops asking.
    const bound = (own?: AbortSignal): { signal: AbortSignal } => ({ signal: own === undefined ? signal : AbortSignal.any([signal, own]) });
    (ctx as { probes?: Probes }).probes = {
      accessReview: (question, options) => probes.accessReview(question, bound(options?.signal)),
      proxyGet: (request, options) => probes.proxyGet(request, bound(options?.signal)),
    };
  }

  // A check that declares live needs is typed to always get its probes (ProbeContext): hold the runner to it.
  if ((check.needs?.length ?? 0) > 0 && ctx.probes === undefined) return base(check, 'skipped', 0, NEEDS_LIVE);

  const start = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort(new Error('timeout'));
        reject(new Error(`did not finish within ${opts.checkTimeoutMs} ms`));
      }, opts.checkTimeoutMs);
    });
    const cancelled = new Promise<never>((_, reject) => {
      if (runSignal.aborted) reject(runSignal.reason);
      runSignal.addEventListener('abort', () => reject(runSignal.reason), { once: true });
    });
    // Checks without needs never read `probes`; checks with needs have them (checked above).
    await Promise.race([Promise.resolve().then(() => check.analyze(ctx as ProbeContext)), timeout, cancelled]);
  } catch (error) {
    if (runSignal.aborted) throw runSignal.reason ?? error;
    // A probe that could not be asked (forbidden, unreachable) is the cluster's answer, not a bug in the check.
    if (error instanceof ProbeError) return base(check, 'error', Math.round(performance.now() - start), error.message);
    const message = error instanceof Error ? error.message : String(error);
    const result = base(check, 'error', Math.round(performance.now() - start), `The check failed: ${message}`);
    result.findings = [makeFinding('MB0001', { kind: 'Check', name: check.id }, { error: message }, undefined, check.docs, undefined)];
    return result;
  } finally {
    clearTimeout(timer);
  }
  if (skipped !== undefined) {
    const ms = Math.round(performance.now() - start);
    // A check that skipped and then reported is a bug in the check: never a quiet skip.
    if (findings.length > 0) return base(check, 'error', ms, `The check failed: ${check.id} reported findings after it skipped.`);
    return base(check, 'skipped', ms, skipped);
  }
  const decided =
    opts.policy === undefined ? { findings, suppressed: [] } : applyPolicy(findings, (ref) => objectOf(snapshotFor(ref), ref), opts.policy);
  const result = base(check, statusOf(decided.findings), Math.round(performance.now() - start));
  result.findings = sortFindings(decided.findings);
  if (decided.suppressed.length > 0) result.suppressed = sortFindings(decided.suppressed);
  if (truncated > 0) result.truncated = truncated;
  if (attachments.length > 0) result.attachments = attachments;
  return result;
}

/** A result with no findings yet: what a check that did not run (or not fully) reports. */
export function base(check: Check, status: CheckStatus, durationMs: number, reason?: string): CheckResult {
  const result: CheckResult = { id: check.id, title: check.title, status, durationMs, findings: [] };
  if (check.analyzer !== undefined) result.analyzer = check.analyzer;
  if (check.kiali !== undefined && check.kiali.length > 0) result.kiali = [...check.kiali];
  if (reason !== undefined) result.reason = reason;
  return result;
}

/** pass when nothing above info was found; fail on any error; warn otherwise. */
export function statusOf(findings: readonly Finding[]): CheckStatus {
  if (findings.some((f) => f.severity === 'error')) return 'fail';
  if (findings.some((f) => f.severity === 'warning')) return 'warn';
  return 'pass';
}

function makeFinding(
  code: CodeId,
  resource: ResourceRef,
  params: Record<string, string | number>,
  extra: ReportExtra | undefined,
  docs: string,
  location: Finding['location'],
): Finding {
  const def = CODES[code] as unknown as CodeDef;
  const finding: Finding = {
    code,
    severity: def.level,
    message: def.message(params),
    resource: cleanRef(resource),
    params: { ...params },
    remediation: extra?.fix === undefined ? def.fix : fixText(code, extra.fix, extra.fixParams ?? {}),
    docs,
    codeDocs: codeDocsPath(code),
  };
  // The same fix as code blocks, for renderers that draw them (the page).
  const fixCode = finding.remediation === undefined ? undefined : fixCodeOf(finding.remediation);
  if (fixCode !== undefined) finding.fixCode = fixCode;
  if (extra?.evidence !== undefined) {
    finding.evidence = Object.fromEntries(Object.entries(extra.evidence).map(([k, v]) => [k, String(v)]));
  }
  if (location !== undefined) finding.location = location;
  return finding;
}

// Checks are typed to name only templates their code has; a name that slips through is a bug in the check.
function fixText(code: CodeId, name: string, params: FixParams): string {
  const text = renderFix(code, name, params);
  if (text === undefined) throw new Error(`${code} has no fix template ${JSON.stringify(name)}`);
  return text;
}

function cleanRef(ref: ResourceRef): ResourceRef {
  const out: ResourceRef =
    ref.namespace === undefined || ref.namespace === ''
      ? { kind: ref.kind, name: ref.name }
      : { kind: ref.kind, namespace: ref.namespace, name: ref.name };
  if (ref.cluster !== undefined && ref.cluster !== '') out.cluster = ref.cluster;
  return out;
}

function locateRef(snapshot: Snapshot, ref: ResourceRef): Finding['location'] {
  const obj = objectOf(snapshot, ref);
  return obj === undefined ? undefined : snapshot.locate(obj);
}

// The object a finding is about, when the snapshot holds its kind.
function objectOf(snapshot: Snapshot, ref: ResourceRef): KubeObject | undefined {
  for (const id of KIND_IDS) {
    if (KINDS[id].kind !== ref.kind) continue;
    const obj = snapshot.find(id, ref.namespace ?? '', ref.name);
    if (obj !== undefined) return obj;
  }
  return undefined;
}

// Findings in a stable order, like istioctl's sorted output: by resource, then code, then message.
export function sortFindings<F extends Finding>(findings: F[]): F[] {
  // The cluster leads, so a run over several clusters lists each cluster's findings together.
  const key = (f: Finding): string =>
    `${f.resource.cluster ?? ''}\u0000${f.resource.kind}\u0000${f.resource.namespace ?? ''}\u0000${f.resource.name}\u0000${f.code}\u0000${f.message}`;
  // De-duplicated on the full text, as `istioctl analyze` does (SortedDedupedCopy).
  const unique = new Map(findings.map((f) => [key(f), f]));
  return [...unique.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, f]) => f);
}
