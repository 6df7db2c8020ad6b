// istio-deprecations beyond its fixture cases: istioctl's wording (checked against istioctl analyze).

import { describe, expect, it } from 'vitest';
import { runCase } from '../helpers/run-fixtures.ts';

describe('istio-deprecations', () => {
  it("prints messages in istioctl's shape, one per resource with every offending route as evidence", async () => {
    const result = await runCase('istio-deprecations/deprecations-bad.yaml');
    const byKind = Object.fromEntries(result.findings.map((f) => [f.resource.kind, f]));
    const crd = await runCase('istio-deprecations/deprecations-removed-crd.yaml');
    expect(byKind.VirtualService?.message).toBe(
      'Deprecated: HTTPRoute.fault.delay.percent is deprecated; use HTTPRoute.fault.delay.percentage',
    );
    expect(byKind.VirtualService?.evidence).toEqual({ 'spec.http[0].fault.delay.percent': '50', 'spec.http[2].fault.delay.percent': '5' });
    expect(byKind.Sidecar?.message).toBe('Deprecated: OutboundTrafficPolicy.EgressProxy ignored');
    expect(crd.findings[0]?.message).toBe('Deprecated: Custom resource type rbac.istio.io ServiceRole is removed');
  });
});
