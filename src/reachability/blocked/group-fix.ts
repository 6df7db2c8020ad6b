// A collector group's fix: the per-connection fixes of suggestFixes, merged into rules for one
// policy. Peers that need the same ports share one rule, so no peer is opened on a port it did
// not ask for; past MAX_FIX_PEERS peers the rest are counted, not named.

import type { NetworkPolicyPeer, NetworkPolicyPort } from '../../k8s/objects.ts';
import type { Direction, PolicyRef, SuggestedFix } from '../netpol/types.ts';
import type { BulkSet, MemberUnions } from './member-unions.ts';

/** At most this many peers go into a group's rules; the finding says how many more there were. */
export const MAX_FIX_PEERS = 10;

export interface FixRule {
  from?: NetworkPolicyPeer[];
  to?: NetworkPolicyPeer[];
  ports: NetworkPolicyPort[];
}

export interface GroupFix {
  direction: Direction;
  policy: PolicyRef;
  /** The rules to append to spec.ingress or spec.egress (one per distinct set of ports). */
  rules: FixRule[];
  patch: { op: 'add'; path: string; value: unknown }[];
  /** Peers left out of the rule because of MAX_FIX_PEERS. */
  omitted: number;
}

/** What a group has gathered towards its fix. */
export interface FixParts {
  direction: Direction;
  /** Rule peers (by their JSON) and the ports each needs. */
  peers: ReadonlyMap<string, { peer: NetworkPolicyPeer; ports: ReadonlyMap<string, NetworkPolicyPort> }>;
  /** Peer keys left out of the rule because of MAX_FIX_PEERS. */
  skipped: ReadonlySet<string>;
  firstFix: SuggestedFix | undefined;
  /** Source groups taken at once: on ingress their members are peers too, never named. */
  bulk: BulkSet;
}

/** `TCP/80`: a port's key (protocol defaults to TCP). */
export const portKeyOf = (p: { protocol?: string; port?: number | string }): string => `${p.protocol ?? 'TCP'}/${String(p.port)}`;

/** The merged fix of a group (undefined when suggestFixes had none). */
export function mergeFix(g: FixParts, unions: MemberUnions): GroupFix | undefined {
  const first = g.firstFix;
  if (first === undefined) return undefined;
  // Peers needing the same ports share a rule; rules keep the order their first peer was seen in.
  const bySignature = new Map<string, FixRule>();
  for (const { peer, ports } of g.peers.values()) {
    const sorted = [...ports.values()].sort(
      (a, b) => Number(a.port) - Number(b.port) || String(a.protocol).localeCompare(String(b.protocol)),
    );
    const signature = sorted.map(portKeyOf).join(',');
    let rule = bySignature.get(signature);
    if (rule === undefined) {
      rule = g.direction === 'ingress' ? { from: [], ports: sorted } : { to: [], ports: sorted };
      bySignature.set(signature, rule);
    }
    (g.direction === 'ingress' ? rule.from! : rule.to!).push(peer);
  }
  const rules = [...bySignature.values()];
  // Same target as suggestFixes' patch for this policy: append to the list, or create it (or spec) with the rules.
  const path = first.patch[0]?.path ?? `/spec/${g.direction}/-`;
  const patch: GroupFix['patch'] = path.endsWith('/-')
    ? rules.map((value) => ({ op: 'add', path, value }))
    : [{ op: 'add', path, value: path === '/spec' ? { [g.direction]: rules } : rules }];
  // Remaining members taken at once were never named (addRest checks): on ingress, where the peer is the source, each is skipped.
  const omitted = g.direction === 'ingress' ? unions.size(g.skipped, g.bulk, 'keys') : g.skipped.size;
  return { direction: g.direction, policy: first.policy, rules, patch, omitted };
}
