// The Kubernetes Gateway API checks over their fixtures: the exact multiset of (code, resource)
// out, as in test/checks-gateways.test.ts. k8sgateway-selectors' rows are also compared with
// `istioctl analyze` on a real API server (test/cluster/istioctl-agreement.test.ts).

import { describe, expect, it } from 'vitest';
import { describeFixtureRows, runFixture, type FixtureRow } from './helpers/run-fixtures.ts';


const rows: FixtureRow[] = [
  { check: 'k8sgateway-selectors', fixtures: ['k8sgateway-selectors/k8sgateway-selectors-ok.yaml'], expected: [] },
  {
    check: 'k8sgateway-selectors',
    fixtures: ['k8sgateway-selectors/k8sgateway-selectors-bad.yaml'],
    expected: [
      ['IST0166', 'AuthorizationPolicy shop/edge-deny'],
      ['IST0166', 'RequestAuthentication shop/edge-jwt'],
      ['IST0166', 'Telemetry shop/edge-logs'],
      ['IST0166', 'Telemetry shop/edge-logs'],
      ['IST0166', 'WasmPlugin shop/edge-wasm'],
      ['IST0166', 'AuthorizationPolicy shop/two-gateways'],
      ['IST0166', 'AuthorizationPolicy shop/two-gateways'],
    ],
  },

  { check: 'gateway-api-crd-versions', fixtures: ['gateway-api-crd-versions/crd-versions-ok.yaml'], expected: [] },
  { check: 'gateway-api-crd-versions', fixtures: ['gateway-api-crd-versions/crd-versions-live.yaml'], expected: [] },
  {
    check: 'gateway-api-crd-versions',
    fixtures: ['gateway-api-crd-versions/crd-versions-bad.yaml'],
    expected: [
      ['IST0176', 'CustomResourceDefinition grpcroutes.gateway.networking.k8s.io'],
      ['IST0176', 'CustomResourceDefinition tlsroutes.gateway.networking.k8s.io'],
      ['IST0176', 'CustomResourceDefinition tcproutes.gateway.networking.k8s.io'],
    ],
  },
  {
    check: 'gateway-api-crd-versions',
    fixtures: ['gateway-api-crd-versions/crd-versions-unparsable.yaml'],
    expected: [['IST0176', 'CustomResourceDefinition tcproutes.gateway.networking.k8s.io']],
  },

  // Not a Gateway API check, but added with them: the data-plane image analyzer.
  { check: 'proxy-image-skew', fixtures: ['proxy-image-skew/image-skew-ok.yaml'], expected: [] },
  {
    check: 'proxy-image-skew',
    fixtures: ['proxy-image-skew/image-skew-bad.yaml'],
    expected: [
      ['IST0158', 'Namespace shop'],
      ['IST0158', 'Namespace payments'],
      ['IST0158', 'Namespace distro'],
    ],
  },
  { check: 'proxy-image-skew', fixtures: ['proxy-image-skew/image-skew-unreadable.yaml'], expected: [['IST0158', 'Namespace shop']] },
];

describeFixtureRows(rows);

describe('Gateway API findings read like istioctl\'s', () => {
  it('name the gateway and the versions the way istioctl prints them', async () => {
    const selectors = await runFixture('k8sgateway-selectors', ['k8sgateway-selectors/k8sgateway-selectors-bad.yaml']);
    expect(selectors.findings.filter((f) => f.resource.name === 'two-gateways').map((f) => f.message).sort()).toEqual([
      'Ineffective selector on Kubernetes Gateway api. Use the TargetRef field instead.',
      'Ineffective selector on Kubernetes Gateway web. Use the TargetRef field instead.',
    ]);
    const telemetry = selectors.findings.find((f) => f.resource.name === 'edge-logs');
    expect(telemetry?.evidence?.['spec.selector.matchLabels']).toContain('empty');
    expect(telemetry?.remediation).toContain('targetRefs');
    expect(telemetry?.docs).toBe('/concepts/gateways/#k8sgateway-selectors');

    const crds = await runFixture('gateway-api-crd-versions', ['gateway-api-crd-versions/crd-versions-bad.yaml']);
    expect(crds.findings.map((f) => f.message).sort()).toEqual([
      'Gateway API CRD "grpcroutes.gateway.networking.k8s.io" is at version "1.0.0" but Istio requires at least "1.1.0"; resources of this kind will not be processed. Upgrade the Gateway API CRDs to satisfy the minimum version.',
      'Gateway API CRD "tcproutes.gateway.networking.k8s.io" is at version "1.5.1-rc.2+build.7" but Istio requires at least "1.6.0"; resources of this kind will not be processed. Upgrade the Gateway API CRDs to satisfy the minimum version.',
      'Gateway API CRD "tlsroutes.gateway.networking.k8s.io" is at version "1.4.0" but Istio requires at least "1.5.0"; resources of this kind will not be processed. Upgrade the Gateway API CRDs to satisfy the minimum version.',
    ]);
    expect(crds.status).toBe('warn');
  });

  it('list the skewed pods of a namespace sorted, as istioctl does', async () => {
    const skew = await runFixture('proxy-image-skew', ['proxy-image-skew/image-skew-bad.yaml']);
    const shop = skew.findings.find((f) => f.resource.name === 'shop');
    expect(shop?.message).toBe(
      'The Istio proxy images of the pods running in the namespace do not match the image defined in the injection configuration (pod names: [api-old cart-old]). This often happens after upgrading the Istio control-plane and can be fixed by redeploying the pods.',
    );
    expect(shop?.evidence?.['ConfigMap istio-system/istio-sidecar-injector image']).toBe('docker.io/istio/proxyv2:1.28.0');
    expect(shop?.remediation).toContain('kubectl -n shop rollout restart deployment');
    expect(skew.findings.find((f) => f.resource.name === 'distro')?.params.podNames).toBe('[web-wrong]');
  });
});
