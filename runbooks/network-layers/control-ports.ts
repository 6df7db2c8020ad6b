import { defineCheck } from '../../src/engine/check.ts';
import type { Pod } from '../../src/engine/k8s-types.ts';
import { apiServerAddresses, OUTSIDE_ADDRESS, standInAddresses } from '../../src/mesh/api-server.ts';
import { fixSentence, ruleText, type BlockedGroup, type GroupFix } from '../../src/reachability/blocked/index.ts';
import { podsOfDeployment, revisionOf } from '../../src/mesh/control-plane.ts';
import {
  componentName,
  controlPorts,
  describePorts,
  detectIstio,
  proxyScrapePorts,
  controlMeshFacts,
  type ControlComponent,
  type ControlPort,
} from '../../src/mesh/istio-version.ts';
import { isLivePod, isPrometheusPod } from '../../src/mesh/meshed.ts';
import { networkModel } from '../../src/reachability/context.ts';
import { addressSource, blockedControlTraffic, classSource, reachableFromOutside, type ControlFlow, type ControlSource } from '../../src/reachability/control-traffic.ts';
import type { PodClass, PortQuery } from '../../src/reachability/netpol/types.ts';
import { countedList, fullName, listForEvidence, namespaceOf } from '../lib/mesh.ts';

// R5: the control traffic of the detected Istio generation must get through the NetworkPolicies:
// proxies → the control plane (xDS/CA; Pilot and Mixer in 1.0), the API server → the webhooks
// (istiod's 15017 behind Service port 443), Prometheus → the metrics ports. Kubelet probes of
// 15021 come from the pod's own node, which NetworkPolicy always admits, so they are not checked.

const KUBELET_NOTE = "node-local: NetworkPolicy always admits traffic from the pod's own node, so kubelet → 15021 needs no rule";

interface Scrape {
  target: string;
  purpose: string;
  port: number;
}

/** The port a control port is on a class's pods: a number, or a named targetPort the pods declare. */
function portOn(entry: ControlPort, cls: PodClass): PortQuery | undefined {
  const name = entry.servicePort?.name;
  if (typeof entry.port === 'number') return name === undefined ? { protocol: 'TCP', port: entry.port } : { protocol: 'TCP', port: entry.port, name };
  const number = cls.namedPorts.get(`${entry.port}/TCP`)?.[0];
  return number === undefined ? undefined : { protocol: 'TCP', port: number, name: entry.port };
}

/** A fix without peers: one rule opening the ports to every source, as Istio's chart policy does for the webhook. */
function fromAnywhere(fix: GroupFix): GroupFix {
  const ports = [...new Map(fix.rules.flatMap((r) => r.ports).map((p) => [`${p.protocol ?? 'TCP'}/${String(p.port)}`, p])).values()];
  const rule = { ports };
  const path = fix.patch[0]?.path ?? '/spec/ingress/-';
  const value = path.endsWith('/-') ? rule : path === '/spec' ? { ingress: [rule] } : [rule];
  return { ...fix, rules: [rule], patch: [{ op: 'add', path, value }], omitted: 0 };
}

/** The flows of the control ports that `client` opens: one per (port entry, destination class with that port). */
function* flowsTo(
  ports: readonly ControlPort[],
  client: ControlPort['client'],
  classesOf: ReadonlyMap<ControlComponent, readonly PodClass[]>,
  key: (i: number) => string,
  sources: (entry: ControlPort) => Iterable<ControlSource>,
): Generator<ControlFlow<ControlPort>> {
  for (const [i, entry] of ports.entries()) {
    if (entry.client !== client) continue;
    for (const to of classesOf.get(entry.component) ?? []) {
      const port = portOn(entry, to);
      if (port !== undefined) yield { key: key(i), meta: entry, to, port, sources: sources(entry) };
    }
  }
}

function policyRefs(g: BlockedGroup<unknown>): string {
  return listForEvidence(g.isolatedBy.map((p) => `${p.namespace}/${p.name}`));
}

export default defineCheck({
  id: 'control-ports',
  title: "NetworkPolicies let Istio's control traffic through",
  description:
    "Detects the Istio generation (istiod, or 1.0's Pilot, Mixer, Citadel and Galley) and its control ports, then reports each NetworkPolicy that drops: sidecars and gateways reaching the control plane (istiod 15012/15010; Pilot 15010/15011 and Mixer 9091/15004 in 1.0), the API server reaching the webhooks (istiod 15017 behind Service port 443), or Prometheus scraping 15020/15090 and the control plane's monitoring port.",
  why: 'Proxies that cannot reach the control plane never get configuration or certificates; an API server that cannot reach the webhook cannot inject sidecars or validate config (R5). These failures show up far from their cause: pods that never become ready, or "failed calling webhook" timeouts.',
  inputs: [
    'apps/v1/Deployment',
    'v1/Service',
    'v1/Pod',
    'v1/Namespace',
    'v1/ConfigMap',
    'networking.k8s.io/v1/NetworkPolicy',
    'discovery.k8s.io/v1/EndpointSlice',
  ],
  docs: '/network-layers/r5-control-ports/#control-ports',
  analyze(ctx) {
    const install = detectIstio(ctx.list('apps/v1/Deployment'), ctx.list('v1/Service'));
    // No control plane: control-plane-health (and istiod-api-access) say so; there is no port set to check.
    if (install === undefined) return;
    const controlNamespace = namespaceOf(install.components[0]!.deployment);
    const facts = controlMeshFacts(ctx.find('v1/ConfigMap', controlNamespace, 'istio'));
    const ports = controlPorts(install, facts);
    const pods: readonly Pod[] = ctx.list('v1/Pod');
    const namespaces = ctx.list('v1/Namespace');
    const net = networkModel(ctx);
    const { index } = net;

    const classesOf = new Map<ControlComponent, PodClass[]>();
    const controlClasses = new Set<number>();
    for (const c of install.components) {
      const classes = [...new Set(podsOfDeployment(c.deployment, pods).filter(isLivePod).map((p) => index.classOf(p)))].filter((cls) => cls.id >= 0);
      classesOf.set(c, classes);
      for (const cls of classes) controlClasses.add(cls.id);
    }
    const proxies = index.classes.filter((c) => net.isMeshed(c) && !c.hostNetwork && !controlClasses.has(c.id));
    // A proxy connects to the istiod of its revision (the injector labels pods istio.io/rev; a
    // namespace's label or istio-injection=enabled picks it); one of an unknown revision could be any.
    const namespaceRevision = new Map(namespaces.map((n) => [n.metadata.name, n.metadata.labels?.['istio.io/rev']]));
    const revisions = new Set(install.components.filter((c) => c.role === 'istiod').map((c) => revisionOf(c.deployment)));
    const proxyRevision = (c: PodClass): string => c.labels['istio.io/rev'] ?? namespaceRevision.get(c.namespace) ?? 'default';
    const dials = (c: PodClass, component: ControlComponent): boolean =>
      component.role !== 'istiod' || !revisions.has(proxyRevision(c)) || proxyRevision(c) === revisionOf(component.deployment);
    const detected: Record<string, string> = {
      'Istio detected': install.summary,
      'control ports checked': describePorts(ports, install, facts),
      meshConfig: facts.source,
    };
    const component = (c: ControlComponent): string => `${componentName(c.role)} (Deployment ${fullName(c.deployment)})`;

    // 1. Sidecars and gateways → the control plane.
    const proxySources = (entry: ControlPort) => proxies.filter((src) => dials(src, entry.component)).map((src) => classSource(net, src));
    const xds = blockedControlTraffic(net, flowsTo(ports, 'proxies', classesOf, (i) => `${i}`, proxySources));
    for (const g of xds) {
      const entry = g.meta;
      const port = g.ports[0]!.port;
      ctx.report('MB0601', { kind: 'NetworkPolicy', namespace: g.policy.namespace, name: g.policy.name }, {
        policy: `${g.policy.namespace}/${g.policy.name}`,
        direction: g.direction,
        component: component(entry.component),
        port,
        purpose: entry.purpose,
        proxies: g.sources.length,
      }, {
        evidence: {
          blockedProxies: countedList(g.sources, 12),
          destination: `${component(entry.component)} pods ${listForEvidence(g.destinations)}, port ${g.ports.map((p) => p.port).join(', ')}${entry.servicePort === undefined ? '' : ` (Service port ${entry.servicePort.port})`}`,
          isolatingPolicies: `${g.direction} policies on the ${g.direction === 'ingress' ? 'control plane' : 'proxy'} pods: ${policyRefs(g)}`,
          ...(g.fix === undefined ? {} : { 'rule that would allow it': ruleText(g.fix) }),
          ...detected,
          ...(install.era === 'istiod' ? { 'kubelet → 15021 (health probes)': KUBELET_NOTE } : {}),
        },
        ...(g.fix === undefined
          ? { fix: 'allow-in-listed-policies', fixParams: { port, direction: g.direction } }
          : g.direction === 'ingress'
            ? { fix: 'open-control-plane', fixParams: { rule: fixSentence(g.fix), port, istiod: install.era === 'istiod' } }
            : { fix: 'let-proxies-out', fixParams: { rule: fixSentence(g.fix) } }),
      });
    }

    // 2. The API server → the webhooks. It is not a pod: only rules with no `from` or an ipBlock admit it.
    const apiServer = apiServerAddresses(ctx.list('discovery.k8s.io/v1/EndpointSlice', { namespace: 'default' }));
    // With the API server's address unknown, the webhook is blocked when no address a policy could name (standInAddresses) gets through.
    const outsideBlocked = (dst: PodClass, port: PortQuery): boolean => {
      const isolating = index.isolatingPolicies({ kind: 'class', podClass: dst }, 'ingress').map((ref) => index.policy(ref)).filter((p) => p !== undefined);
      return !reachableFromOutside(net, standInAddresses(isolating), dst, port);
    };
    const webhookFlows = flowsTo(ports, 'api-server', classesOf, (i) => `${i}|${apiServer.length > 0 ? 'known' : 'unknown'}`, () =>
      apiServer.length > 0 ? apiServer.map((ip) => addressSource(ip, `API server ${ip}`)) : [addressSource(OUTSIDE_ADDRESS, `API server ${OUTSIDE_ADDRESS}`)],
    );
    const webhooks = blockedControlTraffic(net, apiServer.length > 0 ? webhookFlows : [...webhookFlows].filter((f) => outsideBlocked(f.to, f.port)));
    for (const g of webhooks) {
      const entry = g.meta;
      const known = apiServer.length > 0;
      const fix = g.fix === undefined ? undefined : known ? g.fix : fromAnywhere(g.fix);
      const port = g.ports[0]!.port;
      // The proxy path of the webhook call, for the command that retraces it.
      const webhookPath = { port, namespace: namespaceOf(entry.component.deployment), service: entry.component.service?.metadata.name ?? 'istiod', portName: entry.servicePort?.name ?? 'https-webhook' };
      ctx.report('MB0602', { kind: 'NetworkPolicy', namespace: g.policy.namespace, name: g.policy.name }, {
        policy: `${g.policy.namespace}/${g.policy.name}`,
        component: entry.component.service === undefined ? component(entry.component) : `${componentName(entry.component.role)} via Service ${fullName(entry.component.service)}`,
        port,
        servicePort: entry.servicePort?.port ?? port,
      }, {
        evidence: {
          'API server address': known ? listForEvidence(apiServer) : `unknown (no kubernetes EndpointSlice in default): assumed outside the pod network, inside any ipBlock of the policies — none of whose rules opens ${port}`,
          webhook: `${entry.purpose}: Service port ${entry.servicePort?.port ?? port} → pod port ${g.ports.map((p) => p.port).join(', ')} on ${listForEvidence(g.destinations)}`,
          'ingress policies on the webhook pods': policyRefs(g),
          ...(fix === undefined ? {} : { 'rule that would allow it': ruleText(fix) }),
          ...detected,
        },
        ...(fix === undefined ? { fix: 'allow-from-outside', fixParams: webhookPath } : { fix: 'let-api-server-in', fixParams: { ...webhookPath, rule: fixSentence(fix) } }),
      });
    }

    // 3. Prometheus → the metrics ports, when a Prometheus runs in the cluster.
    const prometheus = index.classes.filter((c) => c.pods.some(isPrometheusPod));
    if (prometheus.length === 0) return;
    const promIds = new Set(prometheus.map((c) => c.id));
    const scrapeFlows: ControlFlow<Scrape>[] = [];
    const promSources = prometheus.map((src) => classSource(net, src));
    for (const { port, purpose } of proxyScrapePorts(install)) {
      const meta = { target: 'sidecars and gateways', purpose, port };
      for (const dst of proxies) if (!promIds.has(dst.id)) scrapeFlows.push({ key: `proxy|${port}`, meta, to: dst, port: { protocol: 'TCP', port }, sources: promSources });
    }
    for (const f of flowsTo(ports, 'prometheus', classesOf, (i) => `control|${i}`, () => promSources)) {
      scrapeFlows.push({ ...f, meta: { target: component(f.meta.component), purpose: f.meta.purpose, port: f.port.port } });
    }
    const promWorkloads = listForEvidence([...new Set(prometheus.map((c) => net.workloadOf(c)))]);
    for (const g of blockedControlTraffic(net, scrapeFlows)) {
      const m = g.meta;
      ctx.report('MB0603', { kind: 'NetworkPolicy', namespace: g.policy.namespace, name: g.policy.name }, {
        policy: `${g.policy.namespace}/${g.policy.name}`,
        direction: g.direction,
        target: m.target,
        port: m.port,
        purpose: m.purpose,
        count: g.destinations.length,
      }, {
        evidence: {
          Prometheus: promWorkloads,
          unscrapedWorkloads: countedList(g.destinations, 12),
          isolatingPolicies: `${g.direction} policies on the ${g.direction === 'ingress' ? 'scraped' : 'Prometheus'} pods: ${policyRefs(g)}`,
          ...(g.fix === undefined ? {} : { 'rule that would allow it': ruleText(g.fix) }),
          ...detected,
          ...(install.era === 'istiod' ? { 'kubelet → 15021 (health probes)': KUBELET_NOTE } : {}),
        },
        ...(g.fix === undefined
          ? { fix: 'allow-prometheus', fixParams: { port: m.port, direction: g.direction } }
          : { fix: 'let-prometheus-scrape', fixParams: { rule: fixSentence(g.fix) } }),
      });
    }
  },
});
