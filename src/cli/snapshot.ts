// `meshbook snapshot --output DIR`: gather what the selected checks would read, from a live
// cluster or from snapshots, and write it as YAML (one `kind: List` file per kind) plus a
// manifest (src/cluster/snapshot-files.ts). Secret payloads are never written; the directory
// loads back with `--snapshot DIR` and gives the same findings.

import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { writeSnapshotDir, MANIFEST_FILE, type SnapshotManifest } from '../cluster/snapshot-files.ts';
import { inputsOf } from '../engine/runner.ts';
import type { Check } from '../engine/check.ts';
import type { KindId } from '../k8s/kinds.ts';
import type { SnapshotCommand } from './args.ts';
import { InputError, SourceUnavailableError, type ClusterSource } from '../engine/source.ts';
import type { FleetCluster } from '../engine/fleet.ts';
import { clusterDirName } from './pick-clusters.ts';

/** Gathers the inputs of `checks` from `picked` and writes them to the command's directory. */
export async function writeSnapshot(
  command: SnapshotCommand,
  checks: readonly Check[],
  picked: { source: ClusterSource },
  signal: AbortSignal,
): Promise<SnapshotManifest> {
  const kinds = inputsOf(checks);
  const gatherOptions = command.namespace === undefined ? { signal } : { signal, namespace: command.namespace };
  const snapshot = await picked.source.gather(kinds, gatherOptions);
  signal.throwIfAborted();
  return writeSnapshotDir(command.output, snapshot, {
    target: picked.source.target,
    kinds,
    checks: checks.map((c) => c.id),
    ...(command.namespace === undefined ? {} : { namespace: command.namespace }),
    ...(isLive(snapshot) ? { gatheredAt: snapshot.gatheredAt, versions: snapshot.versions } : {}),
  });
}

// A LiveSnapshot, without importing the live source (it is loaded only for live runs).
function isLive(snapshot: object): snapshot is { gatheredAt: string; versions: ReadonlyMap<KindId, string> } {
  return (
    typeof (snapshot as { gatheredAt?: unknown }).gatheredAt === 'string' && (snapshot as { versions?: unknown }).versions instanceof Map
  );
}

/** One cluster of `meshbook snapshot` over several: its directory, and what was written or why nothing was. */
export interface ClusterSnapshot {
  name: string;
  dir: string;
  manifest?: SnapshotManifest;
  /** The cluster could not be read at all; the others were still written. */
  problem?: string;
}

/**
 * `meshbook snapshot` over several clusters: one snapshot directory per cluster under the
 * command's directory (`DIR/<cluster>/`), read at once. A cluster that cannot be read is said and
 * the others are still written.
 */
export async function writeClusterSnapshots(
  command: SnapshotCommand,
  checks: readonly Check[],
  clusters: readonly FleetCluster[],
  signal: AbortSignal,
): Promise<ClusterSnapshot[]> {
  const dirs = clusters.map((c) => clusterDirName(c.name));
  const clash = dirs.find((d, i) => dirs.indexOf(d) !== i);
  if (clash !== undefined) throw new InputError(`Two clusters would be written to the same directory ${JSON.stringify(clash)}.`);
  const entries = await readdir(command.output).catch((cause: NodeJS.ErrnoException) => {
    if (cause.code === 'ENOENT') return [];
    throw new InputError(`Cannot use ${JSON.stringify(command.output)} as the snapshot directory: ${cause.message}`, { cause });
  });
  // Loading the directory later as one snapshot would mix anything already there into the clusters.
  if (entries.length > 0)
    throw new InputError(
      `The snapshot directory ${JSON.stringify(command.output)} is not empty (${entries.length} entries). Choose a new directory or empty it.`,
    );
  return Promise.all(
    clusters.map(async (c, i): Promise<ClusterSnapshot> => {
      const dir = join(command.output, dirs[i]!);
      try {
        return { name: c.name, dir, manifest: await writeSnapshot({ ...command, output: dir }, checks, c, signal) };
      } catch (error) {
        if (!(error instanceof SourceUnavailableError)) throw error;
        return { name: c.name, dir, problem: error.message };
      }
    }),
  );
}

/** What `meshbook snapshot` over several clusters prints: each cluster's summary, then how to check them together. */
export function clusterSnapshotsSummary(written: readonly ClusterSnapshot[]): string {
  const parts = written.map((w) =>
    w.manifest === undefined
      ? `Cluster ${w.name}: cannot read it: ${w.problem ?? 'nothing was gathered.'}\n`
      : `Cluster ${w.name}: ${snapshotSummary(w.dir, w.manifest, false)}`,
  );
  const flags = written
    .filter((w) => w.manifest !== undefined)
    .map((w) => `--snapshot ${w.name}=${relative(process.cwd(), w.dir) || w.dir}`)
    .join(' ');
  return `${parts.join('')}Run the checks on them offline with: meshbook check ${flags}\n`;
}

/** The lines `meshbook snapshot` prints: where, what, and what could not be read. */
export function snapshotSummary(dir: string, manifest: SnapshotManifest, hint = true): string {
  const shown = relative(process.cwd(), dir) || dir;
  const objects = manifest.kinds.reduce((n, k) => n + k.objects, 0);
  const lines = [
    `Wrote ${objects} object${objects === 1 ? '' : 's'} of ${manifest.kinds.length} kind${manifest.kinds.length === 1 ? '' : 's'} from ${manifest.target.name} to ${shown}/ (manifest: ${MANIFEST_FILE}).`,
  ];
  for (const p of manifest.problems)
    lines.push(`  ${p.reason === 'not-installed' ? 'not installed' : 'not read'}: ${p.kind} — ${p.message}`);
  if (hint) lines.push(`Run the checks on it offline with: meshbook check --snapshot ${shown}`);
  return `${lines.join('\n')}\n`;
}
