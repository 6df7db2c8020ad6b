import { defineCheck } from '../../src/engine/check.ts';
import { ISTIO_NAMESPACE, MESH_CONFIGMAP, readMeshConfig } from '../../src/istio/mesh-config.ts';
import { resourceNameFromHost, toFqdn } from '../../src/istio/hosts.ts';
import type { DestinationRule, KubeObject, Namespace, Service, VirtualService } from '../../src/k8s/objects.ts';
import { USE_WAYPOINT_LABEL, namespaceIsAmbient, waypointRef } from '../../src/mesh/ambient.ts';
import { namespaceOf } from '../lib/mesh.ts';
import { boundToWaypoint } from '../lib/waypoints.ts';

// VirtualServices and DestinationRules in ambient mode. ztunnel reads neither: only a waypoint
// applies them, to the Services bound to it (istio.io/use-waypoint on the Service, else its
// namespace; `none` opts out). What counts as L7 follows Kiali (business/checkers/ambient/
// l7_classification.go): a VirtualService with http or tls routes whose gateways are empty or
// include `mesh`; a DestinationRule whose trafficPolicy, or a subset's, sets outlierDetection,
// connectionPool.http, or a consistentHash on an HTTP header or cookie.
// - The host is an ambient Service bound to no waypoint → MB0745 (Kiali KIA1113, KIA0211).
// - A waypoint takes a Service's VirtualServices only from the Service's namespace or its own
//   (getVirtualServiceForWaypoint, pilot/pkg/networking/core/listener_waypoint.go), and its
//   DestinationRules from its own namespace, the Service's or the root namespace
//   (PushContext.destinationRule, pilot/pkg/model/push_context.go) → MB0746 (KIA1114, KIA0212).
//   Kiali wants the Service's namespace only; the waypoint's and the root namespace are accepted
//   here because istiod reads them.
// - No host is a Service of an ambient namespace in the snapshot, the resource's own namespace is
//   ambient and bound to no waypoint → MB0747 (KIA1109, KIA0210).
// Hosts resolve as istiod resolves them (model.ResolveShortnameToFQDN): a name without a dot is a
// Service of the resource's namespace, `<name>.<ns>.svc.cluster.local` one of `<ns>`; anything
// else (`reviews.shop`, wildcards, external names) names no Service. Kiali also reads `name.ns`.
export default defineCheck({
  id: 'ambient-routing',
  title: 'L7 routing for ambient Services reaches a waypoint',
  description:
    'Every VirtualService with HTTP or TLS routes and every DestinationRule with HTTP-level settings that names an ambient Service has a waypoint to apply it, in a namespace that waypoint reads.',
  why: 'ztunnel forwards connections without reading VirtualServices or DestinationRules. Without a waypoint bound to the Service, or with the resource in a namespace the waypoint ignores, traffic splits, retries, fault injection and circuit breaking silently do nothing.',
  inputs: ['networking.istio.io/v1/VirtualService', 'networking.istio.io/v1/DestinationRule', 'v1/Service', 'v1/Namespace', 'v1/ConfigMap'],
  kiali: ['KIA0210', 'KIA0211', 'KIA0212', 'KIA1109', 'KIA1113', 'KIA1114'],
  docs: '/concepts/ambient/#ambient-routing',
  analyze(ctx) {
    const root = rootNamespace(ctx.find('v1/ConfigMap', ISTIO_NAMESPACE, MESH_CONFIGMAP));
    const namespaces = new Map(ctx.list('v1/Namespace').map((n) => [n.metadata.name, n]));
    const ref = (o: KubeObject) => ({ kind: o.kind, namespace: namespaceOf(o), name: o.metadata.name });

    const judge = (obj: KubeObject, hosts: readonly { host: string; field: string }[], features: string): void => {
      const kind = obj.kind;
      const ns = namespaceOf(obj);
      const resource = `${ns}/${obj.metadata.name}`;
      const seen = new Set<string>();
      let resolved = false;
      for (const { host, field } of hosts) {
        const service = ambientService(host, ns);
        if (service === undefined) continue;
        resolved = true;
        const svcNs = namespaceOf(service);
        const key = `${svcNs}/${service.metadata.name}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const svcNamespace = namespaces.get(svcNs);
        const waypoint = boundToWaypoint(service, svcNamespace) ? waypointOf(service, svcNamespace) : undefined;
        const hostEvidence = { [field]: host, [`Service ${key}`]: bindingEvidence(service, svcNamespace) };
        if (waypoint === undefined) {
          ctx.report(
            'MB0745',
            ref(obj),
            { kind, resource, features, service: key },
            { evidence: hostEvidence, fix: 'bind-service-to-waypoint', fixParams: { namespace: svcNs, service: service.metadata.name } },
          );
          continue;
        }
        const readFrom = [svcNs, waypoint.namespace, ...(kind === 'DestinationRule' ? [root] : [])];
        if (readFrom.includes(ns)) continue;
        ctx.report(
          'MB0746',
          ref(obj),
          {
            kind,
            resource,
            service: key,
            read: describeReadFrom(svcNs, waypoint.namespace, kind === 'DestinationRule' ? root : undefined),
          },
          {
            evidence: { ...hostEvidence, waypoint: `${waypoint.namespace}/${waypoint.name}` },
            fix: 'move-to-service-namespace',
            fixParams: { kind, name: obj.metadata.name, from: ns, to: svcNs },
          },
        );
      }
      if (resolved) return;
      const own = namespaces.get(ns);
      if (own === undefined || !namespaceIsAmbient(own) || boundToWaypoint(own, own)) return;
      ctx.report(
        'MB0747',
        ref(obj),
        { kind, resource, features, namespace: ns },
        {
          evidence: {
            hosts: hosts.map((h) => h.host).join(', ') || '(none)',
            [`namespace label ${USE_WAYPOINT_LABEL}`]: '(none)',
          },
          fix: 'bind-namespace-to-waypoint',
          fixParams: { namespace: ns },
        },
      );
    };

    // The Service in an ambient namespace a host names, when the snapshot has it.
    function ambientService(host: string, ns: string): Service | undefined {
      if (host === '' || host.startsWith('*')) return undefined;
      const fqdn = toFqdn(ns, host);
      const target = resourceNameFromHost('', fqdn);
      if (target.namespace === '' || !namespaceIsAmbient(namespaces.get(target.namespace))) return undefined;
      return ctx.find('v1/Service', target.namespace, target.name);
    }

    for (const vs of ctx.list('networking.istio.io/v1/VirtualService')) {
      const features = virtualServiceFeatures(vs);
      if (features === undefined) continue;
      const hosts = (vs.spec?.hosts ?? []).map((host, i) => ({ host: String(host), field: `spec.hosts[${i}]` }));
      judge(vs, hosts, features);
    }
    for (const dr of ctx.list('networking.istio.io/v1/DestinationRule')) {
      const features = destinationRuleFeatures(dr);
      if (features === undefined) continue;
      judge(dr, [{ host: typeof dr.spec?.host === 'string' ? dr.spec.host : '', field: 'spec.host' }], features);
    }
  },
});

/** The waypoint a bound Service uses: its own label, else its namespace's. */
function waypointOf(service: Service, namespace: Namespace | undefined): { namespace: string; name: string } | undefined {
  if (service.metadata.labels?.[USE_WAYPOINT_LABEL] !== undefined) return waypointRef(service);
  return namespace === undefined ? undefined : waypointRef(namespace);
}

/** How a Service is (not) bound, for evidence: its label and its namespace's. */
function bindingEvidence(service: Service, namespace: Namespace | undefined): string {
  const own = service.metadata.labels?.[USE_WAYPOINT_LABEL];
  const inherited = namespace?.metadata.labels?.[USE_WAYPOINT_LABEL];
  return `${USE_WAYPOINT_LABEL} ${own ?? '(none)'} on the Service, ${inherited ?? '(none)'} on its namespace`;
}

function describeReadFrom(serviceNs: string, waypointNs: string, root: string | undefined): string {
  const parts = [`${serviceNs} (the Service's namespace)`];
  if (waypointNs !== serviceNs) parts.push(`${waypointNs} (the waypoint's)`);
  if (root !== undefined && root !== serviceNs && root !== waypointNs) parts.push(`${root} (the root namespace)`);
  return parts.length === 1 ? parts[0]! : `${parts.slice(0, -1).join(', ')} or ${parts.at(-1)!}`;
}

/** meshConfig.rootNamespace (istio-system unless set). */
function rootNamespace(cm: Parameters<typeof readMeshConfig>[0]): string {
  const read = readMeshConfig(cm);
  const value = read.kind === 'mapping' ? read.mesh.rootNamespace : undefined;
  return typeof value === 'string' && value !== '' ? value : ISTIO_NAMESPACE;
}

/** What makes a VirtualService need a waypoint (http or tls routes for mesh traffic), or undefined. */
function virtualServiceFeatures(vs: VirtualService): string | undefined {
  const gateways = vs.spec?.gateways ?? [];
  if (gateways.length > 0 && !gateways.includes('mesh')) return undefined;
  const kinds = [...((vs.spec?.http ?? []).length > 0 ? ['HTTP routes'] : []), ...((vs.spec?.tls ?? []).length > 0 ? ['TLS routes'] : [])];
  return kinds.length === 0 ? undefined : kinds.join(' and ');
}

interface TrafficPolicy {
  loadBalancer?: { consistentHash?: { httpHeaderName?: unknown; httpCookie?: unknown } };
  connectionPool?: { http?: unknown };
  outlierDetection?: unknown;
}

/** What makes a DestinationRule need a waypoint (Kiali's IsL7DestinationRule), or undefined. */
function destinationRuleFeatures(dr: DestinationRule): string | undefined {
  const policies: { where: string; tp: TrafficPolicy | undefined }[] = [
    { where: 'trafficPolicy', tp: asPolicy(dr.spec?.trafficPolicy) },
    ...(dr.spec?.subsets ?? []).map((s, i) => ({ where: `subsets[${i}].trafficPolicy`, tp: asPolicy(s?.trafficPolicy) })),
  ];
  const found: string[] = [];
  for (const { where, tp } of policies) {
    if (tp === undefined) continue;
    const hash = tp.loadBalancer?.consistentHash;
    if (
      hash !== undefined &&
      hash !== null &&
      ((typeof hash.httpHeaderName === 'string' && hash.httpHeaderName !== '') || isObject(hash.httpCookie))
    )
      found.push(`${where}.loadBalancer.consistentHash`);
    if (isObject(tp.connectionPool?.http)) found.push(`${where}.connectionPool.http`);
    if (isObject(tp.outlierDetection)) found.push(`${where}.outlierDetection`);
  }
  return found.length === 0 ? undefined : found.join(', ');
}

function asPolicy(v: unknown): TrafficPolicy | undefined {
  return isObject(v) ? (v as TrafficPolicy) : undefined;
}

function isObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null;
}
