import { defineCheck } from '../../src/engine/check.ts';
import { selectorString } from '../../src/k8s/selectors.ts';
import { fixSentence, ruleText } from '../../src/reachability/blocked/index.ts';
import { meshNetwork } from '../../src/reachability/context.ts';
import { RouteReach } from '../../src/reachability/route-reach.ts';
import { countedList, fullName, listForEvidence, namespaceOf } from '../lib/mesh.ts';
import { portText, RouteResolver, type RoutedPort } from '../lib/routed-ports.ts';

// R4: Istio's layer 7 rules must not route where the layer 3 rules below drop the packets. For
// each VirtualService route, the sources are the pods that apply it and the destination is the
// routed Service's target pods and targetPort (runbooks/lib/routed-ports.ts); the engine
// (src/reachability/route-reach.ts) decides each connection.

function targetText(r: RoutedPort): string {
  const ports = [...new Set(r.targets.map((t) => t.port.port))].join(', ');
  return `Service ${fullName(r.service)} port ${portText(r.servicePort)} → targetPort ${ports || '(unresolved)'} on pods ${selectorString(r.service.spec?.selector) || '(no selector)'}`;
}

export default defineCheck({
  id: 'route-reachability',
  title: 'NetworkPolicies let VirtualService routes through',
  description:
    "For every VirtualService route (http, tcp and tls), takes the pods that apply it — the gateway pods of its Gateways, or the meshed clients of the namespaces it is exported to — and the routed Service's target pods and port, and reports routes whose connections NetworkPolicies drop at either end.",
  why: 'A route that Istio accepts but the network drops fails only at request time, with 503s and timeouts (R4): the VirtualService looks right, the NetworkPolicy looks right, and only together do they break the path.',
  inputs: [
    'networking.istio.io/v1/VirtualService',
    'networking.istio.io/v1/Gateway',
    'v1/Service',
    'v1/Pod',
    'v1/Namespace',
    'networking.k8s.io/v1/NetworkPolicy',
  ],
  docs: '/network-layers/r4-firewall-rules/#route-reachability',
  analyze(ctx) {
    const net = meshNetwork(ctx);
    const resolver = new RouteResolver(net, ctx.list('v1/Service'), ctx.list('networking.istio.io/v1/Gateway'));
    const reach = new RouteReach(net);
    for (const vs of ctx.list('networking.istio.io/v1/VirtualService')) {
      if (ctx.signal.aborted) return;
      const vsNs = namespaceOf(vs);
      const resource = { kind: 'VirtualService', namespace: vsNs, name: vs.metadata.name };
      const { gatewaySources, clients, scope, routed } = resolver.routes(vs);
      for (const [key, r] of routed) {
        if (r.targets.length === 0) continue;

        // From each bound gateway: one finding per (gateway, blocking policy).
        for (const gw of gatewaySources) {
          for (const g of reach.blockedFrom(gw.classes, r.targets, key, gw, r.service)) {
            const policy = `${g.policy.namespace}/${g.policy.name}`;
            ctx.report(
              'MB0501',
              resource,
              { virtualService: fullName(vs), gateway: gw.name, host: r.host, port: r.servicePort.port, policy, direction: g.direction },
              {
                evidence: {
                  route: listForEvidence(r.paths, 4),
                  destination: targetText(r),
                  'gateway pods': `selector ${selectorString(gw.gateway.spec?.selector)}: ${listForEvidence(g.sources)}`,
                  'blocked at':
                    g.direction === 'ingress'
                      ? `ingress of ${listForEvidence(g.destinations)}`
                      : `egress of the gateway pods, towards ${listForEvidence(g.destinations)}`,
                  isolatingPolicies: `${g.direction} policies: ${listForEvidence(g.isolatedBy.map((p) => `${p.namespace}/${p.name}`))}`,
                  ...(g.fix === undefined ? {} : { 'rule that would allow it': ruleText(g.fix) }),
                },
                ...(g.fix === undefined
                  ? { fix: 'allow-gateway-pods', fixParams: { ports: g.ports.map((p) => p.port).join(', '), direction: g.direction } }
                  : { fix: 'allow-rule-or-remove-route', fixParams: { rule: fixSentence(g.fix), virtualService: fullName(vs) } }),
              },
            );
          }
        }

        // From the mesh: a client is blocked when some target pod of the route drops it.
        if (clients.length === 0) continue;
        const mesh = reach.clients(scope === undefined ? '*' : [...scope].sort().join('\u0000'), clients, r.targets, key, r.service);
        const reachable = mesh.reachable;
        const none = reachable.length === 0;
        const allClients = mesh.clients;
        const reachableNamespaces = [...new Set(reachable.map((c) => c.slice(0, c.indexOf('/'))))].sort();
        for (const g of mesh.groups) {
          const policy = `${g.policy.namespace}/${g.policy.name}`;
          const evidence = {
            route: listForEvidence(r.paths, 4),
            destination: targetText(r),
            'applies to':
              scope === undefined
                ? 'meshed clients in every namespace (no exportTo)'
                : `meshed clients in ${listForEvidence([...scope].sort())} (exportTo)`,
            blockedClients: countedList(g.sources, 12),
            isolatingPolicies: `${g.direction} policies: ${listForEvidence(g.isolatedBy.map((p) => `${p.namespace}/${p.name}`))}`,
            ...(g.fix === undefined ? {} : { 'rule that would allow it': ruleText(g.fix) }),
          };
          const rule = g.fix === undefined ? undefined : fixSentence(g.fix);
          if (none) {
            ctx.report(
              'MB0502',
              resource,
              { virtualService: fullName(vs), host: r.host, port: r.servicePort.port, policy, clients: allClients.size },
              {
                evidence,
                ...(rule === undefined
                  ? { fix: 'allow-in-listed-policies', fixParams: { direction: g.direction } }
                  : { fix: 'allow-rule', fixParams: { rule } }),
              },
            );
          } else {
            const exportTo = {
              virtualService: fullName(vs),
              exportTo: JSON.stringify(reachableNamespaces.map((n) => (n === vsNs ? '.' : n))),
            };
            ctx.report(
              'MB0503',
              resource,
              {
                virtualService: fullName(vs),
                host: r.host,
                port: r.servicePort.port,
                policy,
                blocked: g.sources.length,
                clients: allClients.size,
              },
              {
                evidence: { ...evidence, reachingClients: countedList(reachable.sort(), 12) },
                ...(rule === undefined
                  ? { fix: 'allow-in-listed-policies-or-export', fixParams: { ...exportTo, direction: g.direction } }
                  : { fix: 'allow-rule-or-export', fixParams: { ...exportTo, rule } }),
              },
            );
          }
        }
      }
    }
  },
});
