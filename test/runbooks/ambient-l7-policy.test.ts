// ambient-l7-policy beyond its fixture cases: the consequence istiod's conversion has for each action.

import { describe, expect, it } from 'vitest';
import { runCase } from '../helpers/run-fixtures.ts';

describe('ambient-l7-policy', () => {
  it('says what ztunnel does with HTTP rules, per action', async () => {
    const result = await runCase('ambient-l7-policy/l7-policy-bad.yaml');
    const message = (name: string) => result.findings.find((f) => f.resource.name === name)?.message;

    expect(message('reviews-get')).toBe(
      'AuthorizationPolicy shop/reviews-get (ALLOW) selects ambient workloads, which ztunnel enforces without HTTP attributes (found: methods): ztunnel drops every rule, so the policy allows nothing and requests it should allow are denied.',
    );
    expect(message('deny-admin')).toContain(
      '(found: paths): ztunnel enforces its rules without their HTTP parts, so it denies more than written',
    );
    expect(message('deny-post')).toContain('(found: methods): no rule remains that ztunnel can enforce, so the DENY has no effect');
    expect(message('require-header')).toContain('(found: request.headers[x-tenant]): ztunnel drops the rules that use them');
    expect(message('ext-authz')).toContain('ztunnel does not support the CUSTOM action');

    const root = result.findings.find((f) => f.resource.name === 'require-header');
    expect(root?.evidence?.['ambient pods it applies to']).toBe('2: shop/reviews-v1-6b8f9c7d5-r7kzp, shop/ratings-v1-7d9f8c6b5-p2xkq');
    expect(root?.remediation).toContain('targetRefs');

    expect(message('jwt')).toBe(
      'RequestAuthentication shop/jwt (JWT validation) selects ambient workloads without targetRefs: ztunnel does not apply it and waypoints ignore selectors, so it has no effect on them.',
    );
    expect(message('ratings-tracing')).toContain('(tracing)');
    expect(message('ratings-waypoint')).toBe(
      'AuthorizationPolicy shop/ratings-waypoint targets Service shop/ratings, which is not bound to a waypoint (no istio.io/use-waypoint on it or its namespace): nothing enforces it.',
    );
    expect(result.findings.find((f) => f.resource.name === 'ratings-waypoint')?.remediation).toContain(
      'kubectl label service ratings -n shop istio.io/use-waypoint=waypoint',
    );
    expect(message('gone')).toBe('AuthorizationPolicy shop/gone targets Gateway shop/old-waypoint, which does not exist.');
    expect(result.kiali).toContain('KIA0110');
  });
});
