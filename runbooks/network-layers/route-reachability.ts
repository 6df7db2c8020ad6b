import { defineCheck } from '../../src/engine/check.ts';
import type { IstioGateway, Service, ServicePort, VirtualService } from '../../src/engine/k8s-types.ts';
import { matchesLabels, selectorString } from '../../src/engine/selectors.ts';
import { routeDestinations } from '../../src/istio/destinations.ts';
import { ServiceIndex } from '../../src/istio/hosts.ts';
import { BlockedCollector, MemberUnions, fixSentence, ruleText } from '../../src/mesh/blocked-groups.ts';
import { buildMeshNetwork } from '../../src/mesh/mesh-network.ts';
import { ColumnSweep, type StepTarget } from '../../src/mesh/column-sweep.ts';
import { SweepEvaluator } from '../../src/mesh/sweep.ts';
import { serviceTargets, type ServiceTarget } from '../../src/netpol/index.ts';
import type { PodClass } from '../../src/netpol/types.ts';
import { countedList, fullName, listForEvidence, namespaceOf } from '../lib/mesh.ts';

// R4: Istio's layer 7 rules must not route where the layer 3 rules below drop the packets. For
// each VirtualService route, the sources are the pods that apply it (the gateway pods of the
// Gateways it is bound to; for the mesh, the sidecars of the namespaces it is exported to) and
// the destination is the routed Service's target pods and targetPort; the NetworkPolicy
// evaluator decides each connection. DestinationRule subsets are not narrowed: every pod of the
// Service counts, which is what plain (subset-less) routing reaches.

/** One routed (Service, port) of a VirtualService, with the route paths that send to it. */
interface RoutedPort {
  vs: VirtualService;
  service: Service;
  servicePort: ServicePort;
  host: string;
  paths: string[];
  targets: ServiceTarget[];
}

interface GatewaySource {
  name: string;
  gateway: IstioGateway;
  classes: PodClass[];
}

/** `ns/name` of a VirtualService's gateway reference (a bare name is in the VirtualService's namespace). */
function gatewayKey(vsNamespace: string, ref: string): string {
  return ref.includes('/') ? ref : `${vsNamespace}/${ref}`;
}

function portText(p: ServicePort): string {
  return `${p.port}/${p.protocol ?? 'TCP'}`;
}

function targetText(r: RoutedPort): string {
  const ports = [...new Set(r.targets.map((t) => t.port.port))].join(', ');
  return `Service ${fullName(r.service)} port ${portText(r.servicePort)} → targetPort ${ports || '(unresolved)'} on pods ${selectorString(r.service.spec?.selector) || '(no selector)'}`;
}

export default defineCheck({
  id: 'route-reachability',
  title: 'NetworkPolicies let VirtualService routes through',
  description:
    'For every VirtualService route (http, tcp and tls), takes the pods that apply it — the gateway pods of its Gateways, or the meshed clients of the namespaces it is exported to — and the routed Service\'s target pods and port, and reports routes whose connections NetworkPolicies drop at either end.',
  why: 'A route that Istio accepts but the network drops fails only at request time, with 503s and timeouts (R4): the VirtualService looks right, the NetworkPolicy looks right, and only together do they break the path.',
  inputs: ['networking.istio.io/v1/VirtualService', 'networking.istio.io/v1/Gateway', 'v1/Service', 'v1/Pod', 'v1/Namespace', 'networking.k8s.io/v1/NetworkPolicy'],
  docs: '/network-layers/r4-firewall-rules/#route-reachability',
  analyze(ctx) {
    const gateways = ctx.list('networking.istio.io/v1/Gateway');
    const net = buildMeshNetwork({
      pods: ctx.list('v1/Pod'),
      namespaces: ctx.list('v1/Namespace'),
      policies: ctx.list('networking.k8s.io/v1/NetworkPolicy'),
      gateways,
    });
    const { index } = net;
    const services = ctx.list('v1/Service');
    const serviceIndex = new ServiceIndex([], services);
    const serviceByKey = new Map(services.map((s) => [fullName(s), s]));
    const gatewayByKey = new Map(gateways.map((g) => [fullName(g), g]));
    const meshClients = index.classes.filter((c) => net.isMeshed(c) && !net.isGateway(c) && !c.hostNetwork);
    // Sources no policy tells apart share one evaluation per target (targets are reused across routes).
    const sweep = SweepEvaluator.of(index);
    const endpointOf = index.classes.map((podClass) => ({ kind: 'class', podClass }) as const);
    // The mesh clients of each exportTo scope, swept as one ColumnSweep per scope (built once).
    const unions = new MemberUnions();
    const meshSweeps = new Map<string, { sweep: ColumnSweep; labels: ReadonlySet<string>; sourcesByLabel: ReadonlyMap<string, number[]> }>();
    const meshSweepOf = (scope: ReadonlySet<string> | undefined, clients: readonly PodClass[]) => {
      const scopeKey = scope === undefined ? '*' : [...scope].sort().join('\u0000');
      let entry = meshSweeps.get(scopeKey);
      if (entry === undefined) {
        const labels = clients.map((c) => net.workloadOf(c));
        const sourcesByLabel = new Map<string, number[]>();
        labels.forEach((label, i) => {
          const list = sourcesByLabel.get(label);
          if (list === undefined) sourcesByLabel.set(label, [i]);
          else list.push(i);
        });
        entry = { sweep: new ColumnSweep(sweep, clients, labels, unions), labels: new Set(labels), sourcesByLabel };
        meshSweeps.set(scopeKey, entry);
      }
      return entry;
    };

    for (const vs of ctx.list('networking.istio.io/v1/VirtualService')) {
      if (ctx.signal.aborted) return;
      sweep.clear(); // per-target evaluations (hostNetwork sources) are kept for one VirtualService at a time
      const vsNs = namespaceOf(vs);
      const resource = { kind: 'VirtualService', namespace: vsNs, name: vs.metadata.name };
      const refs = vs.spec?.gateways ?? [];
      const meshBound = refs.length === 0 || refs.includes('mesh');

      // Sources: the gateway pods of each bound Gateway (a Gateway's selector matches pods in any namespace).
      const gatewaySources: GatewaySource[] = [];
      for (const ref of refs) {
        if (ref === 'mesh') continue;
        const key = gatewayKey(vsNs, ref);
        const gateway = gatewayByKey.get(key);
        const selector = gateway?.spec?.selector;
        // A missing Gateway or one selecting no pod is reported by virtualservice-gateways and gateway-ports.
        if (gateway === undefined || selector === undefined || Object.keys(selector).length === 0) continue;
        const classes = index.classes.filter((c) => !c.hostNetwork && matchesLabels(selector, c.labels));
        if (classes.length > 0) gatewaySources.push({ name: key, gateway, classes });
      }
      // The mesh clients the route applies to: exportTo (default: everywhere), `.` = the VirtualService's namespace.
      const exportTo = vs.spec?.exportTo ?? [];
      const scope = exportTo.length === 0 || exportTo.includes('*') ? undefined : new Set(exportTo.map((e) => (e === '.' ? vsNs : e)));
      const clients = meshBound ? meshClients.filter((c) => scope === undefined || scope.has(c.namespace)) : [];

      // The routed (Service, port) pairs; several routes (subsets, weights) to one port are one pair.
      const routed = new Map<string, RoutedPort>();
      for (const d of routeDestinations(vs)) {
        const host = d.destination.host;
        if (host === undefined || host === '') continue;
        const found = serviceIndex.lookup(vsNs, vs.spec?.exportTo, host);
        if (found === undefined || found.source.kind !== 'Service') continue; // ServiceEntries and unknown hosts: not pods we can evaluate
        const service = serviceByKey.get(`${found.source.namespace}/${found.source.name}`);
        if (service === undefined) continue;
        const number = d.destination.port?.number;
        const ports = (service.spec?.ports ?? []).filter((p) => number === undefined || p.port === number);
        const { targets } = serviceTargets(index, service); // computed once per Service (and shared with R3)
        for (const servicePort of ports) {
          const key = `${fullName(service)}:${portText(servicePort)}`;
          const entry = routed.get(key) ?? { vs, service, servicePort, host, paths: [], targets: targets.filter((t) => t.servicePort === servicePort) };
          entry.paths.push(d.path);
          routed.set(key, entry);
        }
      }

      for (const [key, r] of routed) {
        if (r.targets.length === 0) continue;

        // From each bound gateway: one finding per (gateway, blocking policy).
        for (const gw of gatewaySources) {
          const collector = new BlockedCollector<GatewaySource>(index);
          for (const src of gw.classes) {
            const srcLabel = net.workloadOf(src);
            for (const t of r.targets) {
              const dstLabel = net.workloadOf(t.podClass);
              const s = endpointOf[src.id]!;
              const dd = endpointOf[t.podClass.id]!;
              collector.add(() => ({ key, meta: gw }), { src: s, srcLabel, srcKey: srcLabel, dst: dd, dstLabel, dstKey: dstLabel, port: t.port }, sweep.evaluate(src, t));
            }
          }
          for (const g of collector.groups()) {
            const policy = `${g.policy.namespace}/${g.policy.name}`;
            ctx.report('MB0501', resource, { virtualService: fullName(vs), gateway: gw.name, host: r.host, port: r.servicePort.port, policy, direction: g.direction }, {
              evidence: {
                route: listForEvidence(r.paths, 4),
                destination: targetText(r),
                'gateway pods': `selector ${selectorString(gw.gateway.spec?.selector)}: ${listForEvidence(g.sources)}`,
                'blocked at': g.direction === 'ingress' ? `ingress of ${listForEvidence(g.destinations)}` : `egress of the gateway pods, towards ${listForEvidence(g.destinations)}`,
                isolatingPolicies: `${g.direction} policies: ${listForEvidence(g.isolatedBy.map((p) => `${p.namespace}/${p.name}`))}`,
                ...(g.fix === undefined ? {} : { 'rule that would allow it': ruleText(g.fix) }),
              },
              ...(g.fix === undefined
                ? { fix: 'allow-gateway-pods', fixParams: { ports: g.ports.map((p) => p.port).join(', '), direction: g.direction } }
                : { fix: 'allow-rule-or-remove-route', fixParams: { rule: fixSentence(g.fix), virtualService: fullName(vs) } }),
            });
          }
        }

        // From the mesh: a client is blocked when some target pod of the route drops it.
        if (clients.length === 0) continue;
        const mesh = meshSweepOf(scope, clients);
        const collector = new BlockedCollector<null>(index, unions);
        const group = { key, meta: null };
        const meshGroup = (): { key: string; meta: null } => group;
        const targets: StepTarget[] = r.targets.map((t) => {
          const dstLabel = net.workloadOf(t.podClass);
          return { podClass: t.podClass, port: t.port, dst: endpointOf[t.podClass.id]!, dstLabel, dstKey: dstLabel };
        });
        const { summaries, self } = mesh.sweep.run(targets, collector, meshGroup);
        const blocked = (i: number): boolean => {
          const own = self.get(i);
          return own === undefined ? summaries[mesh.sweep.groupOf(i)]!.denied.length > 0 : own.blocked > 0;
        };
        // The clients that reach it: workloads none of whose classes is blocked (few: look among the unblocked ones only).
        const candidates = new Set<string>();
        summaries.forEach((s, g) => {
          if (s !== undefined && s.denied.length === 0) for (const i of mesh.sweep.sourcesOf(g)) if (!self.has(i)) candidates.add(mesh.sweep.labelOf(i));
        });
        for (const [i, own] of self) if (own.blocked === 0) candidates.add(mesh.sweep.labelOf(i));
        const reachable = [...candidates].filter((label) => !mesh.sourcesByLabel.get(label)!.some(blocked));
        if (reachable.length === mesh.labels.size) continue;
        const none = reachable.length === 0;
        const allClients = mesh.labels;
        const reachableNamespaces = [...new Set(reachable.map((c) => c.slice(0, c.indexOf('/'))))].sort();
        for (const g of collector.groups()) {
          const policy = `${g.policy.namespace}/${g.policy.name}`;
          const evidence = {
            route: listForEvidence(r.paths, 4),
            destination: targetText(r),
            'applies to': scope === undefined ? 'meshed clients in every namespace (no exportTo)' : `meshed clients in ${listForEvidence([...scope].sort())} (exportTo)`,
            blockedClients: countedList(g.sources, 12),
            isolatingPolicies: `${g.direction} policies: ${listForEvidence(g.isolatedBy.map((p) => `${p.namespace}/${p.name}`))}`,
            ...(g.fix === undefined ? {} : { 'rule that would allow it': ruleText(g.fix) }),
          };
          const rule = g.fix === undefined ? undefined : fixSentence(g.fix);
          if (none) {
            ctx.report('MB0502', resource, { virtualService: fullName(vs), host: r.host, port: r.servicePort.port, policy, clients: allClients.size }, {
              evidence,
              ...(rule === undefined ? { fix: 'allow-in-listed-policies', fixParams: { direction: g.direction } } : { fix: 'allow-rule', fixParams: { rule } }),
            });
          } else {
            const exportTo = { virtualService: fullName(vs), exportTo: JSON.stringify(reachableNamespaces.map((n) => (n === vsNs ? '.' : n))) };
            ctx.report('MB0503', resource, { virtualService: fullName(vs), host: r.host, port: r.servicePort.port, policy, blocked: g.sources.length, clients: allClients.size }, {
              evidence: { ...evidence, reachingClients: countedList(reachable.sort(), 12) },
              ...(rule === undefined
                ? { fix: 'allow-in-listed-policies-or-export', fixParams: { ...exportTo, direction: g.direction } }
                : { fix: 'allow-rule-or-export', fixParams: { ...exportTo, rule } }),
            });
          }
        }
      }
    }
  },
});
