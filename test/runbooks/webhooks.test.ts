// webhooks beyond its fixture cases: istioctl's wording, and the evidence of an istiod Service without ready endpoints.

import { describe, expect, it } from 'vitest';
import { runCase } from '../helpers/run-fixtures.ts';

describe('webhooks', () => {
  it("prints messages in istioctl's shape", async () => {
    const hooks = await runCase('webhooks/webhooks-bad.yaml');
    expect(hooks.findings.map((f) => f.message)).toEqual(
      expect.arrayContaining([
        'Webhook overlaps with others: [istio-sidecar-injector-stale/sidecar-injector.istio.io]. This may cause injection to occur twice.',
        'Injector refers to a control plane service that does not exist: kube-system/istio-sidecar-injector.',
      ]),
    );
  });

  it('shows why istiod cannot answer: no ready address in its EndpointSlices', async () => {
    const hooks = await runCase('webhooks/webhooks-bad.yaml');
    const mb = hooks.findings.find((f) => f.code === 'MB0105');
    expect(mb?.evidence).toMatchObject({ 'ready addresses': '0', EndpointSlices: 'istiod-7xk2p' });
    expect(mb?.docs).toBe('/concepts/mesh/#webhooks');
  });
});
