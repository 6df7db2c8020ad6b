// proxy-image-skew beyond its fixture cases: the skewed pods of a namespace, sorted as istioctl lists them.

import { describe, expect, it } from 'vitest';
import { runCase } from '../helpers/run-fixtures.ts';

describe('proxy-image-skew', () => {
  it('lists the skewed pods of a namespace sorted, as istioctl does', async () => {
    const skew = await runCase('proxy-image-skew/image-skew-bad.yaml');
    const shop = skew.findings.find((f) => f.resource.name === 'shop');
    expect(shop?.message).toBe(
      'The Istio proxy images of the pods running in the namespace do not match the image defined in the injection configuration (pod names: [api-old cart-old]). This often happens after upgrading the Istio control-plane and can be fixed by redeploying the pods.',
    );
    expect(shop?.evidence?.injectorConfigMap).toBe('istio-system/istio-sidecar-injector');
    expect(shop?.evidence?.injectorImage).toBe('docker.io/istio/proxyv2:1.28.0');
    expect(shop?.remediation).toContain('kubectl -n shop rollout restart deployment');
    expect(skew.findings.find((f) => f.resource.name === 'distro')?.params.podNames).toBe('[web-wrong]');
  });
});
