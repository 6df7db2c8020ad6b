// What the dev server can run checks against. A target has a stable id the page sends
// back (`demo`, `snapshot:<name>`, `context:<kubeconfig context>`) and a human name; the
// page only ever names a target by id, so a request cannot point the server at a path.
// Kubeconfig contexts are read again whenever the list is asked for, and a run names the
// fingerprint the page saw: if the context changed underneath the page, the run is refused.

import { DEMO_NAME, DEMO_RELATIVE_DIR } from '../cluster/demo.ts';
import { isAbsolute, resolve } from 'node:path';
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
  /** Groups the selector: snapshots, then kubeconfig contexts. */
  group: 'snapshot' | 'context';
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
      targets: [...snapshotOptions(), ...contexts.targets],
      ...(contexts.problem === undefined ? {} : { kubeconfigProblem: contexts.problem }),
    };
  };
  return {
    list: async () => (await survey()).targets,
    survey,
    open: async (id, request = {}) => {
      const t = byId.get(id);
      if (t !== undefined) return new YamlSource(t.paths, t.name);
      if (!id.startsWith(CONTEXT_PREFIX)) return undefined;
      const name = id.slice(CONTEXT_PREFIX.length);
      const contexts = await contextTargets(selection);
      const seen = contexts.find((c) => c.id === id);
      if (seen === undefined || seen.fingerprint !== request.fingerprint)
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
