// mesh-networks beyond its fixture cases: istioctl's wording, the evidence that says where the
// known cluster IDs came from, and the reason given when the check cannot decide.

import { describe, expect, it } from 'vitest';
import { runCase } from '../helpers/run-fixtures.ts';

describe('mesh-networks', () => {
  it("prints istioctl's message per unknown registry, on the synthetic MeshNetworks resource", async () => {
    const bad = await runCase('mesh-networks/mn-bad.yaml');
    expect(bad.findings.map((f) => f.message).sort()).toEqual([
      'Unknown service registry cluster-wset in network net-west',
      'Unknown service registry kubernetes in network net-east',
    ]);
    const west = bad.findings.find((f) => f.message.endsWith('net-west'))!;
    expect(west.evidence).toMatchObject({
      'networks.net-west.endpoints[0].fromRegistry': 'cluster-wset',
      'built-in registries': 'Mock, Kubernetes, External',
      'remote clusters': 'cluster-west (istio-system/istio-remote-secret-west, from its annotation)',
    });
    const read = await runCase('mesh-networks/mn-bad.yaml', 'read-secrets');
    expect(read.findings.find((f) => f.message.endsWith('net-west'))?.evidence?.['remote clusters']).toBe(
      'cluster-west (istio-system/istio-remote-secret-west)',
    );
  });

  it('says which Secrets it could not read instead of passing', async () => {
    const undecided = await runCase('mesh-networks/mn-undecided.yaml');
    expect(undecided.status).toBe('error');
    expect(undecided.reason).toBe(
      'Cannot tell whether meshNetworks registries cluster-central name remote clusters: the cluster IDs of the istio/multiCluster Secrets istio-system/central-kubeconfig are their data keys, which were not read (run with --read-secrets).',
    );
  });

  it('reports nothing for a meshNetworks istiod would drop whole, as istioctl does', async () => {
    const invalid = await runCase('mesh-networks/mn-invalid.yaml');
    expect(invalid.status).toBe('pass');
    expect(invalid.findings).toEqual([]);
  });
});
