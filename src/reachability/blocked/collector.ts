// Groups denied connections so a cluster-wide sweep stays readable: one group per (caller's key,
// denied direction, policy to change), listing the blocked sources and carrying the rules that
// let all of them through. The policy to change and each rule's peer come from the evaluator's
// suggestFixes (merged by group-fix.ts); source groups taken at once are kept as sets of groups
// (member-unions.ts).

import type { NetworkPolicyPeer, NetworkPolicyPort } from '../../k8s/objects.ts';
import { suggestFixes, type NetpolIndex } from '../netpol/index.ts';
import type { Direction, Endpoint, Evaluation, PolicyRef, PortQuery, SuggestedFix, Verdict } from '../netpol/types.ts';
import { MAX_FIX_PEERS, mergeFix, portKeyOf, type GroupFix } from './group-fix.ts';
import { BulkSet, MemberUnions, type MemberList, type SourceMembers } from './member-unions.ts';

export interface BlockedGroup<M> {
  meta: M;
  direction: Direction;
  /** The isolating policy whose change opens the least (suggestFixes' choice). */
  policy: PolicyRef;
  /** Every policy that isolates the blocked end for this direction, over the group. */
  isolatedBy: PolicyRef[];
  /** The blocked sources, as labelled by the caller, sorted (may stand for thousands: built in full only when iterated). */
  sources: MemberList;
  /** The blocked destinations, as labelled by the caller, sorted. */
  destinations: string[];
  /** Destination ports that were blocked. */
  ports: PortQuery[];
  /** How many (source, destination, port) connections the group holds. */
  connections: number;
  fix: GroupFix | undefined;
}

interface GroupState<M> {
  meta: M;
  direction: Direction;
  policy: PolicyRef;
  connections: number;
  sources: Set<string>;
  destinations: Set<string>;
  isolatedBy: Map<string, PolicyRef>;
  /** Isolating sets already merged into isolatedBy. */
  isolationSeen: Set<string>;
  ports: Map<string, PortQuery>;
  /** Rule peers (by their JSON) and the ports each needs. */
  peers: Map<string, { peer: NetworkPolicyPeer; ports: Map<string, NetworkPolicyPort> }>;
  /** The caller's key of each end the fix names → the rule peers suggestFixes made for it. */
  peerKeys: Map<string, string[]>;
  /** Peer keys left out of the rule because of MAX_FIX_PEERS. */
  skipped: Set<string>;
  firstFix: SuggestedFix | undefined;
  /** Members of source groups taken at once (addRest): the list → the first position taken. */
  bulk: BulkSet;
  /** Once the group has named MAX_FIX_PEERS peers (its named keys are final): the last position of a named key in each registered source group holding one. */
  namedLast: { upTo: number; last: Map<SourceMembers, number> } | undefined;
}

/** A destination of addRest: the connection's fields other than the source. */
export interface RestTarget {
  dst: Endpoint;
  dstLabel: string;
  dstKey: string;
  port: PortQuery;
}

/** What decided one denied direction: the isolating set, and the policy suggestFixes would change. */
interface Isolation {
  key: string;
  refs: readonly PolicyRef[];
  policy: PolicyRef | undefined;
  policyKey: string;
  /** The groups this isolation already fell into, by the caller's group key. */
  groups: Map<string, GroupState<unknown>>;
}

/** One connection, as the caller labels it. `srcKey`/`dstKey` name an end the way a rule would (same workload, same key). */
export interface Connection {
  src: Endpoint;
  srcLabel: string;
  srcKey: string;
  dst: Endpoint;
  dstLabel: string;
  dstKey: string;
  port: PortQuery;
}

const refKey = (r: PolicyRef): string => `${r.namespace}/${r.name}`;
// Sweeps pass the same PortQuery objects (Service targets) over and over: key each once.
const portKeys = new WeakMap<PortQuery, string>();
function queryKey(p: PortQuery): string {
  let key = portKeys.get(p);
  if (key === undefined) {
    key = portKeyOf(p);
    portKeys.set(p, key);
  }
  return key;
}

function everyPeerHasPort(
  peers: Map<string, { ports: Map<string, NetworkPolicyPort> }>,
  named: readonly string[],
  portKey: string,
): boolean {
  for (const json of named) if (peers.get(json)?.ports.has(portKey) !== true) return false;
  return true;
}

/** Collects denied connections into groups; see the file comment. */
export class BlockedCollector<M> {
  readonly #index: NetpolIndex;
  readonly #groups = new Map<string, GroupState<M>>();
  // The policy suggestFixes picks depends only on the direction and the isolating set, and the
  // isolating set only on the end's class: cache both, so a sweep pays for them once per class.
  readonly #byIsolation = new Map<string, Isolation>();
  readonly #byClass: Record<Direction, (Isolation | undefined)[]> = { ingress: [], egress: [] };

  readonly #unions: MemberUnions;

  /** `unions`: the sweep's source groups, registered; share one between the collectors of a sweep, so unions are built once. */
  constructor(index: NetpolIndex, unions: MemberUnions = new MemberUnions()) {
    this.#index = index;
    this.#unions = unions;
  }

  /** The suggestFixes result computed by the last #isolation call that created an isolation (else undefined). */
  #firstFix: SuggestedFix | undefined;

  #isolation(direction: Direction, end: Endpoint, refs: readonly PolicyRef[], conn: Connection, evaluation: Evaluation): Isolation {
    this.#firstFix = undefined;
    const classId = end.kind === 'class' && end.podClass.id >= 0 ? end.podClass.id : undefined;
    const cached = classId === undefined ? undefined : this.#byClass[direction][classId];
    if (cached !== undefined) return cached;
    const key = `${direction}|${refs.map(refKey).join(',')}`;
    let isolation = this.#byIsolation.get(key);
    if (isolation === undefined) {
      const firstFix = suggestFixes(this.#index, conn.src, conn.dst, conn.port, evaluation).find((f) => f.direction === direction);
      this.#firstFix = firstFix;
      const policy = firstFix?.policy ?? refs[0];
      isolation = { key, refs: [...refs], policy, policyKey: policy === undefined ? '' : refKey(policy), groups: new Map() };
      this.#byIsolation.set(key, isolation);
    }
    if (classId !== undefined) this.#byClass[direction][classId] = isolation;
    return isolation;
  }

  /**
   * Records a connection's evaluation; nothing happens when it is allowed. Each denied direction
   * goes to the group `groupFor(direction)` names, split further by the policy to change.
   */
  add(groupFor: (direction: Direction) => { key: string; meta: M }, conn: Connection, evaluation: Evaluation): void {
    if (evaluation.allowed) return;
    if (!evaluation.egress.allowed) this.#addDenied(evaluation.egress, groupFor, conn, evaluation);
    if (!evaluation.ingress.allowed) this.#addDenied(evaluation.ingress, groupFor, conn, evaluation);
  }

  #addDenied(
    verdict: Verdict,
    groupFor: (direction: Direction) => { key: string; meta: M },
    conn: Connection,
    evaluation: Evaluation,
  ): void {
    const direction = verdict.direction;
    // Egress is decided by the source's policies, ingress by the destination's.
    const isolation = this.#isolation(direction, direction === 'egress' ? conn.src : conn.dst, verdict.isolatedBy, conn, evaluation);
    const firstFix = this.#firstFix;
    const policy = isolation.policy;
    if (policy === undefined) return;
    const spec = groupFor(direction);
    let group = isolation.groups.get(spec.key) as GroupState<M> | undefined;
    if (group === undefined) {
      const key = `${spec.key}|${direction}|${isolation.policyKey}`;
      group = this.#groups.get(key);
      if (group === undefined) {
        group = {
          meta: spec.meta,
          direction,
          policy,
          connections: 0,
          sources: new Set(),
          destinations: new Set(),
          isolatedBy: new Map(),
          isolationSeen: new Set(),
          ports: new Map(),
          peers: new Map(),
          peerKeys: new Map(),
          skipped: new Set(),
          firstFix: undefined,
          bulk: new BulkSet(this.#unions),
          namedLast: undefined,
        };
        this.#groups.set(key, group);
      }
      isolation.groups.set(spec.key, group as GroupState<unknown>);
    }
    group.connections++;
    group.sources.add(conn.srcLabel);
    group.destinations.add(conn.dstLabel);
    if (!group.isolationSeen.has(isolation.key)) {
      group.isolationSeen.add(isolation.key);
      for (const ref of isolation.refs) group.isolatedBy.set(refKey(ref), ref);
    }
    const portKey = queryKey(conn.port);
    if (!group.ports.has(portKey)) group.ports.set(portKey, conn.port);
    // The fix names the source on ingress and the destination on egress.
    const peerKey = direction === 'ingress' ? conn.srcKey : conn.dstKey;
    if (group.skipped.has(peerKey)) return;
    const named = group.peerKeys.get(peerKey);
    if (named !== undefined && everyPeerHasPort(group.peers, named, portKey)) return;
    if (named === undefined && group.peerKeys.size >= MAX_FIX_PEERS) {
      group.skipped.add(peerKey);
      return;
    }
    const fix = firstFix ?? suggestFixes(this.#index, conn.src, conn.dst, conn.port, evaluation).find((f) => f.direction === direction);
    if (fix === undefined) return;
    group.firstFix ??= fix;
    const peers = ('from' in fix.rule ? fix.rule.from : fix.rule.to).map((peer) => [JSON.stringify(peer), peer] as const);
    group.peerKeys.set(peerKey, [...new Set([...(named ?? []), ...peers.map(([json]) => json)])]);
    for (const [json, peer] of peers) {
      let entry = group.peers.get(json);
      if (entry === undefined) {
        entry = { peer, ports: new Map() };
        group.peers.set(json, entry);
      }
      for (const p of fix.rule.ports) entry.ports.set(portKeyOf(p), p);
    }
  }

  /** The isolation already known for a denied direction at `end`, by its class or its isolating set; undefined when none was made yet. */
  #knownIsolation(direction: Direction, end: Endpoint, refs: readonly PolicyRef[]): Isolation | undefined {
    const classId = end.kind === 'class' && end.podClass.id >= 0 ? end.podClass.id : undefined;
    const cached = classId === undefined ? undefined : this.#byClass[direction][classId];
    if (cached !== undefined) return cached;
    const isolation = this.#byIsolation.get(`${direction}|${refs.map(refKey).join(',')}`);
    if (isolation !== undefined && classId !== undefined) this.#byClass[direction][classId] = isolation;
    return isolation;
  }

  /** The last position among `members` of a key a full group names (-1 when none). */
  #lastNamed(group: GroupState<M>, members: SourceMembers): number {
    const n = this.#unions.registered(members);
    if (n === 0) {
      let last = -1;
      for (const key of group.peerKeys.keys()) last = Math.max(last, members.lastIndex.get(key) ?? -1);
      return last;
    }
    // A full group names no new key: look its keys' owners up once (again only if source groups were registered since).
    if (group.namedLast === undefined || group.namedLast.upTo < n) {
      const last = new Map<SourceMembers, number>();
      for (const key of group.peerKeys.keys()) {
        for (const owner of this.#unions.ownersOf(key)) last.set(owner, Math.max(last.get(owner) ?? -1, owner.lastIndex.get(key) ?? -1));
      }
      group.namedLast = { upTo: this.#unions.registered(), last };
    }
    return group.namedLast.last.get(members) ?? -1;
  }

  readonly #restGroups: GroupState<M>[] = [];
  readonly #restCounts: number[] = [];

  /**
   * The groups the denied connections of a source group fall into, with how many of its
   * connections each gets, written into `groups` and `counts` (their first entries; the count of
   * entries is returned): undefined when some group is not settled yet, so taking the
   * connections at once could change more than counts. An ingress group must be full of peers
   * and pass `ingressSettled`; an egress group must have settled the destination as its peer.
   */
  #settledGroups(
    groupFor: (direction: Direction) => { key: string; meta: M },
    src: Endpoint,
    targets: readonly RestTarget[],
    denied: readonly number[],
    evaluations: readonly Evaluation[],
    groups: GroupState<M>[],
    counts: number[],
    ingressSettled: (group: GroupState<M>) => boolean,
  ): number | undefined {
    let taken = 0;
    const groupKeys = { egress: groupFor('egress').key, ingress: groupFor('ingress').key };
    for (const ti of denied) {
      const evaluation = evaluations[ti]!;
      if (evaluation.allowed) continue;
      const target = targets[ti]!;
      for (let side = 0; side < 2; side++) {
        const verdict = side === 0 ? evaluation.egress : evaluation.ingress;
        if (verdict.allowed) continue;
        const direction = verdict.direction;
        const isolation = this.#knownIsolation(direction, direction === 'egress' ? src : target.dst, verdict.isolatedBy);
        if (isolation === undefined) return undefined;
        if (isolation.policy === undefined) continue;
        const group = isolation.groups.get(groupKeys[direction]) as GroupState<M> | undefined;
        if (group === undefined) return undefined;
        if (!group.isolationSeen.has(isolation.key) || !group.ports.has(queryKey(target.port)) || !group.destinations.has(target.dstLabel))
          return undefined;
        if (direction === 'egress') {
          // The peer is the destination: it must be settled (skipped, or named with this port).
          if (!group.skipped.has(target.dstKey)) {
            const named = group.peerKeys.get(target.dstKey);
            if (named === undefined || !everyPeerHasPort(group.peers, named, queryKey(target.port))) return undefined;
          }
        } else if (group.peerKeys.size < MAX_FIX_PEERS || !ingressSettled(group)) return undefined;
        let at = 0;
        while (at < taken && groups[at] !== group) at++;
        if (at === taken) {
          groups[taken] = group;
          counts[taken++] = 1;
        } else counts[at]!++;
      }
    }
    return taken;
  }

  /**
   * Takes at once the connections of members `from..` of a source group to the `denied` targets,
   * as if `add` had been called for each member (in order) and each denied target, when that is
   * sure to change nothing but counts, sources and skipped peers (order-insensitive state): every
   * group they fall into exists, already holds this isolation, port and destination, and has
   * named all the peers it will name. `src` is member `from` (the members share their egress
   * policies, so its isolation stands for all of them) and `evaluations` hold the verdicts every
   * member gets (source groups share evaluations). Returns false, changing nothing, when it
   * cannot; the caller then adds member `from` one by one and may try again with the next.
   */
  addRest(
    groupFor: (direction: Direction) => { key: string; meta: M },
    src: Endpoint,
    targets: readonly RestTarget[],
    denied: readonly number[],
    evaluations: readonly Evaluation[],
    members: SourceMembers,
    from: number,
  ): boolean {
    const rest = members.labels.length - from;
    if (rest <= 0) return true;
    // Scratch lists reused across calls (the sweep's hot path); only the first `taken` entries count.
    const groups = this.#restGroups;
    const counts = this.#restCounts;
    // The peer of an ingress group is the source: it must name none of the remaining members.
    const taken = this.#settledGroups(
      groupFor,
      src,
      targets,
      denied,
      evaluations,
      groups,
      counts,
      (group) => this.#lastNamed(group, members) < from,
    );
    if (taken === undefined) return false;
    for (let i = 0; i < taken; i++) {
      const group = groups[i]!;
      group.connections += counts[i]! * rest;
      group.bulk.take(members, from);
    }
    return true;
  }

  /**
   * What addRest would do for member 0 of any source group with these evaluations, once the
   * groups they fall into are settled: undefined when they are not (addRest would refuse). The
   * source groups owning a key those groups name are in `named`: they cannot be taken at once.
   * `src` stands for the sources' egress side (their isolation).
   */
  settledTake(
    groupFor: (direction: Direction) => { key: string; meta: M },
    src: Endpoint,
    targets: readonly RestTarget[],
    denied: readonly number[],
    evaluations: readonly Evaluation[],
  ): SettledTake | undefined {
    const groups: GroupState<M>[] = [];
    const counts: number[] = [];
    const named = new Set<SourceMembers>();
    const taken = this.#settledGroups(groupFor, src, targets, denied, evaluations, groups, counts, (group) => {
      for (const key of group.peerKeys.keys()) for (const owner of this.#unions.ownersOf(key)) named.add(owner);
      return true;
    });
    if (taken === undefined) return undefined;
    groups.length = taken;
    counts.length = taken;
    return { groups, counts, named };
  }

  /** Takes every member of the source groups set in `bits` (registered ids; none of `take.named`), `members` in all, as addRest from member 0 would. */
  takeAll(take: SettledTake, bits: Uint32Array, members: number): void {
    const groups = take.groups as GroupState<M>[];
    for (let i = 0; i < groups.length; i++) {
      groups[i]!.connections += take.counts[i]! * members;
      groups[i]!.bulk.takeBits(bits);
    }
  }

  /** The groups, in insertion order. */
  groups(): BlockedGroup<M>[] {
    // Many groups share the same source groups taken at once (every namespace's sources blocked
    // the same way): their unions are built and sorted once, not once per group.
    const unions = this.#unions;
    return [...this.#groups.values()].map((g) => ({
      meta: g.meta,
      direction: g.direction,
      policy: g.policy,
      connections: g.connections,
      isolatedBy: [...g.isolatedBy.values()].sort((a, b) => (refKey(a) < refKey(b) ? -1 : refKey(a) > refKey(b) ? 1 : 0)),
      sources: unions.sorted(g.sources, g.bulk, 'labels'),
      destinations: [...g.destinations].sort(),
      ports: [...g.ports.values()].sort((a, b) => a.port - b.port),
      fix: mergeFix(g, unions),
    }));
  }
}

/** The collector groups a settled take adds to, each with how many connections a member adds (BlockedCollector.settledTake). */
export interface SettledTake {
  readonly groups: readonly object[];
  readonly counts: readonly number[];
  /** Source groups owning a key the groups name: take them one by one. */
  readonly named: ReadonlySet<SourceMembers>;
}
