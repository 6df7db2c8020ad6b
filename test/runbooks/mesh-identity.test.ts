// mesh-identity beyond its fixture cases: duplicate names and mesh IDs, in words.

import { describe, expect, it } from 'vitest';
import { runCase } from '../helpers/run-fixtures.ts';

describe('mesh-identity', () => {
  it('names the shared cluster ID and where it was read', async () => {
    const [f] = (await runCase('mesh-identity/duplicate-name')).findings;
    expect(f!.message).toBe(
      "Cluster west and cluster east both call themselves east (istiod's CLUSTER_ID, values.global.multiCluster.clusterName): every cluster of a mesh needs its own name.",
    );
    expect(f!.evidence?.['read from']).toBe('Deployment istio-system/istiod env CLUSTER_ID');
    expect(f!.evidence?.['clusters with this ID']).toBe('east and west');
  });

  it('reports the cluster whose mesh ID differs from the mesh', async () => {
    const [f] = (await runCase('mesh-identity/mesh-ids')).findings;
    expect(f!.message).toBe(
      'Cluster west has mesh ID mesh2 and cluster east has mesh ID mesh1: the clusters of one mesh must share one mesh ID.',
    );
    expect(f!.evidence?.['defaultConfig.meshId']).toBe('mesh2');
  });
});
