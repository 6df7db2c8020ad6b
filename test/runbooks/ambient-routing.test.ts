// ambient-routing beyond its fixture cases: the wording, evidence and fixes of each finding.

import { describe, expect, it } from 'vitest';
import { runCase } from '../helpers/run-fixtures.ts';

describe('ambient-routing', () => {
  it('names the unbound Service, the namespaces a waypoint reads, and the fix', async () => {
    const result = await runCase('ambient-routing/routing-bad.yaml');
    const finding = (name: string) => result.findings.find((f) => f.resource.name === name);

    expect(finding('reviews')?.message).toBe(
      'VirtualService shop/reviews (HTTP routes) applies to shop/reviews, an ambient Service bound to no waypoint (no istio.io/use-waypoint on it or its namespace): ztunnel ignores it, so it has no effect.',
    );
    expect(finding('reviews')?.evidence?.['Service shop/reviews']).toBe(
      'istio.io/use-waypoint (none) on the Service, (none) on its namespace',
    );
    expect(finding('reviews')?.remediation).toContain('kubectl label service reviews -n shop istio.io/use-waypoint=waypoint');

    expect(finding('ratings')?.message).toContain('(subsets[0].trafficPolicy.connectionPool.http) applies to shop/ratings');
    expect(finding('ratings')?.evidence?.['Service shop/ratings']).toBe(
      'istio.io/use-waypoint none on the Service, (none) on its namespace',
    );
    expect(finding('reviews-sticky')?.message).toContain('(trafficPolicy.loadBalancer.consistentHash)');

    expect(finding('payments-canary')?.message).toBe(
      "VirtualService frontend/payments-canary applies to the ambient Service shop/payments, but the waypoint serving it reads VirtualServices only from shop (the Service's namespace): this one has no effect there.",
    );
    expect(finding('payments-canary')?.evidence?.waypoint).toBe('shop/waypoint');
    expect(finding('payments-breaker')?.message).toContain(
      "reads DestinationRules only from shop (the Service's namespace) or istio-system (the root namespace)",
    );
    expect(finding('payments-breaker')?.remediation).toContain('Move DestinationRule payments-breaker from frontend to shop');

    expect(finding('partner-api')?.message).toBe(
      'VirtualService frontend/partner-api (HTTP routes) is in the ambient namespace frontend, which is bound to no waypoint, and names no Service found in the snapshot: unless its hosts are served by a waypoint elsewhere, nothing applies it.',
    );
    expect(finding('partner-api')?.evidence?.hosts).toBe('api.partner.example.com');
    expect(finding('partner-api')?.remediation).toContain('istioctl waypoint apply -n frontend --enroll-namespace');

    expect(result.kiali).toEqual(expect.arrayContaining(['KIA0210', 'KIA0211', 'KIA0212', 'KIA1109', 'KIA1113', 'KIA1114']));
  });
});
