import { defineCheck } from '../../src/engine/check.ts';
import type { ResourceRef } from '../../src/engine/types.ts';
import type { KubeObject, Pod } from '../../src/k8s/objects.ts';
import { isIstioAnnotation, WRITTEN_BY_ISTIO } from '../../src/istio/annotation-names.ts';
import { ISTIO_ANNOTATIONS } from '../../src/istio/annotations.gen.ts';
import { IGNORED_NAMESPACES, namespaceOf } from '../lib/mesh.ts';
import { inAnalyzedRevision } from '../lib/revision.ts';

// Mirrors istioctl's annotations.AlphaAnalyzer (pkg/config/analysis/analyzers/maturity/). It is not
// among the analyzers `istioctl analyze` knows, since Istio itself writes some alpha annotations
// (asking for it by name with --analyzer matches nothing, and istioctl then runs its whole default
// set); `istioctl x precheck` runs it before an upgrade. One IST0136 per
// annotation on a Namespace, Service, Pod or Deployment that istio.io/api's table knows and marks
// Alpha. An annotation is Istio's as for annotations.K8sAnalyzer: its prefix ends in "istio.io", or
// it is kubernetes.io/ingress.class. Names the table does not know are that analyzer's business
// (IST0108), not this one's. Never reported: the ones Istio sets on every injected pod or managed
// object (sidecar.istio.io/status, gateway.istio.io/controller-version, istio.io/rev). The four
// injection writes by default (interception mode, inbound port lists, outbound IP ranges) are
// skipped on a Pod without an `istio-init` init container, one whose traffic the CNI plugin sets up.
const ALPHA: ReadonlySet<string> = new Set(ISTIO_ANNOTATIONS.filter((a) => a.featureStatus === 'Alpha').map((a) => a.name));
const WRITTEN_BY_CNI_INJECTION: ReadonlySet<string> = new Set([
  'sidecar.istio.io/interceptionMode',
  'traffic.sidecar.istio.io/includeInboundPorts',
  'traffic.sidecar.istio.io/excludeInboundPorts',
  'traffic.sidecar.istio.io/includeOutboundIPRanges',
]);
// The init container that sets up iptables when the CNI plugin does not.
const ISTIO_INIT = 'istio-init';

type AnalyzedKind = 'Namespace' | 'Service' | 'Pod' | 'Deployment';

export default defineCheck({
  id: 'alpha-annotations',
  title: 'No alpha-level Istio annotations',
  description:
    'No Namespace, Service, Pod or Deployment relies on an Istio annotation whose feature is still alpha, apart from the ones Istio writes itself.',
  why: 'An alpha feature may change or be removed in a minor release and is less tested: a setting that works today can silently stop applying after an upgrade.',
  inputs: ['v1/Namespace', 'v1/Service', 'v1/Pod', 'apps/v1/Deployment'],
  analyzer: 'annotations.AlphaAnalyzer',
  docs: '/concepts/traffic-management/#alpha-annotations',
  analyze(ctx) {
    const visit = (obj: KubeObject, kind: AnalyzedKind, cniInjected: boolean): void => {
      const resource: ResourceRef =
        kind === 'Namespace' ? { kind, name: obj.metadata.name } : { kind, namespace: namespaceOf(obj), name: obj.metadata.name };
      const annotations = obj.metadata.annotations ?? {};
      for (const name of Object.keys(annotations).sort()) {
        if (!isIstioAnnotation(name) || !ALPHA.has(name) || WRITTEN_BY_ISTIO.has(name)) continue;
        if (cniInjected && WRITTEN_BY_CNI_INJECTION.has(name)) continue;
        ctx.report('IST0136', resource, { annotation: name }, { evidence: { [`metadata.annotations.${name}`]: annotations[name] ?? '' } });
      }
    };
    const seen = (o: KubeObject): boolean => !IGNORED_NAMESPACES.has(namespaceOf(o));
    const withoutIstioInit = (pod: Pod): boolean => !(pod.spec?.initContainers ?? []).some((c) => c.name === ISTIO_INIT);
    for (const ns of ctx.list('v1/Namespace')) if (!IGNORED_NAMESPACES.has(ns.metadata.name)) visit(ns, 'Namespace', false);
    for (const svc of ctx.list('v1/Service').filter(seen)) visit(svc, 'Service', false);
    for (const pod of ctx.list('v1/Pod').filter(seen)) visit(pod, 'Pod', withoutIstioInit(pod));
    for (const d of ctx.list('apps/v1/Deployment').filter(inAnalyzedRevision)) visit(d, 'Deployment', false);
  },
});
