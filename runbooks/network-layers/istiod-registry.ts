import { defineCheck } from '../../src/engine/check.ts';
import type { ConfigMap } from '../../src/k8s/objects.ts';
import { discoverySelection, isDiscovered, type DiscoverySelection } from '../../src/istio/discovery-selectors.ts';
import { ISTIO_NAMESPACE, MESH_CONFIGMAP } from '../../src/istio/mesh-config.ts';
import { getIstiodDebug, istiodTargets, parseDebugList, type DebugEndpoint } from '../../src/mesh/istiod-debug.ts';
import { hasProxy, isLivePod, meshNamespaceNames } from '../../src/mesh/meshed.ts';
import { IGNORED_NAMESPACES, fullName, namespaceOf } from '../lib/mesh.ts';

// R1, asked live: istiod's own service registry (GET /debug/registryz on its monitoring port,
// through the API server's pod proxy) compared with the Services Kubernetes has. Every Service in
// a meshed namespace that istiod's discoverySelectors select should be in it; one that is not is
// invisible to the mesh however right its EndpointSlices are, and only istiod can say so.
// One ready replica per control plane is asked: replicas build the registry from the same watches.
// istiod's refusal of the relayed request (401 on most clusters) is an error, never a pass.

const REGISTRYZ: DebugEndpoint = {
  path: '/debug/registryz',
  what: 'its service registry',
  instead: 'istioctl x internal-debug registryz',
  items: 'services',
};
const DEFAULT_REVISION = 'default';

interface RegistryEntry {
  hostname: string;
  namespace: string;
  name: string;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** The services in one istiod's /debug/registryz answer (entries without a hostname are skipped). */
export function parseRegistryz(body: string, istiod: string): RegistryEntry[] {
  const out: RegistryEntry[] = [];
  for (const entry of parseDebugList(REGISTRYZ, body, istiod)) {
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) continue;
    const e = entry as Record<string, unknown>;
    const hostname = str(e.hostname);
    if (hostname === '') continue;
    const attrs =
      e.Attributes !== null && typeof e.Attributes === 'object' && !Array.isArray(e.Attributes)
        ? (e.Attributes as Record<string, unknown>)
        : {};
    out.push({ hostname, namespace: str(attrs.Namespace), name: str(attrs.Name) });
  }
  return out;
}

/** The cluster domain istiod uses, read from a Kubernetes hostname in its registry (cluster.local by default). */
function clusterDomain(entries: readonly RegistryEntry[]): string {
  for (const e of entries) {
    const m = /^[^.]+\.[^.]+\.svc\.(.+)$/.exec(e.hostname);
    if (m !== null && e.name !== '') return m[1]!;
  }
  return 'cluster.local';
}

export default defineCheck({
  id: 'istiod-registry',
  title: "istiod's registry holds every meshed Service (asked live)",
  description:
    "Reads istiod's own service registry (/debug/registryz) from a ready istiod, and reports each Kubernetes Service in a meshed namespace that istiod's discoverySelectors select but that istiod does not list.",
  why: 'Proxies know only the services istiod knows (R1): a Service missing from its registry cannot be reached by name from the mesh (503 NC), while every Kubernetes object looks right.',
  inputs: ['apps/v1/Deployment', 'v1/Pod', 'v1/Service', 'v1/Namespace', 'v1/ConfigMap'],
  needs: ['probes'],
  docs: '/network-layers/r1-service-discovery/#istiod-registry',
  async analyze(ctx) {
    const probes = ctx.probes;
    const pods = ctx.list('v1/Pod');
    const namespaces = ctx.list('v1/Namespace');
    const services = ctx.list('v1/Service');
    const configMaps = ctx.list('v1/ConfigMap', { namespace: ISTIO_NAMESPACE });
    const { targets, viaService } = istiodTargets(ctx.list('apps/v1/Deployment'), pods, REGISTRYZ.path, 'one');

    // One registry per control plane revision.
    const registries = new Map<string, { istiod: string; entries: RegistryEntry[] }>();
    for (const t of targets) {
      if (registries.has(t.revision)) continue;
      registries.set(t.revision, { istiod: t.label, entries: parseRegistryz(await getIstiodDebug(probes, REGISTRYZ, t), t.label) });
    }
    const registryFor = (rev: string) => registries.get(rev) ?? registries.get(DEFAULT_REVISION) ?? [...registries.values()][0];

    // discoverySelectors per revision, as discovery-selectors reads them (istio-<rev> falls back to istio).
    const selections = new Map<string, DiscoverySelection>();
    for (const cm of configMaps as ConfigMap[]) {
      if (cm.data?.mesh === undefined) continue;
      const name = cm.metadata.name;
      if (name === MESH_CONFIGMAP) selections.set(DEFAULT_REVISION, discoverySelection(cm));
      else if (name.startsWith(`${MESH_CONFIGMAP}-`)) selections.set(name.slice(MESH_CONFIGMAP.length + 1), discoverySelection(cm));
    }
    const nsLabels = new Map(namespaces.map((n) => [n.metadata.name, n.metadata.labels ?? {}]));
    const revisionOf = (ns: string): string => nsLabels.get(ns)?.['istio.io/rev'] ?? DEFAULT_REVISION;

    const meshed = meshNamespaceNames(namespaces);
    for (const pod of pods) if (hasProxy(pod) && isLivePod(pod)) meshed.add(namespaceOf(pod));

    for (const svc of services) {
      const ns = namespaceOf(svc);
      if (!meshed.has(ns) || IGNORED_NAMESPACES.has(ns)) continue;
      const rev = revisionOf(ns);
      const selection = selections.get(rev) ?? selections.get(DEFAULT_REVISION);
      // A namespace outside discoverySelectors is discovery-selectors' finding (MB0206), not this one's.
      if (selection !== undefined && !isDiscovered(selection, ns, nsLabels.get(ns))) continue;
      const registry = registryFor(rev);
      if (registry === undefined) continue;
      const name = svc.metadata.name;
      const hostname = `${name}.${ns}.svc.${clusterDomain(registry.entries)}`;
      const listed = registry.entries.some((e) => (e.name === name && e.namespace === ns) || e.hostname === hostname);
      if (listed) continue;
      ctx.report(
        'MB0208',
        { kind: 'Service', namespace: ns, name },
        { service: fullName(svc), istiod: registry.istiod },
        {
          evidence: {
            'hostname looked for': hostname,
            'registry size': `${registry.entries.length} service(s)`,
            'istiod asked': registry.istiod,
            ...(rev === DEFAULT_REVISION ? {} : { revision: rev }),
            ...(viaService ? { note: 'asked through the Service: no ready istiod pod was visible' } : {}),
          },
          fix: 'recheck-then-inspect',
          fixParams: { hostname, service: name, namespace: ns, istioNamespace: ISTIO_NAMESPACE },
        },
      );
    }
  },
});
