// gateway-api-crd-versions beyond its fixture cases: the versions as istioctl prints them.

import { describe, expect, it } from 'vitest';
import { runCase } from '../helpers/run-fixtures.ts';

describe('gateway-api-crd-versions', () => {
  it('names the versions the way istioctl prints them', async () => {
    const crds = await runCase('gateway-api-crd-versions/crd-versions-bad.yaml');
    expect(crds.findings.map((f) => f.message).sort()).toEqual([
      'Gateway API CRD "grpcroutes.gateway.networking.k8s.io" is at version "1.0.0" but Istio requires at least "1.1.0"; resources of this kind will not be processed. Upgrade the Gateway API CRDs to satisfy the minimum version.',
      'Gateway API CRD "tcproutes.gateway.networking.k8s.io" is at version "1.5.1-rc.2+build.7" but Istio requires at least "1.6.0"; resources of this kind will not be processed. Upgrade the Gateway API CRDs to satisfy the minimum version.',
      'Gateway API CRD "tlsroutes.gateway.networking.k8s.io" is at version "1.4.0" but Istio requires at least "1.5.0"; resources of this kind will not be processed. Upgrade the Gateway API CRDs to satisfy the minimum version.',
    ]);
    expect(crds.status).toBe('warn');
  });
});
