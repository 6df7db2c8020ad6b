import { defineCheck } from '../../src/engine/check.ts';
import { addressesAutoAllocated, ISTIO_NAMESPACE, MESH_CONFIGMAP, meshFacts } from '../../src/istio/mesh-config.ts';
import { namespaceOf } from '../lib/mesh.ts';

// Mirrors istioctl's serviceentry.Analyzer (ProtocolAddressesAnalyzer): a ServiceEntry with a
// port whose protocol is TCP (any case) or unset needs `addresses`, unless istiod already
// allocated some (status.addresses) or the mesh auto-allocates them (meshConfig
// defaultConfig.proxyMetadata: ISTIO_META_DNS_CAPTURE="true" and ISTIO_META_DNS_AUTO_ALLOCATE or
// PILOT_ENABLE_IP_AUTOALLOCATE ="true"). An empty `addresses: []` counts as none. One finding
// per ServiceEntry, however many ports qualify.
export default defineCheck({
  id: 'serviceentry-addresses',
  title: 'TCP ServiceEntries have addresses',
  description: 'Every ServiceEntry with TCP (or unspecified-protocol) ports has addresses, or the mesh allocates them.',
  why: 'For plain TCP, Envoy tells destinations apart only by IP and port; ServiceEntries without addresses share one wildcard listener per port, and traffic can reach the wrong one.',
  inputs: ['networking.istio.io/v1/ServiceEntry', 'v1/ConfigMap'],
  analyzer: 'serviceentry.Analyzer',
  docs: '/concepts/traffic-management/#serviceentry-addresses',
  analyze(ctx) {
    const facts = meshFacts(ctx.find('v1/ConfigMap', ISTIO_NAMESPACE, MESH_CONFIGMAP));
    if (addressesAutoAllocated(facts)) return;
    for (const se of ctx.list('networking.istio.io/v1/ServiceEntry')) {
      if ((se.spec?.addresses ?? []).length > 0) continue;
      const status = se.status as { addresses?: unknown[] } | undefined;
      if (Array.isArray(status?.addresses) && status.addresses.length > 0) continue;
      const tcp = (se.spec?.ports ?? []).flatMap((p, i) => {
        const proto = p.protocol ?? '';
        return proto === '' || proto.toUpperCase() === 'TCP'
          ? [`spec.ports[${i}]: ${p.number ?? 0}/${proto === '' ? '(protocol unset)' : proto}`]
          : [];
      });
      if (tcp.length === 0) continue;
      ctx.report(
        'IST0134',
        { kind: 'ServiceEntry', namespace: namespaceOf(se), name: se.metadata.name },
        {},
        {
          evidence: {
            'spec.hosts': (se.spec?.hosts ?? []).join(', '),
            'spec.addresses': '(none)',
            'TCP ports': tcp.join('; '),
            'meshConfig address auto-allocation': `off (${facts.source})`,
          },
          fix: 'give-addresses',
          fixParams: { serviceEntry: se.metadata.name },
        },
      );
    }
  },
});
