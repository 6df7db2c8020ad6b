// remote-secrets beyond its fixture cases: the missing secret in words, with the command that creates it.

import { describe, expect, it } from 'vitest';
import { runCase } from '../helpers/run-fixtures.ts';

describe('remote-secrets', () => {
  it('names the primary, the cluster it misses and the Secret istioctl would create', async () => {
    const [f] = (await runCase('remote-secrets/missing-one-way')).findings;
    expect(f!.message).toBe(
      "istiod in cluster west has no remote secret for cluster east (cluster ID east): it does not discover that cluster's services and endpoints.",
    );
    expect(f!.evidence?.['expected Secret']).toBe('istio-system/istio-remote-secret-east');
    expect(f!.remediation).toContain('istioctl create-remote-secret --context=east --name=east | kubectl apply --context=west -f -');
  });

  it('says why istiod ignores an unlabelled remote secret', async () => {
    const f = (await runCase('remote-secrets/unlabelled')).findings.find((x) => x.code === 'MB0911')!;
    expect(f.message).toBe(
      'Secret istio-system/istio-remote-secret-east in cluster west looks like a remote secret, but istiod does not read it: it lacks the label istio/multiCluster=true.',
    );
  });
});
