// discovery-selectors (R1) over its fixtures: the exact multiset of (code, resource) out, as in
// test/checks.test.ts, plus the selectors as evidence and the label that would fix a namespace.

import { describe, expect, it } from 'vitest';
import { describeFixtureRows, runFixture, type FixtureRow } from './helpers/run-fixtures.ts';


const rows: FixtureRow[] = [
  { check: 'discovery-selectors', fixtures: ['discovery-selectors/discovery-selectors-ok.yaml'], expected: [], status: 'pass' },
  { check: 'discovery-selectors', fixtures: ['discovery-selectors/discovery-selectors-unset.yaml'], expected: [], status: 'pass' },
  {
    check: 'discovery-selectors',
    fixtures: ['discovery-selectors/discovery-selectors-bad.yaml'],
    expected: [
      ['MB0206', 'Namespace orders'],
      ['MB0206', 'Namespace legacy'],
      ['MB0206', 'Namespace edge'],
      ['MB0206', 'Namespace old-payments'],
      ['MB0207', 'VirtualService shop/frontend'],
      ['MB0207', 'DestinationRule orders/checkout'],
    ],
    status: 'fail',
  },
];

describeFixtureRows(rows);

describe('discovery-selectors findings', () => {
  it('name the selectors, the ConfigMap and the label that would fix the namespace', async () => {
    const result = await runFixture('discovery-selectors', ['discovery-selectors/discovery-selectors-bad.yaml']);
    const orders = result.findings.find((f) => f.resource.name === 'orders' && f.code === 'MB0206')!;
    expect(orders.message).toContain('istiod does not discover namespace orders: routes to its Services cannot work');
    expect(orders.evidence?.discoverySelectors).toBe('{matchLabels: {mesh: included}} OR {matchExpressions: [team In (payments,ledger); retired DoesNotExist]}');
    expect(orders.evidence?.meshConfig).toBe('ConfigMap istio-system/istio key mesh');
    expect(orders.remediation).toContain('kubectl label namespace orders mesh=included');
    const edge = result.findings.find((f) => f.resource.name === 'edge')!;
    expect(edge.params.configMap).toBe('istio-system/istio-canary');
    expect(edge.remediation).toContain('kubectl label namespace edge canary=true');
    // retired=true can only be removed, not added: the other selector's label is the fix.
    const old = result.findings.find((f) => f.resource.name === 'old-payments')!;
    expect(old.remediation).toContain('kubectl label namespace old-payments mesh=included');
  });
});
