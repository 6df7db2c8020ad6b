// k8sgateway-selectors beyond its fixture cases: one message per Gateway a selector picks, as istioctl prints them.

import { describe, expect, it } from 'vitest';
import { runCase } from '../helpers/run-fixtures.ts';

describe('k8sgateway-selectors', () => {
  it('names the gateway the way istioctl prints it, and points at targetRefs', async () => {
    const selectors = await runCase('k8sgateway-selectors/k8sgateway-selectors-bad.yaml');
    expect(
      selectors.findings
        .filter((f) => f.resource.name === 'two-gateways')
        .map((f) => f.message)
        .sort(),
    ).toEqual([
      'Ineffective selector on Kubernetes Gateway api. Use the TargetRef field instead.',
      'Ineffective selector on Kubernetes Gateway web. Use the TargetRef field instead.',
    ]);
    const telemetry = selectors.findings.find((f) => f.resource.name === 'edge-logs');
    expect(telemetry?.evidence?.['spec.selector.matchLabels']).toContain('empty');
    expect(telemetry?.remediation).toContain('targetRefs');
    expect(telemetry?.docs).toBe('/concepts/gateways/#k8sgateway-selectors');
  });
});
