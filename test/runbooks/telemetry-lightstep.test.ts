// telemetry-lightstep beyond its fixture cases: istioctl's wording, one message per provider.

import { describe, expect, it } from 'vitest';
import { runCase } from '../helpers/run-fixtures.ts';

describe('telemetry-lightstep', () => {
  it("prints istioctl's Deprecated message for each Lightstep provider a Telemetry names", async () => {
    const result = await runCase('telemetry-lightstep/telemetry-lightstep-bad.yaml');
    const cart = result.findings.filter((f) => f.resource.name === 'cart-tracing').map((f) => f.message);
    expect(cart.sort()).toEqual([
      'Deprecated: The Lightstep provider ls-backup is deprecated, please migrate to OpenTelemetry provider.',
      'Deprecated: The Lightstep provider ls-main is deprecated, please migrate to OpenTelemetry provider.',
    ]);
  });

  it('points at every place the provider is named', async () => {
    const result = await runCase('telemetry-lightstep/telemetry-lightstep-bad.yaml');
    const mesh = result.findings.find((f) => f.resource.name === 'mesh-tracing');
    expect(mesh?.evidence).toMatchObject({
      'named at': 'spec.tracing[0].providers[0], spec.tracing[1].providers[0]',
      'meshConfig extensionProviders': 'ls-main: lightstep (ConfigMap istio-system/istio key mesh)',
    });
    expect(mesh?.remediation).toContain('instead of ls-main');
  });
});
