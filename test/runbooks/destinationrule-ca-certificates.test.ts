// destinationrule-ca-certificates beyond its fixture cases: istioctl's wording.

import { describe, expect, it } from 'vitest';
import { runCase } from '../helpers/run-fixtures.ts';

describe('destinationrule-ca-certificates', () => {
  it("prints messages in istioctl's shape", async () => {
    const ca = await runCase('destinationrule-ca-certificates/ca-certificates-bad.yaml');
    expect(ca.findings.map((f) => f.message)).toContain(
      'DestinationRule shop/search in namespace shop has TLS mode set to SIMPLE but no caCertificates are set to validate server identity for host: search.example.com at port number:443',
    );
  });
});
