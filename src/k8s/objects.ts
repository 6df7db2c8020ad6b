// Typed views of the Kubernetes and Istio objects checks read. Every field is optional:
// snapshots and clusters are input, and a check must not assume a field exists. Objects
// are only validated down to apiVersion/kind/metadata.name when loaded, so a check that
// trips over a malformed field throws, and the runner turns that into an error result.

import type { KindId } from './kinds.ts';

export type Labels = Record<string, string>;

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Labels;
  annotations?: Record<string, string>;
  uid?: string;
  resourceVersion?: string;
  /** `null` in manifests (`kubectl create --dry-run -o yaml`) and for a zero time. */
  creationTimestamp?: string | null;
  /** Set once deletion has started: the object is terminating. */
  deletionTimestamp?: string;
  generateName?: string;
  ownerReferences?: { apiVersion?: string; kind?: string; name?: string; uid?: string; controller?: boolean }[];
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export interface LabelSelector {
  matchLabels?: Labels;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}

export interface ContainerPort {
  name?: string;
  containerPort?: number;
  protocol?: string;
}

export interface Container {
  name: string;
  image?: string;
  ports?: ContainerPort[];
  /** Native sidecars (initContainers that keep running) have restartPolicy Always. */
  restartPolicy?: string;
  /** Literal values only matter to the checks; `valueFrom` entries have no `value`. */
  env?: { name: string; value?: string }[];
}

export interface ContainerStatus {
  name: string;
  ready?: boolean;
  restartCount?: number;
  image?: string;
  started?: boolean;
  state?: { running?: { startedAt?: string | null }; waiting?: { reason?: string; message?: string }; terminated?: ContainerTerminated };
  lastState?: { terminated?: ContainerTerminated };
}

export interface ContainerTerminated {
  reason?: string;
  exitCode?: number;
  finishedAt?: string | null;
}

export interface Pod extends KubeObject {
  spec?: {
    nodeName?: string;
    serviceAccountName?: string;
    containers?: Container[];
    initContainers?: Container[];
    hostNetwork?: boolean;
  };
  status?: {
    phase?: string;
    podIP?: string;
    podIPs?: { ip: string }[];
    hostIP?: string;
    conditions?: { type: string; status: string; reason?: string; lastTransitionTime?: string | null }[];
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
  };
}

export interface ServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
  protocol?: string;
  appProtocol?: string;
  nodePort?: number;
}

export interface Service extends KubeObject {
  spec?: {
    type?: string;
    selector?: Labels;
    clusterIP?: string;
    clusterIPs?: string[];
    ports?: ServicePort[];
    externalName?: string;
    /** The EndpointSlice controller then lists not-ready pods as ready. */
    publishNotReadyAddresses?: boolean;
    ipFamilies?: string[];
  };
}

export interface Deployment extends KubeObject {
  spec?: {
    replicas?: number;
    selector?: LabelSelector;
    template?: { metadata?: { labels?: Labels; annotations?: Record<string, string> }; spec?: Pod['spec'] };
  };
  status?: {
    replicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    updatedReplicas?: number;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
  };
}

/** A DaemonSet: one pod per eligible node (ambient's ztunnel and istio-cni node agent run this way). */
export interface DaemonSet extends KubeObject {
  spec?: {
    selector?: LabelSelector;
    template?: { metadata?: { labels?: Labels; annotations?: Record<string, string> }; spec?: Pod['spec'] };
  };
  status?: {
    desiredNumberScheduled?: number;
    currentNumberScheduled?: number;
    numberReady?: number;
    numberAvailable?: number;
    updatedNumberScheduled?: number;
    numberMisscheduled?: number;
  };
}

export type Namespace = KubeObject;

export interface EndpointSlice extends KubeObject {
  addressType?: string;
  endpoints?: {
    addresses?: string[];
    conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean };
    targetRef?: { kind?: string; name?: string; namespace?: string };
    nodeName?: string;
  }[];
  ports?: { name?: string; port?: number; protocol?: string; appProtocol?: string }[];
}

export interface NetworkPolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}

export interface NetworkPolicyPort {
  protocol?: string;
  port?: number | string;
  endPort?: number;
}

export interface NetworkPolicy extends KubeObject {
  spec?: {
    podSelector?: LabelSelector;
    policyTypes?: ('Ingress' | 'Egress')[];
    ingress?: { from?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }[];
    egress?: { to?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }[];
  };
}

export interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

export interface Secret extends KubeObject {
  type?: string;
  /** Base64 payload; present only when the user opted in to reading Secret contents (--read-secrets). */
  data?: Record<string, string>;
}

export interface IstioGatewayServer {
  port?: { number?: number; name?: string; protocol?: string; targetPort?: number };
  hosts?: string[];
  tls?: { mode?: string; credentialName?: string; serverCertificate?: string; privateKey?: string; caCertificates?: string };
  name?: string;
}

export interface IstioGateway extends KubeObject {
  spec?: { selector?: Labels; servers?: IstioGatewayServer[] };
}

export interface Destination {
  host?: string;
  subset?: string;
  port?: { number?: number };
}

export interface HTTPRouteDestination {
  destination?: Destination;
  weight?: number;
}

export interface VirtualService extends KubeObject {
  spec?: {
    hosts?: string[];
    gateways?: string[];
    exportTo?: string[];
    http?: {
      name?: string;
      match?: unknown[];
      route?: HTTPRouteDestination[];
      mirror?: Destination;
      mirrors?: { destination?: Destination }[];
    }[];
    tcp?: { match?: unknown[]; route?: HTTPRouteDestination[] }[];
    tls?: { match?: unknown[]; route?: HTTPRouteDestination[] }[];
  };
}

export interface DestinationRule extends KubeObject {
  spec?: {
    host?: string;
    exportTo?: string[];
    subsets?: { name?: string; labels?: Labels; trafficPolicy?: unknown }[];
    trafficPolicy?: unknown;
  };
}

export interface ServiceEntry extends KubeObject {
  spec?: {
    hosts?: string[];
    addresses?: string[];
    ports?: { number?: number; protocol?: string; name?: string; targetPort?: number }[];
    location?: string;
    resolution?: string;
    exportTo?: string[];
    workloadSelector?: { labels?: Labels };
  };
}

export interface Sidecar extends KubeObject {
  spec?: { workloadSelector?: { labels?: Labels }; egress?: unknown[]; ingress?: unknown[] };
}

export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  verbs?: string[];
  nonResourceURLs?: string[];
}

export interface RoleRef {
  apiGroup?: string;
  kind?: string;
  name?: string;
}

export interface Subject {
  kind?: string;
  name?: string;
  namespace?: string;
  apiGroup?: string;
}

export interface ClusterRole extends KubeObject {
  rules?: PolicyRule[];
}

export interface RoleBinding extends KubeObject {
  roleRef?: RoleRef;
  subjects?: Subject[];
}

export interface WebhookConfiguration extends KubeObject {
  webhooks?: {
    name?: string;
    clientConfig?: { service?: { name?: string; namespace?: string; port?: number; path?: string }; url?: string | null };
    namespaceSelector?: LabelSelector;
    objectSelector?: LabelSelector;
  }[];
}

/** The typed view a check gets for each kind it lists. */
/** The workload-targeting fields shared by AuthorizationPolicy, RequestAuthentication, Telemetry and WasmPlugin. */
export interface IstioPolicy extends KubeObject {
  spec?: {
    selector?: { matchLabels?: Labels } | null;
    targetRef?: Record<string, unknown> | null;
    targetRefs?: Record<string, unknown>[] | null;
  };
}

/** telemetry.istio.io Telemetry: the workload targeting plus the provider lists of its signals. */
export interface Telemetry extends IstioPolicy {
  spec?: IstioPolicy['spec'] & {
    accessLogging?: ({ providers?: { name?: string }[] | null; disabled?: boolean | null } | null)[] | null;
    tracing?: ({ providers?: { name?: string }[] | null } | null)[] | null;
  };
}

/** One entry of an EnvoyFilter's configPatches: where it applies, what it matches, how it patches. */
export interface EnvoyConfigPatch {
  applyTo?: string;
  match?: {
    proxy?: { proxyVersion?: string } | null;
    listener?: { filterChain?: { filter?: { name?: string } | null } | null } | null;
  } | null;
  patch?: { operation?: string; value?: Record<string, unknown> | null } | null;
}

/** networking.istio.io EnvoyFilter (served only as v1alpha3). */
export interface EnvoyFilter extends KubeObject {
  spec?: { priority?: number | null; configPatches?: (EnvoyConfigPatch | null)[] | null };
}

/** networking.istio.io ProxyConfig: the per-namespace or per-workload proxy settings. */
export interface ProxyConfig extends KubeObject {
  spec?: {
    selector?: { matchLabels?: Labels } | null;
    image?: { imageType?: string } | null;
  };
}

export interface ObjectTypes {
  'v1/Namespace': Namespace;
  'v1/Node': KubeObject;
  'v1/Pod': Pod;
  'v1/Service': Service;
  'v1/ConfigMap': ConfigMap;
  'v1/Secret': Secret;
  'v1/ServiceAccount': KubeObject;
  'apps/v1/Deployment': Deployment;
  'apps/v1/DaemonSet': DaemonSet;
  'discovery.k8s.io/v1/EndpointSlice': EndpointSlice;
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy;
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole;
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': RoleBinding;
  'rbac.authorization.k8s.io/v1/Role': ClusterRole;
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding;
  'admissionregistration.k8s.io/v1/MutatingWebhookConfiguration': WebhookConfiguration;
  'admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration': WebhookConfiguration;
  'apiextensions.k8s.io/v1/CustomResourceDefinition': KubeObject;
  'networking.istio.io/v1/Gateway': IstioGateway;
  'networking.istio.io/v1/VirtualService': VirtualService;
  'networking.istio.io/v1/DestinationRule': DestinationRule;
  'networking.istio.io/v1/ServiceEntry': ServiceEntry;
  'networking.istio.io/v1/WorkloadEntry': KubeObject;
  'networking.istio.io/v1/Sidecar': Sidecar;
  'networking.istio.io/v1alpha3/EnvoyFilter': EnvoyFilter;
  'security.istio.io/v1/AuthorizationPolicy': IstioPolicy;
  'security.istio.io/v1/PeerAuthentication': KubeObject;
  'security.istio.io/v1/RequestAuthentication': IstioPolicy;
  'telemetry.istio.io/v1/Telemetry': Telemetry;
  'extensions.istio.io/v1alpha1/WasmPlugin': IstioPolicy;
  'networking.istio.io/v1beta1/ProxyConfig': ProxyConfig;
  'gateway.networking.k8s.io/v1/Gateway': KubeObject;
  'gateway.networking.k8s.io/v1/HTTPRoute': KubeObject;
  'gateway.networking.k8s.io/v1/GRPCRoute': KubeObject;
}

// Compile-time guard: every known kind has a typed view.
type MissingViews = Exclude<KindId, keyof ObjectTypes>;
const _allKindsTyped: MissingViews extends never ? true : never = true;
void _allKindsTyped;

export type ObjectOf<K extends KindId> = ObjectTypes[K];
