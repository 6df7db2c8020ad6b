import { defineCheck } from '../../src/engine/check.ts';
import type { KubeObject } from '../../src/k8s/objects.ts';
import { IGNORED_NAMESPACES, namespaceOf } from '../lib/mesh.ts';
import { inAnalyzedRevision } from '../lib/revision.ts';
import { conditionsOf, type Condition } from '../lib/waypoints.ts';

// Mirrors istioctl's conditions.ConditionAnalyzer (pkg/config/analysis/analyzers/conditions/):
// one IST0171 per condition whose status is the negative one for its kind —
// Service, ServiceEntry and WorkloadEntry: istio.io/WaypointBound False; AuthorizationPolicy:
// ZtunnelAccepted or WaypointAccepted False, and also WaypointAccepted with reason PartiallyInvalid
// whatever its status; Gateway API Gateway: Accepted, Programmed or ResolvedRefs False
// (gateway-level conditions only, not the listeners'); HTTPRoute and GRPCRoute: the same three in
// any status.parents entry. Other condition types (an Argo CD Synced, say) are ignored. Services in
// kube-system and the other namespaces istioctl skips are not read, nor Istio resources of another
// revision.
const NEGATIVE: Record<string, Readonly<Record<string, string>>> = {
  Service: { 'istio.io/WaypointBound': 'False' },
  ServiceEntry: { 'istio.io/WaypointBound': 'False' },
  WorkloadEntry: { 'istio.io/WaypointBound': 'False' },
  AuthorizationPolicy: { ZtunnelAccepted: 'False', WaypointAccepted: 'False' },
  Gateway: { Accepted: 'False', Programmed: 'False', ResolvedRefs: 'False' },
  HTTPRoute: { Accepted: 'False', Programmed: 'False', ResolvedRefs: 'False' },
  GRPCRoute: { Accepted: 'False', Programmed: 'False', ResolvedRefs: 'False' },
};

export default defineCheck({
  id: 'status-conditions',
  title: 'No negative status conditions',
  description:
    'No Service, ServiceEntry or WorkloadEntry failed to bind to its waypoint, no AuthorizationPolicy was refused by ztunnel or a waypoint, and no Gateway API Gateway, HTTPRoute or GRPCRoute was refused by its controller, as their status conditions say.',
  why: "istiod and Gateway API controllers write what they could not apply into the resource's status: the one place that says a waypoint binding or a policy is not in effect.",
  inputs: [
    'v1/Service',
    'networking.istio.io/v1/ServiceEntry',
    'networking.istio.io/v1/WorkloadEntry',
    'security.istio.io/v1/AuthorizationPolicy',
    'gateway.networking.k8s.io/v1/Gateway',
    'gateway.networking.k8s.io/v1/HTTPRoute',
    'gateway.networking.k8s.io/v1/GRPCRoute',
  ],
  analyzer: 'conditions.ConditionAnalyzer',
  docs: '/concepts/ambient/#status-conditions',
  analyze(ctx) {
    const report = (obj: KubeObject, c: Condition, field: string): void => {
      ctx.report(
        'IST0171',
        { kind: obj.kind, namespace: namespaceOf(obj), name: obj.metadata.name },
        { conditionType: c.type ?? '', reason: c.reason ?? '', message: c.message ?? '' },
        { evidence: { [field]: `${c.type ?? ''}=${c.status ?? ''} (${c.reason ?? ''})` } },
      );
    };
    const inspect = (obj: KubeObject, conditions: Condition[], field: (i: number) => string): void => {
      const negative = NEGATIVE[obj.kind] ?? {};
      conditions.forEach((c, i) => {
        if (c.type !== undefined && Object.hasOwn(negative, c.type) && negative[c.type] === c.status) report(obj, c, field(i));
        if (obj.kind === 'AuthorizationPolicy' && c.type === 'WaypointAccepted' && c.reason === 'PartiallyInvalid')
          report(obj, c, field(i));
      });
    };

    for (const svc of ctx.list('v1/Service')) {
      if (IGNORED_NAMESPACES.has(namespaceOf(svc))) continue;
      inspect(svc, conditionsOf(svc), (i) => `status.conditions[${i}]`);
    }
    const istio = [
      ...ctx.list('networking.istio.io/v1/ServiceEntry'),
      ...ctx.list('networking.istio.io/v1/WorkloadEntry'),
      ...ctx.list('security.istio.io/v1/AuthorizationPolicy'),
      ...ctx.list('gateway.networking.k8s.io/v1/Gateway'),
    ];
    for (const obj of istio) {
      if (inAnalyzedRevision(obj)) inspect(obj, conditionsOf(obj), (i) => `status.conditions[${i}]`);
    }
    const routes = [...ctx.list('gateway.networking.k8s.io/v1/HTTPRoute'), ...ctx.list('gateway.networking.k8s.io/v1/GRPCRoute')];
    for (const route of routes) {
      if (!inAnalyzedRevision(route)) continue;
      const parents = (route.status as { parents?: unknown } | undefined)?.parents;
      if (!Array.isArray(parents)) continue;
      parents.forEach((parent: { conditions?: unknown } | null, p) => {
        const conditions = Array.isArray(parent?.conditions)
          ? (parent.conditions as Condition[]).filter((c) => typeof c === 'object' && c !== null)
          : [];
        inspect(route, conditions, (i) => `status.parents[${p}].conditions[${i}]`);
      });
    }
  },
});
