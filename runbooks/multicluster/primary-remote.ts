import { defineCheck } from '../../src/engine/check.ts';
import { parseIp } from '../../src/k8s/cidr.ts';
import { ISTIO_NAMESPACE } from '../../src/istio/mesh-config.ts';
import { ISTIOD_XDS_PORT } from '../../src/mesh/ambient.ts';
import { hasProxy } from '../../src/mesh/meshed.ts';
import { CONTROL_PLANE_CLUSTERS_ANNOTATION, externalAddresses, remoteIstiodAddresses } from '../../src/mesh/multicluster.ts';
import { buildNetpolIndex } from '../../src/reachability/netpol/index.ts';
import { listForEvidence } from '../lib/mesh.ts';
import { andList, clusterFacts, controlPlaneClusters, inCluster } from '../lib/multicluster.ts';
import { DenialsByPolicy, fixRule } from '../lib/multicluster-reach.ts';

// Primary-remote: a remote cluster (one without istiod) is led by a primary and reaches its
// istiod through the primary's east-west gateway. Per remote of the run:
// - its istio-system namespace names the primaries that lead it, topology.istio.io/controlPlaneClusters
//   (cluster IDs, comma-separated, or `*`; pilot/pkg/serviceregistry/kube/controller/multicluster.go
//   reads it), MB0930 when absent, MB0931 when it names no primary of the run;
// - its istio-system/istiod Service, which the remote profile renders without a selector and with
//   an EndpointSlice of values.global.remotePilotAddress (or as ExternalName for a host name), points
//   at an address: MB0904 when there is none, MB0933 when it is no external address of a primary's
//   east-west gateway Service;
// - NetworkPolicies in the remote let its meshed pods reach that address on 15012 (MB0932). The
//   webhook path (15017) starts at the remote's API server, which NetworkPolicy does not govern;
//   east-west-gateways checks that the primary's gateway exposes both ports.
// A run of primaries only has nothing to check here and passes.
export default defineCheck({
  id: 'primary-remote',
  title: 'Remote clusters reach their primary',
  description:
    "Each remote cluster names its control-plane cluster (topology.istio.io/controlPlaneClusters on istio-system), points its istiod Service at a primary's east-west gateway, and lets its proxies reach it on 15012.",
  why: 'A remote cluster has no istiod of its own: its proxies get configuration and certificates across the cluster boundary, and a primary configures it only if the remote names it.',
  inputs: [
    'v1/Namespace',
    'apps/v1/Deployment',
    'v1/ConfigMap',
    'v1/Pod',
    'v1/Service',
    'discovery.k8s.io/v1/EndpointSlice',
    'networking.k8s.io/v1/NetworkPolicy',
  ],
  scope: 'mesh',
  docs: '/concepts/multicluster/#primary-remote',
  analyze(ctx) {
    const clusters = ctx.clusters.map((c) => ({ ...clusterFacts(c), slices: c.list('discovery.k8s.io/v1/EndpointSlice') }));
    // Skipped by the runner in a one-cluster run; one readable cluster of several has nothing to compare.
    if (clusters.length < 2) return;
    const primaries = clusters.filter((c) => c.identity.primary);
    const primaryIds = primaries.flatMap((c) => (c.identity.id === undefined ? [] : [c.identity.id]));
    const gatewayAddresses = new Set(primaries.flatMap((c) => c.gateways.flatMap((g) => g.services.flatMap(externalAddresses))));
    for (const remote of clusters) {
      if (remote.identity.primary) continue;
      const nsRef = inCluster(remote.name, 'Namespace', undefined, ISTIO_NAMESPACE);
      if (remote.istioSystem === undefined) {
        ctx.report(
          'MB0904',
          nsRef,
          {
            cluster: remote.name,
            what: 'the role',
            reason: `it runs no istiod and has no ${ISTIO_NAMESPACE} namespace: it is neither a primary nor a remote of this mesh.`,
          },
          { evidence: { 'control plane': '(none)', [`Namespace ${ISTIO_NAMESPACE}`]: '(not found)' } },
        );
        continue;
      }
      const annotation = remote.istioSystem.metadata.annotations?.[CONTROL_PLANE_CLUSTERS_ANNOTATION];
      const named = controlPlaneClusters(remote.istioSystem);
      const known = primaryIds.length === 0 ? '(none)' : primaryIds.join(', ');
      if (named.length === 0) ctx.report('MB0930', nsRef, { cluster: remote.name }, { evidence: { 'primaries of the run': known } });
      else if (!named.includes('*') && !named.some((n) => primaryIds.includes(n)))
        ctx.report(
          'MB0931',
          nsRef,
          { cluster: remote.name, named: andList(named), known },
          { evidence: { [CONTROL_PLANE_CLUSTERS_ANNOTATION]: annotation ?? '' } },
        );
      const addresses = remoteIstiodAddresses(remote.services, remote.slices);
      const istiodRef = inCluster(remote.name, 'Service', ISTIO_NAMESPACE, 'istiod');
      if (addresses.length === 0) {
        ctx.report(
          'MB0904',
          istiodRef,
          {
            cluster: remote.name,
            what: "the address of the primary's istiod",
            reason: `Service ${ISTIO_NAMESPACE}/istiod is missing, has a selector, or has no EndpointSlice address (values.global.remotePilotAddress).`,
          },
          {
            evidence: {
              [`Service ${ISTIO_NAMESPACE}/istiod`]: remote.services.some(
                (s) => s.metadata.name === 'istiod' && s.metadata.namespace === ISTIO_NAMESPACE,
              )
                ? 'found, no address'
                : '(not found)',
            },
          },
        );
        continue;
      }
      for (const address of addresses) {
        if (gatewayAddresses.size > 0 && !gatewayAddresses.has(address))
          ctx.report(
            'MB0933',
            istiodRef,
            { cluster: remote.name, address, known: [...gatewayAddresses].sort().join(', ') },
            { evidence: { 'EndpointSlice addresses': addresses.join(', ') } },
          );
      }
      const index = buildNetpolIndex(
        { pods: remote.pods, namespaces: remote.namespaces, policies: remote.policies },
        { ipBlockMatchesPods: true },
      );
      const denied = new DenialsByPolicy();
      const meshed = [...new Set(remote.pods.filter(hasProxy).map((p) => index.classOf(p)))];
      for (const address of addresses.filter((a) => parseIp(a) !== undefined)) {
        for (const cls of meshed) {
          const from = `${cls.namespace}/${cls.pods[0]!.metadata.name}`;
          denied.add(index, { kind: 'class', podClass: cls }, { kind: 'ip', ip: address }, ISTIOD_XDS_PORT, `${address}|${from}`, 'egress');
        }
      }
      for (const d of denied.groups) {
        const byAddress = new Map<string, string[]>();
        for (const w of d.what) {
          const [address, from] = w.split('|') as [string, string];
          byAddress.set(address, [...(byAddress.get(address) ?? []), from]);
        }
        for (const [address, from] of byAddress) {
          ctx.report(
            'MB0932',
            inCluster(remote.name, 'NetworkPolicy', d.policy.namespace, d.policy.name),
            { policy: `${d.policy.namespace}/${d.policy.name}`, cluster: remote.name, address, port: ISTIOD_XDS_PORT },
            { evidence: { 'blocked proxies': listForEvidence(from) }, fix: 'allow-istiod-address', fixParams: { rule: fixRule(d.fix) } },
          );
        }
      }
    }
  },
});
