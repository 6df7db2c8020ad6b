// discovery-selectors beyond its fixture cases: the selectors as evidence and the label that would fix a namespace.

import { describe, expect, it } from 'vitest';
import { runCase } from '../helpers/run-fixtures.ts';

describe('discovery-selectors', () => {
  it('names the selectors, the ConfigMap and the label that would fix the namespace', async () => {
    const result = await runCase('discovery-selectors/discovery-selectors-bad.yaml');
    const orders = result.findings.find((f) => f.resource.name === 'orders' && f.code === 'MB0206')!;
    expect(orders.message).toContain('istiod does not discover namespace orders: routes to its Services cannot work');
    expect(orders.evidence?.discoverySelectors).toBe(
      '{matchLabels: {mesh: included}} OR {matchExpressions: [team In (payments,ledger); retired DoesNotExist]}',
    );
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
