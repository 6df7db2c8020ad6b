import { defineCheck } from '../../src/engine/check.ts';
import { componentName } from '../../src/mesh/istio-version.ts';
import { fixSentence, ruleText, type BlockedGroup } from '../../src/reachability/blocked/index.ts';
import { componentText, controlTraffic, type AmbientControl } from '../lib/control-flows.ts';
import { countedList, fullName, listForEvidence, namespaceOf } from '../lib/mesh.ts';

// R5: the control traffic of the detected Istio generation must get through the NetworkPolicies:
// proxies → the control plane (xDS/CA; Pilot and Mixer in 1.0), the API server → the webhooks
// (istiod's 15017 behind Service port 443), Prometheus → the metrics ports. Kubelet probes of
// 15021 come from the pod's own node, which NetworkPolicy always admits, so they are not checked.
// In ambient mode ztunnel and the waypoints dial istiod like the proxies, and the kubelet's probes
// of ambient pods arrive from istio-cni's link-local address instead of the node: those are.
// The flows and who dials what: runbooks/lib/control-flows.ts.

const KUBELET_NOTE = "node-local: NetworkPolicy always admits traffic from the pod's own node, so kubelet → 15021 needs no rule";

// Ambient's infrastructure is probed like any pod: from its own node (ztunnel and waypoints are not captured).
const ambientEvidence = (a: AmbientControl): Record<string, string> => ({
  'ambient infrastructure': `ztunnel ${a.ztunnels.length === 0 ? '(none found)' : listForEvidence(a.ztunnels)} dials istiod on 15012 like the proxies; waypoints ${a.waypoints.length === 0 ? '(none)' : listForEvidence(a.waypoints)} too. The kubelet probes their 15021 from their own node: ${KUBELET_NOTE.slice(KUBELET_NOTE.indexOf(':') + 2)}`,
});

const policyRefs = (g: BlockedGroup<unknown>): string => listForEvidence(g.isolatedBy.map((p) => `${p.namespace}/${p.name}`));
const policyOf = (g: BlockedGroup<unknown>) => ({ kind: 'NetworkPolicy', namespace: g.policy.namespace, name: g.policy.name });
const ruleEvidence = (fix: BlockedGroup<unknown>['fix']): Record<string, string> =>
  fix === undefined ? {} : { 'rule that would allow it': ruleText(fix) };

export default defineCheck({
  id: 'control-ports',
  title: "NetworkPolicies let Istio's control traffic through",
  description:
    "Detects the Istio generation (istiod, or 1.0's Pilot, Mixer, Citadel and Galley) and its control ports, then reports each NetworkPolicy that drops: sidecars and gateways reaching the control plane (istiod 15012/15010; Pilot 15010/15011 and Mixer 9091/15004 in 1.0), the API server reaching the webhooks (istiod 15017 behind Service port 443), or Prometheus scraping 15020/15090 and the control plane's monitoring port. In ambient mode: ztunnel and waypoints reaching istiod on 15012, and the kubelet's probes of ambient pods, which come from 169.254.7.127 (a warning where the CNI is Cilium).",
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
    const traffic = controlTraffic(ctx);
    // No control plane: control-plane-health (and istiod-api-access) say so; there is no port set to check.
    if (traffic === undefined) return;
    const { install, detected } = traffic;
    const ambient = traffic.ambient;
    const kubelet: Record<string, string> =
      install.era !== 'istiod'
        ? {}
        : ambient === undefined
          ? { 'kubelet → 15021 (health probes)': KUBELET_NOTE }
          : { 'kubelet → 15021 (health probes)': KUBELET_NOTE, ...ambientEvidence(ambient) };

    for (const g of traffic.xds) {
      const { component, purpose, servicePort } = g.meta;
      const port = g.ports[0]!.port;
      const ports = g.ports.map((p) => p.port).join(', ');
      ctx.report(
        'MB0601',
        policyOf(g),
        {
          policy: `${g.policy.namespace}/${g.policy.name}`,
          direction: g.direction,
          component: componentText(component),
          port,
          purpose,
          proxies: g.sources.length,
        },
        {
          evidence: {
            blockedProxies: countedList(g.sources, 12),
            destination: `${componentText(component)} pods ${listForEvidence(g.destinations)}, port ${ports}${servicePort === undefined ? '' : ` (Service port ${servicePort.port})`}`,
            isolatingPolicies: `${g.direction} policies on the ${g.direction === 'ingress' ? 'control plane' : 'proxy'} pods: ${policyRefs(g)}`,
            ...ruleEvidence(g.fix),
            ...detected,
            ...kubelet,
          },
          ...(g.fix === undefined
            ? { fix: 'allow-in-listed-policies', fixParams: { port, direction: g.direction } }
            : g.direction === 'ingress'
              ? { fix: 'open-control-plane', fixParams: { rule: fixSentence(g.fix), port, istiod: install.era === 'istiod' } }
              : { fix: 'let-proxies-out', fixParams: { rule: fixSentence(g.fix) } }),
        },
      );
    }

    for (const { group: g, fix } of traffic.webhooks) {
      const { component, purpose, servicePort } = g.meta;
      const port = g.ports[0]!.port;
      // The proxy path of the webhook call, for the command that retraces it.
      const webhookPath = {
        port,
        namespace: namespaceOf(component.deployment),
        service: component.service?.metadata.name ?? 'istiod',
        portName: servicePort?.name ?? 'https-webhook',
      };
      ctx.report(
        'MB0602',
        policyOf(g),
        {
          policy: `${g.policy.namespace}/${g.policy.name}`,
          component:
            component.service === undefined
              ? componentText(component)
              : `${componentName(component.role)} via Service ${fullName(component.service)}`,
          port,
          servicePort: servicePort?.port ?? port,
        },
        {
          evidence: {
            'API server address':
              traffic.apiServer.length > 0
                ? listForEvidence(traffic.apiServer)
                : `unknown (no kubernetes EndpointSlice in default): assumed outside the pod network, inside any ipBlock of the policies — none of whose rules opens ${port}`,
            webhook: `${purpose}: Service port ${servicePort?.port ?? port} → pod port ${g.ports.map((p) => p.port).join(', ')} on ${listForEvidence(g.destinations)}`,
            'ingress policies on the webhook pods': policyRefs(g),
            ...ruleEvidence(fix),
            ...detected,
          },
          ...(fix === undefined
            ? { fix: 'allow-from-outside', fixParams: webhookPath }
            : { fix: 'let-api-server-in', fixParams: { ...webhookPath, rule: fixSentence(fix) } }),
        },
      );
    }

    // The kubelet's probes of ambient pods arrive from istio-cni's link-local address, not the node.
    for (const g of ambient?.probes ?? []) {
      const cni = ambient!.cni;
      const known = cni.filtersProbeAddress;
      const address = g.meta.address;
      const params = {
        policy: `${g.policy.namespace}/${g.policy.name}`,
        workloads: g.destinations.length,
        cni: cni.name ?? 'no known CNI node agent found',
        address,
      };
      const evidence: Record<string, string> = {
        'probe source': `${address}: istio-cni rewrites the source of the kubelet's probes to ambient pods (SNAT), so NetworkPolicy sees it instead of the node`,
        'ambient workloads': countedList(g.destinations, 12),
        'probed ports': g.ports.map((p) => p.port).join(', '),
        'ingress policies on the probed pods': policyRefs(g),
        CNI:
          cni.name === undefined
            ? 'not recognised from the pods (Cilium drops the probe address under default-deny; others are not documented)'
            : known
              ? `${cni.name}: drops the probe address under a default-deny policy unless a rule admits it (istio.io, ambient platform prerequisites; istio/istio#49277)`
              : `${cni.name}: Istio does not document whether it enforces NetworkPolicy on the probe address`,
        ...ruleEvidence(g.fix),
        ...detected,
      };
      if (known)
        ctx.report('MB0750', policyOf(g), params, {
          evidence,
          ...(g.fix === undefined
            ? { fix: 'admit-probe-address-in-listed', fixParams: { address } }
            : { fix: 'admit-probe-address', fixParams: { rule: fixSentence(g.fix), address } }),
        });
      else
        ctx.report('MB0751', policyOf(g), params, {
          evidence,
          ...(g.fix === undefined
            ? { fix: 'admit-probe-address-in-listed', fixParams: { address } }
            : { fix: 'admit-probe-address', fixParams: { rule: fixSentence(g.fix), address } }),
        });
    }

    for (const g of traffic.scrapes) {
      const m = g.meta;
      ctx.report(
        'MB0603',
        policyOf(g),
        {
          policy: `${g.policy.namespace}/${g.policy.name}`,
          direction: g.direction,
          target: m.target,
          port: m.port,
          purpose: m.purpose,
          count: g.destinations.length,
        },
        {
          evidence: {
            Prometheus: listForEvidence(traffic.prometheus),
            unscrapedWorkloads: countedList(g.destinations, 12),
            isolatingPolicies: `${g.direction} policies on the ${g.direction === 'ingress' ? 'scraped' : 'Prometheus'} pods: ${policyRefs(g)}`,
            ...ruleEvidence(g.fix),
            ...detected,
            ...kubelet,
          },
          ...(g.fix === undefined
            ? { fix: 'allow-prometheus', fixParams: { port: m.port, direction: g.direction } }
            : { fix: 'let-prometheus-scrape', fixParams: { rule: fixSentence(g.fix) } }),
        },
      );
    }
  },
});
