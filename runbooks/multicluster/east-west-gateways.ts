import { defineCheck, type CheckContext } from '../../src/engine/check.ts';
import type { IstioGateway, NetworkPolicy, Pod, Service } from '../../src/k8s/objects.ts';
import { OUTSIDE_ADDRESS } from '../../src/mesh/api-server.ts';
import { ISTIO_NAMESPACE } from '../../src/istio/mesh-config.ts';
import { HBONE_PORT, ISTIOD_XDS_PORT } from '../../src/mesh/ambient.ts';
import { isControlPlane, podsOfDeployment } from '../../src/mesh/control-plane.ts';
import { hasProxy } from '../../src/mesh/meshed.ts';
import {
  clusterNetwork,
  crossNetworkPort,
  externalAddresses,
  gatewaysFor,
  ISTIOD_WEBHOOK_PORT,
  type EastWestGateway,
} from '../../src/mesh/multicluster.ts';
import { buildNetpolIndex, serviceTargets, type NetpolIndex } from '../../src/reachability/netpol/index.ts';
import { listForEvidence, namespaceOf } from '../lib/mesh.ts';
import { clusterFacts, controlPlaneClusters, inCluster } from '../lib/multicluster.ts';
import { admitsOutside, DenialsByPolicy, fixRule } from '../lib/multicluster-reach.ts';

// The east-west gateways that carry traffic between networks (R3) and, for remote clusters, to
// istiod (R5). Per gateway (samples/multicluster/gen-eastwest-gateway.sh and expose-*.yaml):
// - its Service has an external address (load balancer ingress or externalIPs), else MB0921;
// - the Service lists the cross-network port (15443, or its networking.istio.io/gatewayPort label;
//   a Service listing 15008 and not 15443 is an ambient gateway and needs only that), and 15012 and
//   15017 when the cluster's istiod is exposed through it (a Gateway server on 15012 selects it, or
//   a remote cluster of the run names this cluster in topology.istio.io/controlPlaneClusters), MB0922;
// - for a sidecar-mode gateway, a Gateway selecting its pods has a server on that port with
//   tls.mode AUTO_PASSTHROUGH and hosts covering *.local (`*.local`, `*`, with or without a `*/`
//   namespace part), MB0923;
// - NetworkPolicies, through the evaluator of src/reachability/netpol: some source outside the
//   cluster (an address of each ipBlock the gateway's policies name, or one outside all) reaches its
//   pods on each of those target ports (MB0924); the gateway pods reach istiod on 15012 (MB0925);
//   the gateway reaches every meshed workload behind a Service on its target ports, on the
//   gateway's egress (MB0925) and the workload's ingress (MB0926).
// A network some cluster is on while others are on other networks, served by no gateway in the run,
// is MB0920. In a one-cluster run it still checks that cluster's gateways (runsOnOneCluster); whether
// every network has one needs the other clusters.
export default defineCheck({
  id: 'east-west-gateways',
  title: 'East-west gateways are reachable and let traffic through',
  description:
    'Each network of a multi-network mesh has an east-west gateway with an external address, the cross-network port (and istiod ports where remotes use them), an AUTO_PASSTHROUGH Gateway for *.local, and NetworkPolicies that let its traffic in and out.',
  why: "All traffic between networks, and remote proxies' traffic to istiod, passes through these gateways: a pending address, a missing port or a blocking policy cuts the networks apart.",
  inputs: [
    'v1/Namespace',
    'apps/v1/Deployment',
    'v1/Service',
    'v1/Pod',
    'v1/ConfigMap',
    'networking.k8s.io/v1/NetworkPolicy',
    'networking.istio.io/v1/Gateway',
  ],
  scope: 'mesh',
  runsOnOneCluster: true,
  docs: '/concepts/multicluster/#east-west-gateways',
  analyze(ctx) {
    const clusters = ctx.clusters.map((c) => {
      const facts = clusterFacts(c);
      return { ...facts, istioGateways: c.list('networking.istio.io/v1/Gateway'), network: clusterNetwork(facts.istioSystem) };
    });
    // Cluster IDs that remote clusters (no istiod) ask to lead them.
    const leaders = new Set(clusters.flatMap((c) => (c.identity.primary ? [] : controlPlaneClusters(c.istioSystem))));
    const served = new Set(clusters.flatMap((c) => c.gateways.map((g) => g.network)));
    const networks = [...new Set(clusters.map((c) => c.network).filter((n) => n !== ''))];
    if (networks.length > 1) {
      for (const network of networks) {
        if (served.has(network)) continue;
        const c = clusters.find((x) => x.network === network)!;
        ctx.report(
          'MB0920',
          inCluster(c.name, 'Namespace', undefined, ISTIO_NAMESPACE),
          { cluster: c.name, network },
          {
            evidence: {
              'networks of the run': networks.join(', '),
              'networks with a gateway': [...served].filter((n) => n !== '').join(', ') || '(none)',
            },
          },
        );
      }
    }
    for (const c of clusters) {
      if (c.gateways.length === 0) continue;
      const index = buildNetpolIndex({ pods: c.pods, namespaces: c.namespaces, policies: c.policies }, { ipBlockMatchesPods: true });
      const istiodPods = c.deployments.filter(isControlPlane).flatMap((d) => podsOfDeployment(d, c.pods));
      const leads = c.identity.id !== undefined && (leaders.has(c.identity.id) || leaders.has('*'));
      for (const g of c.gateways) {
        const servers = gatewaysFor(c.istioGateways, g.labels);
        const exposesIstiod = leads || servers.some((gw) => (gw.spec?.servers ?? []).some((s) => s.port?.number === ISTIOD_XDS_PORT));
        checkGateway(ctx, c.name, g, { servers, exposesIstiod, index, policies: c.policies, istiodPods, workloads: c });
      }
    }
  },
});

/** All a gateway's findings need of the context. */
type Reporter = Pick<CheckContext<'v1/Service'>, 'report'>;

function checkGateway(
  ctx: Reporter,
  cluster: string,
  g: EastWestGateway,
  o: {
    servers: IstioGateway[];
    exposesIstiod: boolean;
    index: NetpolIndex;
    policies: readonly NetworkPolicy[];
    istiodPods: Pod[];
    workloads: { services: readonly Service[] };
  },
): void {
  const ns = namespaceOf(g.deployment);
  const gateway = `${ns}/${g.deployment.metadata.name}`;
  const deploymentRef = inCluster(cluster, 'Deployment', ns, g.deployment.metadata.name);
  if (g.services.length === 0) {
    ctx.report(
      'MB0921',
      deploymentRef,
      { service: `(none selects ${gateway})`, cluster, type: 'none' },
      { evidence: { 'Services selecting its pods': '(none)' } },
    );
    return;
  }
  // Target ports the other clusters' traffic arrives on at the gateway pods.
  const targetPorts = new Map<number, string>();
  let sidecarMode = false;
  for (const s of g.services) {
    const service = `${namespaceOf(s)}/${s.metadata.name}`;
    const ref = inCluster(cluster, 'Service', namespaceOf(s), s.metadata.name);
    const type = s.spec?.type ?? 'ClusterIP';
    if (externalAddresses(s).length === 0)
      ctx.report('MB0921', ref, { service, cluster, type }, { evidence: { 'spec.type': type, 'status.loadBalancer.ingress': '(none)' } });
    const ports = s.spec?.ports ?? [];
    const has = (port: number): boolean => ports.some((p) => p.port === port);
    const cross = crossNetworkPort(s);
    const needed: [number, string][] = [];
    if (has(cross) || !has(HBONE_PORT)) {
      sidecarMode = true;
      needed.push([cross, 'carries mTLS traffic from the other networks (AUTO_PASSTHROUGH)']);
    } else needed.push([HBONE_PORT, 'carries HBONE traffic from the other networks (ambient)']);
    if (o.exposesIstiod) {
      needed.push([ISTIOD_XDS_PORT, "carries remote proxies' xDS and certificate requests to istiod"]);
      needed.push([ISTIOD_WEBHOOK_PORT, "carries remote API servers' webhook calls to istiod"]);
    }
    for (const [port, purpose] of needed) {
      const sp = ports.find((p) => p.port === port);
      if (sp === undefined) {
        ctx.report(
          'MB0922',
          ref,
          { service, cluster, port, purpose },
          { evidence: { 'spec.ports': ports.map((p) => `${p.name ?? ''} ${p.port}`).join(', ') || '(none)' } },
        );
        continue;
      }
      const target = typeof sp.targetPort === 'number' ? sp.targetPort : port;
      targetPorts.set(target, `${port}`);
    }
  }
  if (sidecarMode) {
    const cross = crossNetworkPort(g.services[0]);
    const serversOnPort = o.servers.flatMap((gw) =>
      (gw.spec?.servers ?? []).filter((s) => s.port?.number === cross).map((s) => ({ gw, s })),
    );
    const good = serversOnPort.some(({ s }) => s.tls?.mode === 'AUTO_PASSTHROUGH' && (s.hosts ?? []).some(coversLocal));
    if (!good) {
      const detail =
        o.servers.length === 0
          ? 'no Gateway selects its pods'
          : serversOnPort.length === 0
            ? `Gateways ${o.servers.map((x) => `${namespaceOf(x)}/${x.metadata.name}`).join(', ')} have no server on ${cross}`
            : serversOnPort
                .map(
                  ({ gw, s }) =>
                    `${namespaceOf(gw)}/${gw.metadata.name}: tls.mode ${s.tls?.mode ?? '(unset)'}, hosts ${(s.hosts ?? []).join(', ')}`,
                )
                .join('; ');
      ctx.report(
        'MB0923',
        deploymentRef,
        { gateway, cluster, port: cross, detail },
        {
          evidence: { 'Gateways selecting its pods': o.servers.map((x) => `${namespaceOf(x)}/${x.metadata.name}`).join(', ') || '(none)' },
        },
      );
    }
  }
  // NetworkPolicies.
  const classes = [...new Set(g.pods.map((p) => o.index.classOf(p)))];
  const inbound = new DenialsByPolicy();
  for (const cls of classes) {
    for (const [port, servicePort] of targetPorts) {
      const dst = { kind: 'class', podClass: cls } as const;
      if (admitsOutside(o.index, o.policies, dst, port)) continue;
      inbound.add(
        o.index,
        { kind: 'ip', ip: OUTSIDE_ADDRESS },
        dst,
        port,
        servicePort === `${port}` ? `${port}` : `${port} (Service port ${servicePort})`,
        'ingress',
      );
    }
  }
  for (const d of inbound.groups) {
    const ports = `TCP ${d.what.join(', ')}`;
    ctx.report(
      'MB0924',
      inCluster(cluster, 'NetworkPolicy', d.policy.namespace, d.policy.name),
      { policy: `${d.policy.namespace}/${d.policy.name}`, gateway, cluster, ports },
      {
        evidence: { 'blocked ports': ports, 'gateway pods': listForEvidence(g.pods.map((p) => p.metadata.name)) },
        fix: 'admit-outside',
        fixParams: { rule: fixRule(d.fix), ports },
      },
    );
  }
  const egress = new DenialsByPolicy();
  const ingress = new DenialsByPolicy();
  const istiodClasses = [...new Set(o.istiodPods.map((p) => o.index.classOf(p)))];
  for (const cls of classes) {
    const src = { kind: 'class', podClass: cls } as const;
    for (const ic of istiodClasses)
      egress.add(
        o.index,
        src,
        { kind: 'class', podClass: ic },
        ISTIOD_XDS_PORT,
        `istiod (${ic.namespace}) on ${ISTIOD_XDS_PORT}`,
        'egress',
      );
    for (const service of o.workloads.services) {
      if (namespaceOf(service) === ISTIO_NAMESPACE) continue;
      for (const t of serviceTargets(o.index, service).targets) {
        if (!t.podClass.pods.some(hasProxy)) continue;
        const what = `${namespaceOf(service)}/${service.metadata.name}:${t.port.port}`;
        const dst = { kind: 'class', podClass: t.podClass } as const;
        egress.add(o.index, src, dst, t.port.port, what, 'egress');
        ingress.add(o.index, src, dst, t.port.port, what, 'ingress');
      }
    }
  }
  for (const d of egress.groups) {
    ctx.report(
      'MB0925',
      inCluster(cluster, 'NetworkPolicy', d.policy.namespace, d.policy.name),
      { policy: `${d.policy.namespace}/${d.policy.name}`, gateway, cluster, destinations: listForEvidence(d.what) },
      { evidence: { 'blocked destinations': listForEvidence(d.what) }, fix: 'allow-gateway-egress', fixParams: { rule: fixRule(d.fix) } },
    );
  }
  for (const d of ingress.groups) {
    ctx.report(
      'MB0926',
      inCluster(cluster, 'NetworkPolicy', d.policy.namespace, d.policy.name),
      { policy: `${d.policy.namespace}/${d.policy.name}`, gateway, cluster, workloads: listForEvidence(d.what) },
      { evidence: { 'blocked Service ports': listForEvidence(d.what) }, fix: 'admit-gateway', fixParams: { rule: fixRule(d.fix) } },
    );
  }
}

/** A Gateway host that covers every `*.local` service name. */
function coversLocal(host: string): boolean {
  const name = host.includes('/') ? host.slice(host.indexOf('/') + 1) : host;
  return name === '*' || name === '*.local';
}
