// Shared evaluations for the reachability sweeps (R3, R4): pod classes that no connection can
// tell apart as a source (NetpolIndex.sourceKey) get the same verdict towards every destination,
// so a sweep evaluates one representative per source key and target and reuses the result for
// the other classes of the key. The same-pod exemption is the caller's (it needs the class).

import type { NetpolIndex } from '../netpol/index.ts';
import type { Evaluation, PodClass, PortQuery } from '../netpol/types.ts';

/** A destination of a sweep: a class and the port on its pods (a ServiceTarget fits). */
export interface SweepTarget {
  readonly podClass: PodClass;
  readonly port: PortQuery;
}

export class SweepEvaluator {
  readonly #index: NetpolIndex;
  /** Source group of each class of the index, by class id. */
  readonly #groupOf: Int32Array;
  readonly #groups: number;
  /** Per target object: the evaluation per source group, filled lazily; see clear(). */
  readonly #cache = new Map<SweepTarget, (Evaluation | undefined)[]>();

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
   * Forgets the evaluations. A sweep calls it when it is done with a set of targets (a column, a
   * route): kept for all targets, groups × targets evaluations would stay alive to the end.
   */
  clear(): void {
    this.#cache.clear();
  }

  /** `index.evaluate(class src, class target, target port)`, shared by the source's group. Callers must not mutate the result. */
  evaluate(src: PodClass, target: SweepTarget): Evaluation {
    let byGroup = this.#cache.get(target);
    if (byGroup === undefined) {
      byGroup = new Array<Evaluation | undefined>(this.#groups);
      this.#cache.set(target, byGroup);
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
