// telemetry-selectors beyond its fixture cases: istioctl's wording for both codes.

import { describe, expect, it } from 'vitest';
import { runCase } from '../helpers/run-fixtures.ts';

describe('telemetry-selectors', () => {
  it("prints messages in istioctl's shape", async () => {
    const result = await runCase('telemetry-selectors/telemetry-selectors-bad.yaml');
    const messages = result.findings.map((f) => f.message);
    expect(messages).toContain('Referenced selector not found: "app=ghost"');
    expect(messages).toContain(
      'The Telemetries [cart-logs cart-traces v1-metrics] in namespace "shop" select the same workload pod "cart-v1-7d4c8-abcde", which can lead to undefined behavior.',
    );
    expect(messages).toContain(
      'The Telemetries [cart-logs cart-traces] in namespace "shop" select the same workload pod "cart-v2-6b7f9-fghij", which can lead to undefined behavior.',
    );
  });

  it('names the pod and the rivals in evidence, and a fix for the selector that matches nothing', async () => {
    const result = await runCase('telemetry-selectors/telemetry-selectors-bad.yaml');
    const v1 = result.findings.find((f) => f.code === 'IST0159' && f.resource.name === 'v1-metrics');
    expect(v1?.evidence).toMatchObject({
      'spec.selector.matchLabels': 'version=v1',
      pod: 'shop/cart-v1-7d4c8-abcde',
      'Telemetries selecting it': 'cart-logs, cart-traces, v1-metrics',
    });
    const elsewhere = result.findings.find((f) => f.resource.name === 'cart-elsewhere');
    expect(elsewhere?.remediation).toContain('No pod in namespace payments has all of app=cart');
  });
});
