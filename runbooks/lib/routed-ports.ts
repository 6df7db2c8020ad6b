// What a VirtualService routes, for route-reachability (R4): the pods that apply it (the gateway
// pods of the Gateways it is bound to; for the mesh, the clients of the namespaces it is exported
// to) and each routed (Service, port) with its target pods and ports. DestinationRule subsets are
// not narrowed: every pod of the Service counts, which is what plain (subset-less) routing reaches.

import type { IstioGateway, Service, ServicePort, VirtualService } from '../../src/k8s/objects.ts';
import { matchesLabels } from '../../src/k8s/selectors.ts';
import { routeDestinations } from '../../src/istio/destinations.ts';
import { ServiceIndex } from '../../src/istio/hosts.ts';
import type { MeshNetwork } from '../../src/reachability/network-model.ts';
import type { ServiceTarget } from '../../src/reachability/netpol/service-targets.ts';
import type { PodClass } from '../../src/reachability/netpol/types.ts';
import { fullName, namespaceOf } from './mesh.ts';

/** One routed (Service, port) of a VirtualService, with the route paths that send to it. */
export interface RoutedPort {
  vs: VirtualService;
  service: Service;
  servicePort: ServicePort;
  host: string;
  paths: string[];
  targets: ServiceTarget[];
}

export interface GatewaySource {
  name: string;
  gateway: IstioGateway;
  classes: PodClass[];
}

/** `ns/name` of a VirtualService's gateway reference (a bare name is in the VirtualService's namespace). */
function gatewayKey(vsNamespace: string, ref: string): string {
  return ref.includes('/') ? ref : `${vsNamespace}/${ref}`;
}

export function portText(p: ServicePort): string {
  return `${p.port}/${p.protocol ?? 'TCP'}`;
}

/** A VirtualService's sources and routed ports. */
export interface VirtualServiceRoutes {
  gatewaySources: GatewaySource[];
  /** The mesh clients it applies to (none unless bound to `mesh`), and their exportTo scope (undefined: every namespace). */
  clients: PodClass[];
  scope: ReadonlySet<string> | undefined;
  /** By `namespace/service:port/protocol`; several routes (subsets, weights) to one port are one entry. */
  routed: Map<string, RoutedPort>;
}

/** Resolves VirtualServices against the run's Services, Gateways and pod classes. */
export class RouteResolver {
  readonly #net: MeshNetwork;
  readonly #serviceIndex: ServiceIndex;
  readonly #serviceByKey: Map<string, Service>;
  readonly #gatewayByKey: Map<string, IstioGateway>;
  readonly #meshClients: PodClass[];

  constructor(net: MeshNetwork, services: readonly Service[], gateways: readonly IstioGateway[]) {
    this.#net = net;
    this.#serviceIndex = new ServiceIndex([], services);
    this.#serviceByKey = new Map(services.map((s) => [fullName(s), s]));
    this.#gatewayByKey = new Map(gateways.map((g) => [fullName(g), g]));
    this.#meshClients = net.index.classes.filter((c) => net.isMeshed(c) && !net.isGateway(c) && !c.hostNetwork);
  }

  // Thousands of VirtualServices name a few selectors and scopes: each is matched once.
  readonly #bySelector = new Map<string, PodClass[]>();
  readonly #byScope = new Map<string, PodClass[]>();

  #gatewayClasses(selector: Readonly<Record<string, string>>): PodClass[] {
    const key = JSON.stringify(Object.entries(selector).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    let classes = this.#bySelector.get(key);
    if (classes === undefined) {
      classes = this.#net.index.classes.filter((c) => !c.hostNetwork && matchesLabels(selector, c.labels));
      this.#bySelector.set(key, classes);
    }
    return classes;
  }

  #scopedClients(scope: ReadonlySet<string>): PodClass[] {
    const key = [...scope].sort().join('\u0000');
    let clients = this.#byScope.get(key);
    if (clients === undefined) {
      clients = this.#meshClients.filter((c) => scope.has(c.namespace));
      this.#byScope.set(key, clients);
    }
    return clients;
  }

  routes(vs: VirtualService): VirtualServiceRoutes {
    const net = this.#net;
    const serviceIndex = this.#serviceIndex;
    const serviceByKey = this.#serviceByKey;
    const gatewayByKey = this.#gatewayByKey;
    const vsNs = namespaceOf(vs);
    const refs = vs.spec?.gateways ?? [];
    const meshBound = refs.length === 0 || refs.includes('mesh');
    // Sources: the gateway pods of each bound Gateway (a Gateway's selector matches pods in any namespace).
    const gatewaySources: GatewaySource[] = [];
    for (const ref of refs) {
      if (ref === 'mesh') continue;
      const key = gatewayKey(vsNs, ref);
      const gateway = gatewayByKey.get(key);
      const selector = gateway?.spec?.selector;
      // A missing Gateway or one selecting no pod is reported by virtualservice-gateways and gateway-ports.
      if (gateway === undefined || selector === undefined || Object.keys(selector).length === 0) continue;
      const classes = this.#gatewayClasses(selector);
      if (classes.length > 0) gatewaySources.push({ name: key, gateway, classes });
    }
    // The mesh clients the route applies to: exportTo (default: everywhere), `.` = the VirtualService's namespace.
    const exportTo = vs.spec?.exportTo ?? [];
    const scope = exportTo.length === 0 || exportTo.includes('*') ? undefined : new Set(exportTo.map((e) => (e === '.' ? vsNs : e)));
    const clients = !meshBound ? [] : scope === undefined ? this.#meshClients : this.#scopedClients(scope);

    // The routed (Service, port) pairs; several routes (subsets, weights) to one port are one pair.
    const routed = new Map<string, RoutedPort>();
    for (const d of routeDestinations(vs)) {
      const host = d.destination.host;
      if (host === undefined || host === '') continue;
      const found = serviceIndex.lookup(vsNs, vs.spec?.exportTo, host);
      if (found === undefined || found.source.kind !== 'Service') continue; // ServiceEntries and unknown hosts: not pods we can evaluate
      const service = serviceByKey.get(`${found.source.namespace}/${found.source.name}`);
      if (service === undefined) continue;
      const number = d.destination.port?.number;
      const ports = (service.spec?.ports ?? []).filter((p) => number === undefined || p.port === number);
      const { targets } = net.serviceTargets(service); // computed once per Service (and shared with R3)
      for (const servicePort of ports) {
        const key = `${fullName(service)}:${portText(servicePort)}`;
        const entry = routed.get(key) ?? {
          vs,
          service,
          servicePort,
          host,
          paths: [],
          targets: targets.filter((t) => t.servicePort === servicePort),
        };
        entry.paths.push(d.path);
        routed.set(key, entry);
      }
    }
    return { gatewaySources, clients, scope, routed };
  }
}
