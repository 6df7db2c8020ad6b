// route-reachability beyond its fixture cases: where a route is dropped and which rule lets it through.

import { describe, expect, it } from 'vitest';
import { runCase } from '../helpers/run-fixtures.ts';

describe('route-reachability', () => {
  it('says where a gateway route is dropped and which rule lets it through', async () => {
    const result = await runCase('route-reachability/route-reachability-bad.yaml');
    const shop = result.findings.find((f) => f.resource.name === 'shop')!;
    expect(shop.message).toBe(
      'VirtualService shop/shop routes traffic from gateway shop/shop-gateway to checkout port 8080, but NetworkPolicy shop/checkout-from-frontend drops it (no ingress rule on the destination pods allows the gateway).',
    );
    expect(shop.evidence?.route).toBe('spec.http[0].route[0].destination');
    const internal = result.findings.find((f) => f.resource.name === 'internal')!;
    expect(internal.params.direction).toBe('egress');
    expect(internal.evidence?.['blocked at']).toBe('egress of the gateway pods, towards bookinfo/details-v1');
    const reviews = result.findings.filter((f) => f.resource.name === 'reviews');
    expect(reviews.map((f) => f.params.port).sort()).toEqual([9080, 9090]);
    expect(reviews[0]!.remediation).toContain('set exportTo on VirtualService bookinfo/reviews to ["."]');
  });
});
