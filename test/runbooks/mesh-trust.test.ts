// mesh-trust beyond its fixture cases: the wording of a root mismatch, a half-done rotation and a trust domain gap.

import { describe, expect, it } from 'vitest';
import { runCase } from '../helpers/run-fixtures.ts';

describe('mesh-trust', () => {
  it('names both clusters and the ConfigMap when the roots share nothing', async () => {
    const [f] = (await runCase('mesh-trust/different-roots')).findings;
    expect(f!.message).toBe(
      'Cluster west trusts no root certificate that cluster east trusts (ConfigMap istio-system/istio-ca-root-cert, key root-cert.pem): proxies of the two clusters cannot verify each other, so mTLS between them fails.',
    );
    expect(f!.resource.cluster).toBe('west');
    expect(f!.evidence?.['certificates in common']).toBe('0');
    expect(f!.evidence?.['reference root certificates']).toBe('1 in ConfigMap istio-system/istio-ca-root-cert of cluster east');
  });

  it('counts the certificates two overlapping bundles share', async () => {
    const [f] = (await runCase('mesh-trust/rotation')).findings;
    expect(f!.code).toBe('MB0903');
    expect(f!.evidence?.['root certificates']).toBe('2 in ConfigMap istio-system/istio-ca-root-cert');
    expect(f!.evidence?.['certificates in common']).toBe('1');
  });

  it('says which trust domain each cluster does not accept', async () => {
    const messages = (await runCase('mesh-trust/trust-domains')).findings.map((f) => f.message).sort();
    expect(messages).toEqual([
      'Cluster east (trust domain cluster.local) does not accept trust domain west.local of cluster west: it is neither its trustDomain nor one of its trustDomainAliases.',
      'Cluster west (trust domain west.local) does not accept trust domain cluster.local of cluster east: it is neither its trustDomain nor one of its trustDomainAliases.',
    ]);
  });

  it('leaves a cluster without roots undecided instead of passing it', async () => {
    const result = await runCase('mesh-trust/missing-root');
    expect(result.status).toBe('warn');
    expect(result.findings[0]!.message).toMatch(/^Cannot compare the root certificate of cluster west: no istio-ca-root-cert ConfigMap/);
  });

  it('is skipped, saying why, in a one-cluster run', async () => {
    const result = await runCase('mesh-trust/one-cluster.yaml');
    expect(result.status).toBe('skipped');
    expect(result.findings).toEqual([]);
    expect(result.reason).toBe(
      'Skipped: nothing to compare in a run over one cluster. Run over every cluster of the mesh (--context a --context b, or --snapshot a=PATH --snapshot b=PATH).',
    );
  });
});
