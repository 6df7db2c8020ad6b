// Facts about Kubernetes workloads that several checks need, in one place so the checks
// agree: what a sidecar is, when a pod counts as ready, which namespaces Istio ignores.
// Not a check: test/meta.test.ts exempts runbooks/lib/ from the one-check-per-file rule.

import type { Container, Pod } from '../../src/k8s/objects.ts';

// Checks take the naming helpers from here with the other workload facts.
export { fullName, namespaceOf } from '../../src/k8s/names.ts';

/** The sidecar container's name, as the injector writes it and istioctl looks for it. */
export const ISTIO_PROXY = 'istio-proxy';

/**
 * Namespaces istioctl never analyzes: its live source excludes them with field selectors
 * (`inject.IgnoredNamespaces`, pkg/kube/inject/initializer.go), so nothing in them is reported.
 */
export const IGNORED_NAMESPACES: ReadonlySet<string> = new Set(['kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage']);

/** The prefix of the injector ConfigMaps, one per revision. */
export const INJECTOR_CONFIGMAP = 'istio-sidecar-injector';

/** The injector ConfigMap of a revision, as istioctl's util.GetInjectorConfigMapName names it: `istio-sidecar-injector[-<rev>]` (`default` has no suffix). */
export function injectorConfigMapName(revision: string | undefined): string {
  return revision === undefined || revision === '' || revision === 'default' ? INJECTOR_CONFIGMAP : `${INJECTOR_CONFIGMAP}-${revision}`;
}

/** The pod's `istio-proxy` container, in containers or (native sidecars) initContainers. */
export function proxyContainer(pod: Pod): Container | undefined {
  return [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((c) => c.name === ISTIO_PROXY);
}

/** The status of one pod condition (`Ready`, `PodScheduled`, …), if reported. */
export function podCondition(pod: Pod, type: string): string | undefined {
  return pod.status?.conditions?.find((c) => c.type === type)?.status;
}

/** Running, Ready=True and not terminating: the pods the EndpointSlice controller marks ready. */
export function isPodReady(pod: Pod): boolean {
  return pod.metadata.deletionTimestamp === undefined && pod.status?.phase === 'Running' && podCondition(pod, 'Ready') === 'True';
}

/** Every IP of a pod (dual-stack pods have two), from podIPs, else podIP. */
export function podIPs(pod: Pod): string[] {
  const ips = (pod.status?.podIPs ?? []).map((p) => p.ip).filter((ip) => typeof ip === 'string' && ip !== '');
  if (ips.length > 0) return ips;
  const ip = pod.status?.podIP;
  return ip === undefined || ip === '' ? [] : [ip];
}

/**
 * The Deployment that owns a pod, when it can be told: through its ReplicaSet owner, or from
 * the `<deployment>-<pod-template-hash>-<suffix>` name pattern when owner references are absent.
 */
export function deploymentOfPod(pod: Pod): string | undefined {
  const hash = pod.metadata.labels?.['pod-template-hash'];
  const rs = pod.metadata.ownerReferences?.find((o) => o.kind === 'ReplicaSet')?.name;
  if (rs !== undefined) {
    if (hash !== undefined && rs.endsWith(`-${hash}`)) return rs.slice(0, -hash.length - 1);
    const cut = rs.lastIndexOf('-');
    return cut > 0 ? rs.slice(0, cut) : undefined;
  }
  if (hash === undefined) return undefined;
  const at = pod.metadata.name.indexOf(`-${hash}-`);
  return at > 0 ? pod.metadata.name.slice(0, at) : undefined;
}

/** A list as evidence needs it: an array, or a long list that builds only the entries asked for (the engine's MemberList). */
export interface ListLike {
  readonly length: number;
  slice(start?: number, end?: number): string[];
  join(separator?: string): string;
}

/** Joins values for evidence, keeping long lists readable: the first `max`, then "… and N more". */
export function listForEvidence(values: ListLike, max = 8): string {
  if (values.length === 0) return '(none)';
  if (values.length <= max) return values.join(', ');
  return `${values.slice(0, max).join(', ')} … and ${values.length - max} more`;
}

/** `3: a, b, c`: the count leads the value, so the evidence key stays one stable name. */
export function countedList(values: ListLike, max = 8): string {
  return `${values.length}: ${listForEvidence(values, max)}`;
}
