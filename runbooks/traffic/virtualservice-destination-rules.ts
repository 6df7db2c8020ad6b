import { defineCheck } from '../../src/engine/check.ts';
import { mirrorDestinations, routeDestinations, type AnnotatedDestination } from '../../src/istio/destinations.ts';
import { resourceNameFromHost } from '../../src/istio/hosts.ts';
import { namespaceOf } from '../lib/mesh.ts';

// Mirrors istioctl's virtualservice.DestinationRuleAnalyzer: a route or mirror destination that
// names a subset needs a DestinationRule for the same host defining that subset. Hosts are
// compared as Service names: `name.ns.svc.cluster.local` names Service ns/name, and any other
// host is a name in the resource's own namespace (the DestinationRule's for its host, the
// VirtualService's for its destinations). So `reviews` in a DestinationRule in namespace a and
// `reviews` in a VirtualService in namespace b are different hosts, and `reviews.b` (no
// .svc.cluster.local) is never expanded. DestinationRule exportTo is not considered, as in istioctl.
export default defineCheck({
  id: 'virtualservice-destination-rules',
  title: 'Routed subsets are defined',
  description: 'Every subset a VirtualService routes or mirrors to is defined by a DestinationRule for that host.',
  why: 'A route to an undefined subset has no cluster behind it: istiod drops it and requests fail with 503 (NR) until a DestinationRule defines the subset.',
  inputs: ['networking.istio.io/v1/VirtualService', 'networking.istio.io/v1/DestinationRule'],
  analyzer: 'virtualservice.DestinationRuleAnalyzer',
  docs: '/concepts/traffic-management/#virtualservice-destination-rules',
  analyze(ctx) {
    // "ns/name" of the host → subset names defined for it, and which DestinationRules define them.
    const subsets = new Map<string, Map<string, string[]>>();
    for (const dr of ctx.list('networking.istio.io/v1/DestinationRule')) {
      const target = resourceNameFromHost(namespaceOf(dr), dr.spec?.host ?? '');
      const key = `${target.namespace}/${target.name}`;
      for (const subset of dr.spec?.subsets ?? []) {
        const byName = subsets.get(key) ?? new Map<string, string[]>();
        const name = subset.name ?? '';
        byName.set(name, [...(byName.get(name) ?? []), `${namespaceOf(dr)}/${dr.metadata.name}`]);
        subsets.set(key, byName);
      }
    }

    for (const vs of ctx.list('networking.istio.io/v1/VirtualService')) {
      const ns = namespaceOf(vs);
      const resource = { kind: 'VirtualService', namespace: ns, name: vs.metadata.name };
      const check = (d: AnnotatedDestination, refKind: string): void => {
        const subset = d.destination.subset ?? '';
        if (subset === '') return;
        const host = d.destination.host ?? '';
        const target = resourceNameFromHost(ns, host);
        const known = subsets.get(`${target.namespace}/${target.name}`);
        if (known?.has(subset) === true) return;
        const defined = known === undefined ? [] : [...known.keys()];
        ctx.report(
          'IST0101',
          resource,
          { kind: refKind, ref: `${host}+${subset}` },
          {
            evidence: {
              [`${d.path}.host`]: host,
              [`${d.path}.subset`]: subset,
              'host means Service': `${target.namespace}/${target.name}`,
              'subsets defined for it': defined.length > 0 ? defined.join(', ') : '(no DestinationRule with subsets)',
            },
            ...(defined.length > 0
              ? { fix: 'add-subset', fixParams: { subset, host, defined: defined.join(', ') } }
              : {
                  fix: 'create-destinationrule',
                  fixParams: { host, subset, namespace: ns, fqdn: `${target.name}.${target.namespace}.svc.cluster.local` },
                }),
          },
        );
      };
      for (const d of routeDestinations(vs)) check(d, 'host+subset in destinationrule');
      for (const d of mirrorDestinations(vs)) check(d, 'mirror+subset in destinationrule');
    }
  },
});
