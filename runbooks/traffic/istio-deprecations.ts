import { defineCheck } from '../../src/engine/check.ts';
import { namespaceOf } from '../lib/mesh.ts';
import { inAnalyzedRevision } from '../lib/revision.ts';

// Mirrors istioctl's deprecation.FieldAnalyzer (Metadata name deprecation.DeprecationAnalyzer,
// pkg/config/analysis/analyzers/deprecation/deprecation.go). IST0002 for:
// - a VirtualService with an HTTP route whose fault.delay.percent (the old integer form) is above 0
//   (istioctl reports each such route, identically, and prints them once: one finding here);
// - a Sidecar whose outboundTrafficPolicy sets egressProxy (istiod ignores it);
// - a CustomResourceDefinition of the removed rbac.istio.io kinds ClusterRbacConfig, RbacConfig,
//   ServiceRole, ServiceRoleBinding.
// istioctl files the Sidecar finding under the VirtualService collection; the resource it names is
// the Sidecar, as here. Objects labelled for another revision are not read, as in istioctl.
const REMOVED_RBAC_GROUP = 'rbac.istio.io';
const REMOVED_RBAC_KINDS: ReadonlySet<string> = new Set(['ClusterRbacConfig', 'RbacConfig', 'ServiceRole', 'ServiceRoleBinding']);

function record(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

export default defineCheck({
  id: 'istio-deprecations',
  title: 'No deprecated Istio fields or removed resource types',
  description:
    'VirtualService fault delays use `percentage`, Sidecars set no `egressProxy`, and no CustomResourceDefinition of the removed rbac.istio.io API is installed.',
  why: 'Deprecated fields are ignored or may stop working on upgrade, and removed resource types are not read at all: the YAML says one thing, the proxies do another.',
  inputs: ['networking.istio.io/v1/VirtualService', 'networking.istio.io/v1/Sidecar', 'apiextensions.k8s.io/v1/CustomResourceDefinition'],
  analyzer: 'deprecation.DeprecationAnalyzer',
  docs: '/concepts/traffic-management/#istio-deprecations',
  analyze(ctx) {
    for (const vs of ctx.list('networking.istio.io/v1/VirtualService').filter(inAnalyzedRevision)) {
      const evidence: Record<string, number> = {};
      (vs.spec?.http ?? []).forEach((route, i) => {
        const percent = record(record(record(route)?.fault)?.delay)?.percent;
        if (typeof percent === 'number' && percent > 0) evidence[`spec.http[${i}].fault.delay.percent`] = percent;
      });
      if (Object.keys(evidence).length === 0) continue;
      ctx.report(
        'IST0002',
        { kind: 'VirtualService', namespace: namespaceOf(vs), name: vs.metadata.name },
        { detail: 'HTTPRoute.fault.delay.percent is deprecated; use HTTPRoute.fault.delay.percentage' },
        { evidence },
      );
    }
    for (const sc of ctx.list('networking.istio.io/v1/Sidecar').filter(inAnalyzedRevision)) {
      const policy = record(record(sc.spec)?.outboundTrafficPolicy);
      const egressProxy = policy?.egressProxy;
      if (egressProxy === undefined || egressProxy === null) continue;
      ctx.report(
        'IST0002',
        { kind: 'Sidecar', namespace: namespaceOf(sc), name: sc.metadata.name },
        { detail: 'OutboundTrafficPolicy.EgressProxy ignored' },
        { evidence: { 'spec.outboundTrafficPolicy.egressProxy.host': String(record(egressProxy)?.host ?? '') } },
      );
    }
    for (const crd of ctx.list('apiextensions.k8s.io/v1/CustomResourceDefinition').filter(inAnalyzedRevision)) {
      const spec = record(crd.spec);
      const group = spec?.group;
      const kind = record(spec?.names)?.kind;
      if (group !== REMOVED_RBAC_GROUP || typeof kind !== 'string' || !REMOVED_RBAC_KINDS.has(kind)) continue;
      ctx.report(
        'IST0002',
        { kind: 'CustomResourceDefinition', name: crd.metadata.name },
        { detail: `Custom resource type ${group} ${kind} is removed` },
        { evidence: { 'spec.group': group, 'spec.names.kind': kind } },
      );
    }
  },
});
