// alpha-annotations beyond its fixture cases: istioctl's IST0136 wording, the annotation and its
// value as evidence, and the CNI exemption decided per pod.

import { describe, expect, it } from 'vitest';
import { runCase } from '../helpers/run-fixtures.ts';

describe('alpha-annotations', () => {
  it('names each alpha annotation the way istioctl prints it, with its value as evidence', async () => {
    const run = await runCase('alpha-annotations/alpha-in-use.yaml');
    expect(run.status).toBe('pass');
    const service = run.findings.find((f) => f.resource.kind === 'Service');
    expect(service?.message).toBe(
      'Annotation "networking.istio.io/exportTo" is part of an alpha-phase feature and may be incompletely supported.',
    );
    expect(service?.evidence).toEqual({ 'metadata.annotations.networking.istio.io/exportTo': '.' });
    expect(service?.docs).toBe('/concepts/traffic-management/#alpha-annotations');
  });

  it('skips what injection writes only on pods without istio-init', async () => {
    const run = await runCase('alpha-annotations/alpha-in-use.yaml');
    const annotationsOf = (pod: string): string[] =>
      run.findings
        .filter((f) => f.resource.name === pod)
        .map((f) => Object.keys(f.evidence ?? {})[0] ?? '')
        .sort();
    expect(annotationsOf('ledger-legacy-5d8c9')).toEqual([
      'metadata.annotations.sidecar.istio.io/interceptionMode',
      'metadata.annotations.traffic.sidecar.istio.io/excludeInboundPorts',
    ]);
    expect(annotationsOf('ledger-cni-7b4f2')).toEqual(['metadata.annotations.prometheus.istio.io/merge-metrics']);
  });
});
