import { defineCheck, ProbeError } from '../../src/engine/check.ts';
import { parseCidr, parseIp } from '../../src/k8s/cidr.ts';
import type { Secret } from '../../src/k8s/objects.ts';
import { ISTIO_NAMESPACE, MESH_CONFIGMAP, readMeshNetworks } from '../../src/istio/mesh-config.ts';
import { listForEvidence, namespaceOf } from '../lib/mesh.ts';

// Mirrors istioctl's meshnetworks.MeshNetworksAnalyzer (file multicluster/meshnetworks.go). The
// meshNetworks it reads is the `meshNetworks` key of ConfigMap istio-system/istio (or the file
// `meshbook check --mesh-networks` lays over that key). Every `fromRegistry` of every network's
// endpoints must be a registry istiod knows: `Kubernetes`, `External` or `Mock` (case matters), or
// a data key of a Secret labelled istio/multiCluster=true — each key of such a Secret is a remote
// cluster's ID. Otherwise IST0126, on the synthetic resource MeshNetworks istio-system/meshnetworks.
// - istioctl drops meshNetworks silently when the key does not parse or fails istiod's validation
//   (registry names must be DNS-1123 labels, CIDRs and gateway addresses valid, gateway ports
//   1–65535); istiod ignores it then too, so no registry of it is in effect and the check, like
//   istioctl, reports nothing (an invalid meshNetworks is schema validation's finding, not this one's).
// Where we part from istioctl, and why:
// - istioctl also skips meshNetworks when the ConfigMap has no `mesh` key; istiod does not, and
//   neither does the check.
// - Secrets are read as metadata unless --read-secrets. Without their data, a Secret's cluster ID
//   is taken from the networking.istio.io/cluster annotation `istioctl create-remote-secret`
//   writes next to the data key of the same name; a labelled Secret without data or that
//   annotation leaves an otherwise unknown registry undecided, and the check errors saying so.
// Like istioctl's live source, Secrets of type helm.sh/release.v1 and service-account-token are
// not read (the type is known only when Secret contents are).
const BUILTIN_REGISTRIES = ['Mock', 'Kubernetes', 'External'];
const MULTICLUSTER_LABEL = 'istio/multiCluster';
const CLUSTER_ANNOTATION = 'networking.istio.io/cluster';
const SKIPPED_SECRET_TYPES = new Set(['helm.sh/release.v1', 'kubernetes.io/service-account-token']);
const DNS1123_LABEL = /^[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?$/;
const WHERE = `ConfigMap ${ISTIO_NAMESPACE}/${MESH_CONFIGMAP} key meshNetworks`;

/** A registry endpoint: the network it belongs to and the name it gives. */
interface RegistryRef {
  network: string;
  index: number;
  registry: string;
}

/**
 * What the check throws when the snapshot does not let it decide. The runner turns a ProbeError
 * into an error status carrying its message and no finding: the cluster's answer, not a bug in
 * the check (no probe is involved here).
 */
class Undecided extends ProbeError {}

/** Why istiod would refuse this meshNetworks (ParseMeshNetworks); it then applies none of it. */
class InvalidMeshNetworks extends Error {}

function unreadable(problem: string): InvalidMeshNetworks {
  return new InvalidMeshNetworks(`${WHERE} is not a valid MeshNetworks (${problem})`);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A proto field by its JSON or its original name (protojson accepts both). */
function field(o: Record<string, unknown>, json: string, proto: string): unknown {
  return o[json] ?? o[proto];
}

/** ValidateFQDN: at most 255 characters, DNS-1123 labels, a top-level label that is not all digits. */
function isFqdn(name: string): boolean {
  if (name === '' || name.length > 255) return false;
  const parts = name.split('.');
  if (/^[0-9]+$/.test(parts.at(-1)!)) return false;
  return parts.every((l, i) => (i === parts.length - 1 && l === '') || (l.length <= 63 && DNS1123_LABEL.test(l)));
}

/** The registry endpoints of meshNetworks, after the parse and validation istiod applies (ParseMeshNetworks). */
function registryRefs(mesh: Record<string, unknown>): RegistryRef[] {
  const networks = mesh.networks;
  if (networks === undefined || networks === null) return [];
  if (!isRecord(networks)) throw unreadable('networks is not a mapping');
  const refs: RegistryRef[] = [];
  for (const [name, network] of Object.entries(networks)) {
    if (network === null) continue;
    if (!isRecord(network)) throw unreadable(`network ${name} is not a mapping`);
    const endpoints = network.endpoints ?? [];
    const gateways = network.gateways ?? [];
    if (!Array.isArray(endpoints) || !Array.isArray(gateways)) throw unreadable(`network ${name}: endpoints and gateways must be lists`);
    endpoints.forEach((e: unknown, index) => {
      if (!isRecord(e)) throw unreadable(`network ${name}: endpoints[${index}] is not a mapping`);
      const registry = field(e, 'fromRegistry', 'from_registry');
      const cidr = field(e, 'fromCidr', 'from_cidr');
      if (registry !== undefined && cidr !== undefined)
        throw unreadable(`network ${name}: endpoints[${index}] sets both fromRegistry and fromCidr`);
      if (cidr !== undefined) {
        const text = String(cidr);
        const ok = (text.match(/\//g) ?? []).length === 1 ? parseCidr(text) !== undefined : parseIp(text) !== undefined;
        if (typeof cidr !== 'string' || !ok)
          throw unreadable(`network ${name}: fromCidr ${JSON.stringify(cidr)} is not a CIDR or IP address`);
      }
      if (registry !== undefined) {
        if (typeof registry !== 'string' || registry.length > 63 || !DNS1123_LABEL.test(registry))
          throw unreadable(`network ${name}: registry name ${JSON.stringify(registry)} is not a DNS-1123 label`);
        refs.push({ network: name, index, registry });
      }
    });
    gateways.forEach((g: unknown, index) => {
      if (!isRecord(g)) throw unreadable(`network ${name}: gateways[${index}] is not a mapping`);
      const service = field(g, 'registryServiceName', 'registry_service_name');
      const address = g.address;
      if (service !== undefined && address !== undefined)
        throw unreadable(`network ${name}: gateways[${index}] sets both registryServiceName and address`);
      if (service !== undefined && (typeof service !== 'string' || !isFqdn(service)))
        throw unreadable(`network ${name}: gateways[${index}].registryServiceName ${JSON.stringify(service)} is not a DNS name`);
      // RESOLVE_HOSTNAME_GATEWAYS is on by default: a DNS name is as good as an IP address.
      if (address !== undefined && (typeof address !== 'string' || (parseIp(address) === undefined && !isFqdn(address))))
        throw unreadable(`network ${name}: gateways[${index}].address ${JSON.stringify(address)} is not an IP address or DNS name`);
      const port = typeof g.port === 'string' && /^[0-9]+$/.test(g.port) ? Number(g.port) : (g.port ?? 0);
      if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535)
        throw unreadable(`network ${name}: gateways[${index}].port ${JSON.stringify(g.port ?? null)} is not in 1..65535`);
    });
  }
  return refs;
}

/** A remote-cluster Secret and the cluster IDs it stands for, as far as this run can tell. */
interface RemoteSecret {
  name: string;
  /** Its data keys; the annotated ID when the data was not read; undefined when neither is known. */
  clusters?: readonly string[];
  /** The IDs come from the annotation, not the data. */
  inferred: boolean;
}

function remoteSecret(secret: Secret): RemoteSecret {
  const name = `${namespaceOf(secret)}/${secret.metadata.name}`;
  const stringData = (secret as Secret & { stringData?: unknown }).stringData;
  // Go reads `data` only; `stringData` in a file still shows the contents were read (and hold no data).
  if (secret.data !== undefined || stringData !== undefined) return { name, clusters: Object.keys(secret.data ?? {}), inferred: false };
  const annotated = secret.metadata.annotations?.[CLUSTER_ANNOTATION];
  return annotated === undefined ? { name, inferred: false } : { name, clusters: [annotated], inferred: true };
}

export default defineCheck({
  id: 'mesh-networks',
  title: 'meshNetworks registries name known clusters',
  description:
    "Every fromRegistry in meshNetworks is one of istiod's built-in registries or a cluster a remote-cluster Secret gives istiod access to.",
  why: "istiod places a cluster's endpoints on a network by registry name: a name that matches no cluster puts them on no declared network, and cross-network calls toward them skip the east-west gateway and fail.",
  inputs: ['v1/ConfigMap', 'v1/Secret'],
  analyzer: 'meshnetworks.MeshNetworksAnalyzer',
  docs: '/network-layers/r1-service-discovery/#mesh-networks',
  analyze(ctx) {
    const read = readMeshNetworks(ctx.find('v1/ConfigMap', ISTIO_NAMESPACE, MESH_CONFIGMAP));
    if (read.kind !== 'mapping') return;
    let refs: RegistryRef[];
    try {
      refs = registryRefs(read.mesh);
    } catch (error) {
      if (error instanceof InvalidMeshNetworks) return;
      throw error;
    }
    if (refs.length === 0) return;

    const remotes = ctx
      .list('v1/Secret')
      .filter((s) => s.metadata.labels?.[MULTICLUSTER_LABEL] === 'true' && !SKIPPED_SECRET_TYPES.has(s.type ?? ''))
      .map(remoteSecret);
    const known = new Set([...BUILTIN_REGISTRIES, ...remotes.flatMap((r) => r.clusters ?? [])]);
    const unread = remotes.filter((r) => r.clusters === undefined).map((r) => r.name);
    const clusters = remotes.flatMap((r) =>
      (r.clusters ?? []).map((c) => (r.inferred ? `${c} (${r.name}, from its annotation)` : `${c} (${r.name})`)),
    );

    const undecided: string[] = [];
    for (const ref of refs) {
      if (known.has(ref.registry)) continue;
      if (unread.length > 0) {
        undecided.push(ref.registry);
        continue;
      }
      ctx.report(
        'IST0126',
        { kind: 'MeshNetworks', namespace: ISTIO_NAMESPACE, name: 'meshnetworks' },
        { serviceregistry: ref.registry, network: ref.network },
        {
          evidence: {
            [`networks.${ref.network}.endpoints[${ref.index}].fromRegistry`]: ref.registry,
            'built-in registries': BUILTIN_REGISTRIES.join(', '),
            'remote clusters': listForEvidence(clusters),
          },
        },
      );
    }
    if (undecided.length > 0)
      throw new Undecided(
        `Cannot tell whether meshNetworks registries ${[...new Set(undecided)].join(', ')} name remote clusters: the cluster IDs of the istio/multiCluster Secrets ${unread.join(', ')} are their data keys, which were not read (run with --read-secrets).`,
      );
  },
});
