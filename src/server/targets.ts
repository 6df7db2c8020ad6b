// What the dev server can run checks against. A target has a stable id the page sends
// back (`demo`, `snapshot:<name>`, later `context:<kubeconfig context>`) and a human name;
// the page only ever names a target by id, so a request cannot point the server at a path.

import { isAbsolute, resolve } from 'node:path';
import { YamlSource } from '../cluster/yaml-source.ts';
import type { ClusterSource } from '../cluster/source.ts';

/** A target as the page's selector shows it. */
export interface TargetOption {
  id: string;
  /** Shown in the selector and in run progress, e.g. "demo cluster snapshot". */
  name: string;
  /** Groups the selector: snapshots now, kubeconfig contexts when live clusters land. */
  group: 'snapshot' | 'context';
}

export interface TargetRegistry {
  /** Every target, the default first. */
  list(): TargetOption[];
  /** A fresh source for a target id (re-read on every run, so edits to a snapshot show up). */
  open(id: string): ClusterSource | undefined;
}

export const DEMO_TARGET_ID = 'demo';
export const DEMO_TARGET_NAME = 'demo cluster snapshot';

/** The bundled demo snapshot, relative to the project root. */
export const DEMO_SNAPSHOT_DIR = 'runbooks/demo-cluster';

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
export function devTargets(options: { root: string; env: Record<string, string | undefined> }): TargetRegistry {
  const snapshots: SnapshotTarget[] = [
    { id: DEMO_TARGET_ID, name: DEMO_TARGET_NAME, group: 'snapshot', paths: [resolve(options.root, DEMO_SNAPSHOT_DIR)] },
    ...parseExtraTargets(options.env.MESHBOOK_EXTRA_TARGETS, options.root),
  ];
  const byId = new Map(snapshots.map((t) => [t.id, t]));
  if (byId.size !== snapshots.length) throw new Error(`MESHBOOK_EXTRA_TARGETS names a target twice: ${JSON.stringify(options.env.MESHBOOK_EXTRA_TARGETS)}`);
  return {
    list: () => snapshots.map(({ id, name, group }) => ({ id, name, group })),
    open: (id) => {
      const t = byId.get(id);
      return t === undefined ? undefined : new YamlSource(t.paths, t.name);
    },
  };
}
