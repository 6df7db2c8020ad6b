// sidecar-injection beyond its fixture cases: istioctl's wording, and a restart aimed at the owning workload.

import { describe, expect, it } from 'vitest';
import { runCase } from '../helpers/run-fixtures.ts';

describe('sidecar-injection', () => {
  it('words findings as istioctl does and restarts the workload that owns the pod', async () => {
    const injection = await runCase('sidecar-injection/sidecar-injection-bad.yaml');
    const busted = injection.findings.find((f) => f.code === 'IST0123' && f.resource.name === 'busted');
    expect(busted?.message).toBe(
      'The namespace has more than one type of injection labels [istio-injection=enabled istio.io/rev=canary], which may lead to undefined behavior. Make sure only one injection label exists.',
    );
    const cart = injection.findings.find((f) => f.code === 'IST0103' && f.resource.name === 'cart-7c9d8f6b5-xk2lp');
    expect(cart?.message).toBe(
      'The pod shop/cart-7c9d8f6b5-xk2lp is missing the Istio proxy. This can often be resolved by restarting or redeploying the workload.',
    );
    expect(cart?.remediation).toContain('kubectl -n shop rollout restart deployment/cart');
    const worker = injection.findings.find((f) => f.resource.name === 'worker-6f5e4d3c2-b8n4m');
    expect(worker?.remediation).toContain('deployment/worker');
  });
});
