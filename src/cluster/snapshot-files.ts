// Writing a gathered snapshot back out as YAML (`meshbook snapshot --output DIR`), and the
// manifest that travels with it. One file per kind (`core-pod.yaml` as a `kind: List`), plus
// `meshbook-snapshot.json`: a Kubernetes-shaped object (so `--snapshot DIR` loads the directory
// as it is) that records the target, the time, the kinds and the gather problems. The YAML
// source turns those problems back into gather problems, so a kind that could not be read
// live errors the same checks offline instead of looking empty.

import { chmod, mkdir, mkdtemp, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import yaml from 'js-yaml';
import { KINDS, KIND_IDS, type KindId, type KindInfo } from '../k8s/kinds.ts';
import type { GatherProblem, Snapshot } from '../engine/snapshot.ts';
import { InputError } from '../engine/source.ts';
import type { KubeObject } from '../k8s/objects.ts';
import type { TargetInfo } from '../engine/types.ts';

export const MANIFEST_FILE = 'meshbook-snapshot.json';
export const MANIFEST_API_VERSION = 'meshbook.dev/v1alpha1';
export const MANIFEST_KIND = 'SnapshotManifest';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const PROBLEM_REASONS: ReadonlySet<string> = new Set<GatherProblem['reason']>([
  'forbidden',
  'not-installed',
  'unreachable',
  'timeout',
  'server-error',
  'invalid',
]);

/** What `meshbook-snapshot.json` holds besides its Kubernetes-shaped header. */
export interface SnapshotManifest {
  apiVersion: typeof MANIFEST_API_VERSION;
  kind: typeof MANIFEST_KIND;
  metadata: { name: 'meshbook-snapshot' };
  /** What was read: the live context, or the snapshot the files came from. */
  target: TargetInfo;
  /** When the data was read (for a live cluster, its oldest cached entry). */
  gatheredAt: string;
  writtenAt: string;
  /** Namespaced kinds hold only this namespace, when set. */
  namespace?: string;
  /** The checks whose inputs were gathered. */
  checks: string[];
  /** One entry per kind that was read, with its file. */
  kinds: { kind: KindId; file: string; objects: number; version?: string }[];
  /** Kinds that could not be read, and why. */
  problems: GatherProblem[];
}

/** `core-pod.yaml`, `networking.istio.io-gateway.yaml`: one file name per kind. */
export function kindFileName(kind: KindId): string {
  const info = KINDS[kind];
  return `${info.group === '' ? 'core' : info.group}-${info.kind.toLowerCase()}.yaml`;
}

/** An object as a snapshot file may hold it: no managedFields; Secrets as metadata only. */
export function sanitizeObject(kind: KindId, object: KubeObject): KubeObject {
  const copy = structuredClone(object) as KubeObject & { metadata: Record<string, unknown> };
  delete copy.metadata.managedFields;
  if ((KINDS[kind] as KindInfo).metadataOnly === true) {
    const annotations = copy.metadata.annotations as Record<string, string> | undefined;
    if (annotations !== undefined) {
      // `kubectl apply` copies the whole Secret, payload included, into this annotation.
      delete annotations[LAST_APPLIED];
      if (Object.keys(annotations).length === 0) delete copy.metadata.annotations;
    }
    return { apiVersion: copy.apiVersion, kind: copy.kind, metadata: copy.metadata as KubeObject['metadata'] };
  }
  return copy;
}

export interface WriteSnapshotOptions {
  target: TargetInfo;
  /** The kinds the selected checks read. */
  kinds: readonly KindId[];
  checks: readonly string[];
  namespace?: string;
  gatheredAt?: string;
  /** The version each kind was read at (live sources). */
  versions?: ReadonlyMap<KindId, string>;
  now?: Date;
}

/**
 * Writes `snapshot` to `dir` (created; must be empty or absent); returns the manifest. The files are
 * written to a temporary directory beside it and renamed into place, so a failure leaves no half-written snapshot.
 */
export async function writeSnapshotDir(dir: string, snapshot: Snapshot, options: WriteSnapshotOptions): Promise<SnapshotManifest> {
  const mode = await prepareDir(dir);
  const target = resolve(dir);
  let tmp: string;
  try {
    tmp = await mkdtemp(join(dirname(target), `.${basename(target)}.meshbook-tmp-`));
    await chmod(tmp, mode);
  } catch (cause) {
    throw new InputError(`Cannot create the snapshot directory ${JSON.stringify(dir)}: ${(cause as Error).message}`, { cause });
  }
  try {
    const manifest = await writeFiles(tmp, snapshot, options);
    try {
      // Replaces `dir` when it is an empty directory; fails if something was written into it meanwhile.
      await rename(tmp, target);
    } catch (cause) {
      throw new InputError(`Cannot move the snapshot into ${JSON.stringify(dir)}: ${(cause as Error).message}`, { cause });
    }
    return manifest;
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }
}

async function writeFiles(dir: string, snapshot: Snapshot, options: WriteSnapshotOptions): Promise<SnapshotManifest> {
  const now = options.now ?? new Date();
  const manifest: SnapshotManifest = {
    apiVersion: MANIFEST_API_VERSION,
    kind: MANIFEST_KIND,
    metadata: { name: 'meshbook-snapshot' },
    target: options.target,
    gatheredAt: options.gatheredAt ?? now.toISOString(),
    writtenAt: now.toISOString(),
    ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
    checks: [...options.checks],
    kinds: [],
    problems: [],
  };
  const wanted = new Set(options.kinds);
  for (const kind of KIND_IDS) {
    if (!wanted.has(kind)) continue;
    const problem = snapshot.problems.get(kind);
    if (problem !== undefined) manifest.problems.push({ kind, reason: problem.reason, message: problem.message });
    if (!snapshot.kinds.has(kind) || (problem !== undefined && problem.reason !== 'not-installed')) continue;
    const scoped = KINDS[kind].namespaced ? options.namespace : undefined;
    const items = snapshot.list(kind, scoped).map((o) => sanitizeObject(kind, o));
    const file = kindFileName(kind);
    const header = `# ${KINDS[kind].kind} (${KINDS[kind].group === '' ? 'core' : KINDS[kind].group}) from ${describeTarget(options.target)}, written by meshbook snapshot.\n`;
    await writeFile(join(dir, file), header + yaml.dump({ apiVersion: 'v1', kind: 'List', items }, { noRefs: true, lineWidth: -1 }));
    const version = options.versions?.get(kind);
    manifest.kinds.push({ kind, file, objects: items.length, ...(version === undefined ? {} : { version }) });
  }
  await writeFile(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

function describeTarget(t: TargetInfo): string {
  return t.type === 'live' ? `context ${t.context ?? t.name} (${t.server ?? '?'})` : t.name;
}

// Checks that `dir` is absent or an empty directory (creating its parent); returns the mode the snapshot directory gets.
async function prepareDir(dir: string): Promise<number> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT')
      throw new InputError(`Cannot use ${JSON.stringify(dir)} as the snapshot directory: ${(cause as Error).message}`, { cause });
    try {
      await mkdir(dirname(resolve(dir)), { recursive: true });
    } catch (mkdirCause) {
      throw new InputError(`Cannot create the snapshot directory ${JSON.stringify(dir)}: ${(mkdirCause as Error).message}`, {
        cause: mkdirCause,
      });
    }
    return 0o755;
  }
  // Writing into a directory that holds other YAML would mix them when it is loaded.
  if (entries.length > 0)
    throw new InputError(
      `The snapshot directory ${JSON.stringify(dir)} is not empty (${entries.length} entries). Choose a new directory or empty it.`,
    );
  // The empty directory the user made keeps its permissions once replaced.
  return (await stat(dir)).mode & 0o7777;
}

/** The gather problems recorded by manifests among loaded objects; InputError when one is malformed. */
export function manifestProblems(objects: readonly KubeObject[], where: (o: KubeObject) => string): GatherProblem[] {
  const problems: GatherProblem[] = [];
  for (const o of objects) {
    if (o.apiVersion !== MANIFEST_API_VERSION || o.kind !== MANIFEST_KIND) continue;
    const raw = o.problems;
    if (raw === undefined) continue;
    if (!Array.isArray(raw)) throw new InputError(`${where(o)}: ${MANIFEST_KIND} problems must be a list, found ${JSON.stringify(raw)}.`);
    for (const p of raw as unknown[]) {
      const rec = (typeof p === 'object' && p !== null ? p : {}) as Record<string, unknown>;
      if (
        typeof rec.kind !== 'string' ||
        !(rec.kind in KINDS) ||
        typeof rec.reason !== 'string' ||
        !PROBLEM_REASONS.has(rec.reason) ||
        typeof rec.message !== 'string'
      ) {
        throw new InputError(`${where(o)}: ${MANIFEST_KIND} has a malformed problem ${JSON.stringify(p)} (needs kind, reason, message).`);
      }
      problems.push({ kind: rec.kind as KindId, reason: rec.reason as GatherProblem['reason'], message: rec.message });
    }
  }
  return problems;
}
