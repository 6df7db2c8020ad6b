// multicluster-services beyond its fixture cases: istioctl's message, word for word.

import { describe, expect, it } from 'vitest';
import { runCase } from '../helpers/run-fixtures.ts';

describe('multicluster-services', () => {
  it("writes istioctl's IST0170 message, clusters quoted as Go prints a list", async () => {
    const findings = (await runCase('multicluster-services/upstream-cases')).findings;
    const headless = findings.find((f) => f.resource.name === 'headless')!;
    expect(headless.message).toBe(
      'The service headless in namespace "orders" is inconsistent across clusters ["cluster1" "cluster2"], which can lead to undefined behaviors. The inconsistent behaviors are: service has mixed mode like headless and clusterIP.',
    );
    expect(findings.find((f) => f.resource.name === 'typed')!.params.error).toBe('service type is inconsistent');
    expect(findings.find((f) => f.resource.name === 'more-ports')!.evidence?.['copies[1]']).toBe(
      'cluster2: type ClusterIP, ports http-api 8080→8080/TCP, grpc-api 8081→8081/TCP',
    );
  });
});
