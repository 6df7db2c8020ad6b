// service-port-names beyond its fixture cases: istioctl's wording.

import { describe, expect, it } from 'vitest';
import { runCase } from '../helpers/run-fixtures.ts';

describe('service-port-names', () => {
  it("prints messages in istioctl's shape", async () => {
    const ports = await runCase('service-port-names/service-port-names-bad.yaml');
    expect(ports.findings.map((f) => f.message)).toContain(
      "Port name http2x (port: 8443, targetPort: https) doesn't follow the naming convention of Istio port.",
    );
  });
});
