// Detecting the control plane's generation and the control ports that come with it.

import { describe, expect, it } from 'vitest';
import type { ConfigMap, Deployment, Service, ServicePort } from '../../src/k8s/objects.ts';
import { controlMeshFacts, controlPorts, describePorts, detectIstio, parseMinor, proxyScrapePorts } from '../../src/mesh/istio-version.ts';

const deployment = (name: string, image: string, labels: Record<string, string> = { app: name }): Deployment => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'istio-system', labels },
  spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'discovery', image }] } } },
});
const service = (name: string, selector: Record<string, string>, ports: ServicePort[]): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'istio-system' },
  spec: { selector, ports },
});
const mesh = (text: string): ConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'istio', namespace: 'istio-system' },
  data: { mesh: text },
});

const ISTIOD_SERVICE = service('istiod', { app: 'istiod' }, [
  { name: 'grpc-xds', port: 15010, targetPort: 15010 },
  { name: 'https-dns', port: 15012, targetPort: 15012 },
  { name: 'https-webhook', port: 443, targetPort: 15017 },
  { name: 'http-monitoring', port: 15014, targetPort: 15014 },
]);

describe('detectIstio', () => {
  it('finds nothing without istiod or istio-pilot', () => {
    expect(detectIstio([deployment('istio-ingressgateway', 'docker.io/istio/proxyv2:1.28.0')], [])).toBeUndefined();
  });

  it('detects istiod, its version and its Service', () => {
    const install = detectIstio([deployment('istiod', 'docker.io/istio/pilot:1.28.0')], [ISTIOD_SERVICE])!;
    expect(install.era).toBe('istiod');
    expect(install.version).toBe('1.28.0');
    expect(install.components.map((c) => [c.role, c.deployment.metadata.name, c.service?.metadata.name])).toEqual([
      ['istiod', 'istiod', 'istiod'],
    ]);
    expect(install.summary).toBe('istiod (Istio 1.5 and later): Deployment istio-system/istiod (Istio 1.28.0, revision default)');
  });

  it('prefers istiod while a 1.4 → 1.5 migration still runs istio-pilot', () => {
    const install = detectIstio(
      [deployment('istio-pilot', 'docker.io/istio/pilot:1.4.6'), deployment('istiod', 'docker.io/istio/pilot:1.5.0')],
      [],
    )!;
    expect(install.era).toBe('istiod');
    expect(install.summary).toContain('an istio-pilot Deployment also exists');
  });

  it('detects the 1.0 split control plane by its Deployment names, Pilot first', () => {
    const install = detectIstio(
      [
        deployment('istio-galley', 'docker.io/istio/galley:1.0.6'),
        deployment('istio-policy', 'docker.io/istio/mixer:1.0.6'),
        deployment('istio-pilot', 'docker.io/istio/pilot:1.0.6'),
      ],
      [],
    )!;
    expect(install.era).toBe('split');
    expect(install.version).toBe('1.0.6');
    expect(install.components.map((c) => c.role)).toEqual(['pilot', 'mixer-policy', 'galley']);
  });
});

describe('controlMeshFacts', () => {
  it.each<[string, ConfigMap | undefined, { mutualTls: boolean; discoveryPort: number | undefined }]>([
    ['no ConfigMap', undefined, { mutualTls: false, discoveryPort: undefined }],
    [
      'istiod defaults',
      mesh('defaultConfig:\n  discoveryAddress: istiod.istio-system.svc:15012\n'),
      { mutualTls: false, discoveryPort: 15012 },
    ],
    [
      '1.0 with control plane mTLS',
      mesh('defaultConfig:\n  controlPlaneAuthPolicy: MUTUAL_TLS\n  discoveryAddress: istio-pilot.istio-system:15005\n'),
      { mutualTls: true, discoveryPort: 15005 },
    ],
    ['not YAML', mesh('defaultConfig: [\n'), { mutualTls: false, discoveryPort: undefined }],
    ['not a mapping', mesh('- a\n- b\n'), { mutualTls: false, discoveryPort: undefined }],
  ])('%s', (_name, cm, expected) => {
    expect(controlMeshFacts(cm)).toMatchObject(expected);
  });
});

describe('controlPorts', () => {
  it('istiod: 15012 for proxies, the webhook behind 443, monitoring; 15010 only when proxies dial it', () => {
    const install = detectIstio([deployment('istiod', 'docker.io/istio/pilot:1.28.0')], [ISTIOD_SERVICE])!;
    const summary = (facts: Parameters<typeof controlPorts>[1]) =>
      controlPorts(install, facts).map((p) => `${p.client} ${p.servicePort?.port ?? '-'}→${p.port}`);
    expect(summary({ mutualTls: false, discoveryPort: 15012, source: '' })).toEqual([
      'proxies 15012→15012',
      'api-server 443→15017',
      'prometheus 15014→15014',
    ]);
    expect(summary({ mutualTls: false, discoveryPort: 15010, source: '' })).toEqual([
      'proxies 15012→15012',
      'proxies 15010→15010',
      'api-server 443→15017',
      'prometheus 15014→15014',
    ]);
    expect(describePorts(controlPorts(install), install)).toContain('plaintext xDS 15010 not checked');
  });

  it("istiod without a Service: the chart's pod ports", () => {
    const install = detectIstio([deployment('istiod', 'docker.io/istio/pilot:1.28.0')], [])!;
    expect(controlPorts(install).map((p) => p.port)).toEqual([15012, 15017, 15014]);
  });

  it('a named targetPort is kept as a name, to resolve on the pods', () => {
    const named = service('istiod', { app: 'istiod' }, [{ name: 'https-webhook', port: 443, targetPort: 'webhook' }]);
    const install = detectIstio([deployment('istiod', 'docker.io/istio/pilot:1.28.0')], [named])!;
    expect(controlPorts(install).find((p) => p.client === 'api-server')?.port).toBe('webhook');
  });

  it('1.0: Pilot and Mixer plaintext or mTLS ports, Galley and the injector on 443, monitoring on 9093', () => {
    const install = detectIstio(
      [
        deployment('istio-pilot', 'docker.io/istio/pilot:1.0.6'),
        deployment('istio-telemetry', 'docker.io/istio/mixer:1.0.6'),
        deployment('istio-galley', 'docker.io/istio/galley:1.0.6'),
        deployment('istio-sidecar-injector', 'docker.io/istio/sidecar_injector:1.0.6'),
      ],
      [],
    )!;
    const summary = (mutualTls: boolean) =>
      controlPorts(install, { mutualTls, discoveryPort: undefined, source: '' }).map((p) => `${p.component.role} ${p.client} ${p.port}`);
    expect(summary(false)).toEqual([
      'pilot proxies 15010',
      'pilot prometheus 9093',
      'mixer-telemetry proxies 9091',
      'mixer-telemetry prometheus 9093',
      'galley api-server 443',
      'galley prometheus 9093',
      'injector api-server 443',
    ]);
    expect(summary(true).filter((s) => s.includes('proxies'))).toEqual(['pilot proxies 15011', 'mixer-telemetry proxies 15004']);
    expect(proxyScrapePorts(install).map((p) => p.port)).toEqual([15090]);
  });

  it('1.1–1.4 split installs monitor on 15014', () => {
    const install = detectIstio([deployment('istio-pilot', 'docker.io/istio/pilot:1.3.8')], [])!;
    expect(controlPorts(install).find((p) => p.client === 'prometheus')?.port).toBe(15014);
  });
});

describe('parseMinor', () => {
  it.each<[string, [number, number] | undefined]>([
    ['1.0.6', [1, 0]],
    ['v1.28.0-distroless', [1, 28]],
    ['latest', undefined],
    ['unknown', undefined],
  ])('%s', (tag, expected) => {
    expect(parseMinor(tag)).toEqual(expected);
  });
});
