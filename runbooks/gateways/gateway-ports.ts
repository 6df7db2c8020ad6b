import { defineCheck } from '../../src/engine/check.ts';
import { matchesLabels, selectorString } from '../../src/k8s/selectors.ts';
import { namespaceOf } from '../../src/k8s/names.ts';

// Mirrors istioctl's gateway.IngressGatewayPortAnalyzer, quirks included: gateway pods are
// matched in every namespace, Services only in each pod's namespace, only ports whose
// protocol is literally "TCP" count, and a server port may equal a targetPort or a port.
export default defineCheck({
  id: 'gateway-ports',
  title: 'Gateway ports are exposed by the gateway Service',
  description:
    'Every Gateway selects at least one gateway pod, and each server port of the Gateway is a port (or targetPort) of a Service in front of those pods.',
  why: 'A Gateway server on a port the Service does not expose is configured in Envoy but cannot be reached: clients see connection refused or timeouts at the load balancer.',
  inputs: ['networking.istio.io/v1/Gateway', 'v1/Pod', 'v1/Service'],
  analyzer: 'gateway.IngressGatewayPortAnalyzer',
  docs: '/concepts/gateways/#gateway-ports',
  analyze(ctx) {
    const pods = ctx.list('v1/Pod');
    // Most Gateways share a selector (istio: ingressgateway): match the pods once per distinct selector, not per Gateway.
    const selectedBy = new Map<string, typeof pods>();
    for (const gw of ctx.list('networking.istio.io/v1/Gateway')) {
      const resource = { kind: 'Gateway', namespace: gw.metadata.namespace, name: gw.metadata.name };
      const selector = gw.spec?.selector ?? {};
      const selectorKey = JSON.stringify(Object.entries(selector).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
      let selected = selectedBy.get(selectorKey);
      if (selected === undefined) selectedBy.set(selectorKey, (selected = pods.filter((p) => matchesLabels(selector, p.metadata.labels))));
      if (selected.length === 0) {
        ctx.report(
          'IST0101',
          resource,
          { kind: 'selector', ref: selectorString(selector) },
          {
            evidence: { 'spec.selector': selectorString(selector) || '(empty)', 'matching pods': 0 },
            fix: 'gateway-selector-matches-nothing',
          },
        );
        continue;
      }
      const servicePorts = new Set<number>();
      const portMapping = new Set<number>();
      const exposed: string[] = [];
      for (const pod of selected) {
        for (const svc of ctx.list('v1/Service', { namespace: namespaceOf(pod) })) {
          // As in istioctl, a Service without a selector matches every pod (SelectorFromSet({}) is Everything).
          if (!matchesLabels(svc.spec?.selector, pod.metadata.labels)) continue;
          for (const port of svc.spec?.ports ?? []) {
            if (port.protocol !== 'TCP') continue;
            const target = typeof port.targetPort === 'number' && port.targetPort !== 0 ? port.targetPort : port.port;
            servicePorts.add(target);
            portMapping.add(port.port);
            exposed.push(`${svc.metadata.name}:${port.port}→${target}`);
          }
        }
      }
      (gw.spec?.servers ?? []).forEach((server, i) => {
        // Like istioctl, a server with a port block but no number is checked as port 0 (and
        // reported); only a server without any port block is passed over.
        if (server.port === undefined) return;
        const port = server.port.number ?? 0;
        if (servicePorts.has(port) || portMapping.has(port)) return;
        ctx.report(
          'IST0162',
          resource,
          { port, selector: selectorString(selector) },
          {
            evidence: {
              [`spec.servers[${i}].port.number`]: port,
              'service TCP ports (port→targetPort)': exposed.length > 0 ? exposed.join(', ') : '(none)',
            },
            fix: 'expose-port',
            fixParams: { port, selector: selectorString(selector) },
          },
        );
      });
    }
  },
});
