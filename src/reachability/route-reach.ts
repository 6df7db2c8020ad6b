// R4's questions, for one routed Service port at a time: which pods of a gateway are dropped on
// the way to its targets, and which mesh clients are, with the clients that get through. Mesh
// clients are swept as one ColumnSweep per exportTo scope (built once, reused across routes);
// every sweep shares the model's evaluations, so routes to the same targets cost one evaluation
// per source group.

import { BlockedCollector, MemberUnions, type BlockedGroup } from './blocked/index.ts';
import { ColumnSweep, type StepTarget } from './column-sweep.ts';
import type { NetworkModel } from './network-model.ts';
import type { ServiceTarget } from './netpol/service-targets.ts';
import type { PodClass } from './netpol/types.ts';

export interface ClientReach {
  groups: BlockedGroup<null>[];
  /** The client workloads none of whose classes is blocked, unsorted. */
  reachable: string[];
  /** Every client workload of the scope. */
  clients: ReadonlySet<string>;
}

interface ScopeSweep {
  sweep: ColumnSweep;
  labels: ReadonlySet<string>;
  sourcesByLabel: ReadonlyMap<string, number[]>;
}

export class RouteReach {
  readonly #net: NetworkModel;
  readonly #unions = new MemberUnions();
  readonly #scopes = new Map<string, ScopeSweep>();

  constructor(net: NetworkModel) {
    this.#net = net;
  }

  #targets(targets: readonly ServiceTarget[]): StepTarget[] {
    // Evaluations kept per target object (hostNetwork sources) die with these targets.
    this.#net.sweep.clear();
    return targets.flatMap((t) => {
      const dstLabel = this.#net.workloadOf(t.podClass);
      return this.#net
        .hops({ from: 'sidecar', to: t.podClass, port: t.port, purpose: 'service' })
        .map((hop) => ({ podClass: t.podClass, port: hop.port, dst: hop.to, dstLabel, dstKey: dstLabel }));
    });
  }

  /** The connections from `sources` (a gateway's pods) to `targets` that are dropped, grouped under `key`. */
  blockedFrom<M>(sources: readonly PodClass[], targets: readonly ServiceTarget[], key: string, meta: M): BlockedGroup<M>[] {
    const net = this.#net;
    const collector = new BlockedCollector<M>(net.index);
    const group = { key, meta };
    const steps = this.#targets(targets);
    for (const src of sources) {
      const srcLabel = net.workloadOf(src);
      const srcEndpoint = { kind: 'class', podClass: src } as const;
      for (const t of steps) {
        collector.add(
          () => group,
          { src: srcEndpoint, srcLabel, srcKey: srcLabel, dst: t.dst, dstLabel: t.dstLabel, dstKey: t.dstKey, port: t.port },
          net.sweep.evaluate(src, t),
        );
      }
    }
    return collector.groups();
  }

  /**
   * The mesh clients of one exportTo scope (`scopeKey` names it; `clients` are its classes, the
   * same for the same key) against `targets`: a client is blocked when some target drops it.
   */
  clients(scopeKey: string, clients: readonly PodClass[], targets: readonly ServiceTarget[], key: string): ClientReach {
    const mesh = this.#scope(scopeKey, clients);
    const collector = new BlockedCollector<null>(this.#net.index, this.#unions);
    const group = { key, meta: null };
    const step = mesh.sweep.run(this.#targets(targets), collector, () => group);
    const { self } = step;
    const blocked = (i: number): boolean => {
      const own = self.get(i);
      return own === undefined ? step.summaryOf(mesh.sweep.groupOf(i))!.denied.length > 0 : own.blocked > 0;
    };
    // The clients that reach it: workloads none of whose classes is blocked (few: look among the unblocked ones only).
    const candidates = new Set<string>();
    const open = (g: number): void => {
      for (const i of mesh.sweep.sourcesOf(g)) if (!self.has(i)) candidates.add(mesh.sweep.labelOf(i));
    };
    for (const [g, s] of step.own) if (s !== undefined && s.denied.length === 0) open(g);
    if (step.shared !== undefined && step.shared.denied.length === 0)
      for (const g of mesh.sweep.groupsWithSources()) if (!step.own.has(g)) open(g);
    for (const [i, own] of self) if (own.blocked === 0) candidates.add(mesh.sweep.labelOf(i));
    const reachable = [...candidates].filter((label) => !mesh.sourcesByLabel.get(label)!.some(blocked));
    return { groups: reachable.length === mesh.labels.size ? [] : collector.groups(), reachable, clients: mesh.labels };
  }

  #scope(scopeKey: string, clients: readonly PodClass[]): ScopeSweep {
    let entry = this.#scopes.get(scopeKey);
    if (entry === undefined) {
      const labels = clients.map((c) => this.#net.workloadOf(c));
      const sourcesByLabel = new Map<string, number[]>();
      labels.forEach((label, i) => {
        const list = sourcesByLabel.get(label);
        if (list === undefined) sourcesByLabel.set(label, [i]);
        else list.push(i);
      });
      entry = { sweep: new ColumnSweep(this.#net.sweep, clients, labels, this.#unions), labels: new Set(labels), sourcesByLabel };
      this.#scopes.set(scopeKey, entry);
    }
    return entry;
  }
}
