import { defineCheck } from '../../src/engine/check.ts';
import type { Destination, VirtualService } from '../../src/k8s/objects.ts';
import { mirrorDestinations, routeDestinations, type AnnotatedDestination } from '../../src/istio/destinations.ts';
import { ServiceIndex, toFqdn, type MeshService } from '../../src/istio/hosts.ts';
import { fullName, IGNORED_NAMESPACES, namespaceOf } from '../lib/mesh.ts';

// Mirrors istioctl's virtualservice.DestinationHostAnalyzer:
// - every route and mirror destination host must be a Service or ServiceEntry visible from the
//   VirtualService (short names resolve in its namespace; Services are visible per their
//   networking.istio.io/exportTo annotation, ServiceEntries per spec.exportTo; the VirtualService's
//   own exportTo widens where it looks) → IST0101 "host" / "mirror host";
// - a destination without a port on a multi-port service → IST0112; a port the service does not
//   have → IST0101 "host:port";
// - a VirtualService bound to gateways that routes to a host without a subset, while some
//   VirtualService routes that same host (one of its own hosts, compared as written) to a
//   subset → IST0140.
// Services in the namespaces istioctl never reads (kube-system, …) are not visible.
export default defineCheck({
  id: 'virtualservice-destination-hosts',
  title: 'VirtualService destinations exist',
  description:
    'Every destination and mirror host of a VirtualService is a Service or ServiceEntry visible from its namespace, with the port it names (or a port named when there are several).',
  why: 'A route to a host the mesh does not know, or to a port the service does not expose, sends requests nowhere: clients see 503s (NR/UH) while the VirtualService looks fine.',
  inputs: ['networking.istio.io/v1/VirtualService', 'networking.istio.io/v1/ServiceEntry', 'v1/Service'],
  analyzer: 'virtualservice.DestinationHostAnalyzer',
  docs: '/concepts/traffic-management/#virtualservice-destination-hosts',
  analyze(ctx) {
    const services = ctx.list('v1/Service').filter((s) => !IGNORED_NAMESPACES.has(namespaceOf(s)));
    const index = new ServiceIndex(ctx.list('networking.istio.io/v1/ServiceEntry'), services);
    const virtualServices = ctx.list('networking.istio.io/v1/VirtualService');
    const subsetRoutes = subsetDestinationsByVirtualService(virtualServices);

    for (const vs of virtualServices) {
      const ns = namespaceOf(vs);
      const resource = { kind: 'VirtualService', namespace: ns, name: vs.metadata.name };
      const visibleFrom =
        vs.spec?.exportTo !== undefined && vs.spec.exportTo.length > 0 ? `${ns} (exportTo: ${vs.spec.exportTo.join(', ')})` : ns;

      const check = (d: AnnotatedDestination, refKind: 'host' | 'mirror host'): void => {
        const host = d.destination.host ?? '';
        const target = index.lookup(ns, vs.spec?.exportTo, host);
        if (target === undefined) {
          ctx.report(
            'IST0101',
            resource,
            { kind: refKind, ref: host },
            {
              evidence: { [`${d.path}.host`]: host, 'looked up as': toFqdn(ns, host), 'visible from namespace': visibleFrom },
              ...(host.includes('.')
                ? { fix: 'destination-host-not-visible', fixParams: { host, namespace: ns } }
                : { fix: 'destination-short-name', fixParams: { host, fqdn: toFqdn(ns, host), namespace: ns } }),
            },
          );
          return;
        }
        checkPort(d, host, target);
      };

      const checkPort = (d: AnnotatedDestination, host: string, target: MeshService): void => {
        const ports = target.ports.map((p) => p.number);
        const where = `${target.source.kind} ${target.source.namespace}/${target.source.name}`;
        const port = d.destination.port;
        if (port === undefined || port === null) {
          if (ports.length <= 1) return;
          ctx.report(
            'IST0112',
            resource,
            { host, ports: ports.join(' ') },
            {
              evidence: { [`${d.path}.host`]: host, [`${d.path}.port`]: '(none)', destination: where, destinationPorts: ports.join(', ') },
              fix: 'name-the-port',
              fixParams: { ports: ports.join(', '), path: d.path },
            },
          );
          return;
        }
        const number = port.number ?? 0;
        if (ports.includes(number)) return;
        ctx.report(
          'IST0101',
          resource,
          { kind: 'host:port', ref: `${host}:${number}` },
          {
            evidence: {
              [`${d.path}.port.number`]: number,
              destination: where,
              destinationPorts: ports.length > 0 ? ports.join(', ') : '(none)',
            },
            fix: 'no-such-port',
            fixParams: { destination: where, port: number, ports: ports.length > 0 ? ports.join(', ') : 'it declares none' },
          },
        );
      };

      for (const d of routeDestinations(vs)) check(d, 'host');
      for (const d of mirrorDestinations(vs)) check(d, 'mirror host');

      // IST0140 only concerns VirtualServices bound to a gateway (any gateway, `mesh` included).
      if ((vs.spec?.gateways ?? []).length === 0) continue;
      (vs.spec?.http ?? []).forEach((rule, i) => {
        (rule.route ?? []).forEach((rd, j) => {
          const dest = rd.destination ?? {};
          if ((dest.subset ?? '') !== '') return;
          for (const [other, dests] of subsetRoutes) {
            for (const sub of dests) {
              if ((sub.host ?? '') !== (dest.host ?? '')) continue;
              ctx.report(
                'IST0140',
                resource,
                { subsetVirtualService: other, virtualService: fullName(vs) },
                {
                  evidence: {
                    [`spec.http[${i}].route[${j}].destination.host`]: dest.host ?? '',
                    [`spec.http[${i}].route[${j}].destination.subset`]: '(none)',
                    'spec.gateways': (vs.spec?.gateways ?? []).join(', '),
                    subsetVirtualService: other,
                    subsetRoutedTo: sub.subset ?? '',
                  },
                  fix: 'name-the-subset',
                  fixParams: { gateways: (vs.spec?.gateways ?? []).join(', '), host: dest.host ?? '', subsetVirtualService: other },
                },
              );
            }
          }
        });
      });
    }
  },
});

// VirtualService full name → its http route destinations that name a subset and whose host is
// literally one of that VirtualService's own hosts (initVirtualServiceDestinations).
function subsetDestinationsByVirtualService(virtualServices: readonly VirtualService[]): Map<string, Destination[]> {
  const out = new Map<string, Destination[]>();
  for (const vs of virtualServices) {
    for (const rule of vs.spec?.http ?? []) {
      for (const rd of rule.route ?? []) {
        const dest = rd.destination ?? {};
        if ((dest.subset ?? '') === '') continue;
        for (const host of vs.spec?.hosts ?? []) {
          if ((dest.host ?? '') !== host) continue;
          const list = out.get(fullName(vs)) ?? [];
          list.push(dest);
          out.set(fullName(vs), list);
        }
      }
    }
  }
  return out;
}
