import { defineCheck } from '../../src/engine/check.ts';
import type { KubeObject, Namespace } from '../../src/k8s/objects.ts';
import {
  USE_WAYPOINT_LABEL,
  USE_WAYPOINT_NAMESPACE_LABEL,
  WAYPOINT_FOR_LABEL,
  isAmbientPod,
  waypointFor,
  waypointRef,
  type WaypointFor,
} from '../../src/mesh/ambient.ts';
import { countedList, deploymentOfPod, namespaceOf } from '../lib/mesh.ts';
import {
  NO_WAYPOINT,
  admitsNamespace,
  conditionsOf,
  isHboneListener,
  isMeshGatewayService,
  isWaypointGateway,
  listenersOf,
  statusAddressCount,
} from '../lib/waypoints.ts';

type Traffic = 'service' | 'workload';

const SERVES: Record<Traffic, ReadonlySet<WaypointFor>> = {
  service: new Set<WaypointFor>(['service', 'all']),
  workload: new Set<WaypointFor>(['workload', 'all']),
};

// Waypoints as istiod reads them (pilot/pkg/serviceregistry/ambient/waypoints.go and the Gateway
// conversion in pilot/pkg/config/kube/gateway/conversion.go):
// - a Gateway of class istio-waypoint needs the listener 15008/HBONE (MB0720); istiod marks any
//   other listener of it not accepted (MB0721);
// - it is published only once Programmed with an address in status.addresses (MB0722);
// - `istio.io/waypoint-for` is compared literally: anything but service/workload/all/none serves
//   nothing (MB0723);
// - a Namespace, Service, ServiceEntry or ambient pod labelled `istio.io/use-waypoint` must name a
//   Gateway that exists, in its namespace or the one `istio.io/use-waypoint-namespace` names
//   (MB0724), whose HBONE listener admits that namespace (MB0726) and whose waypoint-for serves
//   the traffic: Services need service/all, pods with their own label workload/all, and a
//   namespace's label passes to its unlabelled Services (MB0725) — a service-only waypoint named
//   by the namespace is simply not used for its pods, which is no error;
// - `none` opts out; `istio.io/use-waypoint-namespace` alone is ignored (MB0727).
// A GatewayClass can also default waypoint-for; it is not read here, so the label's default
// (service) is assumed. Pods of one Deployment are reported once, as the Deployment.
export default defineCheck({
  id: 'ambient-waypoints',
  title: 'Waypoints are well formed and what names them exists',
  description:
    'Each istio-waypoint Gateway has its 15008/HBONE listener and is programmed, and every istio.io/use-waypoint label names a waypoint that exists, admits the namespace and serves that kind of traffic.',
  why: 'A binding istiod refuses sends the traffic straight to the destination: the L7 policies and routes meant for the waypoint are silently skipped.',
  inputs: ['gateway.networking.k8s.io/v1/Gateway', 'v1/Namespace', 'v1/Service', 'networking.istio.io/v1/ServiceEntry', 'v1/Pod'],
  docs: '/concepts/ambient/#ambient-waypoints',
  analyze(ctx) {
    const gateways = new Map(ctx.list('gateway.networking.k8s.io/v1/Gateway').map((g) => [`${namespaceOf(g)}/${g.metadata.name}`, g]));
    const namespaces = new Map(ctx.list('v1/Namespace').map((n) => [n.metadata.name, n]));
    const gwRef = (g: KubeObject) => ({ kind: 'Gateway', namespace: namespaceOf(g), name: g.metadata.name });

    for (const gw of gateways.values()) {
      if (!isWaypointGateway(gw)) continue;
      const name = `${namespaceOf(gw)}/${gw.metadata.name}`;
      const listeners = listenersOf(gw);
      const shown = listeners.map((l) => `${l.name ?? '(unnamed)'} ${l.port ?? '?'}/${l.protocol ?? '?'}`);
      if (!listeners.some(isHboneListener)) {
        ctx.report(
          'MB0720',
          gwRef(gw),
          { gateway: name, listeners: shown.length === 0 ? 'none' : shown.join(', ') },
          {
            evidence: { 'spec.gatewayClassName': 'istio-waypoint', 'spec.listeners': shown.length === 0 ? '(none)' : shown.join('; ') },
            fix: 'add-hbone-listener',
            fixParams: { gateway: gw.metadata.name, namespace: namespaceOf(gw) },
          },
        );
      }
      listeners.forEach((l, i) => {
        if (isHboneListener(l)) return;
        ctx.report(
          'MB0721',
          gwRef(gw),
          { gateway: name, listener: l.name ?? '(unnamed)', port: l.port ?? 0, protocol: l.protocol ?? '(none)' },
          { evidence: { [`spec.listeners[${i}]`]: shown[i]! } },
        );
      });
      const value = gw.metadata.labels?.[WAYPOINT_FOR_LABEL];
      if (value !== undefined && waypointFor(gw) === undefined) {
        ctx.report('MB0723', gwRef(gw), { gateway: name, value }, { evidence: { [`metadata.labels[${WAYPOINT_FOR_LABEL}]`]: value } });
      }
      const programmed = conditionsOf(gw).find((c) => c.type === 'Programmed');
      const addresses = statusAddressCount(gw);
      if (programmed?.status !== 'True' || addresses === 0) {
        const state =
          programmed === undefined
            ? 'its status has no Programmed condition (no controller has reconciled it)'
            : programmed.status !== 'True'
              ? `Programmed=${programmed.status ?? '(unset)'}, reason ${programmed.reason ?? '(none)'}: ${programmed.message ?? ''}`.trimEnd()
              : 'Programmed=True but status.addresses is empty';
        ctx.report(
          'MB0722',
          gwRef(gw),
          { gateway: name, state },
          {
            evidence: {
              'status.conditions[Programmed]':
                programmed === undefined ? '(absent)' : `${programmed.status ?? ''} ${programmed.reason ?? ''}`.trim(),
              'status.addresses': addresses,
            },
          },
        );
      }
    }

    // A binding of one resource to the waypoint its labels name, checked in istiod's order:
    // exists, admits the namespace, serves the traffic.
    const checkBinding = (
      obj: KubeObject,
      ref: { kind: string; namespace?: string; name: string },
      ownNamespace: string,
      traffic: Traffic | undefined,
      inherits: string[] = [],
    ): void => {
      const labels = obj.metadata.labels ?? {};
      const display = ref.namespace === undefined ? `${ref.kind} ${ref.name}` : `${ref.kind} ${ref.namespace}/${ref.name}`;
      const value = labels[USE_WAYPOINT_LABEL];
      if (value === undefined) {
        const nsLabel = labels[USE_WAYPOINT_NAMESPACE_LABEL];
        if (nsLabel !== undefined)
          ctx.report(
            'MB0727',
            ref,
            { resource: display, namespace: nsLabel },
            { evidence: { [`metadata.labels[${USE_WAYPOINT_NAMESPACE_LABEL}]`]: nsLabel } },
          );
        return;
      }
      const target = waypointRef(obj);
      if (value === NO_WAYPOINT || target === undefined) return;
      const waypoint = `${target.namespace}/${target.name}`;
      const evidence = {
        [`metadata.labels[${USE_WAYPOINT_LABEL}]`]: value,
        ...(labels[USE_WAYPOINT_NAMESPACE_LABEL] === undefined
          ? {}
          : { [`metadata.labels[${USE_WAYPOINT_NAMESPACE_LABEL}]`]: labels[USE_WAYPOINT_NAMESPACE_LABEL] }),
      };
      const gw = gateways.get(waypoint);
      if (gw === undefined) {
        const here = [...gateways.values()].filter((g) => namespaceOf(g) === target.namespace && isWaypointGateway(g));
        ctx.report(
          'MB0724',
          ref,
          { resource: display, waypoint },
          {
            evidence: { ...evidence, [`waypoints in ${target.namespace}`]: countedList(here.map((g) => g.metadata.name)) },
            fix: 'create-waypoint',
            fixParams: { namespace: target.namespace, waypoint: target.name, forTraffic: traffic ?? 'service' },
          },
        );
        return;
      }
      const admission = admitsNamespace(gw, namespaces.get(ownNamespace), ownNamespace);
      if (!admission.admitted) {
        ctx.report(
          'MB0726',
          ref,
          { resource: display, waypoint, namespace: ownNamespace, rule: admission.rule },
          {
            evidence: { ...evidence, 'waypoint HBONE listener allowedRoutes.namespaces': admission.rule },
            fix: 'admit-namespace',
            fixParams: { namespace: target.namespace, gateway: target.name, client: ownNamespace },
          },
        );
        return;
      }
      const serves = waypointFor(gw);
      if (traffic === undefined || serves === undefined || SERVES[traffic].has(serves)) return;
      ctx.report(
        'MB0725',
        ref,
        { resource: display, waypoint, waypointFor: serves, traffic },
        {
          evidence: {
            ...evidence,
            [`waypoint metadata.labels[${WAYPOINT_FOR_LABEL}]`]: gw.metadata.labels?.[WAYPOINT_FOR_LABEL] ?? '(unset: service)',
            ...(inherits.length > 0 ? { 'Services that inherit it': countedList(inherits) } : {}),
          },
          fix: 'serve-traffic',
          fixParams: { namespace: target.namespace, gateway: target.name, traffic },
        },
      );
    };

    const services = ctx.list('v1/Service');
    const entries = ctx.list('networking.istio.io/v1/ServiceEntry');
    for (const ns of namespaces.values()) {
      // The namespace's label reaches its Services and ServiceEntries that carry none of their own.
      const inherits = [...services.filter((s) => !isMeshGatewayService(s)), ...entries]
        .filter((s) => namespaceOf(s) === ns.metadata.name && s.metadata.labels?.[USE_WAYPOINT_LABEL] === undefined)
        .map((s) => `${s.kind} ${s.metadata.name}`)
        .sort();
      checkBinding(
        ns,
        { kind: 'Namespace', name: ns.metadata.name },
        ns.metadata.name,
        inherits.length > 0 ? 'service' : undefined,
        inherits,
      );
    }
    for (const svc of [...services, ...entries]) {
      if (svc.kind === 'Service' && isMeshGatewayService(svc)) continue;
      checkBinding(svc, { kind: svc.kind, namespace: namespaceOf(svc), name: svc.metadata.name }, namespaceOf(svc), 'service');
    }
    const seen = new Set<string>();
    for (const pod of ctx.list('v1/Pod')) {
      const labels = pod.metadata.labels ?? {};
      if (labels[USE_WAYPOINT_LABEL] === undefined && labels[USE_WAYPOINT_NAMESPACE_LABEL] === undefined) continue;
      const ns = namespaceOf(pod);
      if (!isAmbientPod(pod, namespaces.get(ns) as Namespace | undefined)) continue;
      const deployment = deploymentOfPod(pod);
      const ref =
        deployment === undefined
          ? { kind: 'Pod', namespace: ns, name: pod.metadata.name }
          : { kind: 'Deployment', namespace: ns, name: deployment };
      const key = `${ref.kind}/${ns}/${ref.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      checkBinding(pod, ref, ns, 'workload');
    }
  },
});
