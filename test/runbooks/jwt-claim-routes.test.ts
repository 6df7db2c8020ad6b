// jwt-claim-routes beyond its fixture cases: istioctl's wording and the pod named per finding.

import { describe, expect, it } from 'vitest';
import { runCase } from '../helpers/run-fixtures.ts';

describe('jwt-claim-routes', () => {
  it('names the claim key, the gateway and each uncovered pod', async () => {
    const result = await runCase('jwt-claim-routes/jwt-claim-routes-bad.yaml');
    const tiers = result.findings.filter((f) => f.resource.name === 'tiers');
    expect(tiers.map((f) => f.message).sort()).toEqual(
      ['edge-6d5f4-abcde', 'edge-6d5f4-klmno'].map(
        (pod) =>
          `The virtual service uses the JWT claim based routing (key: @request.auth.claims.tier) but found no request authentication for the gateway (edge/edge) pod (${pod}). The request authentication must first be applied for the gateway pods to validate the JWT token and make the claims available for routing.`,
      ),
    );
    const beta = result.findings.find((f) => f.resource.name === 'beta-users');
    expect(beta?.message).toContain('(key: @REQUEST.AUTH.CLAIMS.beta)');
    expect(beta?.evidence?.['gateway spec.selector']).toBe('istio=edge-gateway');
  });
});
