import { defineCheck } from '../../src/engine/check.ts';
import type { Service, ServicePort } from '../../src/k8s/objects.ts';
import { namespaceOf } from '../lib/mesh.ts';
import { inCluster } from '../lib/multicluster.ts';

// Mirrors istioctl's multicluster.ServiceAnalyzer (services.MultiClusterServiceAnalyzer,
// pkg/config/analysis/analyzers/multicluster/service.go): Services of one namespace and name in
// several clusters are compared with the first one; a difference in headless mode (clusterIP
// None on one side only: every cluster is named), in type, or in the port list (compared after
// sorting by name, every field: name, protocol, appProtocol, port, targetPort, nodePort) gives one
// IST0170 per Service. Where we part from istioctl, and why:
// - istioctl's "first" Service, the Service it reports on, and the order of the clusters and
//   reasons in its message come from Go map iteration (random); here the first is the earliest
//   cluster of the run holding the Service, and clusters and reasons are sorted.
// - Fields are compared as the API server stores them (type ClusterIP, protocol TCP and
//   targetPort = port when unset), which is what istioctl reads from live clusters.
// - Like istioctl, differing nodePorts count (LoadBalancer and NodePort Services get theirs per
//   cluster); the evidence says when nodePort is the only difference.
export default defineCheck({
  id: 'multicluster-services',
  title: 'Services agree across clusters',
  description: 'A Service that exists in several clusters has the same type, cluster-IP mode and ports in each.',
  why: 'istiod merges same-named Services of all clusters into one; when they disagree, the ports and load balancing proxies get depend on the cluster read, and calls fail in some clusters only.',
  inputs: ['v1/Service'],
  analyzer: 'services.MultiClusterServiceAnalyzer',
  scope: 'mesh',
  docs: '/concepts/multicluster/#multicluster-services',
  analyze(ctx) {
    const byName = new Map<string, { cluster: string; service: Service }[]>();
    for (const c of ctx.clusters) {
      for (const service of c.list('v1/Service')) {
        const key = `${namespaceOf(service)}/${service.metadata.name}`;
        byName.set(key, [...(byName.get(key) ?? []), { cluster: c.name, service }]);
      }
    }
    // Skipped by the runner in a one-cluster run; one readable cluster of several has nothing to compare.
    if (ctx.clusters.length < 2) return;
    for (const copies of byName.values()) {
      if (copies.length < 2) continue;
      const first = copies[0]!;
      const clusters = new Set<string>();
      const reasons = new Set<string>();
      let headless = false;
      let onlyNodePorts = true;
      for (const copy of copies) {
        if (!headless && isHeadless(first.service) !== isHeadless(copy.service)) {
          headless = true;
          for (const c of copies) clusters.add(c.cluster);
          reasons.add('service has mixed mode like headless and clusterIP');
          onlyNodePorts = false;
        }
        if (typeOf(first.service) !== typeOf(copy.service)) {
          clusters.add(copy.cluster);
          reasons.add('service type is inconsistent');
          onlyNodePorts = false;
        }
        const a = portsOf(first.service, true);
        const b = portsOf(copy.service, true);
        if (a !== b) {
          clusters.add(copy.cluster);
          reasons.add('service ports are inconsistent');
          if (portsOf(first.service, false) !== portsOf(copy.service, false)) onlyNodePorts = false;
        }
      }
      if (clusters.size === 0) continue;
      clusters.add(first.cluster);
      const service = first.service;
      const quoted = `[${[...clusters]
        .sort()
        .map((c) => JSON.stringify(c))
        .join(' ')}]`;
      ctx.report(
        'IST0170',
        inCluster(first.cluster, 'Service', namespaceOf(service), service.metadata.name),
        { serviceName: service.metadata.name, namespace: namespaceOf(service), clusters: quoted, error: [...reasons].sort().join('; ') },
        {
          evidence: Object.fromEntries([
            ...copies.map((c, i) => [`copies[${i}]`, `${c.cluster}: ${describe(c.service)}`] as const),
            ...(onlyNodePorts ? [['nodePort', 'the only difference: each cluster allocates its own node ports'] as const] : []),
          ]),
        },
      );
    }
  },
});

function isHeadless(s: Service): boolean {
  return s.spec?.clusterIP === 'None';
}

function typeOf(s: Service): string {
  return s.spec?.type ?? 'ClusterIP';
}

/** The ports as the API server stores them, sorted by name, as one comparable string. */
function portsOf(s: Service, withNodePorts: boolean): string {
  // Go compares names byte by byte.
  const ports = [...(s.spec?.ports ?? [])].sort((a, b) => ((a.name ?? '') < (b.name ?? '') ? -1 : (a.name ?? '') > (b.name ?? '') ? 1 : 0));
  return JSON.stringify(
    ports.map((p: ServicePort) => [
      p.name ?? '',
      p.protocol ?? 'TCP',
      p.appProtocol ?? '',
      p.port,
      p.targetPort ?? p.port,
      withNodePorts ? (p.nodePort ?? 0) : 0,
    ]),
  );
}

function describe(s: Service): string {
  const ports = (s.spec?.ports ?? []).map(
    (p) =>
      `${p.name ?? '(unnamed)'} ${p.port}→${p.targetPort ?? p.port}/${p.protocol ?? 'TCP'}${p.nodePort === undefined ? '' : ` nodePort ${p.nodePort}`}`,
  );
  return `type ${typeOf(s)}${isHeadless(s) ? ' (headless)' : ''}, ports ${ports.join(', ') || '(none)'}`;
}
