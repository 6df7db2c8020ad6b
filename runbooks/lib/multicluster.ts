// What the multi-cluster checks share: the resource a finding on one cluster's object names, and
// how a list of clusters is said.

import type { ResourceRef } from '../../src/engine/types.ts';

/** A resource in the named cluster of the run (no `cluster` in a one-cluster run, whose cluster is ''). */
export function inCluster(cluster: string, kind: string, namespace: string | undefined, name: string): ResourceRef {
  return { kind, ...(namespace === undefined ? {} : { namespace }), name, ...(cluster === '' ? {} : { cluster }) };
}

/** `a, b and c`. */
export function andList(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)!}`;
}
