import { defineCheck } from '../../src/engine/check.ts';
import type { IstioPolicy, Labels, Pod } from '../../src/k8s/objects.ts';
import { IGNORED_NAMESPACES, listForEvidence, namespaceOf } from '../lib/mesh.ts';
import { inAnalyzedRevision } from '../lib/revision.ts';

// Mirrors istioctl's k8sgateway.SelectorAnalyzer (pkg/config/analysis/analyzers/k8sgateway/
// workloadselector.go):
// - the pods istiod deploys for a Gateway API Gateway carry gateway.networking.k8s.io/gateway-name;
// - an AuthorizationPolicy, RequestAuthentication, Telemetry or WasmPlugin with a `selector`
//   (and no `targetRef`) whose matchLabels all appear on such a pod in the policy's own namespace
//   gets IST0166, once per pod (istioctl's output dedupes identical messages, so once per Gateway);
// - `selector: {}` matches every such pod (an empty label set is contained in any);
// - only the deprecated singular `targetRef` exempts a policy, as in istioctl; `targetRefs` does
//   not (the API server rejects a policy with both selector and targetRefs anyway);
// - policies labelled istio.io/rev=<other> are invisible (istioctl's default --revision), and pods
//   in the namespaces istioctl never reads (kube-system, …) do not count.
const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';

/** True when every key/value of `wanted` is in `labels` (Go's maps.Contains). */
function containsAll(labels: Labels, wanted: Labels): boolean {
  return Object.entries(wanted).every(([k, v]) => labels[k] === v);
}

export default defineCheck({
  id: 'k8sgateway-selectors',
  title: 'Policies attach to Gateway API gateways by reference, not by label',
  description:
    'No AuthorizationPolicy, RequestAuthentication, Telemetry or WasmPlugin picks the pods of a Kubernetes Gateway API Gateway with a label selector: those must attach with targetRefs.',
  why: 'istiod deploys the pods of Gateway API Gateways itself, and label selectors are not the supported way to attach policy to them: an edge allow or deny rule written that way may silently not apply.',
  inputs: [
    'v1/Pod',
    'security.istio.io/v1/AuthorizationPolicy',
    'security.istio.io/v1/RequestAuthentication',
    'telemetry.istio.io/v1/Telemetry',
    'extensions.istio.io/v1alpha1/WasmPlugin',
  ],
  analyzer: 'k8sgateway.SelectorAnalyzer',
  docs: '/concepts/gateways/#k8sgateway-selectors',
  analyze(ctx) {
    const gatewayPods = new Map<string, Pod[]>();
    for (const pod of ctx.list('v1/Pod')) {
      const ns = namespaceOf(pod);
      if (IGNORED_NAMESPACES.has(ns) || pod.metadata.labels?.[GATEWAY_NAME_LABEL] === undefined) continue;
      gatewayPods.set(ns, [...(gatewayPods.get(ns) ?? []), pod]);
    }
    if (gatewayPods.size === 0) {
      // Still read every policy kind, so what the check reads never depends on the cluster.
      ctx.list('security.istio.io/v1/AuthorizationPolicy');
      ctx.list('security.istio.io/v1/RequestAuthentication');
      ctx.list('telemetry.istio.io/v1/Telemetry');
      ctx.list('extensions.istio.io/v1alpha1/WasmPlugin');
      return;
    }

    const policies: [kind: string, policy: IstioPolicy][] = [
      ...ctx.list('security.istio.io/v1/AuthorizationPolicy').map((p) => ['AuthorizationPolicy', p] as [string, IstioPolicy]),
      ...ctx.list('security.istio.io/v1/RequestAuthentication').map((p) => ['RequestAuthentication', p] as [string, IstioPolicy]),
      ...ctx.list('telemetry.istio.io/v1/Telemetry').map((p) => ['Telemetry', p] as [string, IstioPolicy]),
      ...ctx.list('extensions.istio.io/v1alpha1/WasmPlugin').map((p) => ['WasmPlugin', p] as [string, IstioPolicy]),
    ];
    for (const [kind, policy] of policies) {
      if (!inAnalyzedRevision(policy)) continue;
      const spec = policy.spec;
      if (spec?.targetRef !== undefined && spec.targetRef !== null) continue;
      const selector = spec?.selector;
      if (selector === undefined || selector === null) continue;
      const matchLabels = selector.matchLabels ?? {};
      const ns = namespaceOf(policy);
      const resource = { kind, namespace: ns, name: policy.metadata.name };
      const selectorText = listForEvidence(Object.entries(matchLabels).map(([k, v]) => `${k}=${v}`));
      for (const pod of gatewayPods.get(ns) ?? []) {
        const labels = pod.metadata.labels ?? {};
        if (!containsAll(labels, matchLabels)) continue;
        const gateway = labels[GATEWAY_NAME_LABEL]!;
        ctx.report(
          'IST0166',
          resource,
          { gateway },
          {
            evidence: {
              'spec.selector.matchLabels':
                Object.keys(matchLabels).length === 0 ? '(empty: matches every pod in the namespace)' : selectorText,
              'gateway pod': `${ns}/${pod.metadata.name}`,
              [`pod label ${GATEWAY_NAME_LABEL}`]: gateway,
            },
            ...(Object.keys(matchLabels).length === 0
              ? { fix: 'target-gateway-or-namespace', fixParams: { kind, gateway } }
              : { fix: 'target-gateway', fixParams: { kind, gateway } }),
          },
        );
      }
    }
  },
});
