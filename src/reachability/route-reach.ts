// R4's questions, for one routed Service port at a time: which pods of a gateway are dropped on
// the way to its targets, and which mesh clients are, with the clients that get through. Mesh
// clients are swept as one ColumnSweep per exportTo scope (built once, reused across routes);
// every sweep shares the model's evaluations, so routes to the same targets cost one evaluation
// per source group.

import type { Service } from '../k8s/objects.ts';
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

  /** The hops the sources' requests make to `targets` (a waypoint's own hops on left out: #waypointGroups). */
  #targets(targets: readonly ServiceTarget[], from: 'sidecar' | 'ambient', service?: Service, fromGateway = false): StepTarget[] {
    // Evaluations kept per target object (hostNetwork sources) die with these targets.
    this.#net.sweep.clear();
    return targets.flatMap((t) => {
      const dstLabel = this.#net.workloadOf(t.podClass);
      return this.#net
        .hops({ from, to: t.podClass, port: t.port, purpose: 'service' }, service, fromGateway)
        .filter((hop) => hop.from === undefined)
        .map((hop) => {
          const to = hop.to.kind === 'class' ? hop.to.podClass : t.podClass;
          const key = to === t.podClass ? dstLabel : this.#net.workloadOf(to);
          return { podClass: to, port: hop.port, dst: hop.to, dstLabel: key, dstKey: key };
        });
    });
  }

  /** The waypoint's hops on to `targets` (the same for every client), dropped ones grouped under `key`. */
  #waypointGroups<M>(
    targets: readonly ServiceTarget[],
    key: string,
    meta: M,
    service: Service | undefined,
    fromGateway: boolean,
  ): BlockedGroup<M>[] {
    const net = this.#net;
    if (!net.hasAmbient || service === undefined) return [];
    const collector = new BlockedCollector<M>(net.index);
    const group = { key, meta };
    for (const t of targets) {
      const dstLabel = net.workloadOf(t.podClass);
      for (const hop of net.hops({ from: 'sidecar', to: t.podClass, port: t.port, purpose: 'service' }, service, fromGateway)) {
        if (hop.from === undefined) continue;
        const srcKey = hop.from.endpoint.kind === 'class' ? net.workloadOf(hop.from.endpoint.podClass) : hop.from.label;
        collector.add(
          () => group,
          { src: hop.from.endpoint, srcLabel: hop.from.label, srcKey, dst: hop.to, dstLabel, dstKey: dstLabel, port: hop.port },
          net.index.evaluate(hop.from.endpoint, hop.to, hop.port),
        );
      }
    }
    return collector.groups();
  }

  /**
   * The connections from `sources` (a gateway's pods) to `targets` that are dropped, grouped under
   * `key`; `service` (the routed Service) decides whether the requests go through a waypoint.
   */
  blockedFrom<M>(
    sources: readonly PodClass[],
    targets: readonly ServiceTarget[],
    key: string,
    meta: M,
    service?: Service,
  ): BlockedGroup<M>[] {
    const net = this.#net;
    const collector = new BlockedCollector<M>(net.index);
    const group = { key, meta };
    const steps = this.#targets(targets, 'sidecar', service, true);
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
    return [...collector.groups(), ...this.#waypointGroups(targets, key, meta, service, true)];
  }

  /**
   * The mesh clients of one exportTo scope (`scopeKey` names it; `clients` are its classes, the
   * same for the same key) against `targets`: a client is blocked when some target drops it, or
   * when the waypoint its requests go through cannot reach a target (then every client is).
   */
  clients(scopeKey: string, clients: readonly PodClass[], targets: readonly ServiceTarget[], key: string, service?: Service): ClientReach {
    const net = this.#net;
    const ambient = net.hasAmbient ? clients.filter((c) => net.dataPlaneOf(c) === 'ambient') : [];
    const waypoint = this.#waypointGroups(targets, key, null, service, false);
    if (ambient.length === 0 && waypoint.length === 0) return this.#clientsFrom('sidecar', scopeKey, clients, targets, key, service);
    // Sidecar and ambient clients reach the targets on different ports: one sweep each.
    const ambientSet = new Set(ambient);
    const sidecars = clients.filter((c) => !ambientSet.has(c));
    const parts = [
      ...(sidecars.length > 0 ? [this.#clientsFrom('sidecar', `${scopeKey}\u0000sidecar`, sidecars, targets, key, service)] : []),
      ...(ambient.length > 0 ? [this.#clientsFrom('ambient', `${scopeKey}\u0000ambient`, ambient, targets, key, service)] : []),
    ];
    const all = new Set<string>();
    const blocked = new Set<string>();
    for (const p of parts) {
      const reached = new Set(p.reachable);
      for (const label of p.clients) {
        all.add(label);
        if (!reached.has(label)) blocked.add(label);
      }
    }
    const reachable = waypoint.length > 0 ? [] : [...all].filter((label) => !blocked.has(label));
    const groups = reachable.length === all.size ? [] : [...parts.flatMap((p) => p.groups), ...waypoint];
    return { groups, reachable, clients: all };
  }

  #clientsFrom(
    from: 'sidecar' | 'ambient',
    scopeKey: string,
    clients: readonly PodClass[],
    targets: readonly ServiceTarget[],
    key: string,
    service: Service | undefined,
  ): ClientReach {
    const mesh = this.#scope(scopeKey, clients);
    const collector = new BlockedCollector<null>(this.#net.index, this.#unions);
    const group = { key, meta: null };
    const step = mesh.sweep.run(this.#targets(targets, from, service), collector, () => group);
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
