// The NetworkPolicy evaluator: an index built once over a snapshot (pods, namespaces, policies),
// then queried per connection. Semantics follow the networking.k8s.io/v1 API reference and the
// "Network Policies" concept page; docs/netpol.md lists every rule and every choice made where
// the specification leaves behaviour to the network plugin.

import type { Namespace, NetworkPolicy, Pod } from '../engine/k8s-types.ts';
import { matchesSelector } from '../engine/selectors.ts';
import { formatIp, parseIp, type Cidr, type IpAddress } from './cidr.ts';
import {
  compilePolicy,
  PROTOCOLS,
  type CompiledBlock,
  type CompiledPeer,
  type CompiledPolicy,
  type CompiledPort,
  type CompiledRule,
} from './compile-policy.ts';
import { blockContains, newClass, podFacts, podIps, type ClassState } from './pod-classes.ts';
import type {
  Direction,
  Endpoint,
  Evaluation,
  NetpolOptions,
  PodClass,
  PolicyProblem,
  PolicyRef,
  PortQuery,
  Protocol,
  RuleRef,
  Verdict,
} from './types.ts';

/** The label the API server sets on every namespace (immutable, value = the name). */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export interface NetpolInput {
  pods: readonly Pod[];
  /** Namespace objects, for namespaceSelector. Namespaces missing here still carry kubernetes.io/metadata.name. */
  namespaces?: readonly Namespace[];
  policies: readonly NetworkPolicy[];
}

export interface NetpolIndex {
  /** Equivalence classes of the input pods; evaluate over these for whole-cluster sweeps. */
  readonly classes: readonly PodClass[];
  /** Parts of the policies the API server would reject (ignored by the evaluator). */
  readonly problems: readonly PolicyProblem[];
  readonly options: Readonly<Required<NetpolOptions>>;
  /** Whether a connection may be established: the source's egress and the destination's ingress must both allow it. */
  evaluate(src: Endpoint, dst: Endpoint, port: PortQuery): Evaluation;
  /** The class of a pod (an index pod's own class, or one computed for a pod the index has not seen). */
  classOf(pod: Pod): PodClass;
  /** The policies that apply to an endpoint for a direction (its isolating policies), sorted by name. */
  isolatingPolicies(endpoint: Endpoint, direction: Direction): PolicyRef[];
  /** The input policy object for a reference. */
  policy(ref: PolicyRef): NetworkPolicy | undefined;
  /** The input pods a policy selects (its podSelector in its namespace; hostNetwork pods excluded). */
  selectedPods(ref: PolicyRef): Pod[];
  /** How many input pods the policy selects (0 for an unknown policy). */
  selectedPodCount(ref: PolicyRef): number;
  /** The input pod that has this IP (pod network first, then hostNetwork pods), if any. */
  podForIp(ip: string): Pod | undefined;
  /**
   * A key equal for classes of this index that no connection can tell apart as its *source*:
   * same egress policies, host networking (and node), ipBlock membership, and matched by the
   * same ingress pod peers of every policy. Evaluating `class` → any destination gives the same
   * verdicts for two classes with the same key (the same-pod exemption aside, which needs `pod`
   * endpoints), so whole-cluster sweeps can evaluate one class per key. Computed once, lazily.
   */
  sourceKey(cls: PodClass): string;
  /**
   * The same for *destinations*, towards sources that are not hostNetwork pods: same ingress
   * policies, host networking, ipBlock membership, named container ports, and matched by the same
   * egress pod peers of every policy. For such a source, `class src` → `class a` and → `class b`
   * on the same port get the same verdicts when a and b share this key. Computed once, lazily.
   */
  destinationKey(cls: PodClass): string;
  /** The classes of one namespace, in index order. */
  classesIn(namespace: string): readonly PodClass[];
}

type Side =
  | { kind: 'pod'; cls: ClassState; pod: Pod | undefined }
  | { kind: 'ip'; ip: IpAddress }
  | { kind: 'node'; ip: IpAddress | undefined };

interface PolicyState {
  compiled: CompiledPolicy;
  selected: ClassState[];
}

/** The empty list shared by verdicts that name no policy or rule (frozen: never mutate a verdict). */
const NONE = Object.freeze([]) as unknown as never[];

const PEER_UNKNOWN = 0;
const PEER_NO = 1;
const PEER_YES = 2;

function policyKey(ref: PolicyRef): string {
  return `${ref.namespace}/${ref.name}`;
}

function byName(a: CompiledPolicy, b: CompiledPolicy): number {
  return a.ref.name < b.ref.name ? -1 : a.ref.name > b.ref.name ? 1 : 0;
}

function cidrKey(c: Cidr): string {
  return `${c.family}:${c.base.toString(16)}/${c.prefix}`;
}

/** Builds the evaluator's index over a snapshot: compiles policies, classifies pods, and records which policies select which classes. */
export function buildNetpolIndex(input: NetpolInput, options: NetpolOptions = {}): NetpolIndex {
  for (const field of ['pods', 'policies'] as const) {
    if (!Array.isArray(input?.[field])) throw new TypeError(`buildNetpolIndex: ${field} must be a list; got ${JSON.stringify(input?.[field])}`);
  }
  if (input.namespaces !== undefined && !Array.isArray(input.namespaces)) {
    throw new TypeError(`buildNetpolIndex: namespaces must be a list; got ${JSON.stringify(input.namespaces)}`);
  }
  const opts: Required<NetpolOptions> = { ipBlockMatchesPods: options.ipBlockMatchesPods ?? true };
  const problems: PolicyProblem[] = [];

  // Namespace labels, with the automatic name label added where a snapshot omits it.
  const namespaceLabels = new Map<string, Readonly<Record<string, string>>>();
  for (const ns of input.namespaces ?? []) {
    namespaceLabels.set(ns.metadata.name, { ...(ns.metadata.labels ?? {}), [NAMESPACE_NAME_LABEL]: ns.metadata.name });
  }
  const labelsOfNamespace = (name: string): Readonly<Record<string, string>> => {
    let labels = namespaceLabels.get(name);
    if (labels === undefined) {
      labels = { [NAMESPACE_NAME_LABEL]: name };
      namespaceLabels.set(name, labels);
    }
    return labels;
  };

  // Compile policies; identical ipBlocks share an id so pod classes record membership once.
  const blocks: CompiledBlock[] = [];
  const blockIds = new Map<string, CompiledBlock>();
  let peerCount = 0;
  const ids = {
    nextPeerId: () => peerCount++,
    block(cidr: Cidr, except: Cidr[]): CompiledBlock {
      const key = [cidrKey(cidr), ...except.map(cidrKey).sort()].join(' ');
      let block = blockIds.get(key);
      if (block === undefined) {
        block = { id: blocks.length, cidr, except };
        blocks.push(block);
        blockIds.set(key, block);
      }
      return block;
    },
  };
  const policiesByNamespace = new Map<string, PolicyState[]>();
  const policiesByKey = new Map<string, PolicyState>();
  for (const policy of input.policies) {
    const state: PolicyState = { compiled: compilePolicy(policy, ids, problems), selected: [] };
    const list = policiesByNamespace.get(state.compiled.namespace) ?? [];
    list.push(state);
    policiesByNamespace.set(state.compiled.namespace, list);
    if (!policiesByKey.has(policyKey(state.compiled.ref))) policiesByKey.set(policyKey(state.compiled.ref), state);
  }

  // Which policies select a class: only those of its namespace, each podSelector tested once per class.
  const attachPolicies = (cls: ClassState, record: boolean): void => {
    if (cls.hostNetwork) return; // node traffic: not isolated by NetworkPolicy (docs/netpol.md)
    for (const state of policiesByNamespace.get(cls.namespace) ?? []) {
      const p = state.compiled;
      if (!p.usable || !matchesSelector(p.podSelector, cls.labels)) continue;
      if (record) state.selected.push(cls);
      if (p.ingress !== undefined) cls.ingressPolicies.push(p);
      if (p.egress !== undefined) cls.egressPolicies.push(p);
    }
    cls.ingressPolicies.sort(byName);
    cls.egressPolicies.sort(byName);
  };

  const classes: ClassState[] = [];
  const classByKey = new Map<string, ClassState>();
  const classOfPod = new Map<Pod, ClassState>();
  const podsByIp = new Map<string, Pod>();
  const hostPodsByIp = new Map<string, Pod>();
  for (const pod of input.pods) {
    const facts = podFacts(pod, blocks, opts.ipBlockMatchesPods);
    let cls = classByKey.get(facts.key);
    if (cls === undefined) {
      cls = newClass(classes.length, facts);
      classes.push(cls);
      classByKey.set(facts.key, cls);
    }
    cls.pods.push(pod);
    classOfPod.set(pod, cls);
    const byIp = facts.hostNetwork ? hostPodsByIp : podsByIp;
    for (const ip of podIps(pod)) if (!byIp.has(formatIp(ip))) byIp.set(formatIp(ip), pod);
  }
  for (const cls of classes) attachPolicies(cls, true);

  // Pods the index has not seen get a class of their own, computed once per object.
  const adHoc = new WeakMap<Pod, ClassState>();
  const classFor = (pod: Pod): ClassState => {
    const known = classOfPod.get(pod) ?? adHoc.get(pod);
    if (known !== undefined) return known;
    const facts = podFacts(pod, blocks, opts.ipBlockMatchesPods);
    const cls = newClass(-1, facts);
    cls.pods.push(pod);
    attachPolicies(cls, false);
    adHoc.set(pod, cls);
    return cls;
  };

  // Per peer, per class: does the peer's pod/namespace selector match? Filled lazily.
  const peerCache: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(peerCount);
  const podPeerMatches = (peer: Extract<CompiledPeer, { kind: 'pods' }>, policyNamespace: string, cls: ClassState): boolean => {
    let cache: Uint8Array | undefined;
    if (cls.id >= 0) {
      cache = peerCache[peer.id] ??= new Uint8Array(classes.length);
      const cached = cache[cls.id];
      if (cached !== PEER_UNKNOWN) return cached === PEER_YES;
    }
    const nsOk =
      peer.namespaceSelector === undefined
        ? cls.namespace === policyNamespace
        : matchesSelector(peer.namespaceSelector, labelsOfNamespace(cls.namespace));
    const result = nsOk && matchesSelector(peer.podSelector, cls.labels);
    if (cache !== undefined) cache[cls.id] = result ? PEER_YES : PEER_NO;
    return result;
  };

  const peerMatches = (peer: CompiledPeer, policyNamespace: string, other: Side): boolean => {
    switch (peer.kind) {
      case 'invalid':
        return false;
      case 'pods':
        // hostNetwork pods are node traffic: pod and namespace selectors do not see them.
        return other.kind === 'pod' && !other.cls.hostNetwork && podPeerMatches(peer, policyNamespace, other.cls);
      case 'ipBlock':
        if (other.kind === 'pod') return other.cls.blocks.has(peer.block.id);
        return other.ip !== undefined && blockContains(peer.block, other.ip);
    }
  };

  const portMatches = (entry: CompiledPort, protocol: Protocol, port: number, dst: Side): boolean => {
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
  };

  const ruleMatches = (rule: CompiledRule, policyNamespace: string, other: Side, protocol: Protocol, port: number, dst: Side): boolean => {
    if (rule.ports !== undefined && !rule.ports.some((p) => portMatches(p, protocol, port, dst))) return false;
    return rule.peers === undefined || rule.peers.some((peer) => peerMatches(peer, policyNamespace, other));
  };

  const resolve = (endpoint: Endpoint, role: string): Side => {
    switch (endpoint?.kind) {
      case 'pod':
        return { kind: 'pod', cls: classFor(endpoint.pod), pod: endpoint.pod };
      case 'class': {
        const cls = classes[endpoint.podClass?.id ?? -1];
        if (cls === undefined || cls !== endpoint.podClass) {
          throw new TypeError(`${role}: the pod class ${JSON.stringify(endpoint.podClass?.id)} does not belong to this index`);
        }
        return (classSides[cls.id] ??= { kind: 'pod', cls, pod: undefined });
      }
      case 'ip': {
        const ip = parseIp(endpoint.ip);
        if (ip === undefined) throw new TypeError(`${role}: expected an IPv4 or IPv6 address; got ${JSON.stringify(endpoint.ip)}`);
        return { kind: 'ip', ip };
      }
      case 'node': {
        if (endpoint.ip === undefined) return { kind: 'node', ip: undefined };
        const ip = parseIp(endpoint.ip);
        if (ip === undefined) throw new TypeError(`${role}: expected the node's IPv4 or IPv6 address; got ${JSON.stringify(endpoint.ip)}`);
        return { kind: 'node', ip };
      }
      default:
        throw new TypeError(`${role}: expected an endpoint of kind pod, class, ip or node; got ${JSON.stringify(endpoint)}`);
    }
  };

  const samePod = (a: Side, b: Side): boolean => {
    if (a.kind !== 'pod' || b.kind !== 'pod' || a.pod === undefined || b.pod === undefined) return false;
    if (a.pod === b.pod) return true;
    const am = a.pod.metadata;
    const bm = b.pod.metadata;
    return (am.namespace ?? 'default') === (bm.namespace ?? 'default') && am.name === bm.name;
  };

  // Ingress from the destination pod's own node is always allowed: from a `node` endpoint (defined
  // as the other end's node), or from a hostNetwork pod on the destination's node.
  const fromOwnNode = (src: Side, dst: Side): boolean => {
    if (src.kind === 'node') return true;
    if (src.kind !== 'pod' || !src.cls.hostNetwork || dst.kind !== 'pod') return false;
    const node = src.pod?.spec?.nodeName ?? src.cls.nodeName;
    if (node === undefined || node === '') return false;
    const dstPods = dst.pod !== undefined ? [dst.pod] : dst.cls.pods;
    return dstPods.length > 0 && dstPods.every((p) => p.spec?.nodeName === node);
  };

  // Sweeps evaluate millions of connections: verdicts that carry nothing of the connection are
  // shared, frozen constants, and a class's isolating policies are one frozen list per direction.
  const openVerdicts: Record<Direction, Map<Verdict['reason'], Verdict>> = { ingress: new Map(), egress: new Map() };
  const open = (direction: Direction, reason: Verdict['reason'], isolatedBy: PolicyRef[] = NONE): Verdict => {
    if (isolatedBy.length > 0) return { direction, allowed: true, isolated: true, reason, isolatedBy, allowedBy: NONE };
    let verdict = openVerdicts[direction].get(reason);
    if (verdict === undefined) {
      verdict = Object.freeze({ direction, allowed: true, isolated: false, reason, isolatedBy, allowedBy: NONE }) as Verdict;
      openVerdicts[direction].set(reason, verdict);
    }
    return verdict;
  };
  const isolatingRefs: Record<Direction, (PolicyRef[] | undefined)[]> = { ingress: [], egress: [] };
  const refsOf = (cls: ClassState, direction: Direction, applying: readonly CompiledPolicy[]): PolicyRef[] =>
    cls.id < 0 ? applying.map((p) => p.ref) : (isolatingRefs[direction][cls.id] ??= Object.freeze(applying.map((p) => p.ref)) as PolicyRef[]);

  // A denial says only which policies isolate the end: one frozen verdict per isolating set.
  const isolationKeys: Record<Direction, (string | undefined)[]> = { ingress: [], egress: [] };
  const deniedVerdicts = new Map<string, Verdict>();
  const deniedVerdict = (direction: Direction, cls: ClassState, isolatedBy: PolicyRef[]): Verdict => {
    if (cls.id < 0) return { direction, allowed: false, isolated: true, reason: 'no-rule-matches', isolatedBy, allowedBy: NONE };
    const key = (isolationKeys[direction][cls.id] ??= `${direction}|${isolatedBy.map((r) => `${r.namespace}/${r.name}`).join(',')}`);
    let verdict = deniedVerdicts.get(key);
    if (verdict === undefined) {
      verdict = Object.freeze({ direction, allowed: false, isolated: true, reason: 'no-rule-matches', isolatedBy, allowedBy: NONE }) as Verdict;
      deniedVerdicts.set(key, verdict);
    }
    return verdict;
  };
  // Two shared verdicts make a shared evaluation (at most one per pair of isolating sets).
  const pairs = new Map<Verdict, Map<Verdict, Evaluation>>();
  const combine = (egress: Verdict, ingress: Verdict): Evaluation => {
    if (!Object.isFrozen(egress) || !Object.isFrozen(ingress)) return { allowed: egress.allowed && ingress.allowed, ingress, egress };
    let byIngress = pairs.get(egress);
    if (byIngress === undefined) {
      byIngress = new Map();
      pairs.set(egress, byIngress);
    }
    let evaluation = byIngress.get(ingress);
    if (evaluation === undefined) {
      evaluation = Object.freeze({ allowed: egress.allowed && ingress.allowed, ingress, egress });
      byIngress.set(ingress, evaluation);
    }
    return evaluation;
  };

  const decide = (direction: Direction, subject: Side, other: Side, dst: Side, protocol: Protocol, port: number, exempt: Verdict['reason'] | undefined): Verdict => {
    if (subject.kind !== 'pod') return open(direction, 'not-a-pod');
    if (subject.cls.hostNetwork) return open(direction, 'host-network');
    const applying = direction === 'ingress' ? subject.cls.ingressPolicies : subject.cls.egressPolicies;
    if (applying.length === 0) return open(direction, exempt ?? 'not-isolated');
    const isolatedBy = refsOf(subject.cls, direction, applying);
    if (exempt !== undefined) return open(direction, exempt, isolatedBy);
    let allowedBy: RuleRef[] | undefined;
    for (const policy of applying) {
      const rules = (direction === 'ingress' ? policy.ingress : policy.egress) ?? [];
      for (const rule of rules) {
        if (ruleMatches(rule, policy.namespace, other, protocol, port, dst)) {
          (allowedBy ??= []).push({ namespace: policy.ref.namespace, name: policy.ref.name, rule: rule.index });
        }
      }
    }
    if (allowedBy === undefined) return deniedVerdict(direction, subject.cls, isolatedBy);
    return { direction, allowed: true, isolated: true, reason: 'allowed-by-rule', isolatedBy, allowedBy };
  };

  const checkPort = (port: PortQuery): { protocol: Protocol; port: number } => {
    const protocol = port?.protocol ?? 'TCP';
    if (!(PROTOCOLS as readonly string[]).includes(protocol)) {
      throw new TypeError(`port.protocol must be TCP, UDP or SCTP; got ${JSON.stringify(port?.protocol)}`);
    }
    const number = port?.port;
    if (typeof number !== 'number' || !Number.isInteger(number) || number < 1 || number > 65535) {
      throw new RangeError(`port.port must be an integer from 1 to 65535; got ${JSON.stringify(number)}`);
    }
    return { protocol, port: number };
  };

  const classSides: (Side | undefined)[] = [];
  const selectedCounts = new Map<PolicyState, number>();
  const evaluate = (srcEndpoint: Endpoint, dstEndpoint: Endpoint, portQuery: PortQuery): Evaluation => {
    const { protocol, port } = checkPort(portQuery);
    const src = resolve(srcEndpoint, 'src');
    const dst = resolve(dstEndpoint, 'dst');
    const self = samePod(src, dst) ? 'same-pod' : undefined;
    const egress = decide('egress', src, dst, dst, protocol, port, self);
    const ingress = decide('ingress', dst, src, dst, protocol, port, self ?? (fromOwnNode(src, dst) ? 'node-local' : undefined));
    return combine(egress, ingress);
  };

  let namespaceClasses: Map<string, ClassState[]> | undefined;
  const classesByNamespace = (): Map<string, ClassState[]> => {
    if (namespaceClasses === undefined) {
      namespaceClasses = new Map();
      for (const cls of classes) {
        const list = namespaceClasses.get(cls.namespace);
        if (list === undefined) namespaceClasses.set(cls.namespace, [cls]);
        else list.push(cls);
      }
    }
    return namespaceClasses;
  };

  // Per class, the pod peers of `direction` rules that match it, and every policy's position.
  // Namespace candidates first, so the cost is peers × classes of the namespaces a peer can
  // reach, not peers × classes.
  const peersMatching = (direction: Direction): { matched: number[][]; policyIds: Map<CompiledPolicy, number> } => {
    const byNamespace = classesByNamespace();
    const matched: number[][] = classes.map(() => []);
    const policyIds = new Map<CompiledPolicy, number>();
    for (const states of policiesByNamespace.values()) {
      for (const state of states) {
        const p = state.compiled;
        policyIds.set(p, policyIds.size);
        for (const rule of p[direction] ?? []) {
          for (const peer of rule.peers ?? []) {
            if (peer.kind !== 'pods') continue;
            const candidates =
              peer.namespaceSelector === undefined
                ? [p.namespace]
                : [...byNamespace.keys()].filter((ns) => matchesSelector(peer.namespaceSelector, labelsOfNamespace(ns)));
            for (const ns of candidates) {
              for (const cls of byNamespace.get(ns) ?? []) {
                if (!cls.hostNetwork && podPeerMatches(peer, p.namespace, cls)) matched[cls.id]!.push(peer.id);
              }
            }
          }
        }
      }
    }
    return { matched, policyIds };
  };

  // Source keys: what a source shows the policies — its egress policies, its node if it is on the
  // host network, its ipBlock membership, and the ingress pod peers that match it.
  let sourceKeys: string[] | undefined;
  const computeSourceKeys = (): string[] => {
    const { matched, policyIds } = peersMatching('ingress');
    return classes.map((cls) =>
      JSON.stringify([
        cls.hostNetwork,
        cls.nodeName ?? null,
        cls.egressPolicies.map((p) => policyIds.get(p) ?? -1),
        [...cls.blocks].sort((a, b) => a - b),
        matched[cls.id],
      ]),
    );
  };

  // Destination keys: the mirror image, over egress pod peers and ingress policies. A class's named
  // ports are in it (policies' named ports resolve against the destination's container ports).
  let destinationKeys: string[] | undefined;
  const computeDestinationKeys = (): string[] => {
    const { matched, policyIds } = peersMatching('egress');
    return classes.map((cls) =>
      JSON.stringify([
        cls.hostNetwork,
        cls.ingressPolicies.map((p) => policyIds.get(p) ?? -1),
        [...cls.blocks].sort((a, b) => a - b),
        [...cls.namedPorts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        matched[cls.id],
      ]),
    );
  };

  return {
    classes,
    problems,
    options: opts,
    evaluate,
    sourceKey(cls) {
      const own = classes[cls?.id ?? -1];
      if (own === undefined || own !== cls) throw new TypeError(`sourceKey: the pod class ${JSON.stringify(cls?.id)} does not belong to this index`);
      sourceKeys ??= computeSourceKeys();
      return sourceKeys[cls.id]!;
    },
    destinationKey(cls) {
      const own = classes[cls?.id ?? -1];
      if (own === undefined || own !== cls) throw new TypeError(`destinationKey: the pod class ${JSON.stringify(cls?.id)} does not belong to this index`);
      destinationKeys ??= computeDestinationKeys();
      return destinationKeys[cls.id]!;
    },
    classOf: classFor,
    classesIn: (namespace) => classesByNamespace().get(namespace) ?? [],
    isolatingPolicies(endpoint, direction) {
      const side = resolve(endpoint, 'endpoint');
      if (side.kind !== 'pod') return [];
      return (direction === 'ingress' ? side.cls.ingressPolicies : side.cls.egressPolicies).map((p) => p.ref);
    },
    policy: (ref) => policiesByKey.get(policyKey(ref))?.compiled.policy,
    selectedPods: (ref) => policiesByKey.get(policyKey(ref))?.selected.flatMap((c) => c.pods) ?? [],
    selectedPodCount(ref) {
      const state = policiesByKey.get(policyKey(ref));
      if (state === undefined) return 0;
      let count = selectedCounts.get(state);
      if (count === undefined) {
        count = 0;
        for (const c of state.selected) count += c.pods.length;
        selectedCounts.set(state, count);
      }
      return count;
    },
    podForIp(ip) {
      const parsed = parseIp(ip);
      if (parsed === undefined) return undefined;
      const text = formatIp(parsed);
      return podsByIp.get(text) ?? hostPodsByIp.get(text);
    },
  };
}
