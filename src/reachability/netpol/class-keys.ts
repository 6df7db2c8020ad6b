// Keys equal for classes no connection can tell apart, as a source (sourceKey) or as a destination
// (destinationKey), so sweeps evaluate one class per key. Per class, the pod peers of rules of one
// direction that match it are found namespace by namespace: the cost is peers × classes of the
// namespaces a peer can reach, not peers × classes.

import { matchesSelector } from '../../k8s/selectors.ts';
import type { CompiledPolicy } from './compile-policy.ts';
import type { ClassState } from './pod-classes.ts';
import type { PolicyTable } from './policy-table.ts';
import type { RuleMatcher } from './rule-match.ts';
import type { Direction } from './types.ts';

function peersMatching(
  direction: Direction,
  table: PolicyTable,
  matcher: RuleMatcher,
  classes: readonly ClassState[],
  byNamespace: ReadonlyMap<string, readonly ClassState[]>,
): { matched: number[][]; policyIds: Map<CompiledPolicy, number> } {
  const matched: number[][] = classes.map(() => []);
  const policyIds = new Map<CompiledPolicy, number>();
  // Every namespace's policy often names the same namespaces (istio-system, a frontend): match each distinct selector once.
  const namespacesOf = new Map<string, string[]>();
  for (const states of table.byNamespace.values()) {
    for (const state of states) {
      const p = state.compiled;
      policyIds.set(p, policyIds.size);
      for (const rule of p[direction] ?? []) {
        for (const peer of rule.peers ?? []) {
          if (peer.kind !== 'pods') continue;
          let candidates: string[];
          if (peer.namespaceSelector === undefined) candidates = [p.namespace];
          else {
            const key = JSON.stringify(peer.namespaceSelector);
            let found = namespacesOf.get(key);
            if (found === undefined) {
              found = [...byNamespace.keys()].filter((ns) => matchesSelector(peer.namespaceSelector, table.labelsOfNamespace(ns)));
              namespacesOf.set(key, found);
            }
            candidates = found;
          }
          for (const ns of candidates) {
            for (const cls of byNamespace.get(ns) ?? []) {
              if (!cls.hostNetwork && matcher.podPeerMatches(peer, p.namespace, cls)) matched[cls.id]!.push(peer.id);
            }
          }
        }
      }
    }
  }
  return { matched, policyIds };
}

/**
 * What a source shows the policies: its egress policies, its node if on the host network, its
 * ipBlock membership, and the ingress pod peers that match it; and, by ingress pod peer id, the
 * classes it matches.
 */
export function sourceKeys(
  table: PolicyTable,
  matcher: RuleMatcher,
  classes: readonly ClassState[],
  byNamespace: ReadonlyMap<string, readonly ClassState[]>,
): { keys: string[]; byPeer: Map<number, ClassState[]> } {
  const { matched, policyIds } = peersMatching('ingress', table, matcher, classes, byNamespace);
  const byPeer = new Map<number, ClassState[]>();
  for (const cls of classes) {
    for (const peer of matched[cls.id]!) {
      const list = byPeer.get(peer);
      if (list === undefined) byPeer.set(peer, [cls]);
      else list.push(cls);
    }
  }
  const keys = classes.map((cls) =>
    JSON.stringify([
      cls.hostNetwork,
      cls.nodeName ?? null,
      cls.egressPolicies.map((p) => policyIds.get(p) ?? -1),
      [...cls.blocks].sort((a, b) => a - b),
      matched[cls.id],
    ]),
  );
  return { keys, byPeer };
}

/** The mirror image, over egress pod peers and ingress policies; a class's named ports are in it (policies' named ports resolve against the destination's container ports). */
export function destinationKeys(
  table: PolicyTable,
  matcher: RuleMatcher,
  classes: readonly ClassState[],
  byNamespace: ReadonlyMap<string, readonly ClassState[]>,
): string[] {
  const { matched, policyIds } = peersMatching('egress', table, matcher, classes, byNamespace);
  return classes.map((cls) =>
    JSON.stringify([
      cls.hostNetwork,
      cls.ingressPolicies.map((p) => policyIds.get(p) ?? -1),
      [...cls.blocks].sort((a, b) => a - b),
      [...cls.namedPorts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      matched[cls.id],
    ]),
  );
}
