// telemetry-default-selectors beyond its fixture cases: istioctl's wording.

import { describe, expect, it } from 'vitest';
import { runCase } from '../helpers/run-fixtures.ts';

describe('telemetry-default-selectors', () => {
  it("prints istioctl's message on each selector-less Telemetry of the namespace", async () => {
    const result = await runCase('telemetry-default-selectors/telemetry-default-selectors-bad.yaml');
    expect(new Set(result.findings.map((f) => f.message))).toEqual(
      new Set([
        'The Telemetries [access-logs default gateway-traces] in namespace "shop" have no workload selector, which can lead to undefined behavior.',
      ]),
    );
    expect(result.findings[0]?.remediation).toContain('Keep one of access-logs, default, gateway-traces');
  });
});
