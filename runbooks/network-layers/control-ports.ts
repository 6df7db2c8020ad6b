import { defineCheck } from '../../src/engine/check.ts';
import { componentName } from '../../src/mesh/istio-version.ts';
import { fixSentence, ruleText, type BlockedGroup } from '../../src/reachability/blocked/index.ts';
import { componentText, controlTraffic } from '../lib/control-flows.ts';
import { countedList, fullName, listForEvidence, namespaceOf } from '../lib/mesh.ts';

// R5: the control traffic of the detected Istio generation must get through the NetworkPolicies:
// proxies → the control plane (xDS/CA; Pilot and Mixer in 1.0), the API server → the webhooks
// (istiod's 15017 behind Service port 443), Prometheus → the metrics ports. Kubelet probes of
// 15021 come from the pod's own node, which NetworkPolicy always admits, so they are not checked.
// The flows and who dials what: runbooks/lib/control-flows.ts.

const KUBELET_NOTE = "node-local: NetworkPolicy always admits traffic from the pod's own node, so kubelet → 15021 needs no rule";

const policyRefs = (g: BlockedGroup<unknown>): string => listForEvidence(g.isolatedBy.map((p) => `${p.namespace}/${p.name}`));
const policyOf = (g: BlockedGroup<unknown>) => ({ kind: 'NetworkPolicy', namespace: g.policy.namespace, name: g.policy.name });
const ruleEvidence = (fix: BlockedGroup<unknown>['fix']): Record<string, string> =>
  fix === undefined ? {} : { 'rule that would allow it': ruleText(fix) };

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
    const traffic = controlTraffic(ctx);
    // No control plane: control-plane-health (and istiod-api-access) say so; there is no port set to check.
    if (traffic === undefined) return;
    const { install, detected } = traffic;
    const kubelet: Record<string, string> = install.era === 'istiod' ? { 'kubelet → 15021 (health probes)': KUBELET_NOTE } : {};

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
