// R5's question: which control-plane connections (proxies → istiod, the API server → a webhook,
// Prometheus → a metrics port) do NetworkPolicies drop, grouped by the policy to change. Each
// connection goes through the data plane of its destination (its hops) like any other.

import { BlockedCollector, type BlockedGroup } from './blocked/index.ts';
import type { DataPlaneMode } from './data-plane.ts';
import type { NetworkModel } from './network-model.ts';
import type { Endpoint, PodClass, PortQuery } from './netpol/types.ts';

/** Who opens a control connection, as findings name it. */
export interface ControlSource {
  endpoint: Endpoint;
  label: string;
  /** Equal for sources a rule would name the same way. */
  key: string;
  from: DataPlaneMode | 'outside';
}

/** Control connections to one destination class on one port, grouped under `key`. */
export interface ControlFlow<M> {
  key: string;
  meta: M;
  to: PodClass;
  port: PortQuery;
  sources: Iterable<ControlSource>;
}

/** A pod class as the source of control traffic. */
export function classSource(net: NetworkModel, cls: PodClass): ControlSource {
  const label = net.workloadOf(cls);
  return { endpoint: { kind: 'class', podClass: cls }, label, key: label, from: net.dataPlaneOf(cls) };
}

/** An address outside the pod network (the API server) as the source of control traffic. */
export function addressSource(ip: string, label: string): ControlSource {
  return { endpoint: { kind: 'ip', ip }, label, key: ip, from: 'outside' };
}

/** The dropped connections of `flows`, grouped by (flow key, direction, policy to change), in flow order. */
export function blockedControlTraffic<M>(net: NetworkModel, flows: Iterable<ControlFlow<M>>): BlockedGroup<M>[] {
  const collector = new BlockedCollector<M>(net.index);
  for (const flow of flows) {
    const group = { key: flow.key, meta: flow.meta };
    const dstLabel = net.workloadOf(flow.to);
    for (const src of flow.sources) {
      for (const hop of net.hops({ from: src.from, to: flow.to, port: flow.port, purpose: 'control' })) {
        const conn = { src: src.endpoint, srcLabel: src.label, srcKey: src.key, dst: hop.to, dstLabel, dstKey: dstLabel, port: hop.port };
        collector.add(() => group, conn, net.index.evaluate(src.endpoint, hop.to, hop.port));
      }
    }
  }
  return collector.groups();
}

/** Whether any of `addresses` (outside the pod network) gets through to `to` on `port`, on every hop. */
export function reachableFromOutside(net: NetworkModel, addresses: readonly string[], to: PodClass, port: PortQuery): boolean {
  const hops = net.hops({ from: 'outside', to, port, purpose: 'control' });
  return addresses.some((ip) => hops.every((hop) => net.index.evaluate({ kind: 'ip', ip }, hop.to, hop.port).allowed));
}
