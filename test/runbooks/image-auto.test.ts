// image-auto beyond its fixture cases: istioctl's wording for Deployments and Pods.

import { describe, expect, it } from 'vitest';
import { runCase } from '../helpers/run-fixtures.ts';

describe('image-auto', () => {
  it("prints messages in istioctl's shape", async () => {
    const result = await runCase('image-auto/image-auto-bad.yaml');
    const messages = result.findings.map((f) => `${f.code} ${f.message}`);
    expect(messages).toContain(
      'IST0146 Deployment partner-gateway contains `image: auto` but does not match any Istio injection webhook selectors.',
    );
    expect(messages).toContain(
      'IST0147 Pod partner-gateway-6d7e8-fghij contains `image: auto` but does not match any Istio injection webhook selectors.',
    );
    const canary = result.findings.find((f) => f.resource.name === 'canary-ingress');
    expect(canary?.evidence?.['Istio injection webhooks']).toBe('namespace.sidecar-injector.istio.io');
    expect(canary?.evidence?.['namespace labels']).toBe('canary-injection=enabled');
  });
});
