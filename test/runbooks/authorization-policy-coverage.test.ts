// authorization-policy-coverage beyond its fixture cases: Kiali's KIA1301 as information.

import { describe, expect, it } from 'vitest';
import { runCase } from '../helpers/run-fixtures.ts';

describe('authorization-policy-coverage', () => {
  it('lists the uncovered workloads once per namespace, at info level', async () => {
    const result = await runCase('authorization-policy-coverage/authorization-policy-coverage-bad.yaml');
    const shop = result.findings.find((f) => f.resource.name === 'shop');
    expect(shop?.message).toBe(
      '2 workload(s) in namespace shop are selected by no AuthorizationPolicy in the namespace or in the root namespace istio-system.',
    );
    expect(shop?.evidence?.['uncovered workloads']).toBe('2: StatefulSet db, Deployment search');
    expect(result.findings.every((f) => f.severity === 'info')).toBe(true);
    expect(result.status).toBe('pass');
  });
});
