// A run over several clusters of one mesh: every cluster is gathered at once, each with the
// bounds of a one-cluster run; a cluster that cannot be read is said once and the others are
// still checked. Cluster-scoped checks run once per cluster and their findings name it;
// mesh-scoped checks run once over every cluster that could be read. Each check still yields
// one result, so every renderer reads a fleet run as it reads any other.

import type { KindId } from '../k8s/kinds.ts';
import type { Check, CheckContext, ClusterView, SharedState } from './check.ts';
import { InputError, type ClusterSource, type GatherOptions } from './source.ts';
import type { Snapshot } from './snapshot.ts';
import { NEEDS_LIVE, base, inputsOf, problemOf, readOf, runChecks, runOne, settleInputs, sortFindings, type RunOptions } from './runner.ts';
import type { CheckResult, CheckStatus, ClusterRun, ReadCount, RunProblem, RunReport, TargetInfo } from './types.ts';

/** One cluster of a fleet run: the name findings carry, and where its objects come from. */
export interface FleetCluster {
  name: string;
  source: ClusterSource;
}

/**
 * Several clusters where one source is expected (a target the page can pick): `runSource` runs
 * it with runFleet. It cannot be gathered as one: each cluster is read on its own.
 */
export class FleetSource implements ClusterSource {
  readonly live: boolean;
  readonly target: TargetInfo;
  constructor(readonly clusters: readonly FleetCluster[]) {
    if (clusters.length < 2) throw new Error(`A FleetSource holds at least two clusters, received ${clusters.length}`);
    this.live = clusters.some((c) => c.source.live);
    this.target = fleetTarget(clusters);
  }

  gather(_kinds: readonly KindId[], _options: GatherOptions): Promise<Snapshot> {
    return Promise.reject(new InputError('A run over several clusters reads each cluster on its own; this one has no single snapshot.'));
  }
}

/** Runs `checks` on a source: over every cluster of a FleetSource, else as a one-cluster run. */
export function runSource(checks: readonly Check[], source: ClusterSource, options: RunOptions = {}): Promise<RunReport> {
  return source instanceof FleetSource ? runFleet(checks, source.clusters, options) : runChecks(checks, source, options);
}

const DEFAULTS = { checkTimeoutMs: 10_000, gatherTimeoutMs: 60_000, maxFindingsPerCheck: 1_000 };

// Worst first. A check that passed on one cluster and could not run on another has not passed.
const STATUS_RANK: Record<CheckStatus, number> = { error: 4, fail: 3, warn: 2, skipped: 1, pass: 0 };

interface Gathered {
  cluster: FleetCluster;
  snapshot?: Snapshot;
  problem?: RunProblem;
  read: ReadCount;
  runnable: Set<Check>;
}

/**
 * Runs `checks` over every cluster; one result per check, in the given order. With one cluster
 * it is exactly `runChecks` (no cluster names anywhere in the report).
 */
export async function runFleet(checks: readonly Check[], clusters: readonly FleetCluster[], options: RunOptions = {}): Promise<RunReport> {
  if (clusters.length === 0) throw new Error('runFleet needs at least one cluster');
  if (clusters.length === 1) return runChecks(checks, clusters[0]!.source, options);
  const names = new Set<string>();
  for (const c of clusters) {
    if (c.name === '' || names.has(c.name))
      throw new Error(`Cluster names must be distinct and non-empty, received ${JSON.stringify(c.name)}`);
    names.add(c.name);
  }

  const opts = { ...DEFAULTS, ...options };
  const startedAt = new Date().toISOString();
  const runSignal = options.signal ?? new AbortController().signal;
  const gatherStart = performance.now();
  const gathered = await Promise.all(clusters.map((cluster) => gatherOne(cluster, checks, runSignal, opts)));
  const gatherMs = Math.round(performance.now() - gatherStart);
  const readable = gathered.filter((g): g is Gathered & { snapshot: Snapshot } => g.snapshot !== undefined);
  const byName = new Map(readable.map((g) => [g.cluster.name, g.snapshot]));
  // ctx.shared state is derived from a snapshot, so each cluster keeps its own; mesh checks share theirs.
  const sharedOf = new Map<string, SharedState>(readable.map((g) => [g.cluster.name, new Map()]));
  const meshShared: SharedState = new Map();

  let done = 0;
  const results: CheckResult[] = [];
  for (const check of checks) {
    runSignal.throwIfAborted();
    const parts: Part[] = [];
    if (check.scope === 'mesh') {
      parts.push(...(await runMeshCheck(check, gathered, readable, byName, meshShared, runSignal, opts)));
    } else {
      for (const g of gathered) {
        const result = await runOnCluster(check, g, sharedOf.get(g.cluster.name), runSignal, opts);
        for (const f of [...result.findings, ...(result.suppressed ?? [])]) f.resource.cluster = g.cluster.name;
        parts.push({ cluster: g.cluster.name, result });
      }
    }
    const result = mergeResults(check, parts);
    results.push(result);
    done++;
    options.onEvent?.({ type: 'result', result, done, total: checks.length });
  }

  const runs: ClusterRun[] = gathered.map((g) => ({
    name: g.cluster.name,
    target: g.cluster.source.target,
    read: g.read,
    ...(g.problem === undefined ? {} : { problem: g.problem }),
  }));
  const read = sumReads(readable.map((g) => g.read));
  const report: RunReport = { target: fleetTarget(clusters), startedAt, gatherMs, read, clusters: runs, checks: results };
  // Only when every cluster failed to be read; a cluster with nothing to gather (live-only checks on a snapshot) did not fail.
  if (gathered.every((g) => g.problem !== undefined)) report.problem = noClusterRead(gathered);
  return report;
}

interface Part {
  cluster: string;
  result: CheckResult;
}

type Opts = typeof DEFAULTS & RunOptions;

// Reads one cluster with the bounds of a one-cluster run; a failure becomes that cluster's problem.
async function gatherOne(cluster: FleetCluster, checks: readonly Check[], runSignal: AbortSignal, opts: Opts): Promise<Gathered> {
  const runnable = new Set(checks.filter((c) => !needsLive(c) || isLive(cluster.source)));
  const kinds = inputsOf([...runnable]);
  const start = performance.now();
  const gathered: Gathered = { cluster, runnable, read: { kinds: 0, objects: 0 } };
  if (runnable.size > 0) {
    const gatherSignal = AbortSignal.any([runSignal, AbortSignal.timeout(opts.gatherTimeoutMs)]);
    try {
      gathered.snapshot = await cluster.source.gather(kinds, { signal: gatherSignal, namespace: opts.namespace });
      gathered.read = readOf(kinds, gathered.snapshot);
    } catch (error) {
      if (runSignal.aborted) throw runSignal.reason ?? error;
      gathered.problem = problemOf(error, gatherSignal.aborted, opts.gatherTimeoutMs);
    }
  }
  const age = gathered.snapshot as { gatheredAt?: unknown; fromCache?: ReadonlySet<KindId> } | undefined;
  const freshness = typeof age?.gatheredAt === 'string' ? { gatheredAt: age.gatheredAt, cachedKinds: age.fromCache?.size ?? 0 } : {};
  opts.onEvent?.({
    type: 'gathered',
    cluster: cluster.name,
    kinds,
    objects: gathered.read.objects,
    durationMs: Math.round(performance.now() - start),
    read: gathered.read,
    ...(gathered.problem === undefined ? freshness : { problem: gathered.problem }),
  });
  return gathered;
}

// A cluster-scoped check on one cluster, which it sees alone (under its name).
async function runOnCluster(
  check: Check,
  g: Gathered,
  shared: SharedState | undefined,
  runSignal: AbortSignal,
  opts: Opts,
): Promise<CheckResult> {
  if (!g.runnable.has(check)) return base(check, 'skipped', 0, NEEDS_LIVE);
  if (g.snapshot === undefined) return base(check, 'error', 0, `not read (${g.problem?.reason ?? 'invalid'}).`);
  const settled = settleInputs(check, g.snapshot);
  if (settled !== undefined) return settled;
  const probes = check.needs?.includes('probes') === true ? g.cluster.source.probes : undefined;
  const clusters = [viewOf(check, g.cluster.name, g.snapshot)];
  const result = await runOne(check, g.snapshot, runSignal, {
    ...opts,
    clusters,
    ...(shared === undefined ? {} : { shared }),
    ...(probes === undefined ? {} : { probes }),
  });
  result.read = readOf(check.inputs, g.snapshot);
  return result;
}

// A mesh-scoped check, once over every readable cluster; clusters that could not be read are parts of its result.
async function runMeshCheck(
  check: Check,
  gathered: readonly Gathered[],
  readable: readonly (Gathered & { snapshot: Snapshot })[],
  byName: ReadonlyMap<string, Snapshot>,
  shared: SharedState,
  runSignal: AbortSignal,
  opts: Opts,
): Promise<Part[]> {
  const parts: Part[] = gathered
    .filter((g) => g.snapshot === undefined)
    .map((g) => ({ cluster: g.cluster.name, result: base(check, 'error', 0, `not read (${g.problem?.reason ?? 'invalid'}).`) }));
  // Probes ask one API server; a check over every cluster has no single server to ask.
  if (needsLive(check)) return [...parts, { cluster: '', result: base(check, 'skipped', 0, NEEDS_LIVE) }];
  if (readable.length === 0) return parts;
  const unsettled = readable.map((g) => ({ g, settled: settleInputs(check, g.snapshot) }));
  const blocked = unsettled.filter((u) => u.settled?.status === 'error');
  if (blocked.length > 0) return [...parts, ...blocked.map((u) => ({ cluster: u.g.cluster.name, result: u.settled! }))];
  // Nothing of its inputs installed in any cluster: nothing to look at, which is not a pass.
  if (unsettled.every((u) => u.settled !== undefined)) {
    return [...parts, ...unsettled.map((u) => ({ cluster: u.g.cluster.name, result: u.settled! }))];
  }
  const first = readable[0]!;
  const result = await runOne(check, first.snapshot, runSignal, {
    ...opts,
    shared,
    clusters: readable.map((g) => viewOf(check, g.cluster.name, g.snapshot)),
    snapshotOf: (name) => byName.get(name),
  });
  result.read = sumReads(readable.map((g) => readOf(check.inputs, g.snapshot)));
  return [...parts, { cluster: '', result }];
}

// One cluster as a check sees it: only its declared kinds, as the runner holds every check to.
function viewOf(check: Check, name: string, snapshot: Snapshot): ClusterView<KindId> {
  const declared = new Set<KindId>(check.inputs);
  const assertDeclared = (kind: KindId): void => {
    if (!declared.has(kind)) throw new Error(`check ${check.id} read ${kind}, which it does not declare in its inputs`);
  };
  const list: CheckContext<KindId>['list'] = (kind, options) => {
    assertDeclared(kind);
    return snapshot.list(kind, options?.namespace) as never;
  };
  const find: CheckContext<KindId>['find'] = (kind, namespace, objectName) => {
    assertDeclared(kind);
    return snapshot.find(kind, namespace, objectName) as never;
  };
  return { name, list, find };
}

/** One result out of a check's per-cluster results: findings merged, the worst status, reads added up, reasons named by cluster. */
function mergeResults(check: Check, parts: readonly Part[]): CheckResult {
  const worst = parts.reduce<CheckStatus>((w, p) => (STATUS_RANK[p.result.status] > STATUS_RANK[w] ? p.result.status : w), 'pass');
  const result = base(check, parts.length === 0 ? 'error' : worst, 0);
  result.durationMs = parts.reduce((sum, p) => sum + p.result.durationMs, 0);
  const said = parts.filter((p) => p.result.reason !== undefined);
  // The same reason everywhere (a live-only check on snapshots) is said once.
  if (said.length === parts.length && said.length > 0 && said.every((p) => p.result.reason === said[0]!.result.reason)) {
    result.reason = said[0]!.result.reason!;
  } else if (said.length > 0) {
    result.reason = said.map((p) => (p.cluster === '' ? p.result.reason! : `${p.cluster}: ${p.result.reason!}`)).join(' ');
  }
  const reads = parts.map((p) => p.result.read).filter((r): r is ReadCount => r !== undefined);
  if (reads.length > 0) result.read = sumReads(reads);
  const truncated = parts.reduce((sum, p) => sum + (p.result.truncated ?? 0), 0);
  if (truncated > 0) result.truncated = truncated;
  result.findings = sortFindings(parts.flatMap((p) => p.result.findings));
  const suppressed = parts.flatMap((p) => p.result.suppressed ?? []);
  if (suppressed.length > 0) result.suppressed = sortFindings(suppressed);
  const attachments = parts.flatMap((p) =>
    (p.result.attachments ?? []).map((a) => (p.cluster === '' ? a : { ...a, title: `${p.cluster}: ${a.title}` })),
  );
  if (attachments.length > 0) result.attachments = attachments;
  return result;
}

function needsLive(check: Check): boolean {
  return check.needs !== undefined && check.needs.length > 0;
}

function isLive(source: ClusterSource): boolean {
  return source.live && source.probes !== undefined;
}

// Objects add up over clusters; a kind counts as read when every cluster that was read could read it.
function sumReads(reads: readonly ReadCount[]): ReadCount {
  if (reads.length === 0) return { kinds: 0, objects: 0 };
  return { kinds: Math.min(...reads.map((r) => r.kinds)), objects: reads.reduce((sum, r) => sum + r.objects, 0) };
}

// The run's target as one line: every cluster by name, snapshot only when every cluster is one.
function fleetTarget(clusters: readonly FleetCluster[]): TargetInfo {
  const live = clusters.some((c) => c.source.target.type === 'live');
  const name = clusters.map((c) => `${c.name} (${c.source.target.name})`).join(', ');
  if (live) return { type: 'live', name };
  return { type: 'snapshot', name, paths: clusters.flatMap((c) => c.source.target.paths ?? []) };
}

// Said once when no cluster could be read: then no check passes anywhere.
function noClusterRead(gathered: readonly Gathered[]): RunProblem {
  const first = gathered.find((g) => g.problem !== undefined)?.problem;
  const each = gathered.map((g) => `${g.cluster.name}: ${g.problem?.message ?? 'nothing was gathered.'}`).join(' ');
  return { reason: first?.reason ?? 'invalid', message: `No cluster could be read. ${each}` };
}
