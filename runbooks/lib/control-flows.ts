// R5's questions, asked of the reachability engine: the control connections of the detected Istio
// generation (proxies → the control plane, the API server → the webhooks, Prometheus → the
// metrics ports), each answered with the blocked groups to report. Knows Istio (revisions,
// control ports, who dials what); the engine knows only connections.

import type { CheckContext } from '../../src/engine/check.ts';
import type { Pod } from '../../src/k8s/objects.ts';
import { apiServerAddresses, OUTSIDE_ADDRESS, standInAddresses } from '../../src/mesh/api-server.ts';
import { podsOfDeployment, revisionOf } from '../../src/mesh/control-plane.ts';
import {
  componentName,
  controlMeshFacts,
  controlPorts,
  describePorts,
  detectIstio,
  proxyScrapePorts,
  type ControlComponent,
  type ControlPort,
  type IstioInstall,
} from '../../src/mesh/istio-version.ts';
import { PROBE_SOURCE_IPV4, PROBE_SOURCE_IPV6 } from '../../src/mesh/ambient.ts';
import { isLivePod, isPrometheusPod } from '../../src/mesh/meshed.ts';
import type { BlockedGroup, GroupFix } from '../../src/reachability/blocked/index.ts';
import { networkModel } from '../../src/reachability/context.ts';
import {
  addressSource,
  blockedControlTraffic,
  classSource,
  reachableFromOutside,
  type ControlFlow,
  type ControlSource,
} from '../../src/reachability/control-traffic.ts';
import type { NetworkModel } from '../../src/reachability/network-model.ts';
import type { PodClass, PortQuery } from '../../src/reachability/netpol/types.ts';
import { fullName, namespaceOf } from './mesh.ts';

type Kinds =
  | 'apps/v1/Deployment'
  | 'v1/Service'
  | 'v1/Pod'
  | 'v1/Namespace'
  | 'v1/ConfigMap'
  | 'networking.k8s.io/v1/NetworkPolicy'
  | 'discovery.k8s.io/v1/EndpointSlice';

/** A metrics port Prometheus scrapes. */
export interface Scrape {
  target: string;
  purpose: string;
  port: number;
}

export interface ControlTraffic {
  install: IstioInstall;
  /** Evidence every finding carries: what was detected and which ports were checked. */
  detected: Record<string, string>;
  /** Proxies → the control plane. */
  xds: BlockedGroup<ControlPort>[];
  /** The API server → the webhooks, with the fix to show (one from anywhere when its address is unknown). */
  webhooks: { group: BlockedGroup<ControlPort>; fix: GroupFix | undefined }[];
  /** The API server's addresses (empty: unknown). */
  apiServer: string[];
  /** Prometheus → the metrics ports (none without a Prometheus). */
  scrapes: BlockedGroup<Scrape>[];
  /** The Prometheus workloads. */
  prometheus: string[];
  /** Ambient mode's part (undefined when no pod is enrolled in ambient). */
  ambient: AmbientControl | undefined;
}

/** A NetworkPolicy that drops the kubelet's probes of ambient pods, as istio-cni rewrites their source. */
export interface ProbeMeta {
  address: string;
}

export interface AmbientControl {
  /** The CNI recognised from its node agents' pods, and whether Istio documents it filtering the probe address. */
  cni: CniFacts;
  /** Ambient workloads whose probes the NetworkPolicies do not admit from the probe address. */
  probes: BlockedGroup<ProbeMeta>[];
  /** The ztunnel and waypoint workloads (for evidence). */
  ztunnels: string[];
  waypoints: string[];
}

export interface CniFacts {
  /** `Cilium`, `Calico`, … or undefined when no known node agent runs. */
  name: string | undefined;
  /** Istio documents that this CNI enforces NetworkPolicy on the probe address under default-deny (Cilium, istio/istio#49277). */
  filtersProbeAddress: boolean;
}

// Node agents of common CNIs, by the labels their DaemonSets give their pods. Only Cilium is
// documented to drop the SNATed probe address under a default-deny policy (istio.io ambient
// platform prerequisites; istio/istio#49277): it exempts kubelet probes by the node's identity,
// which the link-local source no longer carries. The others: not documented either way.
const CNI_AGENTS: readonly { name: string; label: string; value: string; filters: boolean }[] = [
  { name: 'Cilium', label: 'k8s-app', value: 'cilium', filters: true },
  { name: 'Calico', label: 'k8s-app', value: 'calico-node', filters: false },
  { name: 'Antrea', label: 'component', value: 'antrea-agent', filters: false },
  { name: 'Flannel', label: 'app', value: 'flannel', filters: false },
  { name: 'Weave Net', label: 'name', value: 'weave-net', filters: false },
  { name: 'kube-router', label: 'k8s-app', value: 'kube-router', filters: false },
];

/** The CNI whose node agents run in the cluster (the first known one found). */
export function detectCni(pods: readonly Pod[]): CniFacts {
  for (const agent of CNI_AGENTS)
    if (pods.some((p) => p.metadata.labels?.[agent.label] === agent.value)) return { name: agent.name, filtersProbeAddress: agent.filters };
  return { name: undefined, filtersProbeAddress: false };
}

type ProbeHandler = { httpGet?: { port?: unknown }; tcpSocket?: { port?: unknown }; grpc?: { port?: unknown } };

/** The TCP ports the kubelet probes on a pod (httpGet, tcpSocket, grpc; named ports resolved on the container). */
export function probePorts(pod: Pod): number[] {
  const ports = new Set<number>();
  for (const c of pod.spec?.containers ?? []) {
    const probes = c as unknown as Record<string, ProbeHandler | undefined>;
    for (const kind of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
      const probe = probes[kind];
      if (probe === undefined || probe === null) continue;
      const port = probe.httpGet?.port ?? probe.tcpSocket?.port ?? probe.grpc?.port;
      if (typeof port === 'number') ports.add(port);
      else if (typeof port === 'string') {
        const n = /^\d+$/.test(port) ? Number(port) : c.ports?.find((p) => p.name === port)?.containerPort;
        if (n !== undefined) ports.add(n);
      }
    }
  }
  return [...ports].sort((a, b) => a - b);
}

/** `istiod (Deployment istio-system/istiod)`. */
export const componentText = (c: ControlComponent): string => `${componentName(c.role)} (Deployment ${fullName(c.deployment)})`;

/** The port a control port is on a class's pods: a number, or a named targetPort the pods declare. */
function portOn(entry: ControlPort, cls: PodClass): PortQuery | undefined {
  const name = entry.servicePort?.name;
  if (typeof entry.port === 'number')
    return name === undefined ? { protocol: 'TCP', port: entry.port } : { protocol: 'TCP', port: entry.port, name };
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

/** The proxy classes (meshed, not the control plane) and which control components each dials. */
function proxiesOf(
  net: NetworkModel,
  install: IstioInstall,
  pods: readonly Pod[],
  namespaceRevision: ReadonlyMap<string, string | undefined>,
) {
  const classesOf = new Map<ControlComponent, PodClass[]>();
  const controlClasses = new Set<number>();
  for (const c of install.components) {
    const classes = [
      ...new Set(
        podsOfDeployment(c.deployment, pods)
          .filter(isLivePod)
          .map((p) => net.index.classOf(p)),
      ),
    ].filter((cls) => cls.id >= 0);
    classesOf.set(c, classes);
    for (const cls of classes) controlClasses.add(cls.id);
  }
  // Proxies that dial istiod: sidecars and gateways, and in ambient ztunnel and the waypoints;
  // ambient application pods have no proxy of their own (their node's ztunnel speaks for them).
  const proxies = net.index.classes.filter((c) => {
    if (c.hostNetwork || controlClasses.has(c.id)) return false;
    const role = net.ambientRole(c);
    if (role !== undefined) return role !== 'cni';
    return net.isMeshed(c) && net.dataPlaneOf(c) !== 'ambient';
  });
  // A proxy connects to the istiod of its revision (the injector labels pods istio.io/rev; a
  // namespace's label or istio-injection=enabled picks it); one of an unknown revision could be any.
  const revisions = new Set(install.components.filter((c) => c.role === 'istiod').map((c) => revisionOf(c.deployment)));
  const proxyRevision = (c: PodClass): string => c.labels['istio.io/rev'] ?? namespaceRevision.get(c.namespace) ?? 'default';
  const dials = (c: PodClass, component: ControlComponent): boolean =>
    component.role !== 'istiod' || !revisions.has(proxyRevision(c)) || proxyRevision(c) === revisionOf(component.deployment);
  return { classesOf, proxies, dials };
}

/** R5's control traffic over the run's network model; undefined when no Istio control plane is found. */
export function controlTraffic(ctx: CheckContext<Kinds>): ControlTraffic | undefined {
  const install = detectIstio(ctx.list('apps/v1/Deployment'), ctx.list('v1/Service'));
  if (install === undefined) return undefined;
  const facts = controlMeshFacts(ctx.find('v1/ConfigMap', namespaceOf(install.components[0]!.deployment), 'istio'));
  const ports = controlPorts(install, facts);
  const net = networkModel(ctx);
  const namespaceRevision = new Map(ctx.list('v1/Namespace').map((n) => [n.metadata.name, n.metadata.labels?.['istio.io/rev']]));
  const { classesOf, proxies, dials } = proxiesOf(net, install, ctx.list('v1/Pod'), namespaceRevision);
  const detected = {
    'Istio detected': install.summary,
    'control ports checked': describePorts(ports, install, facts),
    meshConfig: facts.source,
  };

  // 1. Sidecars and gateways → the control plane.
  const proxySources = (entry: ControlPort) => proxies.filter((src) => dials(src, entry.component)).map((src) => classSource(net, src));
  const xds = blockedControlTraffic(
    net,
    flowsTo(ports, 'proxies', classesOf, (i) => `${i}`, proxySources),
  );

  // 2. The API server → the webhooks. It is not a pod: only rules with no `from` or an ipBlock admit it.
  const apiServer = apiServerAddresses(ctx.list('discovery.k8s.io/v1/EndpointSlice', { namespace: 'default' }));
  const known = apiServer.length > 0;
  // With the API server's address unknown, the webhook is blocked when no address a policy could name (standInAddresses) gets through.
  const outsideBlocked = (dst: PodClass, port: PortQuery): boolean => {
    const isolating = net.index
      .isolatingPolicies({ kind: 'class', podClass: dst }, 'ingress')
      .map((ref) => net.index.policy(ref))
      .filter((p) => p !== undefined);
    return !reachableFromOutside(net, standInAddresses(isolating), dst, port);
  };
  const webhookFlows = flowsTo(
    ports,
    'api-server',
    classesOf,
    (i) => `${i}|${known ? 'known' : 'unknown'}`,
    () =>
      known
        ? apiServer.map((ip) => addressSource(ip, `API server ${ip}`))
        : [addressSource(OUTSIDE_ADDRESS, `API server ${OUTSIDE_ADDRESS}`)],
  );
  const webhooks = blockedControlTraffic(net, known ? webhookFlows : [...webhookFlows].filter((f) => outsideBlocked(f.to, f.port))).map(
    (group) => ({
      group,
      fix: group.fix === undefined ? undefined : known ? group.fix : fromAnywhere(group.fix),
    }),
  );

  // 3. Prometheus → the metrics ports, when a Prometheus runs in the cluster.
  const prometheus = net.index.classes.filter((c) => c.pods.some(isPrometheusPod));
  const scrapeFlows: ControlFlow<Scrape>[] = [];
  const promIds = new Set(prometheus.map((c) => c.id));
  const promSources = prometheus.map((src) => classSource(net, src));
  if (prometheus.length > 0) {
    for (const { port, purpose } of proxyScrapePorts(install)) {
      const meta = { target: 'sidecars and gateways', purpose, port };
      // ztunnel is no Envoy: its metrics ports are not the proxies' (left to the ambient checks).
      for (const dst of proxies)
        if (!promIds.has(dst.id) && net.ambientRole(dst) !== 'ztunnel')
          scrapeFlows.push({ key: `proxy|${port}`, meta, to: dst, port: { protocol: 'TCP', port }, sources: promSources });
    }
    for (const f of flowsTo(
      ports,
      'prometheus',
      classesOf,
      (i) => `control|${i}`,
      () => promSources,
    )) {
      scrapeFlows.push({ ...f, meta: { target: componentText(f.meta.component), purpose: f.meta.purpose, port: f.port.port } });
    }
  }
  const scrapes = blockedControlTraffic(net, scrapeFlows);
  return {
    install,
    detected,
    xds,
    webhooks,
    apiServer,
    scrapes,
    prometheus: [...new Set(prometheus.map((c) => net.workloadOf(c)))],
    ambient: net.hasAmbient ? ambientControl(net, ctx.list('v1/Pod')) : undefined,
  };
}

/**
 * 4. The kubelet → ambient pods. istio-cni rewrites the source of the kubelet's probes of ambient
 * pods to a link-local address, so ztunnel can tell them from mesh traffic; NetworkPolicy then
 * sees that address, not the node. Policies that isolate an ambient pod for ingress must admit it
 * on the probed ports wherever the CNI enforces them on it (istio.io ambient/usage/networkpolicy).
 */
function ambientControl(net: NetworkModel, pods: readonly Pod[]): AmbientControl {
  const flows: ControlFlow<ProbeMeta>[] = [];
  for (const cls of net.index.classes) {
    if (net.dataPlaneOf(cls) !== 'ambient' || cls.hostNetwork) continue;
    const ports = probePorts(cls.pods[0]!);
    if (ports.length === 0) continue;
    const ip = cls.pods[0]!.status?.podIP ?? '';
    const address = ip.includes(':') ? PROBE_SOURCE_IPV6 : PROBE_SOURCE_IPV4;
    const source = addressSource(address, `kubelet probes (${address})`);
    for (const port of ports) flows.push({ key: address, meta: { address }, to: cls, port: { protocol: 'TCP', port }, sources: [source] });
  }
  const workloadsOf = (role: 'ztunnel' | 'waypoint'): string[] =>
    [...new Set(net.index.classes.filter((c) => net.ambientRole(c) === role).map((c) => net.workloadOf(c)))].sort();
  return {
    cni: detectCni(pods.filter(isLivePod)),
    probes: blockedControlTraffic(net, flows),
    ztunnels: workloadsOf('ztunnel'),
    waypoints: workloadsOf('waypoint'),
  };
}
