// The NetworkPolicy evaluator: an index built once over a snapshot (pods, namespaces, policies),
// then queried per connection. This file classifies the pods and decides verdicts; the parts it
// stands on are policy-table.ts (compiled policies, who selects whom), rule-match.ts (peers and
// ports), verdicts.ts (shared verdict objects) and class-keys.ts (source/destination groups). Semantics follow the networking.k8s.io/v1 API reference and the
// "Network Policies" concept page; docs/netpol.md lists every rule and every choice made where
// the specification leaves behaviour to the network plugin.

import type { Namespace, NetworkPolicy, Pod } from '../../k8s/objects.ts';
import { formatIp, parseIp } from '../../k8s/cidr.ts';
import { destinationKeys, sourceKeys } from './class-keys.ts';
import { PROTOCOLS } from './compile-policy.ts';
import { newClass, podFacts, podIps, type ClassState } from './pod-classes.ts';
import { PolicyTable, policyKey, type PolicyState } from './policy-table.ts';
import { RuleMatcher, type Side } from './rule-match.ts';
import { VerdictCache } from './verdicts.ts';
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
  RuleCheck,
  RuleRef,
  Verdict,
} from './types.ts';

export { NAMESPACE_NAME_LABEL } from './policy-table.ts';

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
  /**
   * The index classes that some pod peer of an ingress rule of `cls`'s ingress policies selects.
   * A source class outside this list, with no egress policies, not on the host network and in no
   * ipBlock, gets the same verdicts towards `cls` as every other such class: sweeps evaluate one.
   */
  namedSources(cls: PodClass): readonly PodClass[];
  /** Whether a class of this index has no egress policies, is not on the host network and is in no ipBlock (see namedSources). */
  plainSource(cls: PodClass): boolean;
  /**
   * Every rule of the policies isolating the connection's end for `direction` (the source for
   * egress, the destination for ingress), with whether its peers and its ports match: why a rule
   * does or does not allow it. Empty when that end is not isolated (or not a pod, or hostNetwork).
   */
  ruleChecks(src: Endpoint, dst: Endpoint, port: PortQuery, direction: Direction): RuleCheck[];
}

/** Builds the evaluator's index over a snapshot: compiles policies, classifies pods, and records which policies select which classes. */
export function buildNetpolIndex(input: NetpolInput, options: NetpolOptions = {}): NetpolIndex {
  for (const field of ['pods', 'policies'] as const) {
    if (!Array.isArray(input?.[field]))
      throw new TypeError(`buildNetpolIndex: ${field} must be a list; got ${JSON.stringify(input?.[field])}`);
  }
  if (input.namespaces !== undefined && !Array.isArray(input.namespaces)) {
    throw new TypeError(`buildNetpolIndex: namespaces must be a list; got ${JSON.stringify(input.namespaces)}`);
  }
  const opts: Required<NetpolOptions> = { ipBlockMatchesPods: options.ipBlockMatchesPods ?? true };
  const problems: PolicyProblem[] = [];
  const table = new PolicyTable(input.policies, input.namespaces ?? [], problems);
  const pods = new PodClasses(input.pods, table, opts);
  return new Index(table, pods, problems, opts);
}

/** The input pods grouped into classes, with their IPs, and classes made on demand for pods the index has not seen. */
class PodClasses {
  readonly classes: ClassState[] = [];
  readonly podsByIp = new Map<string, Pod>();
  readonly hostPodsByIp = new Map<string, Pod>();
  readonly #classOfPod = new Map<Pod, ClassState>();
  // Pods the index has not seen get a class of their own, computed once per object.
  readonly #adHoc = new WeakMap<Pod, ClassState>();
  readonly #table: PolicyTable;
  readonly #opts: Required<NetpolOptions>;
  #byNamespace: Map<string, ClassState[]> | undefined;

  constructor(pods: readonly Pod[], table: PolicyTable, opts: Required<NetpolOptions>) {
    this.#table = table;
    this.#opts = opts;
    const classByKey = new Map<string, ClassState>();
    for (const pod of pods) {
      const facts = podFacts(pod, table.blocks, opts.ipBlockMatchesPods);
      let cls = classByKey.get(facts.key);
      if (cls === undefined) {
        cls = newClass(this.classes.length, facts);
        this.classes.push(cls);
        classByKey.set(facts.key, cls);
      }
      cls.pods.push(pod);
      this.#classOfPod.set(pod, cls);
      const byIp = facts.hostNetwork ? this.hostPodsByIp : this.podsByIp;
      for (const ip of podIps(pod)) if (!byIp.has(formatIp(ip))) byIp.set(formatIp(ip), pod);
    }
    for (const cls of this.classes) table.attach(cls, true);
  }

  classFor(pod: Pod): ClassState {
    const known = this.#classOfPod.get(pod) ?? this.#adHoc.get(pod);
    if (known !== undefined) return known;
    const cls = newClass(-1, podFacts(pod, this.#table.blocks, this.#opts.ipBlockMatchesPods));
    cls.pods.push(pod);
    this.#table.attach(cls, false);
    this.#adHoc.set(pod, cls);
    return cls;
  }

  byNamespace(): Map<string, ClassState[]> {
    if (this.#byNamespace === undefined) {
      this.#byNamespace = new Map();
      for (const cls of this.classes) {
        const list = this.#byNamespace.get(cls.namespace);
        if (list === undefined) this.#byNamespace.set(cls.namespace, [cls]);
        else list.push(cls);
      }
    }
    return this.#byNamespace;
  }
}

function checkPort(port: PortQuery): { protocol: Protocol; port: number } {
  const protocol = port?.protocol ?? 'TCP';
  if (!(PROTOCOLS as readonly string[]).includes(protocol)) {
    throw new TypeError(`port.protocol must be TCP, UDP or SCTP; got ${JSON.stringify(port?.protocol)}`);
  }
  const number = port?.port;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < 1 || number > 65535) {
    throw new RangeError(`port.port must be an integer from 1 to 65535; got ${JSON.stringify(number)}`);
  }
  return { protocol, port: number };
}

function samePod(a: Side, b: Side): boolean {
  if (a.kind !== 'pod' || b.kind !== 'pod' || a.pod === undefined || b.pod === undefined) return false;
  if (a.pod === b.pod) return true;
  const am = a.pod.metadata;
  const bm = b.pod.metadata;
  return (am.namespace ?? 'default') === (bm.namespace ?? 'default') && am.name === bm.name;
}

// Ingress from the destination pod's own node is always allowed: from a `node` endpoint (defined
// as the other end's node), or from a hostNetwork pod on the destination's node.
function fromOwnNode(src: Side, dst: Side): boolean {
  if (src.kind === 'node') return true;
  if (src.kind !== 'pod' || !src.cls.hostNetwork || dst.kind !== 'pod') return false;
  const node = src.pod?.spec?.nodeName ?? src.cls.nodeName;
  if (node === undefined || node === '') return false;
  const dstPods = dst.pod !== undefined ? [dst.pod] : dst.cls.pods;
  return dstPods.length > 0 && dstPods.every((p) => p.spec?.nodeName === node);
}

class Index implements NetpolIndex {
  readonly classes: readonly PodClass[];
  readonly problems: readonly PolicyProblem[];
  readonly options: Readonly<Required<NetpolOptions>>;
  readonly #table: PolicyTable;
  readonly #pods: PodClasses;
  readonly #matcher: RuleMatcher;
  readonly #verdicts = new VerdictCache();
  readonly #classSides: (Side | undefined)[] = [];
  readonly #selectedCounts = new Map<PolicyState, number>();
  #sourceKeys: { keys: string[]; byPeer: Map<number, ClassState[]> } | undefined;
  #destinationKeys: string[] | undefined;

  constructor(table: PolicyTable, pods: PodClasses, problems: readonly PolicyProblem[], options: Required<NetpolOptions>) {
    this.classes = pods.classes;
    this.problems = problems;
    this.options = options;
    this.#table = table;
    this.#pods = pods;
    this.#matcher = new RuleMatcher(table, pods.classes.length);
  }

  #resolve(endpoint: Endpoint, role: string): Side {
    switch (endpoint?.kind) {
      case 'pod':
        return { kind: 'pod', cls: this.#pods.classFor(endpoint.pod), pod: endpoint.pod };
      case 'class': {
        const cls = this.#pods.classes[endpoint.podClass?.id ?? -1];
        if (cls === undefined || cls !== endpoint.podClass) {
          throw new TypeError(`${role}: the pod class ${JSON.stringify(endpoint.podClass?.id)} does not belong to this index`);
        }
        return (this.#classSides[cls.id] ??= { kind: 'pod', cls, pod: undefined });
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
  }

  #decide(
    direction: Direction,
    subject: Side,
    other: Side,
    dst: Side,
    protocol: Protocol,
    port: number,
    exempt: Verdict['reason'] | undefined,
  ): Verdict {
    const verdicts = this.#verdicts;
    if (subject.kind !== 'pod') return verdicts.open(direction, 'not-a-pod');
    if (subject.cls.hostNetwork) return verdicts.open(direction, 'host-network');
    const applying = direction === 'ingress' ? subject.cls.ingressPolicies : subject.cls.egressPolicies;
    if (applying.length === 0) return verdicts.open(direction, exempt ?? 'not-isolated');
    const isolatedBy = verdicts.refsOf(subject.cls, direction, applying);
    if (exempt !== undefined) return verdicts.open(direction, exempt, isolatedBy);
    let allowedBy: RuleRef[] | undefined;
    for (const policy of applying) {
      const rules = (direction === 'ingress' ? policy.ingress : policy.egress) ?? [];
      for (const rule of rules) {
        if (this.#matcher.ruleMatches(rule, policy.namespace, other, protocol, port, dst)) {
          (allowedBy ??= []).push({ namespace: policy.ref.namespace, name: policy.ref.name, rule: rule.index });
        }
      }
    }
    if (allowedBy === undefined) return verdicts.denied(direction, subject.cls, isolatedBy);
    return { direction, allowed: true, isolated: true, reason: 'allowed-by-rule', isolatedBy, allowedBy };
  }

  evaluate(srcEndpoint: Endpoint, dstEndpoint: Endpoint, portQuery: PortQuery): Evaluation {
    const { protocol, port } = checkPort(portQuery);
    const src = this.#resolve(srcEndpoint, 'src');
    const dst = this.#resolve(dstEndpoint, 'dst');
    const self = samePod(src, dst) ? 'same-pod' : undefined;
    const egress = this.#decide('egress', src, dst, dst, protocol, port, self);
    const ingress = this.#decide('ingress', dst, src, dst, protocol, port, self ?? (fromOwnNode(src, dst) ? 'node-local' : undefined));
    return this.#verdicts.combine(egress, ingress);
  }

  #own(cls: PodClass, what: string): void {
    const own = this.#pods.classes[cls?.id ?? -1];
    if (own === undefined || own !== cls)
      throw new TypeError(`${what}: the pod class ${JSON.stringify(cls?.id)} does not belong to this index`);
  }

  sourceKey(cls: PodClass): string {
    this.#own(cls, 'sourceKey');
    return this.#sources().keys[cls.id]!;
  }

  #sources(): { keys: string[]; byPeer: Map<number, ClassState[]> } {
    return (this.#sourceKeys ??= sourceKeys(this.#table, this.#matcher, this.#pods.classes, this.#pods.byNamespace()));
  }

  plainSource(cls: PodClass): boolean {
    this.#own(cls, 'plainSource');
    const own = this.#pods.classes[cls.id]!;
    return !own.hostNetwork && own.egressPolicies.length === 0 && own.blocks.size === 0;
  }

  namedSources(cls: PodClass): readonly PodClass[] {
    this.#own(cls, 'namedSources');
    const { byPeer } = this.#sources();
    const out = new Set<PodClass>();
    for (const policy of this.#pods.classes[cls.id]!.ingressPolicies) {
      for (const rule of policy.ingress ?? []) {
        for (const peer of rule.peers ?? []) {
          if (peer.kind === 'pods') for (const c of byPeer.get(peer.id) ?? []) out.add(c);
        }
      }
    }
    return [...out];
  }

  destinationKey(cls: PodClass): string {
    this.#own(cls, 'destinationKey');
    this.#destinationKeys ??= destinationKeys(this.#table, this.#matcher, this.#pods.classes, this.#pods.byNamespace());
    return this.#destinationKeys[cls.id]!;
  }

  classOf(pod: Pod): PodClass {
    return this.#pods.classFor(pod);
  }

  classesIn(namespace: string): readonly PodClass[] {
    return this.#pods.byNamespace().get(namespace) ?? [];
  }

  ruleChecks(srcEndpoint: Endpoint, dstEndpoint: Endpoint, portQuery: PortQuery, direction: Direction): RuleCheck[] {
    const { protocol, port } = checkPort(portQuery);
    const src = this.#resolve(srcEndpoint, 'src');
    const dst = this.#resolve(dstEndpoint, 'dst');
    const [subject, other] = direction === 'ingress' ? [dst, src] : [src, dst];
    if (subject.kind !== 'pod' || subject.cls.hostNetwork) return [];
    const applying = direction === 'ingress' ? subject.cls.ingressPolicies : subject.cls.egressPolicies;
    return applying.flatMap((policy) =>
      ((direction === 'ingress' ? policy.ingress : policy.egress) ?? []).map((rule) => ({
        policy: policy.ref,
        rule: rule.index,
        peers: rule.peers === undefined || rule.peers.some((peer) => this.#matcher.peerMatches(peer, policy.namespace, other)),
        ports: rule.ports === undefined || rule.ports.some((p) => this.#matcher.portMatches(p, protocol, port, dst)),
      })),
    );
  }

  isolatingPolicies(endpoint: Endpoint, direction: Direction): PolicyRef[] {
    const side = this.#resolve(endpoint, 'endpoint');
    if (side.kind !== 'pod') return [];
    return (direction === 'ingress' ? side.cls.ingressPolicies : side.cls.egressPolicies).map((p) => p.ref);
  }

  policy(ref: PolicyRef): NetworkPolicy | undefined {
    return this.#table.byKey.get(policyKey(ref))?.compiled.policy;
  }

  selectedPods(ref: PolicyRef): Pod[] {
    return this.#table.byKey.get(policyKey(ref))?.selected.flatMap((c) => c.pods) ?? [];
  }

  selectedPodCount(ref: PolicyRef): number {
    const state = this.#table.byKey.get(policyKey(ref));
    if (state === undefined) return 0;
    let count = this.#selectedCounts.get(state);
    if (count === undefined) {
      count = 0;
      for (const c of state.selected) count += c.pods.length;
      this.#selectedCounts.set(state, count);
    }
    return count;
  }

  podForIp(ip: string): Pod | undefined {
    const parsed = parseIp(ip);
    if (parsed === undefined) return undefined;
    const text = formatIp(parsed);
    return this.#pods.podsByIp.get(text) ?? this.#pods.hostPodsByIp.get(text);
  }
}
