// What the dev server can run checks against. A target has a stable id the page sends
// back (`demo`, `snapshot:<name>`, `context:<kubeconfig context>`) and a human name; the
// page only ever names a target by id, so a request cannot point the server at a path.
// Kubeconfig contexts are read again whenever the list is asked for, and a run names the
// fingerprint the page saw: if the context changed underneath the page, the run is refused.

import { DEMO_NAME, DEMO_RELATIVE_DIR } from '../cluster/demo.ts';
import { isAbsolute, join, resolve } from 'node:path';
import { readdirSync, statSync } from 'node:fs';
import { FleetSource } from '../engine/fleet.ts';
import { YamlSource } from '../cluster/yaml-source.ts';
import type { ClusterSource } from '../engine/source.ts';
import '../cluster/client-node.ts'; // the Kubernetes client library, imported statically for the dev server (see there)
import { access } from 'node:fs/promises';
import { kubeconfigFiles, listContexts, resolveContext, type KubeconfigSelection } from '../cluster/kubeconfig.ts';
import { LiveSource, type LiveSourceOptions } from '../cluster/live-source.ts';

/** A target as the page's selector shows it. */
export interface TargetOption {
  id: string;
  /** Shown in the selector and in run progress, e.g. "demo cluster snapshot". */
  name: string;
  /** Groups the selector: snapshots, then kubeconfig contexts, then runs over several clusters. */
  group: 'snapshot' | 'context' | 'fleet';
  /** Fleet targets: the clusters of the run, by name. */
  clusters?: string[];
  /** Context targets: the context, its cluster and API server, as the kubeconfig says. */
  context?: string;
  cluster?: string;
  server?: string;
  /** The kubeconfig's current-context (what kubectl would use). */
  current?: boolean;
  /** Changes when what the context points at changes; a run must send back the one the page saw. */
  fingerprint?: string;
  /** Why this context cannot be used, if it cannot (shown, and the run is refused). */
  problem?: string;
}

/** What a run request says beyond the target id. */
export interface OpenRequest {
  /** The context fingerprint the page saw when it loaded (context targets). */
  fingerprint?: string;
  /** Read the cluster again instead of serving cached kinds. */
  refresh?: boolean;
}

/** The targets as of now, and why the kubeconfig could not be read, if it could not. */
export interface TargetSurvey {
  targets: TargetOption[];
  /** The kubeconfig exists but cannot be used: file, line and reason (its contexts are then missing). */
  kubeconfigProblem?: string;
}

export interface TargetRegistry {
  /** Every target: the snapshots, then the contexts read from the kubeconfig now (the current one first). */
  list(): TargetOption[] | Promise<TargetOption[]>;
  /** The same list plus the kubeconfig's problem, for the page's selector (optional: registries without a kubeconfig). */
  survey?(): Promise<TargetSurvey>;
  /**
   * A source for a target id: snapshots are re-read on every run (edits show up); live
   * sources are kept per context (connections and their 30 s cache). Throws TargetConflict
   * when the context's fingerprint is not the one the page saw, InputError when it is unusable.
   */
  open(id: string, request?: OpenRequest): ClusterSource | undefined | Promise<ClusterSource | undefined>;
}

/** The page's view of a context is out of date: answered with 409. */
export class TargetConflict extends Error {
  override readonly name = 'TargetConflict';
}

export const CONTEXT_PREFIX = 'context:';
export const CONTEXT_CHANGED = 'the kubeconfig context changed since this page loaded — reload';

export const DEMO_TARGET_ID = 'demo';

/** The two-cluster demo: one folder per cluster under runbooks/demo-multicluster/. */
export const DEMO_FLEET_TARGET_ID = 'demo-multicluster';
export const DEMO_FLEET_RELATIVE_DIR = 'runbooks/demo-multicluster';

/** Several kubeconfig contexts checked together: `contexts:a+b`. */
export const CONTEXTS_PREFIX = 'contexts:';
const CONTEXTS_SEPARATOR = '+';

/** The target id of a run over these contexts (at least two). */
export function contextsTargetId(contexts: readonly string[]): string {
  return `${CONTEXTS_PREFIX}${contexts.join(CONTEXTS_SEPARATOR)}`;
}

/**
 * The contexts a `contexts:` id names when each is a usable context of `targets` and none is
 * named twice (any two or more of them may be checked together), else undefined.
 */
export function contextsOf(id: string, targets: readonly TargetOption[]): string[] | undefined {
  if (!id.startsWith(CONTEXTS_PREFIX)) return undefined;
  const names = id.slice(CONTEXTS_PREFIX.length).split(CONTEXTS_SEPARATOR);
  const usable = new Set(targets.filter((t) => t.group === 'context' && t.problem === undefined).map((t) => t.name));
  if (names.length < 2 || new Set(names).size !== names.length || !names.every((n) => usable.has(n))) return undefined;
  return names;
}

/** The folders of the clusters of the two-cluster demo, when it is there. */
export function demoFleetClusters(root: string): { name: string; path: string }[] {
  const dir = resolve(root, DEMO_FLEET_RELATIVE_DIR);
  let names: string[];
  try {
    names = readdirSync(dir).filter((d) => statSync(join(dir, d)).isDirectory());
  } catch {
    return [];
  }
  return names.length < 2 ? [] : names.sort().map((name) => ({ name, path: join(dir, name) }));
}

// The fleet targets: the two-cluster demo, and every usable context together when there are several.
function fleetTargets(root: string, contexts: readonly TargetOption[]): TargetOption[] {
  const demo = demoFleetClusters(root);
  const usable = contexts.filter((t) => t.problem === undefined);
  return [
    ...(demo.length === 0
      ? []
      : [{ id: DEMO_FLEET_TARGET_ID, name: `demo (${demo.length} clusters)`, group: 'fleet' as const, clusters: demo.map((c) => c.name) }]),
    ...(usable.length < 2
      ? []
      : [
          {
            id: contextsTargetId(usable.map((t) => t.name)),
            name: `every context (${usable.map((t) => t.name).join(' + ')})`,
            group: 'fleet' as const,
            clusters: usable.map((t) => t.name),
            fingerprint: fleetFingerprint(usable),
          },
        ]),
  ];
}

/** What a run over several contexts sends back: each context's fingerprint, in its order. */
export function fleetFingerprint(contexts: readonly Pick<TargetOption, 'fingerprint'>[]): string {
  return contexts.map((c) => c.fingerprint ?? '').join(' ');
}

interface SnapshotTarget extends TargetOption {
  paths: string[];
}

/**
 * Parses MESHBOOK_EXTRA_TARGETS: comma-separated `name=path` pairs, paths relative to the root.
 * Used by the end-to-end tests to add a hostile snapshot without touching the demo cluster.
 */
export function parseExtraTargets(value: string | undefined, root: string): SnapshotTarget[] {
  if (value === undefined || value.trim() === '') return [];
  return value.split(',').map((pair) => {
    const eq = pair.indexOf('=');
    const name = eq === -1 ? '' : pair.slice(0, eq).trim();
    const path = eq === -1 ? '' : pair.slice(eq + 1).trim();
    if (name === '' || path === '') {
      throw new Error(`MESHBOOK_EXTRA_TARGETS entries must look like name=path, received ${JSON.stringify(pair)}`);
    }
    return { id: `snapshot:${name}`, name, group: 'snapshot' as const, paths: [isAbsolute(path) ? path : resolve(root, path)] };
  });
}

/**
 * The dev server's targets: the demo snapshot, plus extra snapshots from the environment.
 * Only the dev integration calls this; the static build never reads the environment for targets.
 */
export function devTargets(options: {
  root: string;
  env: Record<string, string | undefined>;
  live?: LiveSourceOptions;
  home?: string;
  /** The terminal: told when the kubeconfig becomes unreadable (once per distinct problem) and when it is readable again. */
  log?: { info(message: string): void; warn(message: string): void };
}): TargetRegistry {
  const snapshots: SnapshotTarget[] = [
    { id: DEMO_TARGET_ID, name: DEMO_NAME, group: 'snapshot', paths: [resolve(options.root, DEMO_RELATIVE_DIR)] },
    ...parseExtraTargets(options.env.MESHBOOK_EXTRA_TARGETS, options.root),
  ];
  const byId = new Map(snapshots.map((t) => [t.id, t]));
  if (byId.size !== snapshots.length)
    throw new Error(`MESHBOOK_EXTRA_TARGETS names a target twice: ${JSON.stringify(options.env.MESHBOOK_EXTRA_TARGETS)}`);
  const selection: KubeconfigSelection = { env: options.env, ...(options.home === undefined ? {} : { home: options.home }) };
  const live = new Map<string, LiveSource>();
  const snapshotOptions = (): TargetOption[] => snapshots.map(({ id, name, group }) => ({ id, name, group }));
  // Contexts are read on every page load: say a problem once, not once per page.
  let reported: string | undefined;
  const survey = async (): Promise<TargetSurvey> => {
    const contexts = await readContextTargets(selection);
    if (contexts.problem !== reported) {
      if (contexts.problem !== undefined) options.log?.warn(`${contexts.problem} The page offers the snapshots only until it is fixed.`);
      else if (reported !== undefined) options.log?.info('The kubeconfig is readable again; its contexts are back in the target list.');
      reported = contexts.problem;
    }
    return {
      targets: [...snapshotOptions(), ...contexts.targets, ...fleetTargets(options.root, contexts.targets)],
      ...(contexts.problem === undefined ? {} : { kubeconfigProblem: contexts.problem }),
    };
  };
  const openContext = async (name: string, fingerprint: string | undefined, contexts: readonly TargetOption[]): Promise<LiveSource> => {
    const seen = contexts.find((c) => c.id === `${CONTEXT_PREFIX}${name}`);
    if (seen === undefined || seen.fingerprint !== fingerprint)
      throw new TargetConflict(
        `${CONTEXT_CHANGED} (context ${JSON.stringify(name)} ${seen === undefined ? 'is no longer in the kubeconfig' : 'now points elsewhere'}).`,
      );
    const resolved = await resolveContext({ ...selection, context: name });
    let source = live.get(name);
    // Same context, same credentials: keep the source (its connections and its cache).
    if (source === undefined || source.context.cacheKey !== resolved.cacheKey) {
      source?.close();
      source = new LiveSource(resolved, options.live);
      live.set(name, source);
    }
    return source;
  };
  return {
    list: async () => (await survey()).targets,
    survey,
    open: async (id, request = {}) => {
      const t = byId.get(id);
      if (t !== undefined) return new YamlSource(t.paths, t.name);
      if (id === DEMO_FLEET_TARGET_ID) {
        const demo = demoFleetClusters(options.root);
        return demo.length === 0
          ? undefined
          : new FleetSource(demo.map((c) => ({ name: c.name, source: new YamlSource([c.path], c.name) })));
      }
      if (id.startsWith(CONTEXTS_PREFIX)) {
        const contexts = await contextTargets(selection);
        const names = contextsOf(id, contexts);
        // A context gone or changed since the page loaded: the page must see the kubeconfig as it is now.
        if (names === undefined)
          throw new TargetConflict(`${CONTEXT_CHANGED} (not every context of ${JSON.stringify(id)} can be used now).`);
        const fingerprints = (request.fingerprint ?? '').split(' ');
        const sources: LiveSource[] = [];
        for (const [i, name] of names.entries()) sources.push(await openContext(name, fingerprints[i], contexts));
        if (request.refresh === true) for (const s of sources) s.invalidate();
        return new FleetSource(names.map((name, i) => ({ name, source: sources[i]! })));
      }
      if (!id.startsWith(CONTEXT_PREFIX)) return undefined;
      const source = await openContext(id.slice(CONTEXT_PREFIX.length), request.fingerprint, await contextTargets(selection));
      if (request.refresh === true) source.invalidate();
      return source;
    },
  };
}

/** The kubeconfig's contexts as targets; none when there is no kubeconfig (the demo still works). */
export async function contextTargets(selection: KubeconfigSelection): Promise<TargetOption[]> {
  return (await readContextTargets(selection)).targets;
}

/**
 * The kubeconfig's contexts as targets, and why the kubeconfig cannot be read when it exists
 * but is malformed or unreadable (the message names the file, and the line for YAML errors,
 * as the CLI says it). No kubeconfig file at all is not a problem: the snapshots still work.
 */
export async function readContextTargets(selection: KubeconfigSelection): Promise<{ targets: TargetOption[]; problem?: string }> {
  if (!(await anyExists(kubeconfigFiles(selection).files))) return { targets: [] };
  let listed;
  try {
    listed = await listContexts(selection);
  } catch (error) {
    return { targets: [], problem: (error as Error).message };
  }
  const current = listed.contexts.filter((c) => c.current);
  const rest = listed.contexts.filter((c) => !c.current);
  const targets = [...current, ...rest].map((c) => ({
    id: `${CONTEXT_PREFIX}${c.name}`,
    name: c.name,
    group: 'context' as const,
    context: c.name,
    cluster: c.cluster,
    server: c.server,
    current: c.current,
    fingerprint: c.fingerprint,
    ...(c.problem === undefined ? {} : { problem: c.problem }),
  }));
  return { targets };
}

// True when at least one of the files exists (readable or not: an unreadable one is a problem to show).
async function anyExists(files: string[]): Promise<boolean> {
  for (const file of files) {
    try {
      await access(file);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return true;
    }
  }
  return false;
}
