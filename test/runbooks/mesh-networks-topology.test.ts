// mesh-networks-topology beyond its fixture cases: which names disagree, in words and evidence.

import { describe, expect, it } from 'vitest';
import { runCase } from '../helpers/run-fixtures.ts';

describe('mesh-networks-topology', () => {
  it('names the gateway network and the cluster network that disagree', async () => {
    const [f] = (await runCase('mesh-networks-topology/gateway-mismatch')).findings;
    expect(f!.message).toBe(
      "East-west gateway istio-system/istio-eastwestgateway in cluster west serves network network2, but the cluster's istio-system namespace says network network-west.",
    );
    expect(f!.evidence?.ISTIO_META_REQUESTED_NETWORK_VIEW).toBe('network2');
    expect(f!.evidence?.['istio-system label']).toBe('topology.istio.io/network=network-west');
  });

  it('lists the clusters that do name a network', async () => {
    const [f] = (await runCase('mesh-networks-topology/unlabelled-cluster')).findings;
    expect(f!.message).toBe(
      'Cluster west does not label istio-system with topology.istio.io/network, while east (network-east) do: its endpoints are on the unnamed network.',
    );
  });
});
