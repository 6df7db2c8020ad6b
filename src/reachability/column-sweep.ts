// One step of a reachability sweep (R3's Service-port columns, R4's routed ports): every source
// class against one set of targets, feeding the denied connections to a BlockedCollector in the
// sources' order. Sources share evaluations by source group (SweepEvaluator), so each group is
// summarized once per step; once the collector's groups are settled, the rest of a source group
// goes in with one addRest call, and the sweep skips its members. A source that is a single pod
// behind the targets (calling its own Service) takes the per-class path: a pod cannot block
// access to itself, so its own target is left out.

import type { Direction, Evaluation, PodClass, PolicyRef } from './netpol/types.ts';
import {
  MemberUnions,
  sourceMembers,
  type BlockedCollector,
  type Connection,
  type RestTarget,
  type SourceMembers,
} from './blocked/index.ts';
import type { SweepEvaluator, SweepTarget } from './sweep.ts';

/** What every member of a source group gets towards the step's targets. */
export interface GroupSummary {
  /** One evaluation per target, in target order (shared: do not mutate); empty when none is denied. */
  evaluations: readonly Evaluation[];
  allowed: number;
  blocked: number;
  /** Target positions whose connection is denied. */
  denied: readonly number[];
  /** Policies isolating a denied end, first-seen order. */
  blockedBy: readonly PolicyRef[];
  /** Target ports of the denied connections. */
  ports: readonly number[];
}

/** The per-class result of a source calling its own Service (its own target left out). */
export interface SelfResult {
  allowed: number;
  blocked: number;
  blockedBy: readonly PolicyRef[];
  ports: readonly number[];
}

export interface StepResult {
  /** A source group's summary; undefined for groups with no source in this sweep, or whose only sources took the per-class path. */
  summaryOf(group: number): GroupSummary | undefined;
  /** Whether a source group was summarized on its own (else it has `shared`). */
  isOwn(group: number): boolean;
  /** The source groups summarized on their own, with their summary (undefined as in summaryOf). */
  own: ReadonlyMap<number, GroupSummary | undefined>;
  /** What every other source group of the sweep gets (undefined when every group is in `own`). */
  shared: GroupSummary | undefined;
  /** By source position, for the sources that took the per-class path. */
  self: ReadonlyMap<number, SelfResult>;
}

/** A step's target: where the connection goes, and how the collector labels it. */
export interface StepTarget extends RestTarget {
  readonly podClass: PodClass;
}

export class ColumnSweep {
  readonly #sweep: SweepEvaluator;
  readonly #sources: readonly PodClass[];
  readonly #labels: readonly string[];
  readonly #endpoints: readonly { kind: 'class'; podClass: PodClass }[];
  readonly #groupOf: Int32Array;
  readonly #posInGroup: Int32Array;
  readonly #members: SourceMembers[];
  readonly #groupOfMembers = new Map<SourceMembers, number>();
  readonly #sourcesOf: number[][];
  readonly #bulk: Uint8Array;
  readonly #conn: Connection;

  /** The source groups, registered for the collectors of this sweep (pass it to their constructor). */
  readonly unions: MemberUnions;

  /**
   * `sources` in sweep order; `labels[i]` names source i (its workload), as label and key.
   * `unions`: one shared with other sweeps whose collectors' groups are listed together.
   */
  constructor(sweep: SweepEvaluator, sources: readonly PodClass[], labels: readonly string[], unions: MemberUnions = new MemberUnions()) {
    this.#sweep = sweep;
    this.#sources = sources;
    this.#labels = labels;
    this.#endpoints = sources.map((podClass) => ({ kind: 'class', podClass }) as const);
    this.#groupOf = new Int32Array(sources.length);
    this.#posInGroup = new Int32Array(sources.length);
    const lists: string[][] = Array.from({ length: sweep.groups }, () => []);
    this.#sourcesOf = Array.from({ length: sweep.groups }, () => []);
    sources.forEach((s, i) => {
      const g = sweep.groupOf(s);
      this.#groupOf[i] = g;
      this.#posInGroup[i] = lists[g]!.push(labels[i]!) - 1;
      this.#sourcesOf[g]!.push(i);
    });
    this.#members = lists.map((l) => sourceMembers(l, l));
    this.#members.forEach((m, g) => this.#groupOfMembers.set(m, g));
    this.unions = unions;
    for (const m of this.#members) if (m.labels.length > 0) unions.register(m);
    this.#bulk = new Uint8Array(sweep.groups);
    this.#conn = {
      src: this.#endpoints[0]!,
      srcLabel: '',
      srcKey: '',
      dst: this.#endpoints[0]!,
      dstLabel: '',
      dstKey: '',
      port: { port: 1 },
    };
    this.#unionId = new Int32Array(sweep.groups).fill(-1);
    let maxId = 0;
    this.#members.forEach((m, g) => {
      if (m.labels.length === 0) return;
      const id = unions.idOf(m);
      this.#unionId[g] = id;
      maxId = Math.max(maxId, id);
      this.#withSources.push(g);
      this.#memberCount += m.labels.length;
    });
    this.#allBits = new Uint32Array((maxId >>> 5) + 1);
    for (const g of this.#withSources) this.#allBits[this.#unionId[g]! >>> 5]! |= 1 << (this.#unionId[g]! & 31);
  }

  /** Each source group's id in `unions` (-1: no source in this sweep). */
  readonly #unionId: Int32Array;
  /** The source groups with sources in this sweep, and all of them as bits of their union ids. */
  readonly #withSources: number[] = [];
  readonly #allBits: Uint32Array;
  #memberCount = 0;

  /** The source group of source i. */
  groupOf(i: number): number {
    return this.#groupOf[i]!;
  }

  /** The source groups with a source in this sweep. */
  groupsWithSources(): readonly number[] {
    return this.#withSources;
  }

  /** The positions of a source group's members among the sources, in sweep order. */
  sourcesOf(group: number): readonly number[] {
    return this.#sourcesOf[group]!;
  }

  /** The label of source i. */
  labelOf(i: number): string {
    return this.#labels[i]!;
  }

  /**
   * Evaluates every source against `targets` and feeds each denied connection to `collector`
   * (grouped by `groupFor`) in source order, as `collector.add` per connection would.
   *
   * Source groups no policy of the targets names (NetpolIndex.namedSources) all get one shared
   * summary. Once the collector's groups for it are settled, every such group not met yet goes in
   * at once (a bit set, not a loop over groups), and only the groups on their own are visited
   * further: the step costs the groups a policy names, not all groups.
   */
  run<M>(
    targets: readonly StepTarget[],
    collector: BlockedCollector<M>,
    groupFor: (direction: Direction) => { key: string; meta: M },
  ): StepResult {
    const sweep = this.#sweep;
    const bulk = this.#bulk;
    bulk.fill(0);
    // A single-pod class behind the targets: its group stays on the per-member path (2).
    const selfClasses = new Set<PodClass>();
    for (const t of targets) if (t.podClass.pods.length === 1) selfClasses.add(t.podClass);
    for (const c of selfClasses) bulk[sweep.groupOf(c)] = 2;
    const allAllowed: GroupSummary = { evaluations: NONE, allowed: targets.length, blocked: 0, denied: NONE, blockedBy: NONE, ports: NONE };
    const ownGroups = this.#ownGroups(targets, selfClasses);
    let shared: GroupSummary | undefined;
    if (ownGroups !== undefined) {
      let rep = 0;
      while (rep < sweep.groups && ownGroups.has(rep)) rep++;
      if (rep < sweep.groups) shared = summarize(sweep, sweep.representative(rep), targets, allAllowed);
    }
    const own = new Map<number, GroupSummary | undefined>();
    const self = new Map<number, SelfResult>();
    const conn = this.#conn;
    // Shared groups met before they settle (their bits are not taken at once).
    const met: number[] = [];
    const step = (i: number, settled: boolean): boolean => {
      const group = this.#groupOf[i]!;
      const state = bulk[group]!;
      if (state === 1) return false; // taken at once with an earlier member, or nothing to add
      const src = this.#sources[i]!;
      const srcEndpoint = this.#endpoints[i]!;
      const label = this.#labels[i]!;
      const isOwn = shared === undefined || ownGroups!.has(group);
      if (state === 2 && selfClasses.has(src)) {
        self.set(i, this.#selfStep(src, srcEndpoint, label, targets, collector, groupFor));
        if (!own.has(group)) own.set(group, undefined);
        return false;
      }
      let s: GroupSummary;
      if (isOwn) {
        let known = own.get(group);
        if (known === undefined) {
          known = summarize(sweep, src, targets, allAllowed);
          own.set(group, known);
        }
        s = known;
      } else {
        s = shared!;
        if (!settled && state === 0) met.push(group);
      }
      if (s.denied.length === 0) {
        if (state === 0) bulk[group] = 1;
        return !isOwn;
      }
      if (
        state === 0 &&
        collector.addRest(groupFor, srcEndpoint, targets, s.denied, s.evaluations, this.#members[group]!, this.#posInGroup[i]!)
      ) {
        bulk[group] = 1;
        return !isOwn;
      }
      // One connection object, refilled: the collector keeps nothing of it.
      conn.src = srcEndpoint;
      conn.srcLabel = label;
      conn.srcKey = label;
      for (const ti of s.denied) {
        const t = targets[ti]!;
        conn.dst = t.dst;
        conn.dstLabel = t.dstLabel;
        conn.dstKey = t.dstKey;
        conn.port = t.port;
        collector.add(groupFor, conn, s.evaluations[ti]!);
      }
      return false;
    };
    let i = 0;
    for (; i < this.#sources.length; i++) {
      if (step(i, false) && this.#takeShared(i, shared!, ownGroups!, met, targets, collector, groupFor)) break;
    }
    if (i < this.#sources.length) {
      // The rest: the groups on their own and the shared ones held back, in source order.
      const rest: number[] = [];
      for (const g of ownGroups!) for (const at of this.#sourcesOf[g] ?? []) if (at > i) rest.push(at);
      for (const g of this.#heldBack) for (const at of this.#sourcesOf[g]!) if (at > i) rest.push(at);
      rest.sort((a, b) => a - b);
      for (const at of rest) step(at, true);
    }
    const summaryOf = (group: number): GroupSummary | undefined =>
      shared === undefined || ownGroups!.has(group) ? own.get(group) : this.#unionId[group]! >= 0 ? shared : undefined;
    return { summaryOf, isOwn: (group) => shared === undefined || ownGroups!.has(group), own, shared, self };
  }

  /** The shared groups left to visit one by one after #takeShared. */
  #heldBack = new Set<number>();

  /**
   * Takes every shared source group not met yet at once, when the collector's groups for the
   * shared summary are settled (source `at`, of a shared group, was just taken by addRest or
   * needed nothing); false (nothing taken) when they are not.
   */
  #takeShared<M>(
    at: number,
    shared: GroupSummary,
    ownGroups: ReadonlySet<number>,
    met: readonly number[],
    targets: readonly StepTarget[],
    collector: BlockedCollector<M>,
    groupFor: (direction: Direction) => { key: string; meta: M },
  ): boolean {
    this.#heldBack = new Set();
    const bits = this.#allBits.slice();
    let members = this.#memberCount;
    const leaveOut = (g: number): void => {
      const id = this.#unionId[g]!;
      if (id < 0 || (bits[id >>> 5]! & (1 << (id & 31))) === 0) return;
      bits[id >>> 5]! &= ~(1 << (id & 31));
      members -= this.#members[g]!.labels.length;
    };
    if (shared.denied.length > 0) {
      const take = collector.settledTake(groupFor, this.#endpoints[at]!, targets, shared.denied, shared.evaluations);
      if (take === undefined) return false;
      for (const g of ownGroups) leaveOut(g);
      for (const g of met) {
        if (this.#bulk[g] !== 1) this.#heldBack.add(g);
        leaveOut(g);
      }
      for (const owner of take.named) {
        const g = this.#groupOfMembers.get(owner);
        if (g === undefined || ownGroups.has(g) || this.#unionId[g]! < 0) continue;
        if (this.#bulk[g] !== 1) this.#heldBack.add(g);
        leaveOut(g);
      }
      collector.takeAll(take, bits, members);
    } else {
      for (const g of met) if (this.#bulk[g] !== 1) this.#heldBack.add(g);
    }
    return true;
  }

  /** The source groups on their own towards `targets` (named by their policies, not plain, or calling their own Service); undefined when most groups are. */
  #ownGroups(targets: readonly StepTarget[], selfClasses: ReadonlySet<PodClass>): Set<number> | undefined {
    const out = new Set<number>();
    for (const t of targets) {
      const groups = this.#sweep.ownGroups(t.podClass);
      if (groups === null) return undefined;
      for (const g of groups) out.add(g);
    }
    for (const c of selfClasses) out.add(this.#sweep.groupOf(c));
    return out.size * 2 > this.#sweep.groups ? undefined : out;
  }

  #selfStep<M>(
    src: PodClass,
    srcEndpoint: { kind: 'class'; podClass: PodClass },
    label: string,
    targets: readonly StepTarget[],
    collector: BlockedCollector<M>,
    groupFor: (direction: Direction) => { key: string; meta: M },
  ): SelfResult {
    let allowed = 0;
    let blocked = 0;
    const blockedBy = new Set<PolicyRef>();
    const ports = new Set<number>();
    for (const t of targets) {
      if (t.podClass === src) continue; // a pod cannot block access to itself
      const ev = this.#sweep.evaluate(src, t);
      if (ev.allowed) {
        allowed++;
        continue;
      }
      blocked++;
      ports.add(t.port.port);
      if (!ev.egress.allowed) for (const p of ev.egress.isolatedBy) blockedBy.add(p);
      if (!ev.ingress.allowed) for (const p of ev.ingress.isolatedBy) blockedBy.add(p);
      collector.add(
        groupFor,
        { src: srcEndpoint, srcLabel: label, srcKey: label, dst: t.dst, dstLabel: t.dstLabel, dstKey: t.dstKey, port: t.port },
        ev,
      );
    }
    return { allowed, blocked, blockedBy: [...blockedBy], ports: [...ports] };
  }
}

const NONE: readonly never[] = Object.freeze([]);

function summarize(sweep: SweepEvaluator, src: PodClass, targets: readonly SweepTarget[], allAllowed: GroupSummary): GroupSummary {
  // Most groups in an open cluster reach every target: they share one summary (no evaluations kept: none is denied).
  let first = 0;
  while (first < targets.length && sweep.evaluate(src, targets[first]!).allowed) first++;
  if (first === targets.length) return allAllowed;
  const evaluations = new Array<Evaluation>(targets.length);
  let denied: number[] | undefined;
  let blockedBy: PolicyRef[] | undefined;
  let ports: number[] | undefined;
  for (let ti = 0; ti < targets.length; ti++) {
    const ev = sweep.evaluate(src, targets[ti]!);
    evaluations[ti] = ev;
    if (ev.allowed) continue;
    (denied ??= []).push(ti);
    const port = targets[ti]!.port.port;
    if (!(ports ??= []).includes(port)) ports.push(port);
    blockedBy ??= [];
    if (!ev.egress.allowed) addAll(blockedBy, ev.egress.isolatedBy);
    if (!ev.ingress.allowed) addAll(blockedBy, ev.ingress.isolatedBy);
  }
  const blocked = denied?.length ?? 0;
  return {
    evaluations,
    allowed: targets.length - blocked,
    blocked,
    denied: denied ?? NONE,
    blockedBy: blockedBy ?? NONE,
    ports: ports ?? NONE,
  };
}

/** Appends the refs not in `list` yet (lists of a few policies: a scan beats a Set). */
function addAll(list: PolicyRef[], refs: readonly PolicyRef[]): void {
  for (let i = 0; i < refs.length; i++) {
    const p = refs[i]!;
    if (list.indexOf(p) < 0) list.push(p);
  }
}
