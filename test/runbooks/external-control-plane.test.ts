// external-control-plane beyond its fixture cases: istioctl's wording for each outcome, and the
// Go URL rules it depends on (which differ from the WHATWG parser JavaScript's URL implements).

import { describe, expect, it } from 'vitest';
import { goUrlHostname, isGoIp } from '../../runbooks/lib/go-url.ts';
import { runCase } from '../helpers/run-fixtures.ts';

describe('external-control-plane', () => {
  it("prints istioctl's messages, with the whole URL as the address", async () => {
    const bad = await runCase('external-control-plane/ecp-bad.yaml');
    expect(bad.findings.map((f) => f.message).sort()).toEqual([
      'The hostname () that was provided for the webhook (namespace.sidecar-injector.istio.io) to reach the ingress gateway on the external control plane cluster is blank. Traffic may not flow properly.',
      'The hostname (192.0.2.10:15017/inject) that was provided for the webhook (object.sidecar-injector.istio.io) to reach the ingress gateway on the external control plane cluster was provided in an invalid format. Traffic may not flow properly.',
      'The hostname (https://istiod.example.com:15017:443/validate) that was provided for the webhook (validation.istio.io) to reach the ingress gateway on the external control plane cluster was provided in an invalid format. Traffic may not flow properly.',
    ]);
    const ip = await runCase('external-control-plane/ecp-ip-address.yaml');
    expect(ip.findings.map((f) => [f.severity, f.message])).toContainEqual([
      'info',
      'The address (https://[2001:db8:40::12]:15017/validate) that was provided for the webhook (rev.validation.istio.io) to reach the ingress gateway on the external control plane cluster is an IP address. This is not recommended for a production environment.',
    ]);
    expect(ip.findings.find((f) => f.resource.kind === 'MutatingWebhookConfiguration')?.evidence).toMatchObject({
      'webhooks[0].clientConfig.url': 'https://203.0.113.25:15017/inject/cluster/east/net/net-east',
      host: '203.0.113.25',
    });
  });

  // Each verdict checked against Go 1.26's url.Parse and net.ParseIP.
  it.each([
    ['https://istiod.example.com:15017/inject', 'istiod.example.com', false],
    ['https://10.1.2.3:15017/inject', '10.1.2.3', true],
    ['https://[2001:db8::5]/inject', '2001:db8::5', true],
    ['https://[::ffff:10.1.2.3]/inject', '::ffff:10.1.2.3', true],
    // A zone stays in the hostname, so net.ParseIP does not see an address.
    ['https://[fe80::1%25eth0]:443/x', 'fe80::1%eth0', false],
    // Letters, digits and dots before the first colon read as a scheme: the rest is opaque, no host.
    ['istiod.example.com:15017/inject', '', false],
    ['', '', false],
    ['https:///inject', '', false],
    ['https://01.2.3.4/x', '01.2.3.4', false],
  ])('Go parses %j with hostname %j (IP: %s)', (url, hostname, ip) => {
    expect(goUrlHostname(url)).toBe(hostname);
    expect(isGoIp(hostname)).toBe(ip);
  });

  it.each([
    '192.0.2.10:15017/inject',
    'https://istiod.example.com:15017:443/validate',
    'https://[10.1.2.3]/x',
    'https://[::1/x',
    'https://ho st/x',
    'https://ho%41st/x',
    'https://host:port/x',
    'https://host/%zz',
    ':15017/inject',
    'https://host/\u0007',
  ])('Go refuses %j', (url) => {
    expect(goUrlHostname(url)).toBeUndefined();
  });
});
