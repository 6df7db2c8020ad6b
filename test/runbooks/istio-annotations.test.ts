// istio-annotations beyond its fixture cases: istioctl's wording, and the injector's value errors.

import { describe, expect, it } from 'vitest';
import { annotationValueProblem } from '../../src/istio/annotation-values.ts';
import { runCase } from '../helpers/run-fixtures.ts';

describe('istio-annotations', () => {
  it("prints messages in istioctl's shape", async () => {
    const result = await runCase('istio-annotations/annotations-bad.yaml');
    const messages = result.findings.map((f) => `${f.resource.kind} ${f.resource.name}: ${f.message}`);
    expect(messages).toContain('Service cart: Unknown annotation: networking.istio.io/exportto');
    expect(messages).toContain(
      'Deployment ledger: Misplaced annotation: sidecar.istio.io/statsInclusionPrefixes can only be applied to Pod',
    );
    expect(messages).toContain(
      'Deployment ledger: Annotation "sidecar.istio.io/statsInclusionPrefixes" has been deprecated and may not work in future Istio versions.',
    );
    expect(messages).toContain('Namespace shop: Misplaced annotation: kubernetes.io/ingress.class can only be applied to Ingress');
    expect(messages).toContain(
      'Pod legacy-inject: Annotation "sidecar.istio.io/inject" has been deprecated in favor of the "sidecar.istio.io/inject" label and may not work in future Istio versions.',
    );
    expect(messages).toContain(
      `Pod orders-5f6d7-abcde: Invalid annotation readiness.status.sidecar.istio.io/periodSeconds: strconv.ParseUint: parsing "often": invalid syntax`,
    );
    expect(messages).toContain(
      `Pod orders-5f6d7-abcde: Invalid annotation traffic.sidecar.istio.io/excludeOutboundPorts: excludeOutboundPorts invalid: failed parsing port '5432;6379': failed parsing port '5432;6379': strconv.ParseUint: parsing "5432;6379": invalid syntax`,
    );
    const ledger = result.findings.find((f) => f.code === 'IST0107' && f.resource.name === 'ledger');
    expect(ledger?.evidence).toEqual({ 'metadata.annotations.sidecar.istio.io/statsInclusionPrefixes': 'cluster.outbound' });
  });

  it.each([
    ['traffic.sidecar.istio.io/excludeOutboundIPRanges', '10.0.0.0/8,fd00::/8', undefined],
    ['traffic.sidecar.istio.io/excludeOutboundIPRanges', '10.0.0.0/33', 'bad bits after slash: "33"'],
    ['traffic.sidecar.istio.io/includeOutboundIPRanges', '*', undefined],
    ['traffic.sidecar.istio.io/excludeOutboundIPRanges', '*', "no '/'"],
    ['traffic.sidecar.istio.io/includeInboundPorts', '*', undefined],
    ['traffic.sidecar.istio.io/excludeInboundPorts', '15020, 8080', undefined],
    ['traffic.sidecar.istio.io/excludeInboundPorts', '70000', 'value out of range'],
    ['status.sidecar.istio.io/port', '15020', undefined],
    ['sidecar.istio.io/interceptionMode', 'TPROXY', undefined],
    ['sidecar.istio.io/interceptionMode', 'tproxy', 'use REDIRECT,TPROXY,NONE'],
    ['traffic.sidecar.istio.io/excludeInterfaces', 'eth1,net-2', undefined],
    ['traffic.sidecar.istio.io/excludeInterfaces', '1eth', 'contains invalid characters'],
    ['prometheus.istio.io/merge-metrics', 'T', undefined],
    ['prometheus.istio.io/merge-metrics', 'yes', 'strconv.ParseBool'],
    ['sidecar.istio.io/proxyMemory', '512Mi', undefined],
    ['sidecar.istio.io/proxyCPU', '1.5', undefined],
    ['sidecar.istio.io/proxyCPU', '200 m', 'quantities must match'],
    ['proxy.istio.io/config', '[1, 2]', 'not a YAML mapping'],
    ['sidecar.istio.io/logLevel', 'anything', undefined],
  ])('%s=%j → %s', (name, value, problem) => {
    const got = annotationValueProblem(name, value);
    if (problem === undefined) expect(got).toBeUndefined();
    else expect(got).toContain(problem);
  });
});
