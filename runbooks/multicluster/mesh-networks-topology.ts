import { defineCheck } from '../../src/engine/check.ts';
import { ISTIO_NAMESPACE } from '../../src/istio/mesh-config.ts';
import { clusterNetwork, eastWestGateways, NETWORK_LABEL, REQUESTED_NETWORK_VIEW_ENV } from '../../src/mesh/multicluster.ts';
import { namespaceOf } from '../lib/mesh.ts';
import { andList, inCluster } from '../lib/multicluster.ts';

// The network names of a multi-network mesh agree. A cluster's workloads are on the network its
// istio-system namespace is labelled with (topology.istio.io/network); an east-west gateway
// serves the network of its Service's label — how istiod finds network gateways — else its
// ISTIO_META_REQUESTED_NETWORK_VIEW, else its pods' label. Reported: a gateway on another network
// than its cluster (MB0915), a gateway Service istiod will not take as a network gateway for want
// of the label (MB0918), a cluster without a network among clusters that have one (MB0917), and a
// pod labelled with a network that is not its cluster's and that no gateway of the run serves
// (MB0916). meshNetworks' registries are the mesh-networks check's (IST0126); a gateway named
// only in meshNetworks (registryServiceName) is not read here, so MB0918 says "unless".
export default defineCheck({
  id: 'mesh-networks-topology',
  title: 'Network labels agree with the east-west gateways',
  description:
    "Each cluster's network (the topology.istio.io/network label of istio-system, and of pods where set) is the network its east-west gateway serves, and every cluster names one when any does.",
  why: 'istiod pairs endpoints with the gateway of their network by name; a mismatch leaves endpoints without a reachable gateway, and calls from other networks fail.',
  inputs: ['v1/Namespace', 'apps/v1/Deployment', 'v1/Service', 'v1/Pod'],
  scope: 'mesh',
  docs: '/concepts/multicluster/#mesh-networks-topology',
  analyze(ctx) {
    const clusters = ctx.clusters.map((c) => {
      const pods = c.list('v1/Pod');
      return {
        name: c.name,
        network: clusterNetwork(c.find('v1/Namespace', '', ISTIO_NAMESPACE)),
        gateways: eastWestGateways(c.list('apps/v1/Deployment'), c.list('v1/Service'), pods),
        pods,
      };
    });
    // Skipped by the runner in a one-cluster run; one readable cluster of several has nothing to compare.
    if (clusters.length < 2) return;
    const served = new Set(clusters.flatMap((c) => c.gateways.map((g) => g.network)).filter((n) => n !== ''));
    const labelled = clusters.filter((c) => c.network !== '');
    for (const c of clusters) {
      if (c.network === '' && labelled.length > 0) {
        ctx.report(
          'MB0917',
          inCluster(c.name, 'Namespace', undefined, ISTIO_NAMESPACE),
          { cluster: c.name, labelled: andList(labelled.map((l) => `${l.name} (${l.network})`)) },
          { evidence: { [`metadata.labels.${NETWORK_LABEL}`]: '(unset)' } },
        );
      }
      for (const g of c.gateways) {
        const gateway = `${namespaceOf(g.deployment)}/${g.deployment.metadata.name}`;
        const resource = inCluster(c.name, 'Deployment', namespaceOf(g.deployment), g.deployment.metadata.name);
        const evidence = {
          'Service label': g.serviceNetwork === '' ? '(none)' : `${NETWORK_LABEL}=${g.serviceNetwork}`,
          [REQUESTED_NETWORK_VIEW_ENV]: g.networkView === '' ? '(unset)' : g.networkView,
          'istio-system label': c.network === '' ? '(none)' : `${NETWORK_LABEL}=${c.network}`,
        };
        const names = [g.serviceNetwork, g.networkView].filter((n) => n !== '');
        const wrong = names.find((n) => c.network !== '' && n !== c.network);
        if (wrong !== undefined)
          ctx.report('MB0915', resource, { gateway, cluster: c.name, gatewayNetwork: wrong, clusterNetwork: c.network }, { evidence });
        for (const s of g.services) {
          if (s.metadata.labels?.[NETWORK_LABEL] !== undefined && s.metadata.labels[NETWORK_LABEL] !== '') continue;
          ctx.report(
            'MB0918',
            inCluster(c.name, 'Service', namespaceOf(s), s.metadata.name),
            { service: `${namespaceOf(s)}/${s.metadata.name}`, cluster: c.name },
            { evidence },
          );
        }
      }
      const gatewayPods = new Set(c.gateways.flatMap((g) => g.pods));
      for (const pod of c.pods) {
        const network = pod.metadata.labels?.[NETWORK_LABEL];
        if (network === undefined || network === '' || network === c.network || served.has(network) || gatewayPods.has(pod)) continue;
        ctx.report(
          'MB0916',
          inCluster(c.name, 'Pod', namespaceOf(pod), pod.metadata.name),
          { pod: `${namespaceOf(pod)}/${pod.metadata.name}`, cluster: c.name, network },
          { evidence: { 'networks with a gateway': served.size === 0 ? '(none)' : [...served].sort().join(', ') } },
        );
      }
    }
  },
});
