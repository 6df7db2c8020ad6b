// Groups denied connections so a cluster-wide sweep stays readable: one group per (caller's key,
// denied direction, policy to change), listing the blocked sources and carrying the rules that
// let all of them through. The policy to change and each rule's peer come from the evaluator's
// suggestFixes, so a group's fix is exactly the per-connection fixes, merged: peers that need the
// same ports share one rule, so no peer is opened on a port it did not ask for.

import type { NetworkPolicyPeer, NetworkPolicyPort } from '../engine/k8s-types.ts';
import { suggestFixes, type NetpolIndex } from '../netpol/index.ts';
import type { Direction, Endpoint, Evaluation, PolicyRef, PortQuery, SuggestedFix, Verdict } from '../netpol/types.ts';

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

export interface BlockedGroup<M> {
  meta: M;
  direction: Direction;
  /** The isolating policy whose change opens the least (suggestFixes' choice). */
  policy: PolicyRef;
  /** Every policy that isolates the blocked end for this direction, over the group. */
  isolatedBy: PolicyRef[];
  /** The blocked sources, as labelled by the caller, sorted (may be shared between groups: do not mutate). */
  sources: readonly string[];
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

/**
 * The members of one source group (classes no connection tells apart as a source), in the
 * caller's order: their labels and keys, and the last position of each key.
 */
export interface SourceMembers {
  readonly labels: readonly string[];
  readonly keys: readonly string[];
  readonly lastIndex: ReadonlyMap<string, number>;
}

/** Builds a SourceMembers from parallel label and key lists. */
export function sourceMembers(labels: readonly string[], keys: readonly string[]): SourceMembers {
  const lastIndex = new Map<string, number>();
  keys.forEach((k, i) => lastIndex.set(k, i));
  return { labels, keys, lastIndex };
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
const portKeyOf = (p: { protocol?: string; port?: number | string }): string => `${p.protocol ?? 'TCP'}/${String(p.port)}`;
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

function everyPeerHasPort(peers: Map<string, { ports: Map<string, NetworkPolicyPort> }>, named: readonly string[], portKey: string): boolean {
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

  #addDenied(verdict: Verdict, groupFor: (direction: Direction) => { key: string; meta: M }, conn: Connection, evaluation: Evaluation): void {
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
        if (isolation === undefined) return false;
        if (isolation.policy === undefined) continue;
        const group = isolation.groups.get(groupKeys[direction]) as GroupState<M> | undefined;
        if (group === undefined) return false;
        if (!group.isolationSeen.has(isolation.key) || !group.ports.has(queryKey(target.port)) || !group.destinations.has(target.dstLabel)) return false;
        if (direction === 'egress') {
          // The peer is the destination: it must be settled (skipped, or named with this port).
          if (!group.skipped.has(target.dstKey)) {
            const named = group.peerKeys.get(target.dstKey);
            if (named === undefined || !everyPeerHasPort(group.peers, named, queryKey(target.port))) return false;
          }
        } else {
          // The peer is the source: the group must be full, and name none of the remaining members.
          if (group.peerKeys.size < MAX_FIX_PEERS) return false;
          if (this.#lastNamed(group, members) >= from) return false;
        }
        let at = 0;
        while (at < taken && groups[at] !== group) at++;
        if (at === taken) {
          groups[taken] = group;
          counts[taken++] = 1;
        } else counts[at]!++;
      }
    }
    for (let i = 0; i < taken; i++) {
      const group = groups[i]!;
      group.connections += counts[i]! * rest;
      group.bulk.take(members, from);
    }
    return true;
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

function mergeFix<M>(g: GroupState<M>, unions: MemberUnions): GroupFix | undefined {
  const first = g.firstFix;
  if (first === undefined) return undefined;
  // Peers needing the same ports share a rule; rules keep the order their first peer was seen in.
  const bySignature = new Map<string, FixRule>();
  for (const { peer, ports } of g.peers.values()) {
    const sorted = [...ports.values()].sort((a, b) => Number(a.port) - Number(b.port) || String(a.protocol).localeCompare(String(b.protocol)));
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

type MemberField = 'labels' | 'keys';

/**
 * The source groups taken at once into one collector group (addRest), each with the first member
 * position taken. A sweep takes most of them from their first member, in nearly every group: those
 * are one bit per registered source group, the others a (small) map; a 50k-object cluster has
 * ~9,000 groups × ~570 source groups of them.
 */
export class BulkSet {
  readonly #unions: MemberUnions;
  #bits: Uint32Array<ArrayBuffer> = new Uint32Array(0);
  #from: Map<SourceMembers, number> | undefined;
  #size = 0;

  constructor(unions: MemberUnions) {
    this.#unions = unions;
  }

  get size(): number {
    return this.#size;
  }

  /** Records members `from..` of a source group as taken (the smallest `from` wins). */
  take(members: SourceMembers, from: number): void {
    const id = this.#unions.idOf(members);
    if (this.#has(id)) return;
    const before = this.#from?.get(members);
    if (from === 0) {
      if (id >>> 5 >= this.#bits.length) this.#bits = grow(this.#bits, id);
      this.#bits[id >>> 5]! |= 1 << (id & 31);
      if (before === undefined) this.#size++;
      else this.#from!.delete(members);
      return;
    }
    if (before === undefined) {
      (this.#from ??= new Map()).set(members, from);
      this.#size++;
    } else if (from < before) this.#from!.set(members, from);
  }

  /** The first position taken of a source group, or undefined. */
  get(members: SourceMembers): number | undefined {
    return this.#has(this.#unions.idOf(members)) ? 0 : this.#from?.get(members);
  }

  /** The source groups taken after their first member, with that position. */
  partial(): Iterable<[SourceMembers, number]> {
    return this.#from ?? [];
  }

  /** The set of source groups, as one bit per registered id (do not mutate). */
  groupBits(): Uint32Array {
    if (this.#from === undefined || this.#from.size === 0) return this.#bits;
    let bits = this.#bits.slice();
    for (const members of this.#from.keys()) {
      const id = this.#unions.idOf(members);
      if (id >>> 5 >= bits.length) bits = grow(bits, id);
      bits[id >>> 5]! |= 1 << (id & 31);
    }
    return bits;
  }

  #has(id: number): boolean {
    return id >>> 5 < this.#bits.length && (this.#bits[id >>> 5]! & (1 << (id & 31))) !== 0;
  }
}

function grow(bits: Uint32Array, id: number): Uint32Array<ArrayBuffer> {
  const next = new Uint32Array((id >>> 5) + 1);
  next.set(bits);
  return next;
}

function hasBit(bits: Uint32Array, id: number): boolean {
  return id >>> 5 < bits.length && (bits[id >>> 5]! & (1 << (id & 31))) !== 0;
}

/** A bit set as a Map key: equal sets, equal keys (trailing empty words ignored). */
function bitsKey(bits: Uint32Array): string {
  let end = bits.length;
  while (end > 0 && bits[end - 1] === 0) end--;
  let key = '';
  for (let i = 0; i < end; i++) key += String.fromCharCode(bits[i]! & 0xffff, bits[i]! >>> 16);
  return key;
}

/**
 * `set` ∪ the members `from..` of each source group taken at once (`bulk`), sorted or counted.
 * Many groups share the same bulk source groups (every namespace's sources blocked the same way),
 * so the union U of all their members is built once per distinct set of source groups; a group's
 * answer is `set` ∪ U less the few members seen only before `from` and not in `set`.
 */
export class MemberUnions {
  /** Per distinct set of bulk source groups: the unions. */
  readonly #unions = new Map<string, UnionEntry>();
  readonly #ids = new Map<SourceMembers, number>();
  readonly #all: SourceMembers[] = [];
  /** Which source groups hold a member, per field. */
  readonly #owners: Record<MemberField, Map<string, SourceMembers[]>> = { labels: new Map(), keys: new Map() };
  /** Every member registered so far, sorted, per field (rebuilt after a registration). */
  #order: Partial<Record<MemberField, readonly string[]>> = {};

  /** `all`: the source groups the collectors will see (others are registered when first met). */
  constructor(all: readonly SourceMembers[] = []) {
    for (const members of all) this.register(members);
  }

  sorted(set: ReadonlySet<string>, bulk: BulkSet, field: MemberField): readonly string[] {
    if (bulk.size === 0) return [...set].sort();
    const full = this.#fullOf(bulk, field);
    const missing = this.#prefixOnly(set, bulk, field);
    const extra: string[] = [];
    for (const x of set) if (!full.has(x)) extra.push(x);
    if (missing.size === 0 && extra.length === 0) return full.sorted;
    const kept = missing.size === 0 ? full.sorted : full.sorted.filter((x) => !missing.has(x));
    return extra.length === 0 ? kept : mergeSorted(kept, extra.sort());
  }

  size(set: ReadonlySet<string>, bulk: BulkSet, field: MemberField): number {
    if (bulk.size === 0) return set.size;
    const full = this.#fullOf(bulk, field);
    let size = full.sorted.length - this.#prefixOnly(set, bulk, field).size;
    for (const x of set) if (!full.has(x)) size++;
    return size;
  }

  /** The union of every member of the bulk source groups: sorted, and a membership test. */
  #fullOf(bulk: BulkSet, field: MemberField): Union {
    const bits = bulk.groupBits();
    const key = bitsKey(bits);
    let entry = this.#unions.get(key);
    if (entry === undefined) {
      entry = { bits: bits.slice() }; // a copy: the group's own bits may still grow
      this.#unions.set(key, entry);
    }
    let full = entry[field];
    if (full === undefined) {
      const owners = this.#owners[field];
      const groups = entry.bits;
      const has = (x: string): boolean => owners.get(x)?.some((o) => hasBit(groups, this.#ids.get(o)!)) === true;
      // The registered members' sorted order less those of the source groups left out (usually
      // few): no sort, and no lookup per member, per union.
      const excluded = new Set<string>();
      this.#all.forEach((other, id) => {
        if (hasBit(groups, id)) return;
        for (const x of other[field]) if (!excluded.has(x) && !has(x)) excluded.add(x);
      });
      const order = (this.#order[field] ??= [...owners.keys()].sort());
      full = { sorted: excluded.size === 0 ? order : order.filter((x) => !excluded.has(x)), has };
      entry[field] = full;
    }
    return full;
  }

  /** The source groups a key belongs to (registered ones). */
  ownersOf(key: string): readonly SourceMembers[] {
    return this.#owners.keys.get(key) ?? [];
  }

  /** A source group's id (0, 1, …), registering it when new. */
  idOf(members: SourceMembers): number {
    let id = this.#ids.get(members);
    if (id === undefined) {
      this.register(members);
      id = this.#ids.get(members)!;
    }
    return id;
  }

  /** When a source group was registered (1, 2, …; 0 when it was not), and how many are. */
  registered(members?: SourceMembers): number {
    return members === undefined ? this.#ids.size : (this.#ids.get(members) ?? -1) + 1;
  }

  /** Registers a source group (collectors that share this object then find its members' owners fast). */
  register(members: SourceMembers): void {
    if (this.#ids.has(members)) return;
    this.#ids.set(members, this.#all.length);
    this.#all.push(members);
    for (const field of ['labels', 'keys'] as const) {
      let added = false;
      for (const x of members[field]) {
        const list = this.#owners[field].get(x);
        if (list === undefined) {
          this.#owners[field].set(x, [members]);
          added = true;
        } else if (list[list.length - 1] !== members) list.push(members);
      }
      if (added) delete this.#order[field];
    }
  }

  /** Members seen only before their group's `from` (in no bulk part) and not in `set`: in the union of all members, but not in the answer. */
  #prefixOnly(set: ReadonlySet<string>, bulk: BulkSet, field: MemberField): ReadonlySet<string> {
    let out: Set<string> | undefined;
    for (const [members, from] of bulk.partial()) {
      const list = members[field];
      for (let i = 0; i < from; i++) {
        const x = list[i]!;
        if (set.has(x) || out?.has(x) === true) continue;
        const inRest = this.#owners[field].get(x)!.some((other) => {
          const otherFrom = bulk.get(other);
          if (otherFrom === undefined) return false;
          return field === 'keys' ? other.lastIndex.get(x)! >= otherFrom : other.labels.lastIndexOf(x) >= otherFrom;
        });
        if (!inRest) (out ??= new Set()).add(x);
      }
    }
    return out ?? EMPTY;
  }
}

interface Union {
  sorted: readonly string[];
  has(x: string): boolean;
}

interface UnionEntry {
  bits: Uint32Array;
  labels?: Union;
  keys?: Union;
}

const EMPTY: ReadonlySet<string> = new Set();

/** Two sorted lists (default string order) merged into one. */
function mergeSorted(a: readonly string[], b: readonly string[]): string[] {
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) out.push(a[i]! <= b[j]! ? a[i++]! : b[j++]!);
  while (i < a.length) out.push(a[i++]!);
  while (j < b.length) out.push(b[j++]!);
  return out;
}

/** A fix's rules as compact one-line JSON, for evidence: the rule itself when there is one. */
export function ruleText(fix: GroupFix): string {
  return JSON.stringify(fix.rules.length === 1 ? fix.rules[0] : fix.rules);
}

/** The kubectl command that applies a group's fix. */
export function patchCommand(fix: GroupFix): string {
  return `kubectl -n ${fix.policy.namespace} patch networkpolicy ${fix.policy.name} --type=json -p '${JSON.stringify(fix.patch)}'`;
}

/** A remediation sentence for a fix: which list of which policy gets which rules, and the command. */
export function fixSentence(fix: GroupFix): string {
  const more = fix.omitted > 0 ? ` (naming the first ${MAX_FIX_PEERS} peers; ${fix.omitted} more need the same)` : '';
  const what = fix.rules.length === 1 ? 'this rule' : `these ${fix.rules.length} rules`;
  return `append ${what} to spec.${fix.direction} of NetworkPolicy ${fix.policy.namespace}/${fix.policy.name}${more}: ${ruleText(fix)} — \`${patchCommand(fix)}\``;
}
