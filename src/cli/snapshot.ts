// `meshbook snapshot --output DIR`: gather what the selected checks would read, from a live
// cluster or from snapshots, and write it as YAML (one `kind: List` file per kind) plus a
// manifest (src/cluster/snapshot-files.ts). Secret payloads are never written; the directory
// loads back with `--snapshot DIR` and gives the same findings.

import { relative } from 'node:path';
import { writeSnapshotDir, MANIFEST_FILE, type SnapshotManifest } from '../cluster/snapshot-files.ts';
import { inputsOf } from '../engine/runner.ts';
import type { Check } from '../engine/check.ts';
import type { KindId } from '../k8s/kinds.ts';
import type { SnapshotCommand } from './args.ts';
import type { PickedSource } from './pick-source.ts';

/** Gathers the inputs of `checks` from `picked` and writes them to the command's directory. */
export async function writeSnapshot(
  command: SnapshotCommand,
  checks: readonly Check[],
  picked: PickedSource,
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

/** The lines `meshbook snapshot` prints: where, what, and what could not be read. */
export function snapshotSummary(dir: string, manifest: SnapshotManifest): string {
  const shown = relative(process.cwd(), dir) || dir;
  const objects = manifest.kinds.reduce((n, k) => n + k.objects, 0);
  const lines = [
    `Wrote ${objects} object${objects === 1 ? '' : 's'} of ${manifest.kinds.length} kind${manifest.kinds.length === 1 ? '' : 's'} from ${manifest.target.name} to ${shown}/ (manifest: ${MANIFEST_FILE}).`,
  ];
  for (const p of manifest.problems)
    lines.push(`  ${p.reason === 'not-installed' ? 'not installed' : 'not read'}: ${p.kind} — ${p.message}`);
  lines.push(`Run the checks on it offline with: meshbook check --snapshot ${shown}`);
  return `${lines.join('\n')}\n`;
}
