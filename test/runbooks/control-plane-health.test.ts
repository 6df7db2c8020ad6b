// control-plane-health beyond its fixture cases: messages, the evidence of a crashing istiod, and
// runs limited to one namespace.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { YamlSource } from '../../src/cluster/yaml-source.ts';
import { runChecks } from '../../src/engine/runner.ts';
import { getCheck } from '../../runbooks/index.ts';
import { FIXTURES, pairs, runCase } from '../helpers/run-fixtures.ts';

describe('control-plane-health', () => {
  it('says what is wrong, with the values that prove it', async () => {
    const plane = await runCase('control-plane-health/control-plane-health-degraded.yaml');
    const oom = plane.findings.find((f) => f.code === 'MB0103');
    expect(oom?.evidence?.['status.containerStatuses[discovery].lastState.terminated.reason']).toBe('OOMKilled');
    expect(oom?.remediation).toContain('memory limit');
    const scaled = plane.findings.find((f) => f.resource.name === 'pilot');
    expect(scaled?.message).toBe('Control plane Deployment mesh-cp/pilot is scaled to zero replicas: no istiod is serving.');
    const canary = plane.findings.find((f) => f.code === 'MB0104');
    expect(canary?.message).toBe('Control plane istio-system/istiod-canary runs Istio 1.28.0 (revision canary) and is available.');
  });

  // A run limited to one namespace (`-n`, like kubectl and istioctl) reports only on that namespace.
  it('says so when a missing control plane may only be outside the namespace read', async () => {
    const source = new YamlSource([join(FIXTURES, 'control-plane-health/control-plane-health-namespace-only.yaml')]);
    const result = (await runChecks([getCheck('control-plane-health')!], source, { namespace: 'bookinfo' })).checks[0]!;
    expect(pairs(result)).toEqual([['MB0101', 'Namespace bookinfo']]);
    expect(result.findings[0]?.message).toBe(
      "No istiod Deployment (istiod, istiod-<revision>, or Istio 1.0's istio-pilot) was found in namespace bookinfo, the only one this run reads.",
    );
    expect(result.findings[0]?.remediation).toContain('Run again without a namespace limit');
  });

  it('charges restarts to the revision that owns the pod', async () => {
    const result = await runCase('control-plane-health/control-plane-health-shared-labels.yaml');
    expect(result.findings.find((f) => f.code === 'MB0103')?.evidence?.deployment).toBe('istio-system/istiod-canary');
  });
});
