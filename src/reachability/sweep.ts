// Shared evaluations for the reachability sweeps (R3, R4): pod classes that no connection can
// tell apart as a source (NetpolIndex.sourceKey) get the same verdict towards every destination,
// and destinations no connection can tell apart (NetpolIndex.destinationKey) get the same verdict
// from every non-hostNetwork source. So a sweep evaluates one representative per (source group,
// destination group, port) and reuses the result; R3 and R4 share one evaluator per run (the
// network model's), so the second check finds the first one's evaluations. The same-pod
// exemption is the caller's (it needs the class).

import type { NetpolIndex } from './netpol/index.ts';
import type { Evaluation, PodClass, PortQuery } from './netpol/types.ts';

/** A destination of a sweep: a class and the port on its pods (a ServiceTarget fits). */
export interface SweepTarget {
  readonly podClass: PodClass;
  readonly port: PortQuery;
}

// Bound on the evaluations kept across targets (references; ~8 bytes each): past it the cache
// starts over. Destination groups make it small in practice (a few per namespace).
const MAX_KEPT = 4_000_000;
const PROTOCOL_INDEX: Record<string, number> = { TCP: 0, UDP: 1, SCTP: 2 };

export class SweepEvaluator {
  readonly #index: NetpolIndex;
  /** Source group of each class of the index, by class id. */
  readonly #groupOf: Int32Array;
  readonly #groups: number;
  /** Destination group of each class, by class id (computed on first use). */
  #destinationOf: Int32Array | undefined;
  /** Per (destination group, protocol, port): the evaluation per source group. */
  readonly #kept = new Map<number, (Evaluation | undefined)[]>();
  #keptCount = 0;
  /** Per target object, for hostNetwork sources (node traffic depends on the destination's nodes); see clear(). */
  readonly #perTarget = new Map<SweepTarget, (Evaluation | undefined)[]>();

  constructor(index: NetpolIndex) {
    this.#index = index;
    this.#groupOf = new Int32Array(index.classes.length);
    const ids = new Map<string, number>();
    for (const cls of index.classes) {
      const key = index.sourceKey(cls);
      let id = ids.get(key);
      if (id === undefined) {
        id = ids.size;
        ids.set(key, id);
      }
      this.#groupOf[cls.id] = id;
    }
    this.#groups = ids.size;
    this.#representative = new Array<PodClass>(ids.size);
    const notPlain: number[] = [];
    for (const cls of index.classes) {
      const group = this.#groupOf[cls.id]!;
      if (this.#representative[group] !== undefined) continue;
      this.#representative[group] = cls;
      if (!index.plainSource(cls)) notPlain.push(group);
    }
    this.#notPlain = notPlain;
  }

  /** A class of each source group. */
  readonly #representative: PodClass[];
  /** Source groups that are not plain sources (NetpolIndex.plainSource): evaluated on their own towards every destination. */
  readonly #notPlain: readonly number[];
  /** Per destination group: the source groups evaluated on their own towards it, or null when they are most of them. */
  readonly #ownOf = new Map<number, readonly number[] | null>();

  /** A class of a source group. */
  representative(group: number): PodClass {
    return this.#representative[group]!;
  }

  /**
   * The source groups whose verdicts towards `dst` may differ from the others' (unsorted; the
   * others all get the same evaluation on any port), or null when they are most of the groups
   * (the sweep then evaluates every group).
   */
  ownGroups(dst: PodClass): readonly number[] | null {
    const key = this.#destinationGroups()[dst.id]!;
    let own = this.#ownOf.get(key);
    if (own === undefined) {
      const set = new Set(this.#notPlain);
      for (const cls of this.#index.namedSources(dst)) set.add(this.#groupOf[cls.id]!);
      own = set.size * 2 > this.#groups ? null : [...set];
      this.#ownOf.set(key, own);
    }
    return own;
  }

  /** How many source groups the index's classes fall into. */
  get groups(): number {
    return this.#groups;
  }

  /** The source group of a class of the index. */
  groupOf(cls: PodClass): number {
    return this.#groupOf[cls.id]!;
  }

  /**
   * Forgets the evaluations kept per target object (hostNetwork sources). A sweep calls it when it
   * is done with a set of targets (a column, a route).
   */
  clear(): void {
    this.#perTarget.clear();
  }

  #destinationGroups(): Int32Array {
    if (this.#destinationOf !== undefined) return this.#destinationOf;
    const of = new Int32Array(this.#index.classes.length);
    const ids = new Map<string, number>();
    for (const cls of this.#index.classes) {
      const key = this.#index.destinationKey(cls);
      let id = ids.get(key);
      if (id === undefined) {
        id = ids.size;
        ids.set(key, id);
      }
      of[cls.id] = id;
    }
    this.#destinationOf = of;
    return of;
  }

  /** `index.evaluate(class src, class target, target port)`, shared by the source's group and the target's destination group. Callers must not mutate the result. */
  evaluate(src: PodClass, target: SweepTarget): Evaluation {
    let byGroup: (Evaluation | undefined)[] | undefined;
    const protocol = PROTOCOL_INDEX[target.port.protocol ?? 'TCP'];
    const port = target.port.port;
    if (!src.hostNetwork && protocol !== undefined && Number.isInteger(port) && port >= 1 && port <= 65535) {
      const key = (this.#destinationGroups()[target.podClass.id]! * 4 + protocol) * 65536 + port;
      byGroup = this.#kept.get(key);
      if (byGroup === undefined) {
        if (this.#keptCount + this.#groups > MAX_KEPT) {
          this.#kept.clear();
          this.#keptCount = 0;
        }
        byGroup = new Array<Evaluation | undefined>(this.#groups);
        this.#kept.set(key, byGroup);
        this.#keptCount += this.#groups;
      }
    } else {
      byGroup = this.#perTarget.get(target);
      if (byGroup === undefined) {
        byGroup = new Array<Evaluation | undefined>(this.#groups);
        this.#perTarget.set(target, byGroup);
      }
    }
    const group = this.#groupOf[src.id]!;
    let ev = byGroup[group];
    if (ev === undefined) {
      ev = this.#index.evaluate({ kind: 'class', podClass: src }, { kind: 'class', podClass: target.podClass }, target.port);
      byGroup[group] = ev;
    }
    return ev;
  }
}
