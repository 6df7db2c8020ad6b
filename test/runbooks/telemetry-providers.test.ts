// telemetry-providers beyond its fixture cases: istioctl's wording, one message per Telemetry,
// and where the missing fallback was looked for.

import { describe, expect, it } from 'vitest';
import { runCase } from '../helpers/run-fixtures.ts';

describe('telemetry-providers', () => {
  it("prints istioctl's message once per Telemetry, naming every entry without providers", async () => {
    const result = await runCase('telemetry-providers/telemetry-providers-bad.yaml');
    const errorsOnly = result.findings.find((f) => f.resource.name === 'errors-only');
    expect(errorsOnly?.message).toBe('The Telemetry errors-only in namespace "istio-system" with empty providers will be ignored.');
    expect(errorsOnly?.evidence).toMatchObject({
      'entries without providers': 'spec.accessLogging[0], spec.accessLogging[2]',
      'meshConfig defaultProviders.accessLogging': '(none) (Istio defaults)',
    });
    expect(errorsOnly?.severity).toBe('warning');
  });

  it('says which mesh ConfigMap it read when that ConfigMap gives no fallback', async () => {
    const result = await runCase('telemetry-providers/telemetry-providers-empty-default.yaml');
    expect(result.findings[0]?.evidence?.['meshConfig defaultProviders.accessLogging']).toBe(
      '(none) (ConfigMap istio-system/istio key mesh)',
    );
  });
});
