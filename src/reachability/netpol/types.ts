// The evaluator's public data shapes. Everything here is plain data so a check can put it in a
// finding's params or evidence unchanged.

import type { Labels, NetworkPolicyPeer, NetworkPolicyPort, Pod } from '../../k8s/objects.ts';

export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export type Direction = 'ingress' | 'egress';

/** The destination port of a connection: the port the packet is addressed to on the destination pod (a targetPort, not a Service port). */
export interface PortQuery {
  /** Defaults to TCP, as NetworkPolicyPort.protocol does. */
  protocol?: Protocol;
  port: number;
  /** The port's name, when the caller knows it (a Service targetPort name). Only carried into messages and fixes: named policy ports resolve against the destination pod's declared container ports, as CNIs do. */
  name?: string;
}

/** Pods that no NetworkPolicy can tell apart: same namespace, labels, named container ports, host networking and ipBlock membership. */
export interface PodClass {
  /** Dense index into `NetpolIndex.classes`. */
  readonly id: number;
  readonly namespace: string;
  readonly labels: Readonly<Labels>;
  readonly hostNetwork: boolean;
  /** `name/PROTOCOL` → container port numbers declared under that name (a name normally has one). */
  readonly namedPorts: ReadonlyMap<string, readonly number[]>;
  readonly pods: readonly Pod[];
}

/**
 * One end of a connection.
 * - `pod`: a pod (need not be in the index; one that is resolves to its class in O(1)).
 * - `class`: every pod of an equivalence class, for sweeps over workloads.
 * - `ip`: an address outside the pod network (matched only by ipBlock).
 * - `node`: the node the *other* end runs on (kubelet probes, hostNetwork pods on that node).
 *   Traffic from a pod's own node is always allowed into it. For another node, use `ip` with its address.
 */
export type Endpoint =
  { kind: 'pod'; pod: Pod } | { kind: 'class'; podClass: PodClass } | { kind: 'ip'; ip: string } | { kind: 'node'; ip?: string };

export interface PolicyRef {
  namespace: string;
  name: string;
}

/** A rule of a policy: `spec.ingress[rule]` or `spec.egress[rule]`. */
export interface RuleRef extends PolicyRef {
  rule: number;
}

export type VerdictReason =
  /** No policy applies to the pod for this direction. */
  | 'not-isolated'
  /** The pod is isolated and at least one rule allows the connection (see `allowedBy`). */
  | 'allowed-by-rule'
  /** The pod is isolated and no rule of any isolating policy allows the connection (see `isolatedBy`). */
  | 'no-rule-matches'
  /** This end is not a pod (an IP or a node): NetworkPolicy does not apply to it. */
  | 'not-a-pod'
  /** A hostNetwork pod: its traffic is node traffic, which NetworkPolicy does not govern. */
  | 'host-network'
  /** Source and destination are the same pod: a pod cannot block access to itself. */
  | 'same-pod'
  /** Ingress from the destination pod's own node is always allowed. */
  | 'node-local';

/** What one direction decided: egress on the source pod, ingress on the destination pod. */
export interface Verdict {
  direction: Direction;
  allowed: boolean;
  /** Whether some policy applies to the pod for this direction. */
  isolated: boolean;
  reason: VerdictReason;
  /** The policies that apply to the pod for this direction, sorted: when denied, these are the policies that block it. */
  isolatedBy: PolicyRef[];
  /** Every rule that allows the connection, in policy then rule order (empty unless reason is allowed-by-rule). */
  allowedBy: RuleRef[];
}

/** One rule of a policy that isolates an end, and which of its two conditions the connection meets. */
export interface RuleCheck {
  policy: PolicyRef;
  /** Position in spec.ingress or spec.egress. */
  rule: number;
  /** Whether a peer of the rule (or its absence: every peer) matches the other end. */
  peers: boolean;
  /** Whether a port entry of the rule (or its absence: every port) matches the port. */
  ports: boolean;
}

export interface Evaluation {
  /** Traffic flows only when both the source's egress and the destination's ingress allow it. */
  allowed: boolean;
  ingress: Verdict;
  egress: Verdict;
}

/** A part of a NetworkPolicy the API server would reject; the evaluator ignores that part (a peer or port matches nothing, a policy with an unreadable podSelector selects nothing). */
export interface PolicyProblem {
  policy: PolicyRef;
  /** Field path inside the object, e.g. `spec.ingress[0].from[1].ipBlock.cidr`. */
  path: string;
  message: string;
}

export interface NetpolOptions {
  /**
   * Whether ipBlock peers match pod IPs. The API documentation says ipBlock is meant for
   * cluster-external addresses and leaves pod IPs implementation-defined; Calico and Cilium
   * match pod IPs against ipBlock, so that is the default. hostNetwork pods always match
   * ipBlock by their (node) address, since their traffic is node traffic.
   */
  ipBlockMatchesPods?: boolean;
}

export interface IngressRuleFix {
  from: NetworkPolicyPeer[];
  ports: NetworkPolicyPort[];
}

export interface EgressRuleFix {
  to: NetworkPolicyPeer[];
  ports: NetworkPolicyPort[];
}

/** The smallest change that lets a denied direction through: one rule appended to one isolating policy. */
export interface SuggestedFix {
  direction: Direction;
  /** The isolating policy to edit: the one that selects the fewest pods, so the change opens the least. */
  policy: PolicyRef;
  /** The rule to append to the policy's spec.ingress (or spec.egress). */
  rule: IngressRuleFix | EgressRuleFix;
  /** The same change as a JSON patch, for `kubectl patch networkpolicy --type=json`. */
  patch: { op: 'add'; path: string; value: unknown }[];
}
