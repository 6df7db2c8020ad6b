// ambient-enrollment beyond its fixture cases: which label put each pod where, in the message.

import { describe, expect, it } from 'vitest';
import { runCase } from '../helpers/run-fixtures.ts';

describe('ambient-enrollment', () => {
  it('says which label asks for which data plane', async () => {
    const result = await runCase('ambient-enrollment/enrollment-conflicts.yaml');
    const message = (code: string): string | undefined => result.findings.find((f) => f.code === code)?.message;
    expect(message('MB0711')).toBe(
      "Pod shop/ratings-7d9b8c5f4-h2mvx runs an istio-proxy sidecar although namespace shop's label istio.io/dataplane-mode=ambient enrols it in ambient mode: the ambient label has no effect on it, and its traffic uses the sidecar.",
    );
    expect(message('MB0713')).toBe(
      "Pod legacy/search-8f6d7c9b4-t3nqj is asked to take a sidecar (namespace legacy's label istio-injection=enabled) and to join ambient mode (its label istio.io/dataplane-mode=ambient); it has neither yet.",
    );
    expect(message('MB0714')).toContain('ambient.istio.io/redirection=pending');
    const missed = result.findings.find((f) => f.code === 'MB0715');
    expect(missed?.evidence?.['ztunnel on the node']).toBe('istio-system/ztunnel-4kq8n');
    expect(missed?.remediation).toContain('kubectl -n shop delete pod inventory-6f9c8d7b5-n4lkq');
    expect(result.kiali).toEqual(['KIA1311', 'KIA1314', 'KIA1315', 'KIA1316']);
  });

  it('lists opt-outs as info and never counts the waypoint, ztunnel or istio-cni pods', async () => {
    const result = await runCase('ambient-enrollment/enrollment-ok.yaml');
    expect(result.status).toBe('pass');
    expect(result.findings.map((f) => [f.code, f.severity, f.evidence?.['pods labelled istio.io/dataplane-mode=none']])).toEqual([
      ['MB0716', 'info', '1: nightly-report-28731040-5xq7c'],
    ]);
  });

  it('does not apply before 1.22', async () => {
    const result = await runCase('ambient-enrollment/enrollment-old-control-plane.yaml');
    expect(result.status).toBe('skipped');
    expect(result.reason).toBe(
      'Does not apply: control plane istio-system/istiod runs Istio 1.20.3, older than 1.22, where ambient mode became beta (generally available since 1.24).',
    );
  });
});
