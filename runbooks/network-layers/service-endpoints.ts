import { defineCheck } from '../../src/engine/check.ts';
import type { EndpointSlice, Pod, Service } from '../../src/k8s/objects.ts';
import { matchesLabels, selectorString } from '../../src/k8s/selectors.ts';
import { fullName, isPodReady, listForEvidence, namespaceOf, podIPs, proxyContainer } from '../lib/mesh.ts';

// R1: istiod maps a service name to workload IPs through EndpointSlices, never through pods.
// This check recomputes, from the pods, what the EndpointSlice controller should have written,
// and compares it with what the slices say. No istioctl analyzer does this.

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';

/** A namespace is in the mesh when it asks for sidecars or ambient, or already runs a proxy. */
function meshedNamespaces(
  namespaces: readonly { metadata: { name: string; labels?: Record<string, string> } }[],
  pods: readonly Pod[],
): Set<string> {
  const meshed = new Set<string>();
  for (const ns of namespaces) {
    const labels = ns.metadata.labels ?? {};
    const injection = labels['istio-injection'];
    if (
      injection === 'enabled' ||
      (labels['istio.io/rev'] !== undefined && (injection === undefined || injection === 'enabled')) ||
      labels['istio.io/dataplane-mode'] === 'ambient'
    ) {
      meshed.add(ns.metadata.name);
    }
  }
  for (const pod of pods) if (proxyContainer(pod) !== undefined) meshed.add(namespaceOf(pod));
  return meshed;
}

/** Endpoint addresses a slice marks ready (an absent `ready` means ready, per the API). FQDN slices hold names, not IPs. */
function readyAddresses(slice: EndpointSlice): string[] {
  if (slice.addressType === 'FQDN') return [];
  return (slice.endpoints ?? []).filter((e) => e.conditions?.ready !== false).flatMap((e) => e.addresses ?? []);
}

/** Why an address is stale, from what the namespace's pods say about that IP. */
function staleReason(
  address: string,
  slice: EndpointSlice,
  service: Service,
  nsPods: readonly Pod[],
): { reason: string; evidence: Record<string, string> } {
  const owner = nsPods.find((p) => podIPs(p).includes(address));
  const target = slice.endpoints?.find((e) => e.addresses?.includes(address))?.targetRef;
  const targetEvidence: Record<string, string> =
    target?.name === undefined ? {} : { 'endpoint targetRef': `${target.kind ?? 'Pod'} ${target.name}` };
  if (owner === undefined) {
    const named = target?.name === undefined ? undefined : nsPods.find((p) => p.metadata.name === target.name);
    const reason =
      target?.name === undefined
        ? `no pod in ${namespaceOf(service)} has this IP`
        : named === undefined
          ? `the pod it names (${target.name}) no longer exists and no pod has this IP`
          : `the pod it names (${target.name}) now has IP ${listForEvidence(podIPs(named))}`;
    return { reason, evidence: targetEvidence };
  }
  const state = `${owner.status?.phase ?? 'unknown phase'}, Ready=${owner.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? 'unknown'}${owner.metadata.deletionTimestamp === undefined ? '' : ', terminating'}`;
  const evidence = { ...targetEvidence, 'pod with this IP': `${owner.metadata.name} (${state})` };
  if (!matchesLabels(service.spec?.selector, owner.metadata.labels)) {
    return { reason: `pod ${owner.metadata.name} has this IP and no longer matches the selector`, evidence };
  }
  return { reason: `pod ${owner.metadata.name} has this IP and is not ready (${state})`, evidence };
}

export default defineCheck({
  id: 'service-endpoints',
  title: 'EndpointSlices match the pods behind each Service',
  description:
    'In every namespace with meshed workloads, each Service with a selector has EndpointSlices whose ready addresses are exactly the IPs of the Running, Ready pods it selects: no pod missing, no address left over, no Service selecting nothing.',
  why: 'istiod learns which IPs stand behind a service name only from EndpointSlices (R1). A ready pod missing from them gets no traffic; an address left in them receives traffic with no ready pod behind it.',
  inputs: ['v1/Service', 'discovery.k8s.io/v1/EndpointSlice', 'v1/Pod', 'v1/Namespace'],
  docs: '/network-layers/r1-service-discovery/#endpoints-match-pods',
  analyze(ctx) {
    const pods = ctx.list('v1/Pod');
    const meshed = meshedNamespaces(ctx.list('v1/Namespace'), pods);

    for (const svc of ctx.list('v1/Service')) {
      const ns = namespaceOf(svc);
      if (!meshed.has(ns)) continue;
      // ExternalName Services are DNS aliases with no endpoints at all.
      if (svc.spec?.type === 'ExternalName') continue;
      // Selector-less Services have manually managed endpoints (or a mirroring controller's):
      // there is no pod set to compare them with, so whatever they list is by definition intended.
      const selector = svc.spec?.selector;
      if (selector === undefined || Object.keys(selector).length === 0) continue;

      const service = fullName(svc);
      const resource = { kind: 'Service', namespace: ns, name: svc.metadata.name };
      const nsPods = ctx.list('v1/Pod', { namespace: ns });
      // Terminal pods (Succeeded, Failed) never become endpoints; the controller ignores them.
      const selected = nsPods.filter(
        (p) => matchesLabels(selector, p.metadata.labels) && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed',
      );
      const ready = selected.filter(isPodReady);
      const slices = ctx
        .list('discovery.k8s.io/v1/EndpointSlice', { namespace: ns })
        .filter((s) => s.metadata.labels?.[SERVICE_NAME_LABEL] === svc.metadata.name);
      const headless = svc.spec?.clusterIP === 'None';
      const sliceNames = listForEvidence(slices.map((s) => s.metadata.name));
      const kindNote: Record<string, string> = headless ? { 'spec.clusterIP': 'None (headless)' } : {};

      if (selected.length === 0) {
        ctx.report(
          'MB0201',
          resource,
          { service, selector: selectorString(selector) },
          {
            evidence: { 'spec.selector': selectorString(selector), 'pods in namespace': nsPods.length, 'pods matching': 0, ...kindNote },
            fix: 'compare-selector',
            fixParams: { namespace: ns, selector: selectorString(selector), service },
          },
        );
      } else if (ready.length === 0) {
        ctx.report(
          'MB0205',
          resource,
          { service, pods: selected.length },
          {
            evidence: {
              'spec.selector': selectorString(selector),
              'selected pods': listForEvidence(
                selected.map(
                  (p) =>
                    `${p.metadata.name} (${p.status?.phase ?? 'unknown'}, Ready=${p.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? 'unknown'})`,
                ),
              ),
              ...kindNote,
            },
            fix: 'describe-pod',
            fixParams: { namespace: ns, pod: selected[0]!.metadata.name },
          },
        );
      }

      if (slices.length === 0) {
        ctx.report(
          'MB0204',
          resource,
          { service },
          {
            evidence: {
              'EndpointSlices labelled kubernetes.io/service-name': `${svc.metadata.name}: none`,
              'ready pods selected': listForEvidence(ready.map((p) => `${p.metadata.name} ${listForEvidence(podIPs(p))}`)),
              ...kindNote,
            },
            fix: 'check-endpointslice-controller',
            fixParams: { service },
          },
        );
        // Every ready pod would be "missing" too; the one finding above already says it.
        continue;
      }

      const listed = new Map<string, EndpointSlice>();
      for (const slice of slices) for (const address of readyAddresses(slice)) listed.set(address, slice);
      const allReady = listForEvidence([...listed.keys()].sort());

      for (const pod of ready) {
        const ips = podIPs(pod);
        if (ips.length === 0 || ips.some((ip) => listed.has(ip))) continue;
        ctx.report(
          'MB0202',
          resource,
          { pod: pod.metadata.name, ip: ips.join(', '), service },
          {
            evidence: {
              'pod status.podIPs': ips.join(', '),
              'pod phase / Ready': `${pod.status?.phase} / True`,
              EndpointSlices: sliceNames,
              'ready addresses in the slices': allReady,
              ...kindNote,
            },
            fix: 'rebuild-slices',
            fixParams: { namespace: ns, service: svc.metadata.name },
          },
        );
      }

      // With publishNotReadyAddresses the controller lists every selected pod as ready on purpose.
      const expected = new Set((svc.spec?.publishNotReadyAddresses === true ? selected : ready).flatMap(podIPs));
      for (const [address, slice] of listed) {
        if (expected.has(address)) continue;
        const { reason, evidence } = staleReason(address, slice, svc, nsPods);
        const managedBy = slice.metadata.labels?.[MANAGED_BY_LABEL];
        ctx.report(
          'MB0203',
          { kind: 'EndpointSlice', namespace: ns, name: slice.metadata.name },
          { slice: fullName(slice), address, service, reason },
          {
            evidence: {
              'endpoints[].addresses': address,
              'endpoints[].conditions.ready': 'true',
              ...evidence,
              'IPs of ready selected pods': listForEvidence([...new Set(ready.flatMap(podIPs))].sort()),
              ...(managedBy === undefined ? {} : { [`labels[${MANAGED_BY_LABEL}]`]: managedBy }),
              ...kindNote,
            },
            ...(managedBy !== undefined && managedBy !== 'endpointslice-controller.k8s.io'
              ? { fix: 'fix-slice-controller', fixParams: { controller: managedBy, address } }
              : { fix: 'rebuild-slice', fixParams: { namespace: ns, slice: slice.metadata.name, service, address } }),
          },
        );
      }
    }
  },
});
