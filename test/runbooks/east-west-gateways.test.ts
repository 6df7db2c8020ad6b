// east-west-gateways beyond its fixture cases: what each blocked path is, and the rule that opens it.

import { describe, expect, it } from 'vitest';
import { runCase } from '../helpers/run-fixtures.ts';

describe('east-west-gateways', () => {
  it('reports each policy that cuts the gateway off, with a rule to append', async () => {
    const findings = (await runCase('east-west-gateways/policies-block')).findings;
    const byCode = Object.fromEntries(findings.map((f) => [f.code, f]));
    expect(byCode.MB0924!.message).toBe(
      'NetworkPolicy istio-system/eastwest-ingress in cluster west isolates the pods of east-west gateway istio-system/istio-eastwestgateway and admits no traffic from outside the cluster on TCP 15443.',
    );
    expect(byCode.MB0924!.remediation).toContain('to spec.ingress of NetworkPolicy istio-system/eastwest-ingress');
    expect(byCode.MB0925!.evidence?.['blocked destinations']).toBe('istiod (istio-system) on 15012');
    expect(byCode.MB0925!.remediation).toContain('"port":15012');
    expect(byCode.MB0926!.message).toContain('so callers from other networks cannot reach shop/ratings:9080.');
  });

  it('names the port a gateway Service lacks and what it carries', async () => {
    const [f] = (await runCase('east-west-gateways/missing-port')).findings;
    expect(f!.message).toBe(
      'East-west gateway Service istio-system/istio-eastwestgateway in cluster west does not expose port 15443, which carries mTLS traffic from the other networks (AUTO_PASSTHROUGH).',
    );
  });

  it('describes the Gateway server that is there instead of AUTO_PASSTHROUGH', async () => {
    const [f] = (await runCase('east-west-gateways/passthrough')).findings;
    expect(f!.params.detail).toBe('istio-system/cross-network-gateway: tls.mode PASSTHROUGH, hosts *.local');
  });
});
