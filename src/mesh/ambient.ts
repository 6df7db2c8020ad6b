// Ambient mode's vocabulary, shared by the ambient checks and the reachability engine: which pods
// are ztunnel, istio-cni and waypoint infrastructure (never application workloads), which pods are
// enrolled in ambient, and how Services and pods are bound to waypoints. The label, annotation and
// port names are Istio's (istio/api `label/` and `annotation/`, the ztunnel and istio-cni charts,
// the waypoint deployment template); keep them here so no check spells them twice.

import type { KubeObject, Namespace, Pod } from '../k8s/objects.ts';
import { namespaceOf } from '../k8s/names.ts';

/** Namespace or pod label that enrolls workloads in ambient (`ambient`) or opts a pod out (`none`). */
export const DATAPLANE_MODE_LABEL = 'istio.io/dataplane-mode';
/** Annotation istio-cni writes on a pod once its traffic is redirected to ztunnel. */
export const REDIRECTION_ANNOTATION = 'ambient.istio.io/redirection';
/** Label on a namespace, Service or pod naming the waypoint its traffic goes through. */
export const USE_WAYPOINT_LABEL = 'istio.io/use-waypoint';
/** Label naming the namespace of that waypoint, when it is not the resource's own. */
export const USE_WAYPOINT_NAMESPACE_LABEL = 'istio.io/use-waypoint-namespace';
/** Label on a Service or namespace (`true`) that sends ingress gateways' traffic through its waypoint too; gateways skip waypoints otherwise. */
export const INGRESS_USE_WAYPOINT_LABEL = 'istio.io/ingress-use-waypoint';
/** Label on a waypoint Gateway: which traffic it serves (`service` when absent). */
export const WAYPOINT_FOR_LABEL = 'istio.io/waypoint-for';
/** The GatewayClass of Istio's waypoints. */
export const WAYPOINT_GATEWAY_CLASS = 'istio-waypoint';
/** Label Gateway API controllers put on the pods of a Gateway's deployment. */
export const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';

/** Pod label (`http`) saying the pod terminates HBONE itself (sidecars that do): ztunnel tunnels to it, else it sends plaintext. */
export const TUNNEL_LABEL = 'networking.istio.io/tunnel';
/** HBONE: the mTLS tunnel port ztunnel and waypoints accept mesh traffic on. */
export const HBONE_PORT = 15008;
/** istiod's xDS and CA port, which ztunnel dials. */
export const ISTIOD_XDS_PORT = 15012;
/** The readiness port of ztunnel and waypoint pods, probed by the kubelet. */
export const READINESS_PORT = 15021;
/** The source address of kubelet probes to ambient pods after istio-cni's SNAT (IPv4 and IPv6). */
export const PROBE_SOURCE_IPV4 = '169.254.7.127';
export const PROBE_SOURCE_IPV6 = 'fd16:9254:7127:1337:ffff:ffff:ffff:ffff';

export type WaypointFor = 'service' | 'workload' | 'all' | 'none';
const WAYPOINT_FOR_VALUES: ReadonlySet<string> = new Set<WaypointFor>(['service', 'workload', 'all', 'none']);

/** The `proxy <role>` the istio-proxy container of an Istio-built pod runs (`ztunnel`, `waypoint`, `router`, `sidecar`). */
export function proxyRole(pod: Pod): string | undefined {
  const proxy = (pod.spec?.containers ?? []).find((c) => c?.name === 'istio-proxy') as { args?: unknown } | undefined;
  const args = proxy?.args;
  if (!Array.isArray(args) || args[0] !== 'proxy' || typeof args[1] !== 'string') return undefined;
  return args[1];
}

/** A ztunnel pod: the ztunnel DaemonSet's (`app: ztunnel`), whose container is also named istio-proxy. */
export function isZtunnelPod(pod: Pod): boolean {
  return proxyRole(pod) === 'ztunnel' || pod.metadata.labels?.app === 'ztunnel';
}

/** An istio-cni node agent pod (`k8s-app: istio-cni-node`). */
export function isCniNodePod(pod: Pod): boolean {
  return pod.metadata.labels?.['k8s-app'] === 'istio-cni-node';
}

/** A waypoint proxy pod: its istio-proxy runs `proxy waypoint`. */
export function isWaypointPod(pod: Pod): boolean {
  return proxyRole(pod) === 'waypoint';
}

/** Mesh infrastructure of ambient mode: never an application workload. */
export function isAmbientInfrastructurePod(pod: Pod): boolean {
  return isZtunnelPod(pod) || isCniNodePod(pod) || isWaypointPod(pod);
}

/** Whether a namespace enrolls its pods in ambient. */
export function namespaceIsAmbient(ns: Namespace | undefined): boolean {
  return ns?.metadata.labels?.[DATAPLANE_MODE_LABEL] === 'ambient';
}

/**
 * Whether a pod's traffic is (or will be, at its next start) carried by ztunnel: enrolled by its own
 * label or its namespace's, not opted out with `istio.io/dataplane-mode=none`, without a sidecar, not
 * on the host network, and not ambient infrastructure itself. istio-cni's annotation also counts:
 * it is what the node agent writes once it redirected the pod.
 */
export function isAmbientPod(pod: Pod, namespace: Namespace | undefined): boolean {
  if (pod.spec?.hostNetwork === true || isAmbientInfrastructurePod(pod)) return false;
  if (pod.metadata.annotations?.[REDIRECTION_ANNOTATION] === 'enabled') return true;
  const own = pod.metadata.labels?.[DATAPLANE_MODE_LABEL];
  if (own === 'none') return false;
  if (hasSidecar(pod)) return false;
  return own === 'ambient' || namespaceIsAmbient(namespace);
}

function hasSidecar(pod: Pod): boolean {
  return [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].some((c) => c?.name === 'istio-proxy');
}

/** The `istio.io/waypoint-for` of a waypoint Gateway (`service` when absent; undefined for a value Istio does not know). */
export function waypointFor(gateway: KubeObject): WaypointFor | undefined {
  const value = gateway.metadata.labels?.[WAYPOINT_FOR_LABEL] ?? 'service';
  return WAYPOINT_FOR_VALUES.has(value) ? (value as WaypointFor) : undefined;
}

/** The waypoint a resource asks for by label, as namespace and name; `none` means "no waypoint". */
export function waypointRef(obj: KubeObject): { namespace: string; name: string } | undefined {
  const labels = obj.metadata.labels ?? {};
  const name = labels[USE_WAYPOINT_LABEL];
  if (name === undefined || name === '') return undefined;
  const namespace = labels[USE_WAYPOINT_NAMESPACE_LABEL] ?? (obj.kind === 'Namespace' ? obj.metadata.name : namespaceOf(obj));
  return { namespace, name };
}
