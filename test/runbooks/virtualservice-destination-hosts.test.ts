// virtualservice-destination-hosts beyond its fixture cases: the host as written and as looked up.

import { describe, expect, it } from 'vitest';
import { runCase } from '../helpers/run-fixtures.ts';

describe('virtualservice-destination-hosts', () => {
  it('carries evidence and a specific remediation', async () => {
    const result = await runCase('virtualservice-destination-hosts/destination-hosts-bad.yaml');
    const typo = result.findings.find((f) => f.params.ref === 'reviwes');
    expect(typo?.message).toBe('Referenced host not found: "reviwes"');
    expect(typo?.evidence).toMatchObject({
      'spec.http[0].route[0].destination.host': 'reviwes',
      'looked up as': 'reviwes.shop.svc.cluster.local',
    });
    expect(typo?.remediation).toContain('reviwes.shop.svc.cluster.local');
    expect(typo?.docs).toBe('/concepts/traffic-management/#virtualservice-destination-hosts');
  });
});
