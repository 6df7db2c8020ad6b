// The resource kinds Meshbook knows how to read. A check declares its inputs with
// these ids; the snapshot and live sources both resolve an id to (group, kind), so an
// object matches whatever version it was written at (Istio's v1alpha3, v1beta1 and v1 alike).

/** How a kind is addressed on the API server and matched in a snapshot. */
export interface KindInfo {
  /** API group, '' for the core group. */
  readonly group: string;
  /** Versions to try, preferred first (the live source asks discovery which exist). */
  readonly versions: readonly string[];
  readonly kind: string;
  /** Lower-case plural used in API paths and RBAC rules. */
  readonly plural: string;
  readonly namespaced: boolean;
  /** Read as metadata only: payloads (Secret data) are never gathered. */
  readonly metadataOnly?: boolean;
}

export const KINDS = {
  'v1/Namespace': { group: '', versions: ['v1'], kind: 'Namespace', plural: 'namespaces', namespaced: false },
  'v1/Node': { group: '', versions: ['v1'], kind: 'Node', plural: 'nodes', namespaced: false },
  'v1/Pod': { group: '', versions: ['v1'], kind: 'Pod', plural: 'pods', namespaced: true },
  'v1/Service': { group: '', versions: ['v1'], kind: 'Service', plural: 'services', namespaced: true },
  'v1/ConfigMap': { group: '', versions: ['v1'], kind: 'ConfigMap', plural: 'configmaps', namespaced: true },
  'v1/Secret': { group: '', versions: ['v1'], kind: 'Secret', plural: 'secrets', namespaced: true, metadataOnly: true },
  'v1/ServiceAccount': { group: '', versions: ['v1'], kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true },
  'apps/v1/Deployment': { group: 'apps', versions: ['v1'], kind: 'Deployment', plural: 'deployments', namespaced: true },
  'apps/v1/DaemonSet': { group: 'apps', versions: ['v1'], kind: 'DaemonSet', plural: 'daemonsets', namespaced: true },
  'discovery.k8s.io/v1/EndpointSlice': {
    group: 'discovery.k8s.io',
    versions: ['v1'],
    kind: 'EndpointSlice',
    plural: 'endpointslices',
    namespaced: true,
  },
  'networking.k8s.io/v1/NetworkPolicy': {
    group: 'networking.k8s.io',
    versions: ['v1'],
    kind: 'NetworkPolicy',
    plural: 'networkpolicies',
    namespaced: true,
  },
  'rbac.authorization.k8s.io/v1/ClusterRole': {
    group: 'rbac.authorization.k8s.io',
    versions: ['v1'],
    kind: 'ClusterRole',
    plural: 'clusterroles',
    namespaced: false,
  },
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': {
    group: 'rbac.authorization.k8s.io',
    versions: ['v1'],
    kind: 'ClusterRoleBinding',
    plural: 'clusterrolebindings',
    namespaced: false,
  },
  'rbac.authorization.k8s.io/v1/Role': {
    group: 'rbac.authorization.k8s.io',
    versions: ['v1'],
    kind: 'Role',
    plural: 'roles',
    namespaced: true,
  },
  'rbac.authorization.k8s.io/v1/RoleBinding': {
    group: 'rbac.authorization.k8s.io',
    versions: ['v1'],
    kind: 'RoleBinding',
    plural: 'rolebindings',
    namespaced: true,
  },
  'admissionregistration.k8s.io/v1/MutatingWebhookConfiguration': {
    group: 'admissionregistration.k8s.io',
    versions: ['v1'],
    kind: 'MutatingWebhookConfiguration',
    plural: 'mutatingwebhookconfigurations',
    namespaced: false,
  },
  'admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration': {
    group: 'admissionregistration.k8s.io',
    versions: ['v1'],
    kind: 'ValidatingWebhookConfiguration',
    plural: 'validatingwebhookconfigurations',
    namespaced: false,
  },
  'apiextensions.k8s.io/v1/CustomResourceDefinition': {
    group: 'apiextensions.k8s.io',
    versions: ['v1'],
    kind: 'CustomResourceDefinition',
    plural: 'customresourcedefinitions',
    namespaced: false,
  },
  'networking.istio.io/v1/Gateway': {
    group: 'networking.istio.io',
    versions: ['v1', 'v1beta1', 'v1alpha3'],
    kind: 'Gateway',
    plural: 'gateways',
    namespaced: true,
  },
  'networking.istio.io/v1/VirtualService': {
    group: 'networking.istio.io',
    versions: ['v1', 'v1beta1', 'v1alpha3'],
    kind: 'VirtualService',
    plural: 'virtualservices',
    namespaced: true,
  },
  'networking.istio.io/v1/DestinationRule': {
    group: 'networking.istio.io',
    versions: ['v1', 'v1beta1', 'v1alpha3'],
    kind: 'DestinationRule',
    plural: 'destinationrules',
    namespaced: true,
  },
  'networking.istio.io/v1/ServiceEntry': {
    group: 'networking.istio.io',
    versions: ['v1', 'v1beta1', 'v1alpha3'],
    kind: 'ServiceEntry',
    plural: 'serviceentries',
    namespaced: true,
  },
  'networking.istio.io/v1/WorkloadEntry': {
    group: 'networking.istio.io',
    versions: ['v1', 'v1beta1', 'v1alpha3'],
    kind: 'WorkloadEntry',
    plural: 'workloadentries',
    namespaced: true,
  },
  'networking.istio.io/v1/Sidecar': {
    group: 'networking.istio.io',
    versions: ['v1', 'v1beta1', 'v1alpha3'],
    kind: 'Sidecar',
    plural: 'sidecars',
    namespaced: true,
  },
  'networking.istio.io/v1alpha3/EnvoyFilter': {
    group: 'networking.istio.io',
    versions: ['v1alpha3'],
    kind: 'EnvoyFilter',
    plural: 'envoyfilters',
    namespaced: true,
  },
  'security.istio.io/v1/AuthorizationPolicy': {
    group: 'security.istio.io',
    versions: ['v1', 'v1beta1'],
    kind: 'AuthorizationPolicy',
    plural: 'authorizationpolicies',
    namespaced: true,
  },
  'security.istio.io/v1/PeerAuthentication': {
    group: 'security.istio.io',
    versions: ['v1', 'v1beta1'],
    kind: 'PeerAuthentication',
    plural: 'peerauthentications',
    namespaced: true,
  },
  'security.istio.io/v1/RequestAuthentication': {
    group: 'security.istio.io',
    versions: ['v1', 'v1beta1'],
    kind: 'RequestAuthentication',
    plural: 'requestauthentications',
    namespaced: true,
  },
  'telemetry.istio.io/v1/Telemetry': {
    group: 'telemetry.istio.io',
    versions: ['v1', 'v1alpha1'],
    kind: 'Telemetry',
    plural: 'telemetries',
    namespaced: true,
  },
  'extensions.istio.io/v1alpha1/WasmPlugin': {
    group: 'extensions.istio.io',
    versions: ['v1alpha1'],
    kind: 'WasmPlugin',
    plural: 'wasmplugins',
    namespaced: true,
  },
  'networking.istio.io/v1beta1/ProxyConfig': {
    group: 'networking.istio.io',
    versions: ['v1beta1'],
    kind: 'ProxyConfig',
    plural: 'proxyconfigs',
    namespaced: true,
  },
  'gateway.networking.k8s.io/v1/Gateway': {
    group: 'gateway.networking.k8s.io',
    versions: ['v1', 'v1beta1'],
    kind: 'Gateway',
    plural: 'gateways',
    namespaced: true,
  },
  'gateway.networking.k8s.io/v1/HTTPRoute': {
    group: 'gateway.networking.k8s.io',
    versions: ['v1', 'v1beta1'],
    kind: 'HTTPRoute',
    plural: 'httproutes',
    namespaced: true,
  },
  'gateway.networking.k8s.io/v1/GRPCRoute': {
    group: 'gateway.networking.k8s.io',
    versions: ['v1', 'v1alpha2'],
    kind: 'GRPCRoute',
    plural: 'grpcroutes',
    namespaced: true,
  },
} as const satisfies Record<string, KindInfo>;

/** A kind a check may declare as an input. */
export type KindId = keyof typeof KINDS;

export const KIND_IDS = Object.keys(KINDS) as KindId[];

/** The version-independent key of a kind: `group/Kind` (`core/Pod` for the core group). */
export function groupKindKey(group: string, kind: string): string {
  return `${group === '' ? 'core' : group}/${kind}`;
}

const byGroupKind = new Map<string, KindId>(KIND_IDS.map((id) => [groupKindKey(KINDS[id].group, KINDS[id].kind), id]));

/** Splits an object's apiVersion into group and version (`v1` → core group). */
export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.lastIndexOf('/');
  if (slash === -1) return { group: '', version: apiVersion };
  return { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** The known kind an object belongs to, if any, whatever version it was written at. */
export function kindIdOf(apiVersion: string, kind: string): KindId | undefined {
  return byGroupKind.get(groupKindKey(parseApiVersion(apiVersion).group, kind));
}

/** `networkpolicies.networking.k8s.io` — the name kubectl and RBAC messages use. */
export function resourceName(id: KindId): string {
  const info: KindInfo = KINDS[id];
  return info.group === '' ? info.plural : `${info.plural}.${info.group}`;
}

/** A human sentence for a gather problem, naming the permission to ask for. */
export function describeForbidden(kind: KindId, namespace: string | undefined): string {
  const where = namespace === undefined ? 'at cluster scope' : `in namespace ${namespace}`;
  return `cannot list ${resourceName(kind)} ${where}: forbidden — needs get/list on ${KINDS[kind].plural}${KINDS[kind].group === '' ? '' : ` (apiGroup ${KINDS[kind].group})`}.`;
}
