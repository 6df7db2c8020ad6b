import { defineCheck } from '../../src/engine/check.ts';
import { HBONE_PORT } from '../../src/mesh/ambient.ts';
import { selectorString } from '../../src/k8s/selectors.ts';
import { companionPolicyYaml, fixSentence, ruleText, type GroupFix } from '../../src/reachability/blocked/index.ts';
import { meshNetwork } from '../../src/reachability/context.ts';
import type { PolicyRef } from '../../src/reachability/netpol/types.ts';
import { meshServicePorts, servicePortReach } from '../../src/reachability/service-port-reach.ts';
import { countedList, listForEvidence, namespaceOf } from '../lib/mesh.ts';

// R3: every mesh endpoint must be able to open a connection to every endpoint of the services in
// the mesh. The engine (src/reachability/service-port-reach.ts) sweeps meshed pod classes against
// every Service port's targets; gateways are left out as sources: they only send what their
// routes say (route-reachability). Findings: connections dropped on the way in, one per
// (destination Service port, policy to change); dropped on the way out, one per egress policy.

// Above these even by namespace, the matrix keeps the namespaces with the most blocked connections
// (a 50k-object cluster has ~570 namespaces: 325,000 cells the page would receive and not draw).
const MATRIX_LIMITS = { maxRows: 100, maxColumns: 100 };

const refText = (p: PolicyRef): string => `${p.namespace}/${p.name}`;

// A waypoint's group lists the clients whose requests it forwards: say which hop drops them, since
// their own connection (to the waypoint) gets through.
const droppedAt = (waypoint: string | undefined, to: string, policy: string): Record<string, string> =>
  waypoint === undefined
    ? {}
    : {
        'dropped on the hop': `${waypoint} → ${to} on TCP ${HBONE_PORT} (HBONE), by NetworkPolicy ${policy}; the clients' own hop to the waypoint gets through`,
      };
const onlyHbone = (ports: readonly { port: number }[]): boolean => ports.length > 0 && ports.every((p) => p.port === HBONE_PORT);

// Ambient clients (and the waypoints) tunnel to 15008 on the pods, whatever the Service's targetPort.
const hboneEvidence = (ports: readonly { port: number }[]): Record<string, string> =>
  ports.some((p) => p.port === HBONE_PORT)
    ? { 'HBONE port': `${HBONE_PORT}: ambient clients and waypoints tunnel to the destination pods on ${HBONE_PORT}, not the targetPort` }
    : {};

export default defineCheck({
  id: 'mesh-reachability',
  title: 'Meshed workloads can reach the Services of the mesh',
  description:
    "Evaluates the NetworkPolicies for every meshed workload calling every Service port backed by meshed pods (at the pods and targetPort, where policies apply; for ambient hops, ztunnel's HBONE port 15008 on the pods and their waypoint), and reports each Service port some workloads cannot reach, grouped by the policy to change. Attaches the result as a reachability matrix.",
  why: 'Istio assumes every sidecar (and every ztunnel, over HBONE on 15008) can open a connection to every endpoint it routes to (R3). Where a NetworkPolicy drops the connection, requests time out and fail with 503 UF, which looks like a fault of the application rather than of the network.',
  inputs: ['v1/Pod', 'v1/Namespace', 'v1/Service', 'networking.k8s.io/v1/NetworkPolicy', 'networking.istio.io/v1/Gateway'],
  docs: '/network-layers/r3-l3-reachability/#mesh-reachability',
  analyze(ctx) {
    const net = meshNetwork(ctx);
    const sources = net.index.classes.filter((c) => net.isMeshed(c) && !net.isGateway(c) && !c.hostNetwork);
    const columns = meshServicePorts(net, ctx.list('v1/Service'));
    if (sources.length === 0 || columns.length === 0) return;
    const reach = servicePortReach(net, sources, columns, ctx.signal);
    if (reach === undefined) return;
    // The fix as a NetworkPolicy of its own, selecting the same pods as the policy it stands beside.
    const companion = (fix: GroupFix): string =>
      companionPolicyYaml(fix, net.index.policy(fix.policy)?.spec?.podSelector, `${fix.policy.name}-allow-hbone`);

    for (const g of reach.groups) {
      const policy = refText(g.policy);
      const resource = { kind: 'NetworkPolicy', namespace: g.policy.namespace, name: g.policy.name };
      const rule: Record<string, string> = g.fix === undefined ? {} : { 'rule that would allow it': ruleText(g.fix) };
      if (g.meta.kind === 'egress') {
        const namespaces = [...new Set(g.destinations.map((d) => d.slice(0, d.indexOf('/'))))].sort();
        ctx.report(
          'MB0402',
          resource,
          { policy, sources: g.sources.length, services: g.destinations.length, namespaces: namespaces.length },
          {
            evidence: {
              blockedSources: countedList(g.sources, 12),
              unreachableServicePorts: countedList(g.destinations, 12),
              namespaces: countedList(namespaces, 12),
              'egress policies on the source pods': listForEvidence(g.isolatedBy.map(refText)),
              ...droppedAt(g.meta.waypoint, "the Services' pods", policy),
              ...hboneEvidence(g.ports),
              ...rule,
            },
            ...(g.fix === undefined
              ? { fix: 'allow-in-egress-policies' }
              : onlyHbone(g.ports)
                ? { fix: 'let-hbone-out', fixParams: { rule: fixSentence(g.fix), policy: companion(g.fix) } }
                : { fix: 'allow-egress-rule', fixParams: { rule: fixSentence(g.fix) } }),
          },
        );
        continue;
      }
      const col = g.meta.column;
      const service = `${namespaceOf(col.service)}/${col.service.metadata.name}`;
      const targetPorts = g.ports
        .map((p) =>
          p.port === HBONE_PORT && p.name === undefined
            ? `${p.port} (HBONE)`
            : p.name === undefined
              ? `${p.port}`
              : `${p.port} (${p.name})`,
        )
        .join(', ');
      const hops = reach.ambientHops(col);
      ctx.report(
        'MB0401',
        resource,
        { policy, service, port: col.servicePort.port, sources: g.sources.length },
        {
          evidence: {
            destination: `Service ${service} port ${col.servicePort.port}/${col.servicePort.protocol ?? 'TCP'} → ${onlyHbone(g.ports) ? `HBONE port ${HBONE_PORT} (the targetPort travels inside the tunnel)` : `targetPort ${targetPorts}`} on pods ${selectorString(col.service.spec?.selector) || '(no selector)'}`,
            blockedSources: countedList(g.sources, 12),
            ...droppedAt(g.meta.waypoint, `pods ${selectorString(col.service.spec?.selector) || '(no selector)'}`, policy),
            'ingress policies on the destination pods': listForEvidence(g.isolatedBy.map(refText)),
            ...(hops.length === 0 ? {} : { 'ambient hops': hops.join('; ') }),
            reachingSources: countedList([...reach.reachedBy(col)].sort(), 12),
            ...rule,
          },
          ...(g.fix === undefined
            ? { fix: 'allow-in-ingress-policies' }
            : onlyHbone(g.ports)
              ? { fix: 'admit-hbone', fixParams: { service, rule: fixSentence(g.fix), policy: companion(g.fix) } }
              : { fix: 'allow-ingress-rule', fixParams: { service, rule: fixSentence(g.fix) } }),
        },
      );
    }

    const { rows, columns: cols } = reach.matrix.size;
    const what = `Meshed ${reach.rowsBy === 'workload' ? 'workloads' : 'namespaces'} (${rows}) → ${reach.columnsBy === 'port' ? 'Service ports' : 'Service namespaces'} (${cols})`;
    ctx.attach(reach.matrix.build(`${what}, as NetworkPolicies allow`, MATRIX_LIMITS));
  },
});
