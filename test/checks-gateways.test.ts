// The gateway, webhook and workload checks over their fixtures: the exact multiset of
// (code, resource) out, as in test/checks.test.ts. The IST findings of every row are also
// compared with `istioctl analyze` on a real API server (test/cluster/istioctl-agreement.test.ts).

import { describe, expect, it } from 'vitest';
import { describeFixtureRows, runFixture, type FixtureRow } from './helpers/run-fixtures.ts';


const times = (n: number, pair: [string, string]): [string, string][] => Array.from({ length: n }, () => pair);

const rows: FixtureRow[] = [
  { check: 'virtualservice-gateways', fixtures: ['virtualservice-gateways/vs-gateways-ok.yaml'], expected: [] },
  {
    check: 'virtualservice-gateways',
    fixtures: ['virtualservice-gateways/vs-gateways-bad.yaml'],
    expected: [
      ['IST0101', 'VirtualService shop/missing'],
      ['IST0132', 'VirtualService shop/missing'],
      ['IST0132', 'VirtualService shop/wrong-host'],
      ['IST0132', 'VirtualService other/scoped'],
      ['IST0132', 'VirtualService shop/dot-ns'],
      ['IST0132', 'VirtualService shop/to-empty'],
      ['IST0165', 'VirtualService shop/internal'],
      ['IST0101', 'VirtualService shop/k8s-gw'],
      ['IST0132', 'VirtualService shop/k8s-gw'],
    ],
  },

  { check: 'gateway-conflicts', fixtures: ['gateway-conflicts/gateway-conflicts-ok.yaml'], expected: [] },
  {
    check: 'gateway-conflicts',
    fixtures: ['gateway-conflicts/gateway-conflicts-bad.yaml'],
    expected: [
      ['IST0145', 'Gateway shop/alpha'],
      ['IST0145', 'Gateway shop/beta'],
      ['IST0145', 'Gateway other/gamma'],
      ['IST0145', 'Gateway other/delta'],
      ['IST0145', 'Gateway shop/twice'],
      ['IST0101', 'Gateway shop/lonely'],
    ],
  },

  { check: 'gateway-secrets', fixtures: ['gateway-secrets/gateway-secrets-ok.yaml'], expected: [] },
  {
    check: 'gateway-secrets',
    fixtures: ['gateway-secrets/gateway-secrets-bad.yaml'],
    expected: [
      ['IST0101', 'Gateway shop/web'],
      ['IST0101', 'Gateway istio-system/typo'],
      ['IST0101', 'Gateway shop/orphan'],
      ['IST0101', 'Gateway shop/kube'],
    ],
  },

  // The certificates of the ok/bad fixtures are valid: reading them adds nothing.
  { check: 'gateway-secrets', fixtures: ['gateway-secrets/gateway-secrets-ok.yaml'], expected: [], readSecrets: true },
  {
    check: 'gateway-secrets',
    fixtures: ['gateway-secrets/gateway-secrets-bad.yaml'],
    readSecrets: true,
    expected: [
      ['IST0101', 'Gateway shop/web'],
      ['IST0101', 'Gateway istio-system/typo'],
      ['IST0101', 'Gateway shop/orphan'],
      ['IST0101', 'Gateway shop/kube'],
    ],
  },
  // Without the opt-in the Secrets' data is dropped on load: no IST0161.
  { check: 'gateway-secrets', fixtures: ['gateway-secrets/gateway-secrets-contents.yaml'], expected: [] },
  {
    check: 'gateway-secrets',
    fixtures: ['gateway-secrets/gateway-secrets-contents.yaml'],
    readSecrets: true,
    expected: [
      ['IST0161', 'Gateway shop/expired'],
      ['IST0161', 'Gateway shop/future'],
      ['IST0161', 'Gateway shop/no-key'],
      ['IST0161', 'Gateway shop/empty'],
      ['IST0161', 'Gateway shop/garbage'],
      ['IST0161', 'Gateway shop/plain'],
    ],
  },

  { check: 'gateway-duplicate-certificates', fixtures: ['gateway-duplicate-certificates/duplicate-certificates-ok.yaml'], expected: [] },
  {
    check: 'gateway-duplicate-certificates',
    fixtures: ['gateway-duplicate-certificates/duplicate-certificates-bad.yaml'],
    expected: [
      ...times(2, ['IST0138', 'Gateway shop/web']),
      ...times(2, ['IST0138', 'Gateway shop/api']),
      ...times(3, ['IST0138', 'Gateway shop/catch-all']),
      ['IST0138', 'Gateway shop/files-1'],
      ['IST0138', 'Gateway shop/files-2'],
    ],
  },

  { check: 'workload-services', fixtures: ['workload-services/workload-services-ok.yaml'], expected: [] },
  {
    check: 'workload-services',
    fixtures: ['workload-services/workload-services-bad.yaml'],
    expected: [
      ['IST0116', 'Deployment shop/dns'],
      ['IST0137', 'Deployment shop/admin'],
      ['IST0116', 'Deployment legacy/sidecar'],
      ['IST0137', 'Deployment legacy/opted-in'],
    ],
  },

  { check: 'webhooks', fixtures: ['webhooks/webhooks-ok.yaml'], expected: [] },
  {
    check: 'webhooks',
    fixtures: ['webhooks/webhooks-bad.yaml'],
    expected: [
      ['IST0139', 'MutatingWebhookConfiguration istio-sidecar-injector'],
      ['IST0139', 'MutatingWebhookConfiguration istio-sidecar-injector-stale'],
      ['IST0139', 'MutatingWebhookConfiguration legacy-injector'],
      ['MB0105', 'Service istio-system/istiod'],
    ],
  },
];

describeFixtureRows(rows);

describe('gateway findings read like an operator wrote them', () => {
  it('print messages in istioctl\'s shape', async () => {
    const vs = await runFixture('virtualservice-gateways', ['virtualservice-gateways/vs-gateways-bad.yaml']);
    expect(vs.findings.map((f) => f.message)).toEqual(
      expect.arrayContaining([
        'Referenced gateway not found: "nope"',
        'one or more host [admin.example.com] defined in VirtualService shop/dot-ns not found in Gateway istio-system/shared.',
        'Gateway reference in VirtualService shop/internal is to an implementation-generated internal Gateway: shop/web-k8s~istio-autogenerated-k8s-gateway~http.',
      ]),
    );
    const conflicts = await runFixture('gateway-conflicts', ['gateway-conflicts/gateway-conflicts-bad.yaml']);
    expect(conflicts.findings.map((f) => f.message)).toEqual(
      expect.arrayContaining([
        'Conflict with gateways shop/alpha (workload selector istio=ingressgateway, port 80, hosts shop.example.com,api.example.com).',
        'Conflict with gateways shop/eight (workload selector istio=ingressgateway, port 8443, hosts twice.example.com).',
        'Referenced selector not found: "istio=egressgateway"',
      ]),
    );
    const services = await runFixture('workload-services', ['workload-services/workload-services-bad.yaml']);
    expect(services.findings.map((f) => f.message)).toEqual(
      expect.arrayContaining([
        'This deployment dns is associated with multiple services using port 53 but different protocols: [shop/dns-tcp shop/dns-udp]',
        'This deployment opted-in is associated with multiple services [legacy/opted-in-a legacy/opted-in-b] using targetPort "http" but different ports: [80 8000].',
      ]),
    );
    const hooks = await runFixture('webhooks', ['webhooks/webhooks-bad.yaml']);
    expect(hooks.findings.map((f) => f.message)).toEqual(
      expect.arrayContaining([
        'Webhook overlaps with others: [istio-sidecar-injector-stale/sidecar-injector.istio.io]. This may cause injection to occur twice.',
        'Injector refers to a control plane service that does not exist: kube-system/istio-sidecar-injector.',
      ]),
    );
  });

  it('carry evidence and a specific remediation', async () => {
    const secrets = await runFixture('gateway-secrets', ['gateway-secrets/gateway-secrets-bad.yaml']);
    const web = secrets.findings.find((f) => f.resource.name === 'web');
    expect(web?.evidence).toMatchObject({ 'spec.servers[0].tls.credentialName': 'shop-cert', 'looked up as': 'Secret istio-system/shop-cert' });
    expect(web?.remediation).toContain('exists in shop');
    expect(web?.docs).toBe('/concepts/gateways/#gateway-secrets');
    const vs = await runFixture('virtualservice-gateways', ['virtualservice-gateways/vs-gateways-bad.yaml']);
    const k8s = vs.findings.find((f) => f.code === 'IST0101' && f.resource.name === 'k8s-gw');
    expect(k8s?.remediation).toContain('HTTPRoute');
    const hooks = await runFixture('webhooks', ['webhooks/webhooks-bad.yaml']);
    const mb = hooks.findings.find((f) => f.code === 'MB0105');
    expect(mb?.evidence).toMatchObject({ 'ready addresses': '0', EndpointSlices: 'istiod-7xk2p' });
    expect(mb?.docs).toBe('/concepts/mesh/#webhooks');
  });
});

describe('gateway-secrets with --read-secrets (IST0161)', () => {
  const CONTENTS = ['gateway-secrets/gateway-secrets-contents.yaml'];

  it('words IST0161 as istioctl does, naming the gateway pods\' namespace', async () => {
    const result = await runFixture('gateway-secrets', CONTENTS, { readSecrets: true });
    const expired = result.findings.find((f) => f.resource.name === 'expired');
    expect(expired?.message).toBe('The credential referenced by the Gateway expired in namespace istio-system is invalid, which can cause the traffic not to work as expected.');
    expect(expired?.severity).toBe('error');
  });

  it('shows key names, subject, issuer and dates, never key material', async () => {
    const result = await runFixture('gateway-secrets', CONTENTS, { readSecrets: true });
    const by = (name: string) => result.findings.find((f) => f.resource.name === name)?.evidence ?? {};
    expect(by('expired')).toMatchObject({
      'looked up as': 'Secret istio-system/expired-cert',
      'keys present': 'tls.crt, tls.key',
      subject: 'CN=expired.example.com, O=Meshbook test fixture',
      issuer: 'CN=expired.example.com, O=Meshbook test fixture',
      'not before': '2020-01-01T00:00:00.000Z',
      'not after': '2021-01-01T00:00:00.000Z',
    });
    expect(by('future').problem).toContain('not valid before 2100-01-01');
    expect(by('no-key')).toMatchObject({ 'keys present': 'tls.crt', problem: "found secret, but didn't have expected keys (cert and key) or (tls.crt and tls.key); found: tls.crt" });
    expect(by('empty').problem).toBe('found keys "tls.crt" and "tls.key", but they were empty');
    expect(by('garbage').problem).toContain('not PEM');
    expect(by('plain').problem).toContain('expired');
    const text = JSON.stringify(result.findings);
    expect(text).not.toMatch(/BEGIN|placeholder|LS0t|MII/);
  });
});

