// Facts the security-policy checks share: the meshConfig fields policies depend on, which pods
// istioctl counts as meshed, and the rules of an AuthorizationPolicy as typed data.
// Not a check: test/meta.test.ts exempts runbooks/lib/ from the one-check-per-file rule.

import type { ConfigMap, KubeObject, Labels, Namespace, Pod } from '../../src/k8s/objects.ts';
import { ISTIO_NAMESPACE, MESH_CONFIGMAP, readMeshConfig } from '../../src/istio/mesh-config.ts';
import { REDIRECTION_ANNOTATION } from '../../src/mesh/ambient.ts';
import { IGNORED_NAMESPACES, ISTIO_PROXY, namespaceOf } from './mesh.ts';

/** The meshConfig fields that decide where a policy applies and which identities exist. */
export interface MeshPolicySettings {
  /** meshConfig.rootNamespace: policies there apply to every namespace. */
  rootNamespace: string;
  /** meshConfig.trustDomain (`cluster.local` by default). */
  trustDomain: string;
  /** meshConfig.trustDomainAliases. */
  trustDomainAliases: string[];
  /** meshConfig.outboundTrafficPolicy.mode is ALLOW_ANY (Istio's default) rather than REGISTRY_ONLY. */
  allowAny: boolean;
  /** meshConfig.defaultServiceExportTo, empty when unset (visible everywhere). */
  defaultServiceExportTo: string[];
  /** Where the values came from, for evidence. */
  source: string;
}

const stringOr = (v: unknown, fallback: string): string => (typeof v === 'string' && v !== '' ? v : fallback);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x !== '') : []);

/** Reads the policy-related meshConfig fields from the `istio` ConfigMap, Istio's defaults where unset or unreadable. */
export function meshPolicySettings(configMap: ConfigMap | undefined): MeshPolicySettings {
  const read = readMeshConfig(configMap);
  const mesh = read.kind === 'mapping' ? read.mesh : {};
  const outbound = mesh.outboundTrafficPolicy;
  const mode = outbound !== null && typeof outbound === 'object' ? (outbound as Record<string, unknown>).mode : undefined;
  return {
    rootNamespace: stringOr(mesh.rootNamespace, ISTIO_NAMESPACE),
    trustDomain: stringOr(mesh.trustDomain, 'cluster.local'),
    trustDomainAliases: strings(mesh.trustDomainAliases),
    allowAny: mode !== 'REGISTRY_ONLY',
    defaultServiceExportTo: strings(mesh.defaultServiceExportTo),
    source: read.kind === 'mapping' ? `ConfigMap ${ISTIO_NAMESPACE}/${MESH_CONFIGMAP} key mesh` : 'Istio defaults',
  };
}

const INJECT = 'sidecar.istio.io/inject';

/**
 * istioctl's util.PodInMesh: an istio-proxy container (or initContainer) with an image; else the
 * pod's sidecar.istio.io/inject label, then annotation (== "true"); else its namespace's
 * istio-injection=enabled label (istio.io/rev does not count there).
 */
export function podInMeshForIstioctl(pod: Pod, namespace: Namespace | undefined): boolean {
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  if ((containers.find((c) => c.name === ISTIO_PROXY)?.image ?? '') !== '') return true;
  const labels = pod.metadata.labels ?? {};
  if (Object.hasOwn(labels, INJECT)) return labels[INJECT] === 'true';
  const annotations = pod.metadata.annotations ?? {};
  if (Object.hasOwn(annotations, INJECT)) return annotations[INJECT] === 'true';
  return namespace?.metadata.labels?.['istio-injection'] === 'enabled';
}

/** istioctl's util.PodInAmbientMode: only the redirection annotation istio-cni writes counts. */
export function podRedirectedToAmbient(pod: Pod): boolean {
  return pod.metadata.annotations?.[REDIRECTION_ANNOTATION] === 'enabled';
}

/**
 * Whether istioctl's live source reads a Pod, Service or Namespace: not in (or, for a Namespace,
 * named) kube-system and its peers. Istio's own kinds and Deployments are read in every namespace.
 */
export function visibleToIstioctl(obj: KubeObject, clusterScoped = false): boolean {
  return !IGNORED_NAMESPACES.has(clusterScoped ? obj.metadata.name : namespaceOf(obj));
}

/** One AuthorizationPolicy rule, as far as these checks read it. */
export interface PolicyRule {
  from?: ({ source?: PolicySource | null } | null)[] | null;
  to?: ({ operation?: PolicyOperation | null } | null)[] | null;
}

export interface PolicySource {
  principals?: string[] | null;
  namespaces?: string[] | null;
  notNamespaces?: string[] | null;
}

export interface PolicyOperation {
  hosts?: string[] | null;
  methods?: string[] | null;
}

/** spec.selector.matchLabels, or undefined when the policy has no selector (an empty one is `{}`). */
export function policySelector(policy: { spec?: { selector?: { matchLabels?: Labels } | null } }): Labels | undefined {
  const selector = policy.spec?.selector;
  if (selector === undefined || selector === null) return undefined;
  return selector.matchLabels ?? {};
}

/** spec.rules, read defensively: the typed view of AuthorizationPolicy leaves rules untyped. */
export function policyRules(policy: { spec?: unknown }): PolicyRule[] {
  const spec = policy.spec as { rules?: unknown } | undefined;
  if (!Array.isArray(spec?.rules)) return [];
  return spec.rules.filter((r): r is PolicyRule => r !== null && typeof r === 'object');
}

/** A list field of a rule part, keeping only strings. */
export function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}
