// workload-services beyond its fixture cases: istioctl's wording.

import { describe, expect, it } from 'vitest';
import { runCase } from '../helpers/run-fixtures.ts';

describe('workload-services', () => {
  it("prints messages in istioctl's shape", async () => {
    const services = await runCase('workload-services/workload-services-bad.yaml');
    expect(services.findings.map((f) => f.message)).toEqual(
      expect.arrayContaining([
        'This deployment dns is associated with multiple services using port 53 but different protocols: [shop/dns-tcp shop/dns-udp]',
        'This deployment opted-in is associated with multiple services [legacy/opted-in-a legacy/opted-in-b] using targetPort "http" but different ports: [80 8000].',
      ]),
    );
  });
});
