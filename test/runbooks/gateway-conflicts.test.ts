// gateway-conflicts beyond its fixture cases: istioctl's wording.

import { describe, expect, it } from 'vitest';
import { runCase } from '../helpers/run-fixtures.ts';

describe('gateway-conflicts', () => {
  it("prints messages in istioctl's shape", async () => {
    const conflicts = await runCase('gateway-conflicts/gateway-conflicts-bad.yaml');
    expect(conflicts.findings.map((f) => f.message)).toEqual(
      expect.arrayContaining([
        'Conflict with gateways shop/alpha (workload selector istio=ingressgateway, port 80, hosts shop.example.com,api.example.com).',
        'Conflict with gateways shop/eight (workload selector istio=ingressgateway, port 8443, hosts twice.example.com).',
        'Referenced selector not found: "istio=egressgateway"',
      ]),
    );
  });
});
