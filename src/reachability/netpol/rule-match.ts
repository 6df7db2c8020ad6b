// Whether a rule matches a connection: its peers the other end, its ports the destination port.
// Whether a pod peer's selectors match a class is computed once per (peer, class), lazily, in a
// byte array per peer.

import { matchesSelector } from '../../k8s/selectors.ts';
import type { IpAddress } from '../../k8s/cidr.ts';
import type { CompiledPeer, CompiledPort, CompiledRule } from './compile-policy.ts';
import { blockContains, type ClassState } from './pod-classes.ts';
import type { PolicyTable } from './policy-table.ts';
import type { Protocol } from './types.ts';
import type { Pod } from '../../k8s/objects.ts';

/** A connection's end as the evaluator sees it: a pod (of a class), an address outside the pod network, or a node. */
export type Side =
  { kind: 'pod'; cls: ClassState; pod: Pod | undefined } | { kind: 'ip'; ip: IpAddress } | { kind: 'node'; ip: IpAddress | undefined };

export type PodPeer = Extract<CompiledPeer, { kind: 'pods' }>;

const PEER_UNKNOWN = 0;
const PEER_NO = 1;
const PEER_YES = 2;

export class RuleMatcher {
  readonly #table: PolicyTable;
  readonly #classCount: number;
  readonly #peerCache: (Uint8Array | undefined)[];

  constructor(table: PolicyTable, classCount: number) {
    this.#table = table;
    this.#classCount = classCount;
    this.#peerCache = new Array<Uint8Array | undefined>(table.peerCount);
  }

  /** Whether a pod peer of a policy in `policyNamespace` selects the class (cached for index classes). */
  podPeerMatches(peer: PodPeer, policyNamespace: string, cls: ClassState): boolean {
    let cache: Uint8Array | undefined;
    if (cls.id >= 0) {
      cache = this.#peerCache[peer.id] ??= new Uint8Array(this.#classCount);
      const cached = cache[cls.id];
      if (cached !== PEER_UNKNOWN) return cached === PEER_YES;
    }
    const nsOk =
      peer.namespaceSelector === undefined
        ? cls.namespace === policyNamespace
        : matchesSelector(peer.namespaceSelector, this.#table.labelsOfNamespace(cls.namespace));
    const result = nsOk && matchesSelector(peer.podSelector, cls.labels);
    if (cache !== undefined) cache[cls.id] = result ? PEER_YES : PEER_NO;
    return result;
  }

  peerMatches(peer: CompiledPeer, policyNamespace: string, other: Side): boolean {
    switch (peer.kind) {
      case 'invalid':
        return false;
      case 'pods':
        // hostNetwork pods are node traffic: pod and namespace selectors do not see them.
        return other.kind === 'pod' && !other.cls.hostNetwork && this.podPeerMatches(peer, policyNamespace, other.cls);
      case 'ipBlock':
        if (other.kind === 'pod') return other.cls.blocks.has(peer.block.id);
        return other.ip !== undefined && blockContains(peer.block, other.ip);
    }
  }

  portMatches(entry: CompiledPort, protocol: Protocol, port: number, dst: Side): boolean {
    switch (entry.kind) {
      case 'invalid':
        return false;
      case 'any':
        return entry.protocol === protocol;
      case 'range':
        return entry.protocol === protocol && entry.from <= port && port <= entry.to;
      case 'named':
        // Resolved against the destination pod's container ports, for ingress and egress alike.
        return (
          entry.protocol === protocol &&
          dst.kind === 'pod' &&
          (dst.cls.namedPorts.get(`${entry.name}/${protocol}`)?.includes(port) ?? false)
        );
    }
  }

  ruleMatches(rule: CompiledRule, policyNamespace: string, other: Side, protocol: Protocol, port: number, dst: Side): boolean {
    if (rule.ports !== undefined && !rule.ports.some((p) => this.portMatches(p, protocol, port, dst))) return false;
    return rule.peers === undefined || rule.peers.some((peer) => this.peerMatches(peer, policyNamespace, other));
  }
}
