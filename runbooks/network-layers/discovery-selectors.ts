import { defineCheck } from '../../src/engine/check.ts';
import type { ConfigMap, Labels, Pod } from '../../src/k8s/objects.ts';
import {
  discoverySelection,
  isDiscovered,
  labelsToAdd,
  selectorText,
  type DiscoverySelection,
} from '../../src/istio/discovery-selectors.ts';
import { routeDestinations, mirrorDestinations } from '../../src/istio/destinations.ts';
import { resourceNameFromHost, toFqdn } from '../../src/istio/hosts.ts';
import { ISTIO_NAMESPACE, MESH_CONFIGMAP } from '../../src/istio/mesh-config.ts';
import { IGNORED_NAMESPACES, listForEvidence, namespaceOf, proxyContainer } from '../lib/mesh.ts';

// R1: istiod only reads Services, EndpointSlices and pods in the namespaces its meshConfig
// discoverySelectors select (ORed LabelSelectors; none = every namespace). A meshed namespace
// outside them is invisible to the mesh, however healthy its EndpointSlices are.

const DEFAULT_REVISION = 'default';

interface Meshed {
  revisions: Set<string>;
  why: string[];
}

/** Meshed namespaces, with the revisions their proxies use and why each counts as meshed. */
function meshedNamespaces(
  namespaces: readonly { metadata: { name: string; labels?: Labels } }[],
  pods: readonly Pod[],
): Map<string, Meshed> {
  const out = new Map<string, Meshed>();
  const add = (ns: string, revision: string, why: string): void => {
    const entry = out.get(ns) ?? { revisions: new Set<string>(), why: [] };
    entry.revisions.add(revision);
    if (!entry.why.includes(why)) entry.why.push(why);
    out.set(ns, entry);
  };
  for (const ns of namespaces) {
    const labels = ns.metadata.labels ?? {};
    const injection = labels['istio-injection'];
    const rev = labels['istio.io/rev'];
    if (injection === 'enabled') add(ns.metadata.name, DEFAULT_REVISION, 'label istio-injection=enabled');
    else if (rev !== undefined && injection === undefined) add(ns.metadata.name, rev, `label istio.io/rev=${rev}`);
  }
  for (const pod of pods) {
    if (proxyContainer(pod) === undefined || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') continue;
    add(namespaceOf(pod), pod.metadata.labels?.['istio.io/rev'] ?? DEFAULT_REVISION, 'pods with an istio-proxy container');
  }
  return out;
}

export default defineCheck({
  id: 'discovery-selectors',
  title: 'istiod discovers every meshed namespace',
  description:
    'Reads meshConfig discoverySelectors (the mesh key of ConfigMap istio, or istio-<rev> for a revision, in istio-system) and reports each namespace with meshed workloads that none of the selectors matches, and each VirtualService or DestinationRule whose host is a Service in a namespace istiod does not discover.',
  why: 'istiod ignores everything in a namespace its discoverySelectors do not select (R1): routes to its Services fail with 503 NC and its sidecars get no configuration, while Kubernetes itself shows nothing wrong.',
  inputs: [
    'v1/ConfigMap',
    'v1/Namespace',
    'v1/Pod',
    'v1/Service',
    'networking.istio.io/v1/VirtualService',
    'networking.istio.io/v1/DestinationRule',
  ],
  docs: '/network-layers/r1-service-discovery/#discovery-selectors',
  analyze(ctx) {
    const meshConfigs = new Map<string, ConfigMap>();
    for (const cm of ctx.list('v1/ConfigMap', { namespace: ISTIO_NAMESPACE })) {
      const name = cm.metadata.name;
      if (cm.data?.mesh === undefined) continue;
      if (name === MESH_CONFIGMAP) meshConfigs.set(DEFAULT_REVISION, cm);
      else if (name.startsWith(`${MESH_CONFIGMAP}-`)) meshConfigs.set(name.slice(MESH_CONFIGMAP.length + 1), cm);
    }
    // No meshConfig at all: istiod's default, every namespace.
    if (meshConfigs.size === 0) return;
    const selections = new Map<string, { cm: ConfigMap; selection: DiscoverySelection }>();
    for (const [rev, cm] of meshConfigs) selections.set(rev, { cm, selection: discoverySelection(cm) });
    // A revision without its own ConfigMap reads the default one (as istiod's chart does).
    const selectionFor = (rev: string) => selections.get(rev) ?? selections.get(DEFAULT_REVISION);
    if ([...selections.values()].every((s) => s.selection.kind !== 'selectors')) return;

    const namespaces = ctx.list('v1/Namespace');
    const nsLabels = new Map(namespaces.map((n) => [n.metadata.name, n.metadata.labels ?? {}]));
    const meshed = meshedNamespaces(namespaces, ctx.list('v1/Pod'));

    for (const [ns, info] of [...meshed].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (IGNORED_NAMESPACES.has(ns)) continue;
      const labels = nsLabels.get(ns);
      for (const rev of [...info.revisions].sort()) {
        const sel = selectionFor(rev);
        if (sel === undefined || sel.selection.kind !== 'selectors' || isDiscovered(sel.selection, ns, labels)) continue;
        const configMap = `${namespaceOf(sel.cm)}/${sel.cm.metadata.name}`;
        const add = labelsToAdd(sel.selection, ns, labels);
        const selectorFix = { namespace: ns, configMap, istiod: `istiod${rev === DEFAULT_REVISION ? '' : `-${rev}`}` };
        ctx.report(
          'MB0206',
          { kind: 'Namespace', name: ns },
          { namespace: ns, configMap },
          {
            evidence: {
              'meshed because': info.why.join('; '),
              ...(rev === DEFAULT_REVISION ? {} : { revision: rev }),
              'namespace labels':
                labels === undefined
                  ? 'namespace object not read'
                  : listForEvidence(
                      Object.entries(labels).map(([k, v]) => `${k}=${v}`),
                      12,
                    ) || 'none',
              discoverySelectors: sel.selection.selectors.map(selectorText).join(' OR '),
              meshConfig: sel.selection.source,
            },
            ...(add === undefined || Object.keys(add).length === 0
              ? { fix: 'add-selector', fixParams: selectorFix }
              : {
                  fix: 'label-namespace',
                  fixParams: {
                    ...selectorFix,
                    labels: Object.entries(add)
                      .map(([k, v]) => `${k}=${v}`)
                      .join(' '),
                  },
                }),
          },
        );
      }
    }

    // Routes into undiscovered namespaces, judged by the istiod that serves the route's namespace.
    const revisionOf = (ns: string): string => nsLabels.get(ns)?.['istio.io/rev'] ?? DEFAULT_REVISION;
    const undiscovered = (from: string, to: string): DiscoverySelection | undefined => {
      const sel = selectionFor(revisionOf(from));
      if (sel === undefined || sel.selection.kind !== 'selectors' || !nsLabels.has(to)) return undefined;
      return isDiscovered(sel.selection, to, nsLabels.get(to)) ? undefined : sel.selection;
    };
    const checkHost = (kind: string, ns: string, name: string, host: string | undefined, path: string): void => {
      if (host === undefined || host === '' || host.startsWith('*')) return;
      const target = resourceNameFromHost(ns, toFqdn(ns, host));
      const selection = undiscovered(ns, target.namespace);
      if (selection === undefined || selection.kind !== 'selectors') return;
      if (ctx.find('v1/Service', target.namespace, target.name) === undefined) return;
      ctx.report(
        'MB0207',
        { kind, namespace: ns, name },
        { resource: `${kind} ${ns}/${name}`, host, namespace: target.namespace },
        {
          evidence: {
            [path]: host,
            Service: `${target.namespace}/${target.name}`,
            discoverySelectors: selection.selectors.map(selectorText).join(' OR '),
            meshConfig: selection.source,
          },
          fix: 'discover-namespace',
          fixParams: { namespace: target.namespace },
        },
      );
    };
    for (const vs of ctx.list('networking.istio.io/v1/VirtualService')) {
      for (const d of [...routeDestinations(vs), ...mirrorDestinations(vs)])
        checkHost('VirtualService', namespaceOf(vs), vs.metadata.name, d.destination.host, `${d.path}.host`);
    }
    for (const dr of ctx.list('networking.istio.io/v1/DestinationRule'))
      checkHost('DestinationRule', namespaceOf(dr), dr.metadata.name, dr.spec?.host, 'spec.host');
  },
});
