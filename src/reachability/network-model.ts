// The network model of one run: the NetworkPolicy evaluator's index over the live pods, with the
// mesh facts the reachability checks (R3–R5) ask about — which pod classes are meshed, the data
// plane of each, the workload each class belongs to (the name operators know, not a pod name that
// changes every rollout) — and the answers several checks need: each Service's targets, the
// shared sweep evaluations, the hops of a connection. Built once per run (src/reachability/
// context.ts); Gateways classify on top of it (MeshNetwork), since R5 does not read them.

import type { IstioGateway, Namespace, NetworkPolicy, Pod, Service } from '../k8s/objects.ts';
import { namespaceOf } from '../k8s/names.ts';
import { matchesLabels } from '../k8s/selectors.ts';
import {
  GATEWAY_NAME_LABEL,
  INGRESS_USE_WAYPOINT_LABEL,
  isAmbientPod,
  isCniNodePod,
  isWaypointPod,
  isZtunnelPod,
  waypointFor,
  waypointRef,
} from '../mesh/ambient.ts';
import { gatewaySelectors, hasProxy, isLivePod, isMeshedPod, isRouterProxy, meshNamespaceNames } from '../mesh/meshed.ts';
import { DATA_PLANES, type ConnectionRequest, type DataPlaneMode, type Hop, type HopPurpose, type Waypoint } from './data-plane.ts';
import { explain, type Explanation } from './explain.ts';
import { buildNetpolIndex, serviceTargets, type NetpolIndex } from './netpol/index.ts';
import type { ServiceTargets } from './netpol/service-targets.ts';
import type { Endpoint, PodClass, PortQuery } from './netpol/types.ts';
import { SweepEvaluator } from './sweep.ts';

export interface NetworkModelInput {
  pods: readonly Pod[];
  namespaces: readonly Namespace[];
  policies: readonly NetworkPolicy[];
}

export interface NetworkModel {
  readonly index: NetpolIndex;
  /** Evaluations shared by every sweep over this model (source and destination groups). */
  readonly sweep: SweepEvaluator;
  /** Namespaces whose labels put them in the mesh. */
  readonly meshNamespaces: ReadonlySet<string>;
  /** Classes with at least one meshed pod (sidecars, gateways, ambient pods, and pods of mesh namespaces); never ambient infrastructure. */
  isMeshed(cls: PodClass): boolean;
  /** How the class's traffic is carried (a meshed class without a proxy yet gets one at its next restart). */
  dataPlaneOf(cls: PodClass): DataPlaneMode;
  /** The ambient infrastructure a class is (ztunnel, istio-cni node agent, waypoint), never an application endpoint. */
  ambientRole(cls: PodClass): AmbientRole | undefined;
  /** Whether some live pod is enrolled in ambient (the ambient hops and checks apply). */
  readonly hasAmbient: boolean;
  /**
   * The waypoint a request through `service` to `destination` goes through: the Service's
   * `istio.io/use-waypoint`, else its namespace's (`none` opts out); undefined for destinations
   * that are not ambient or not bound.
   */
  waypointOf(service: Service | undefined, destination: PodClass, fromGateway?: boolean): Waypoint | undefined;
  /** `namespace/workload` of a class: its pods' Deployment (or other owner), else its app label. */
  workloadOf(cls: PodClass): string;
  /** The (class, target port) pairs behind a Service's ports, computed once per Service. Do not mutate. */
  serviceTargets(service: Service): ServiceTargets;
  /**
   * The L4 hops of a request, by the destination's data plane; `service` (the Service addressed)
   * picks the waypoint, which a gateway's request (`fromGateway`) takes only where the Service or
   * its namespace says `istio.io/ingress-use-waypoint: "true"`.
   */
  hops(request: ConnectionRequest, service?: Service, fromGateway?: boolean): readonly Hop[];
  /** The verdict chain of one connection (src/reachability/explain.ts); `service` as for hops. */
  explain(source: Endpoint, destination: PodClass, port: PortQuery, purpose?: HopPurpose, service?: Service): Explanation;
}

/** Ambient mode's infrastructure pods: mesh machinery, not workloads. */
export type AmbientRole = 'ztunnel' | 'cni' | 'waypoint';

const ROLE_CODE: Record<AmbientRole, number> = { ztunnel: 1, cni: 2, waypoint: 3 };
const ROLE_OF: readonly (AmbientRole | undefined)[] = [undefined, 'ztunnel', 'cni', 'waypoint'];

function roleOf(pod: Pod): AmbientRole | undefined {
  if (isZtunnelPod(pod)) return 'ztunnel';
  if (isCniNodePod(pod)) return 'cni';
  if (isWaypointPod(pod)) return 'waypoint';
  return undefined;
}

/** The model with the Gateways of the run: which classes are gateway proxies. */
export interface MeshNetwork extends NetworkModel {
  /** Classes of gateway proxies (they send only what their routes say). */
  isGateway(cls: PodClass): boolean;
}

/**
 * The workload a pod belongs to: the Deployment behind its ReplicaSet (the pod-template-hash cut
 * off), its StatefulSet, DaemonSet or Job, else its app label, else the pod's own name.
 */
export function workloadName(pod: Pod): string {
  const owner = pod.metadata.ownerReferences?.find((o) => o.controller === true) ?? pod.metadata.ownerReferences?.[0];
  const hash = pod.metadata.labels?.['pod-template-hash'];
  if (owner?.name !== undefined && owner.name !== '') {
    if (owner.kind === 'ReplicaSet') {
      if (hash !== undefined && owner.name.endsWith(`-${hash}`)) return owner.name.slice(0, -hash.length - 1);
      const cut = owner.name.lastIndexOf('-');
      return cut > 0 ? owner.name.slice(0, cut) : owner.name;
    }
    return owner.name;
  }
  // No owner references (hand-written snapshots): `<deployment>-<hash>-<suffix>`.
  if (hash !== undefined) {
    const at = pod.metadata.name.indexOf(`-${hash}-`);
    if (at > 0) return pod.metadata.name.slice(0, at);
  }
  const labels = pod.metadata.labels ?? {};
  return labels['app.kubernetes.io/name'] ?? labels.app ?? pod.metadata.name;
}

/** Builds the evaluator index over live pods (Succeeded and Failed pods hold no IP) and classifies its classes. */
export function buildNetworkModel(input: NetworkModelInput): NetworkModel {
  const index = buildNetpolIndex({ pods: input.pods.filter(isLivePod), namespaces: input.namespaces, policies: input.policies });
  const meshNamespaces = meshNamespaceNames(input.namespaces);
  const namespaces = new Map(input.namespaces.map((n) => [n.metadata.name, n]));
  const meshed = new Uint8Array(index.classes.length);
  const proxied = new Uint8Array(index.classes.length);
  const ambientClass = new Uint8Array(index.classes.length);
  const role = new Uint8Array(index.classes.length);
  const workloads: string[] = new Array<string>(index.classes.length);
  // Waypoint pod classes by `namespace/gateway name` (the Gateway API label on a Gateway's pods).
  const waypoints = new Map<string, PodClass[]>();
  let hasAmbient = false;
  for (const cls of index.classes) {
    const r = cls.pods.map(roleOf).find((x) => x !== undefined);
    if (r !== undefined) {
      // Infrastructure is never a mesh endpoint: its pods carry istio-proxy, but they are the mesh.
      role[cls.id] = ROLE_CODE[r];
      const gateway = cls.labels[GATEWAY_NAME_LABEL];
      if (r === 'waypoint' && gateway !== undefined) {
        const key = `${cls.namespace}/${gateway}`;
        waypoints.set(key, [...(waypoints.get(key) ?? []), cls]);
      }
    } else {
      const ns = namespaces.get(cls.namespace);
      const ambientPods = cls.pods.some((p) => isAmbientPod(p, ns));
      ambientClass[cls.id] = ambientPods ? 1 : 0;
      hasAmbient ||= ambientPods;
      meshed[cls.id] = ambientPods || cls.pods.some((p) => isMeshedPod(p, meshNamespaces)) ? 1 : 0;
    }
    proxied[cls.id] = cls.pods.some(hasProxy) ? 1 : 0;
    const names = [...new Set(cls.pods.map(workloadName))].sort();
    workloads[cls.id] = `${cls.namespace}/${names.join('+')}`;
  }
  const known = (cls: PodClass): boolean => cls.id >= 0 && index.classes[cls.id] === cls;
  const targets = new Map<Service, ServiceTargets>();
  const waypointCache = new Map<string, Waypoint | undefined>();
  const waypointNamed = (namespace: string, name: string): Waypoint | undefined => {
    const key = `${namespace}/${name}`;
    if (waypointCache.has(key)) return waypointCache.get(key);
    // A waypoint labelled for workload traffic only (istio.io/waypoint-for on its pods) does not take Service requests.
    const classes = (waypoints.get(key) ?? []).filter((c) => {
      const serves = waypointFor(c.pods[0]!);
      return serves === 'service' || serves === 'all';
    });
    const found = classes.length === 0 ? undefined : { name: key, classes };
    waypointCache.set(key, found);
    return found;
  };
  let sweep: SweepEvaluator | undefined;
  return {
    index,
    get sweep() {
      return (sweep ??= new SweepEvaluator(index));
    },
    meshNamespaces,
    hasAmbient,
    isMeshed: (cls) => known(cls) && meshed[cls.id] === 1,
    // Meshed pods without a proxy yet are in a mesh namespace: their sidecar comes at the next restart.
    dataPlaneOf: (cls) => {
      if (!known(cls)) return cls.pods.some(hasProxy) ? 'sidecar' : 'none';
      if (role[cls.id] !== 0) return 'none';
      if (proxied[cls.id] === 1) return 'sidecar';
      if (ambientClass[cls.id] === 1) return 'ambient';
      return meshed[cls.id] === 1 ? 'sidecar' : 'none';
    },
    ambientRole: (cls) => (known(cls) ? ROLE_OF[role[cls.id]!] : undefined),
    waypointOf(service, destination, fromGateway = false) {
      if (service === undefined || this.dataPlaneOf(destination) !== 'ambient') return undefined;
      const ns = namespaces.get(namespaceOf(service));
      if (
        fromGateway &&
        service.metadata.labels?.[INGRESS_USE_WAYPOINT_LABEL] !== 'true' &&
        ns?.metadata.labels?.[INGRESS_USE_WAYPOINT_LABEL] !== 'true'
      )
        return undefined;
      const ref = waypointRef(service) ?? (ns === undefined ? undefined : waypointRef(ns));
      if (ref === undefined || ref.name === 'none') return undefined;
      return waypointNamed(ref.namespace, ref.name);
    },
    workloadOf: (cls) => (known(cls) ? workloads[cls.id]! : `${cls.namespace}/${workloadName(cls.pods[0]!)}`),
    serviceTargets(service) {
      let found = targets.get(service);
      if (found === undefined) {
        found = serviceTargets(index, service);
        targets.set(service, found);
      }
      return found;
    },
    hops(request, service, fromGateway) {
      const waypoint = request.waypoint ?? (hasAmbient ? this.waypointOf(service, request.to, fromGateway) : undefined);
      return DATA_PLANES[this.dataPlaneOf(request.to)].hops(waypoint === undefined ? request : { ...request, waypoint });
    },
    explain(source, destination, port, purpose, service) {
      return explain(this, source, destination, port, purpose, service);
    },
  };
}

/** The model with its classes classified against the run's Gateways. */
export function withGateways(model: NetworkModel, gateways: readonly IstioGateway[]): MeshNetwork {
  const { index } = model;
  const selectors = gatewaySelectors(gateways);
  const gateway = new Uint8Array(index.classes.length);
  // A class's pods share their labels: match the Gateways' selectors once per class.
  for (const cls of index.classes)
    gateway[cls.id] = cls.pods.some(isRouterProxy) || selectors.some((selector) => matchesLabels(selector, cls.labels)) ? 1 : 0;
  const known = (cls: PodClass): boolean => cls.id >= 0 && index.classes[cls.id] === cls;
  return Object.assign(Object.create(model) as NetworkModel, { isGateway: (cls: PodClass) => known(cls) && gateway[cls.id] === 1 });
}

/** buildNetworkModel and withGateways in one, for callers outside a run (tests, scripts). */
export function buildMeshNetwork(input: NetworkModelInput & { gateways?: readonly IstioGateway[] }): MeshNetwork {
  return withGateways(buildNetworkModel(input), input.gateways ?? []);
}
