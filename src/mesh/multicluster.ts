// Multi-cluster vocabulary and the per-cluster facts the multi-cluster checks compare: which
// cluster ID a cluster goes by, its network, its root certificates and meshConfig identity, its
// remote secrets and its east-west gateways. Names and defaults are Istio's: istio/api
// `label/labels.gen.go` and `annotation/annotations.gen.go`, `pkg/kube/multicluster/secretcontroller.go`,
// `istioctl/pkg/multicluster/remote_secret.go`, the istiod chart (CLUSTER_ID, meshId, the remote
// istiod Service) and `samples/multicluster/` (east-west gateway, cross-network Gateway).

import type { ConfigMap, Container, Deployment, EndpointSlice, IstioGateway, Labels, Pod, Secret, Service } from '../k8s/objects.ts';
import { matchesLabels, matchesSelector } from '../k8s/selectors.ts';
import { namespaceOf } from '../k8s/names.ts';
import { ISTIO_NAMESPACE, MESH_CONFIGMAP, readMeshConfig } from '../istio/mesh-config.ts';
import { CONTROL_PLANE_CONTAINER, isControlPlane } from './control-plane.ts';

/** The label istiod selects remote secrets by (value `true`), in its own namespace only. */
export const MULTICLUSTER_SECRET_LABEL = 'istio/multiCluster';
/** The annotation `istioctl create-remote-secret` writes: the cluster ID the secret is for. */
export const REMOTE_SECRET_CLUSTER_ANNOTATION = 'networking.istio.io/cluster';
/** `istioctl create-remote-secret` names the Secret this prefix plus the cluster ID. */
export const REMOTE_SECRET_PREFIX = 'istio-remote-secret-';
/** Namespace (istio-system: the cluster's default), pod or gateway label naming a network. */
export const NETWORK_LABEL = 'topology.istio.io/network';
/** Annotation on a remote cluster's istio-system: the cluster IDs (or `*`) of the istiods that lead it. */
export const CONTROL_PLANE_CLUSTERS_ANNOTATION = 'topology.istio.io/controlPlaneClusters';
/** Env of an east-west gateway: the network whose endpoints it routes to. */
export const REQUESTED_NETWORK_VIEW_ENV = 'ISTIO_META_REQUESTED_NETWORK_VIEW';
/** istiod's own cluster ID (values.global.multiCluster.clusterName); `Kubernetes` when unset. */
export const CLUSTER_ID_ENV = 'CLUSTER_ID';
/** The cluster ID the injector gives proxies. */
export const PROXY_CLUSTER_ID_ENV = 'ISTIO_META_CLUSTER_ID';
export const DEFAULT_CLUSTER_ID = 'Kubernetes';
/** The ConfigMap istiod writes into every namespace with the roots proxies trust, and its key. */
export const ROOT_CERT_CONFIGMAP = 'istio-ca-root-cert';
export const ROOT_CERT_KEY = 'root-cert.pem';
/** meshConfig.trustDomain when unset. */
export const DEFAULT_TRUST_DOMAIN = 'cluster.local';
/** The east-west gateway's mTLS port for cross-network traffic (AUTO_PASSTHROUGH). */
export const CROSS_NETWORK_PORT = 15443;
/** Service label that moves the cross-network port off 15443. */
export const GATEWAY_PORT_LABEL = 'networking.istio.io/gatewayPort';
/** istiod's webhook port, exposed through the east-west gateway for remote clusters. */
export const ISTIOD_WEBHOOK_PORT = 15017;
/** The pod label samples/multicluster gives east-west gateways (`istio: eastwestgateway`). */
export const EAST_WEST_GATEWAY_LABEL_VALUE = 'eastwestgateway';
/** Injector ConfigMap whose `values` hold global.multiCluster.clusterName (remote clusters have no istiod to read). */
const INJECTOR_CONFIGMAP = 'istio-sidecar-injector';

/** The literal value of an env var of a container; undefined when unset, null when set through valueFrom. */
function envValue(container: Container | undefined, name: string): string | null | undefined {
  const entry = (container?.env ?? []).find((e) => e.name === name);
  if (entry === undefined) return undefined;
  if (typeof entry.value === 'string') return entry.value;
  return 'valueFrom' in entry ? null : '';
}

function discoveryContainer(d: Deployment): Container | undefined {
  const containers = d.spec?.template?.spec?.containers ?? [];
  return containers.find((c) => c.name === CONTROL_PLANE_CONTAINER) ?? containers[0];
}

/** How a cluster calls itself, and where that was read. */
export interface ClusterIdentity {
  /** undefined: not readable from this cluster's objects. */
  id?: string;
  /** Evidence: where the ID came from, or why it is unknown. */
  source: string;
  /** The cluster runs a control plane (a primary). */
  primary: boolean;
  /** Its control-plane Deployments. */
  istiods: readonly Deployment[];
}

/**
 * The cluster ID of one cluster: its istiod's CLUSTER_ID (a primary), else the injector's
 * values.global.multiCluster.clusterName, else the ISTIO_META_CLUSTER_ID injected proxies carry.
 */
export function clusterIdentity(
  deployments: readonly Deployment[],
  configMaps: readonly ConfigMap[],
  pods: readonly Pod[],
): ClusterIdentity {
  const istiods = deployments.filter(isControlPlane);
  if (istiods.length > 0) {
    const d = istiods[0]!;
    const value = envValue(discoveryContainer(d), CLUSTER_ID_ENV);
    const where = `Deployment ${namespaceOf(d)}/${d.metadata.name} env ${CLUSTER_ID_ENV}`;
    if (value === null) return { source: `${where} is set through valueFrom`, primary: true, istiods };
    if (value === undefined || value === '')
      return { id: DEFAULT_CLUSTER_ID, source: `${where} unset (Istio's default)`, primary: true, istiods };
    return { id: value, source: where, primary: true, istiods };
  }
  for (const cm of configMaps) {
    if (namespaceOf(cm) !== ISTIO_NAMESPACE || !cm.metadata.name.startsWith(INJECTOR_CONFIGMAP)) continue;
    const name = injectorClusterName(cm.data?.values);
    if (name !== undefined)
      return {
        id: name,
        source: `ConfigMap ${ISTIO_NAMESPACE}/${cm.metadata.name} values global.multiCluster.clusterName`,
        primary: false,
        istiods,
      };
  }
  for (const pod of pods) {
    const proxy = (pod.spec?.containers ?? []).find((c) => c.name === 'istio-proxy');
    const value = envValue(proxy, PROXY_CLUSTER_ID_ENV);
    if (typeof value === 'string' && value !== '')
      return { id: value, source: `Pod ${namespaceOf(pod)}/${pod.metadata.name} env ${PROXY_CLUSTER_ID_ENV}`, primary: false, istiods };
  }
  return { source: 'no istiod, no injector ConfigMap naming it and no injected pod', primary: false, istiods };
}

function injectorClusterName(values: string | undefined): string | undefined {
  if (values === undefined) return undefined;
  try {
    const parsed = JSON.parse(values) as { global?: { multiCluster?: { clusterName?: unknown } } };
    const name = parsed.global?.multiCluster?.clusterName;
    return typeof name === 'string' && name !== '' ? name : undefined;
  } catch {
    return undefined;
  }
}

/** The network of the cluster's workloads: the istio-system namespace label ('' when unset). */
export function clusterNetwork(istioSystem: { metadata: { labels?: Labels } } | undefined): string {
  return istioSystem?.metadata.labels?.[NETWORK_LABEL] ?? '';
}

/** The certificates of a PEM bundle, whitespace-normalized, so equal roots compare equal. */
export function pemCertificates(bundle: string): string[] {
  const out = new Set<string>();
  for (const m of bundle.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)) out.add(m[1]!.replace(/\s+/g, ''));
  return [...out].sort();
}

/** The root certificates a cluster trusts: istio-system's istio-ca-root-cert, else the first other namespace's. */
export function rootBundle(configMaps: readonly ConfigMap[]): { where: string; certificates: string[] } | undefined {
  const candidates = configMaps
    .filter((cm) => cm.metadata.name === ROOT_CERT_CONFIGMAP && typeof cm.data?.[ROOT_CERT_KEY] === 'string')
    .sort(
      (a, b) =>
        Number(namespaceOf(b) === ISTIO_NAMESPACE) - Number(namespaceOf(a) === ISTIO_NAMESPACE) ||
        namespaceOf(a).localeCompare(namespaceOf(b)),
    );
  const cm = candidates[0];
  if (cm === undefined) return undefined;
  return { where: `${namespaceOf(cm)}/${cm.metadata.name}`, certificates: pemCertificates(cm.data![ROOT_CERT_KEY]!) };
}

/** The identity facts of meshConfig (ConfigMap istio-system/istio, key mesh), Istio's defaults laid under them. */
export interface MeshIdentity {
  trustDomain: string;
  aliases: readonly string[];
  /** The mesh ID proxies get: defaultConfig.meshId, else the trust domain (the injector's fallback). */
  meshId: string;
  /** meshId was set explicitly. */
  meshIdSet: boolean;
  source: string;
}

/** meshConfig's identity, or undefined when the cluster has no mesh ConfigMap (a cluster that is not a primary may lack one). */
export function meshIdentity(configMap: ConfigMap | undefined): MeshIdentity | undefined {
  const read = readMeshConfig(configMap);
  const where = `ConfigMap ${ISTIO_NAMESPACE}/${MESH_CONFIGMAP} key mesh`;
  if (read.kind === 'absent') return undefined;
  const mesh = read.kind === 'mapping' ? read.mesh : {};
  const source = read.kind === 'mapping' || read.kind === 'empty' ? where : `Istio defaults (${where} does not parse)`;
  const trustDomain = typeof mesh.trustDomain === 'string' && mesh.trustDomain !== '' ? mesh.trustDomain : DEFAULT_TRUST_DOMAIN;
  const aliases = Array.isArray(mesh.trustDomainAliases) ? mesh.trustDomainAliases.filter((a): a is string => typeof a === 'string') : [];
  const defaultConfig = mesh.defaultConfig as { meshId?: unknown } | undefined;
  const meshId = typeof defaultConfig?.meshId === 'string' && defaultConfig.meshId !== '' ? defaultConfig.meshId : undefined;
  return { trustDomain, aliases, meshId: meshId ?? trustDomain, meshIdSet: meshId !== undefined, source };
}

/** A Secret that istiod would read as a remote secret, or that looks meant as one. */
export interface RemoteSecretFacts {
  secret: Secret;
  /** Cluster IDs it holds: the data keys when read, else the annotation, else what the name says. */
  clusters: readonly string[];
  /** istiod reads it: in istio-system, labelled istio/multiCluster=true. */
  read: boolean;
  /** Why istiod does not read it. */
  problem?: string;
}

/** Remote secrets of a cluster: labelled ones, and ones named or annotated like one. */
export function remoteSecrets(secrets: readonly Secret[]): RemoteSecretFacts[] {
  const out: RemoteSecretFacts[] = [];
  for (const secret of secrets) {
    const labelled = secret.metadata.labels?.[MULTICLUSTER_SECRET_LABEL] === 'true';
    const annotated = secret.metadata.annotations?.[REMOTE_SECRET_CLUSTER_ANNOTATION];
    const named = secret.metadata.name.startsWith(REMOTE_SECRET_PREFIX)
      ? secret.metadata.name.slice(REMOTE_SECRET_PREFIX.length)
      : undefined;
    if (!labelled && annotated === undefined && named === undefined) continue;
    const clusters =
      secret.data !== undefined
        ? Object.keys(secret.data)
        : annotated !== undefined && annotated !== ''
          ? [annotated]
          : named !== undefined && named !== ''
            ? [named]
            : [];
    const inIstio = namespaceOf(secret) === ISTIO_NAMESPACE;
    const problem = !labelled
      ? `it lacks the label ${MULTICLUSTER_SECRET_LABEL}=true`
      : !inIstio
        ? `it is in namespace ${namespaceOf(secret)}, and istiod reads only ${ISTIO_NAMESPACE}`
        : undefined;
    out.push({ secret, clusters, read: problem === undefined, ...(problem === undefined ? {} : { problem }) });
  }
  return out;
}

/** An east-west gateway of one cluster. */
export interface EastWestGateway {
  deployment: Deployment;
  /** The network it serves: its Service's label, else its network view, else its pods' label ('' when none names one). */
  network: string;
  /** The topology.istio.io/network label of its Services: how istiod itself finds network gateways ('' when none has it). */
  serviceNetwork: string;
  /** Its ISTIO_META_REQUESTED_NETWORK_VIEW ('' when unset). */
  networkView: string;
  /** Its pod template labels. */
  labels: Labels;
  /** Services that select its pods. */
  services: Service[];
  pods: Pod[];
}

/**
 * East-west gateways: Deployments whose proxy sets ISTIO_META_REQUESTED_NETWORK_VIEW or whose
 * pods are labelled `istio: eastwestgateway` (samples/multicluster/gen-eastwest-gateway.sh). istiod
 * itself takes as a network's gateway a Service labelled topology.istio.io/network that listens on
 * the gateway port (pilot/pkg/serviceregistry/kube/controller/network.go), hence `serviceNetwork`.
 */
export function eastWestGateways(
  deployments: readonly Deployment[],
  services: readonly Service[],
  pods: readonly Pod[],
): EastWestGateway[] {
  const out: EastWestGateway[] = [];
  for (const d of deployments) {
    const labels = d.spec?.template?.metadata?.labels ?? {};
    const containers = d.spec?.template?.spec?.containers ?? [];
    const view = containers.map((c) => envValue(c, REQUESTED_NETWORK_VIEW_ENV)).find((v) => typeof v === 'string');
    if (view === undefined && labels.istio !== EAST_WEST_GATEWAY_LABEL_VALUE) continue;
    const ns = namespaceOf(d);
    const own = services.filter(
      (s) =>
        namespaceOf(s) === ns &&
        s.spec?.selector !== undefined &&
        Object.keys(s.spec.selector).length > 0 &&
        matchesLabels(s.spec.selector, labels),
    );
    const serviceNetwork = own.map((s) => s.metadata.labels?.[NETWORK_LABEL] ?? '').find((n) => n !== '') ?? '';
    out.push({
      deployment: d,
      network: serviceNetwork || view || labels[NETWORK_LABEL] || '',
      serviceNetwork,
      networkView: view ?? '',
      labels,
      services: own,
      pods: pods.filter(
        (p) => namespaceOf(p) === ns && d.spec?.selector !== undefined && matchesSelector(d.spec.selector, p.metadata.labels),
      ),
    });
  }
  return out;
}

/** The external addresses of a Service: load balancer ingress IPs or hostnames, and spec.externalIPs. */
export function externalAddresses(service: Service): string[] {
  const status = service.status as { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } } | undefined;
  const spec = service.spec as { externalIPs?: unknown } | undefined;
  const out = new Set<string>();
  for (const i of status?.loadBalancer?.ingress ?? []) {
    if (typeof i?.ip === 'string' && i.ip !== '') out.add(i.ip);
    else if (typeof i?.hostname === 'string' && i.hostname !== '') out.add(i.hostname);
  }
  if (Array.isArray(spec?.externalIPs)) for (const ip of spec.externalIPs) if (typeof ip === 'string') out.add(ip);
  return [...out];
}

/** The cross-network port of a gateway Service: its networking.istio.io/gatewayPort label, else 15443. */
export function crossNetworkPort(service: Service | undefined): number {
  const label = service?.metadata.labels?.[GATEWAY_PORT_LABEL];
  const n = label === undefined ? NaN : Number(label);
  return Number.isInteger(n) && n > 0 && n < 65536 ? n : CROSS_NETWORK_PORT;
}

/** Gateways (networking.istio.io) whose selector picks these pod labels, in the namespace or anywhere (istiod's default scope). */
export function gatewaysFor(gateways: readonly IstioGateway[], labels: Labels): IstioGateway[] {
  return gateways.filter(
    (g) => g.spec?.selector !== undefined && Object.keys(g.spec.selector).length > 0 && matchesLabels(g.spec.selector, labels),
  );
}

/** The addresses a remote cluster's istiod Service sends proxies to (values.global.remotePilotAddress). */
export function remoteIstiodAddresses(services: readonly Service[], slices: readonly EndpointSlice[]): string[] {
  const out = new Set<string>();
  const istiod = services.find((s) => namespaceOf(s) === ISTIO_NAMESPACE && s.metadata.name === 'istiod');
  if (istiod?.spec?.type === 'ExternalName' && typeof istiod.spec.externalName === 'string') out.add(istiod.spec.externalName);
  if (istiod !== undefined && (istiod.spec?.selector === undefined || Object.keys(istiod.spec.selector).length === 0)) {
    for (const slice of slices) {
      if (namespaceOf(slice) !== ISTIO_NAMESPACE || slice.metadata.labels?.['kubernetes.io/service-name'] !== 'istiod') continue;
      for (const e of slice.endpoints ?? []) for (const a of e.addresses ?? []) out.add(a);
    }
  }
  return [...out].sort();
}
