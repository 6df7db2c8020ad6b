// ambient-data-plane beyond its fixture cases: per-node evidence, the version and AMBIENT_ENABLED
// wording, and the two info findings that keep "not applicable" from reading as a pass.

import { describe, expect, it } from 'vitest';
import { runCase } from '../helpers/run-fixtures.ts';

describe('ambient-data-plane', () => {
  it('names the node, its ambient pods and the state of its agents', async () => {
    const result = await runCase('ambient-data-plane/ambient-node-not-ready.yaml');
    const ztunnel = result.findings.find((f) => f.code === 'MB0703');
    expect(ztunnel?.message).toBe(
      'Node node-b hosts 1 ambient pod(s) but has no ready ztunnel pod (istio-system/ztunnel-w7m2d: Running, not ready (CrashLoopBackOff)).',
    );
    expect(ztunnel?.evidence?.['ambient pods on the node']).toBe('1: shop/checkout-7b9c4d6f8-k8wzt');
    expect(ztunnel?.remediation).toContain('--field-selector spec.nodeName=node-b');
    const cni = result.findings.find((f) => f.code === 'MB0704');
    expect(cni?.evidence?.['istio-cni pods on the node']).toBe('istio-system/istio-cni-node-r5tvp: Pending, not ready (ImagePullBackOff)');
    expect(result.findings.some((f) => f.resource.name === 'node-a')).toBe(false);
  });

  it('compares ztunnel with istiod by minor version and reads AMBIENT_ENABLED', async () => {
    const result = await runCase('ambient-data-plane/ambient-skew-cni-off.yaml');
    expect(result.findings.find((f) => f.code === 'MB0706')?.message).toBe(
      'ztunnel (DaemonSet istio-system/ztunnel) runs Istio 1.24.3, istiod runs 1.26.2.',
    );
    const off = result.findings.find((f) => f.code === 'MB0707');
    expect(off?.evidence?.['data.AMBIENT_ENABLED']).toBe('"false"');
    expect(off?.remediation).toContain('--set ambient.enabled=true');
  });

  it('reports a missing agent once per ambient namespace, with how it is enrolled', async () => {
    const result = await runCase('ambient-data-plane/ambient-agents-missing.yaml');
    const orders = result.findings.find((f) => f.code === 'MB0701' && f.resource.name === 'orders');
    expect(orders?.evidence?.enrolledBy).toBe('pod labels istio.io/dataplane-mode=ambient');
    expect(result.findings.filter((f) => f.code === 'MB0703' || f.code === 'MB0704')).toEqual([]);
  });

  it('is skipped before 1.22 (does not apply) and without ambient workloads (nothing to check), saying why', async () => {
    const old = await runCase('ambient-data-plane/ambient-old-control-plane.yaml');
    expect([old.status, old.reason, old.findings]).toEqual([
      'skipped',
      'Does not apply: control plane istio-system/istiod runs Istio 1.20.3, older than 1.22, where ambient mode became beta (generally available since 1.24).',
      [],
    ]);
    const unused = await runCase('ambient-data-plane/ambient-not-used.yaml');
    expect([unused.status, unused.reason]).toEqual([
      'skipped',
      'Nothing to check: no namespace or pod is in ambient mode (label istio.io/dataplane-mode=ambient).',
    ]);
  });
});
