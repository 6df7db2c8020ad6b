import { defineCheck } from '../../src/engine/check.ts';
import type { VirtualService } from '../../src/k8s/objects.ts';
import { EXPORT_TO_ALL, EXPORT_TO_LOCAL, hostsOverlap, isExportToAll, toFqdn } from '../../src/istio/hosts.ts';
import { fullName, namespaceOf } from '../lib/mesh.ts';

// Mirrors istioctl's virtualservice.ConflictingMeshGatewayHostsAnalyzer. VirtualServices bound to
// the mesh gateway (no `gateways`, or `mesh` among them) are keyed by `scope/fqdn` for each
// export scope and host (short hosts expanded in the VirtualService's namespace). A key held by
// more than one VirtualService is a conflict; a key in a namespace scope also conflicts with
// `*`-scoped keys whose host overlaps it, wildcards included (but two `*`-scoped wildcards that
// overlap do not). A VirtualService listing the same host twice conflicts with itself. Each
// VirtualService is reported once, for the first conflicting key (istioctl's order is random;
// ours is sorted, so the printed host can differ while the resources reported are the same).
export default defineCheck({
  id: 'virtualservice-mesh-gateway-hosts',
  title: 'One mesh VirtualService per host',
  description: 'No two VirtualServices bound to the mesh gateway claim the same host in the same export scope.',
  why: 'Sidecars hold one route table per host; istiod merges conflicting VirtualServices in an order you do not control, so some rules silently never apply.',
  inputs: ['networking.istio.io/v1/VirtualService'],
  analyzer: 'virtualservice.ConflictingMeshGatewayHostsAnalyzer',
  docs: '/concepts/traffic-management/#virtualservice-mesh-gateway-hosts',
  analyze(ctx) {
    const byScopedHost = new Map<string, VirtualService[]>();
    for (const vs of ctx.list('networking.istio.io/v1/VirtualService')) {
      const gateways = vs.spec?.gateways ?? [];
      if (gateways.length > 0 && !gateways.includes('mesh')) continue;
      const ns = namespaceOf(vs);
      const scopes = isExportToAll(vs.spec?.exportTo)
        ? [EXPORT_TO_ALL]
        : [...new Set((vs.spec?.exportTo ?? []).map((e) => (e === EXPORT_TO_LOCAL ? ns : e)))];
      for (const scope of scopes) {
        for (const host of vs.spec?.hosts ?? []) {
          const key = `${scope}/${toFqdn(ns, host)}`;
          byScopedHost.set(key, [...(byScopedHost.get(key) ?? []), vs]);
        }
      }
    }

    const reported = new Set<string>();
    for (const key of [...byScopedHost.keys()].sort()) {
      const [scope, fqdn] = splitScoped(key);
      const list = [...byScopedHost.get(key)!];
      if (scope !== EXPORT_TO_ALL) {
        for (const [other, vss] of byScopedHost) {
          const [otherScope, otherFqdn] = splitScoped(other);
          if (otherScope === EXPORT_TO_ALL && hostsOverlap(fqdn, otherFqdn)) list.push(...vss);
        }
      }
      if (list.length < 2) continue;
      const names = list.map(fullName).sort().join(',');
      for (const vs of list) {
        const name = fullName(vs);
        if (reported.has(name)) continue;
        reported.add(name);
        ctx.report(
          'IST0109',
          { kind: 'VirtualService', namespace: namespaceOf(vs), name: vs.metadata.name },
          { virtualServices: names, host: key },
          {
            evidence: {
              'spec.hosts': (vs.spec?.hosts ?? []).join(', '),
              'spec.gateways': (vs.spec?.gateways ?? []).length > 0 ? (vs.spec?.gateways ?? []).join(', ') : '(none: mesh)',
              'export scope / host': key,
              'VirtualServices claiming it': names,
            },
            fix: 'merge-virtualservices',
            fixParams: { virtualServices: names, host: fqdn },
          },
        );
      }
    }
  },
});

function splitScoped(key: string): [string, string] {
  const slash = key.indexOf('/');
  return [key.slice(0, slash), key.slice(slash + 1)];
}
