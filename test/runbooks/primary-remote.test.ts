// primary-remote beyond its fixture cases: the remote's path to istiod, in words.

import { describe, expect, it } from 'vitest';
import { runCase } from '../helpers/run-fixtures.ts';

describe('primary-remote', () => {
  it('names the policy, the address and the proxies it blocks', async () => {
    const [f] = (await runCase('primary-remote/egress-blocked')).findings;
    expect(f!.message).toBe(
      "NetworkPolicy shop/shop-egress in cluster west keeps proxies from reaching the primary's istiod at 203.0.113.10:15012 (through the east-west gateway).",
    );
    expect(f!.evidence?.['blocked proxies']).toBe('shop/ratings-v1-5d8f9c7b6-m4n8r');
    expect(f!.remediation).toContain('"ipBlock":{"cidr":"203.0.113.10/32"}');
  });

  it('says which primaries the run has when the annotation names none of them', async () => {
    const [f] = (await runCase('primary-remote/unknown-primary')).findings;
    expect(f!.message).toBe(
      'Cluster west names control plane cluster(s) cluster1 in topology.istio.io/controlPlaneClusters, but no primary of this run has that cluster ID (primaries: east).',
    );
  });
});
