// Which pods are in the mesh, and which of them are gateways, for the reachability checks
// (R3–R5). A pod is meshed when it runs an istio-proxy, or when its namespace asks for sidecars
// (or ambient) and it did not opt out: such a pod gets a proxy at its next restart, and its
// traffic is mesh traffic as far as NetworkPolicy is concerned (pod IP → targetPort either way).

// ztunnel and waypoint pods also run a container named istio-proxy, and istio-cni's node agent
// lives beside them: all three are mesh infrastructure, never application workloads, so none of
// them counts as a meshed pod or as a pod with a sidecar.

import type { IstioGateway, Namespace, Pod } from '../k8s/objects.ts';
import { matchesLabels } from '../k8s/selectors.ts';
import { namespaceOf } from '../k8s/names.ts';
import { isAmbientInfrastructurePod } from './ambient.ts';

const PROXY = 'istio-proxy';

/** Whether a namespace's labels ask for sidecar injection or ambient mode. */
export function namespaceInMesh(ns: Namespace): boolean {
  const labels = ns.metadata.labels ?? {};
  const injection = labels['istio-injection'];
  if (injection === 'enabled') return true;
  if (injection === 'disabled') return false;
  return (labels['istio.io/rev'] !== undefined && labels['istio.io/rev'] !== '') || labels['istio.io/dataplane-mode'] === 'ambient';
}

/** An application workload: not ztunnel, istio-cni or a waypoint (whose containers would otherwise look like a sidecar). */
export function isApplicationPod(pod: Pod): boolean {
  return !isAmbientInfrastructurePod(pod);
}

/**
 * A sidecar or gateway proxy: an istio-proxy container, in containers or (native sidecars)
 * initContainers, on a pod that is not ambient infrastructure.
 */
export function hasProxy(pod: Pod): boolean {
  return isApplicationPod(pod) && [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].some((c) => c?.name === PROXY);
}

/** Whether the pod opted out of injection (label or annotation sidecar.istio.io/inject=false). */
function optedOut(pod: Pod): boolean {
  return pod.metadata.labels?.['sidecar.istio.io/inject'] === 'false' || pod.metadata.annotations?.['sidecar.istio.io/inject'] === 'false';
}

/** Pods that still hold an IP: not Succeeded or Failed. */
export function isLivePod(pod: Pod): boolean {
  return pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';
}

/** Meshed: an application pod that has an istio-proxy, or lives in a mesh namespace and neither opted out nor uses the host network. */
export function isMeshedPod(pod: Pod, meshNamespaces: ReadonlySet<string>): boolean {
  if (!isApplicationPod(pod)) return false;
  if (hasProxy(pod)) return true;
  if (pod.spec?.hostNetwork === true || optedOut(pod)) return false;
  return meshNamespaces.has(namespaceOf(pod));
}

/** The names of namespaces whose labels put them in the mesh. */
export function meshNamespaceNames(namespaces: readonly Namespace[]): Set<string> {
  return new Set(namespaces.filter(namespaceInMesh).map((n) => n.metadata.name));
}

/**
 * Gateway proxies: pods an Istio Gateway selects (in any namespace, as istiod matches them), or
 * whose istio-proxy runs as a router (`proxy router`). They apply only the routes bound to their
 * Gateways, never the mesh's, so the reachability checks treat them apart from sidecars.
 */
export function isGatewayPod(pod: Pod, gateways: readonly IstioGateway[]): boolean {
  return isRouterProxy(pod) || gatewaySelectors(gateways).some((selector) => matchesLabels(selector, pod.metadata.labels));
}

/** A pod whose istio-proxy runs as a router (`proxy router`). */
export function isRouterProxy(pod: Pod): boolean {
  const proxy = (pod.spec?.containers ?? []).find((c) => c?.name === PROXY) as { args?: unknown } | undefined;
  return Array.isArray(proxy?.args) && proxy.args[0] === 'proxy' && proxy.args[1] === 'router';
}

/** The distinct non-empty selectors of the Gateways (clusters have hundreds of Gateways and a few selectors). */
export function gatewaySelectors(gateways: readonly IstioGateway[]): Record<string, string>[] {
  const seen = new Map<string, Record<string, string>>();
  for (const gw of gateways) {
    const selector = gw.spec?.selector;
    if (selector === undefined || Object.keys(selector).length === 0) continue;
    const key = JSON.stringify(Object.entries(selector).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    if (!seen.has(key)) seen.set(key, selector);
  }
  return [...seen.values()];
}

/** A Prometheus server pod, by the labels its charts set (app.kubernetes.io/name or app) or a container named prometheus. */
export function isPrometheusPod(pod: Pod): boolean {
  const labels = pod.metadata.labels ?? {};
  if (labels['app.kubernetes.io/name'] === 'prometheus' || labels.app === 'prometheus') return true;
  return (pod.spec?.containers ?? []).some((c) => c?.name === 'prometheus' || c?.name === 'prometheus-server');
}
