// authorization-policies beyond its fixture cases: istioctl's wording, evidence and fixes.

import { describe, expect, it } from 'vitest';
import { runCase } from '../helpers/run-fixtures.ts';

describe('authorization-policies', () => {
  it('words IST0127 and IST0101 as istioctl does, an empty label list for a policy without selector', async () => {
    const result = await runCase('authorization-policies/authorization-policies-bad.yaml');
    const byName = (name: string) => result.findings.filter((f) => f.resource.name === name);
    expect(byName('carts-typo')[0]?.message).toBe('No matching workloads for this resource with the following labels: app=carts');
    expect(byName('legacy-wide')[0]?.message).toBe('No matching workloads for this resource with the following labels: ');
    expect(byName('legacy-wide')[0]?.remediation).toContain('Namespace legacy has no pod with a sidecar');
    expect(byName('mesh-batch')[0]?.evidence?.['meshConfig.rootNamespace']).toContain('platform');
    expect(byName('mesh-batch')[0]?.remediation).toContain('in any namespace');
    expect(
      byName('from-partners')
        .map((f) => f.message)
        .sort(),
    ).toEqual([
      'Referenced namespace not found: "*-prod"',
      'Referenced namespace not found: "ext-*"',
      'Referenced namespace not found: "partners"',
    ]);
    const notNs = byName('from-partners').find((f) => f.message.includes('*-prod'));
    expect(notNs?.evidence?.['spec.rules[0].from[1].source.notNamespaces[0]']).toBe('*-prod');
  });

  it('counts sidecars, injected namespaces and ambient pods as meshed', async () => {
    const result = await runCase('authorization-policies/authorization-policies-ok.yaml');
    expect(result.status).toBe('pass');
    expect(result.findings).toEqual([]);
  });
});
