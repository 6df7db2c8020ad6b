// The traffic-management checks over their fixtures: the exact multiset of (code, resource)
// out, as in test/checks.test.ts. Every "bad" row was also run through `istioctl analyze -A`
// (live mode, the same files applied to an API server) and gave the same pairs.

import { describe, expect, it } from 'vitest';
import { describeFixtureRows, pairs, runFixture, type FixtureRow } from './helpers/run-fixtures.ts';


const rows: FixtureRow[] = [
  { check: 'service-port-names', fixtures: ['service-port-names/service-port-names-ok.yaml'], expected: [] },
  {
    check: 'service-port-names',
    fixtures: ['service-port-names/service-port-names-bad.yaml'],
    expected: [
      ['IST0118', 'Service shop/catalog'],
      ['IST0118', 'Service shop/catalog'],
      ['IST0118', 'Service shop/catalog'],
      ['IST0118', 'Service default/unnamed'],
      ['IST0118', 'Service shop/sidecarless'],
      ['IST0150', 'Service shop/partner'],
    ],
  },

  { check: 'virtualservice-destination-hosts', fixtures: ['virtualservice-destination-hosts/destination-hosts-ok.yaml'], expected: [] },
  {
    check: 'virtualservice-destination-hosts',
    fixtures: ['virtualservice-destination-hosts/destination-hosts-bad.yaml'],
    expected: [
      ...Array.from({ length: 7 }, (): [string, string] => ['IST0101', 'VirtualService shop/broken']),
      ['IST0112', 'VirtualService shop/broken'],
      ['IST0101', 'VirtualService shop/egress-route'],
      ['IST0140', 'VirtualService shop/reviews-ingress'],
    ],
  },

  { check: 'virtualservice-destination-rules', fixtures: ['virtualservice-destination-rules/destination-rules-ok.yaml'], expected: [] },
  {
    check: 'virtualservice-destination-rules',
    fixtures: ['virtualservice-destination-rules/destination-rules-bad.yaml'],
    expected: [
      ['IST0101', 'VirtualService shop/reviews'],
      ['IST0101', 'VirtualService shop/reviews'],
      ['IST0101', 'VirtualService shop/reviews'],
      ['IST0101', 'VirtualService shop/reviews'],
      ['IST0101', 'VirtualService bookinfo/details-tcp'],
    ],
  },

  { check: 'virtualservice-mesh-gateway-hosts', fixtures: ['virtualservice-mesh-gateway-hosts/mesh-gateway-hosts-ok.yaml'], expected: [] },
  {
    check: 'virtualservice-mesh-gateway-hosts',
    fixtures: ['virtualservice-mesh-gateway-hosts/mesh-gateway-hosts-bad.yaml'],
    expected: [
      ['IST0109', 'VirtualService shop/productpage'],
      ['IST0109', 'VirtualService shop/productpage-v2'],
      ['IST0109', 'VirtualService shop/api-local'],
      ['IST0109', 'VirtualService shop/wildcard'],
      ['IST0109', 'VirtualService shop/twice'],
    ],
  },

  { check: 'destinationrule-subsets', fixtures: ['destinationrule-subsets/subsets-ok.yaml'], expected: [] },
  {
    check: 'destinationrule-subsets',
    fixtures: ['destinationrule-subsets/subsets-bad.yaml'],
    expected: [
      ['IST0173', 'DestinationRule shop/reviews'],
      ['IST0173', 'DestinationRule shop/reviews'],
      ['IST0173', 'DestinationRule shop/reviews'],
      ['IST0173', 'DestinationRule shop/reviews'],
      ['IST0173', 'DestinationRule shop/legacy'],
      ['IST0174', 'DestinationRule shop/ghost'],
      ['IST0174', 'DestinationRule other/reviews'],
      ['IST0174', 'DestinationRule shop/private'],
    ],
  },

  { check: 'destinationrule-ca-certificates', fixtures: ['destinationrule-ca-certificates/ca-certificates-ok.yaml'], expected: [] },
  {
    check: 'destinationrule-ca-certificates',
    fixtures: ['destinationrule-ca-certificates/ca-certificates-bad.yaml'],
    expected: [
      ['IST0128', 'DestinationRule shop/partner'],
      ['IST0128', 'DestinationRule shop/ledger'],
      ['IST0129', 'DestinationRule shop/search'],
      ['IST0129', 'DestinationRule shop/search'],
    ],
  },

  { check: 'serviceentry-addresses', fixtures: ['serviceentry-addresses/addresses-ok.yaml'], expected: [] },
  {
    check: 'serviceentry-addresses',
    fixtures: ['serviceentry-addresses/addresses-bad.yaml'],
    expected: [
      ['IST0134', 'ServiceEntry shop/legacy-db'],
      ['IST0134', 'ServiceEntry shop/cache'],
      ['IST0134', 'ServiceEntry shop/queue'],
      ['IST0134', 'ServiceEntry shop/mixed'],
    ],
  },
  {
    check: 'serviceentry-addresses',
    fixtures: ['serviceentry-addresses/addresses-bad.yaml', 'serviceentry-addresses/addresses-auto-allocated.yaml'],
    expected: [],
  },

  { check: 'serviceentry-protocol-conflicts', fixtures: ['serviceentry-protocol-conflicts/protocol-conflicts-ok.yaml'], expected: [] },
  {
    check: 'serviceentry-protocol-conflicts',
    fixtures: ['serviceentry-protocol-conflicts/protocol-conflicts-bad.yaml'],
    expected: [
      ['IST0177', 'ServiceEntry shop/api-https'],
      ['IST0177', 'ServiceEntry shop/api-tls'],
      ['IST0177', 'ServiceEntry team-a/api-local'],
      ['IST0177', 'ServiceEntry shop/db-plain'],
      ['IST0177', 'ServiceEntry shop/db-tcp'],
    ],
  },

  { check: 'sidecar-selectors', fixtures: ['sidecar-selectors/sidecar-selectors-ok.yaml'], expected: [] },
  {
    check: 'sidecar-selectors',
    fixtures: ['sidecar-selectors/sidecar-selectors-bad.yaml'],
    expected: [
      ['IST0101', 'Sidecar shop/orphan'],
      ['IST0101', 'Sidecar shop/cross-namespace'],
      ['IST0101', 'Sidecar kube-system/coredns'],
      ['IST0110', 'Sidecar shop/cart'],
      ['IST0110', 'Sidecar shop/cart-v1'],
      ['IST0111', 'Sidecar shop/default'],
      ['IST0111', 'Sidecar shop/extra'],
      ['IST0111', 'Sidecar mixed/one'],
      ['IST0111', 'Sidecar mixed/two'],
      ['IST0167', 'Sidecar shop/ambient-app'],
      ['IST0167', 'Sidecar mesh-ambient/default'],
    ],
  },
];

describeFixtureRows(rows);

describe('traffic findings read like an operator wrote them', () => {
  it('carry evidence and a specific remediation', async () => {
    const result = await runFixture('virtualservice-destination-hosts', ['virtualservice-destination-hosts/destination-hosts-bad.yaml']);
    const typo = result.findings.find((f) => f.params.ref === 'reviwes');
    expect(typo?.message).toBe('Referenced host not found: "reviwes"');
    expect(typo?.evidence).toMatchObject({ 'spec.http[0].route[0].destination.host': 'reviwes', 'looked up as': 'reviwes.shop.svc.cluster.local' });
    expect(typo?.remediation).toContain('reviwes.shop.svc.cluster.local');
    expect(typo?.docs).toBe('/concepts/traffic-management/#virtualservice-destination-hosts');
  });

  it('print messages in istioctl\'s shape', async () => {
    const ports = await runFixture('service-port-names', ['service-port-names/service-port-names-bad.yaml']);
    expect(ports.findings.map((f) => f.message)).toContain('Port name http2x (port: 8443, targetPort: https) doesn\'t follow the naming convention of Istio port.');
    const ca = await runFixture('destinationrule-ca-certificates', ['destinationrule-ca-certificates/ca-certificates-bad.yaml']);
    expect(ca.findings.map((f) => f.message)).toContain(
      'DestinationRule shop/search in namespace shop has TLS mode set to SIMPLE but no caCertificates are set to validate server identity for host: search.example.com at port number:443',
    );
    const sidecars = await runFixture('sidecar-selectors', ['sidecar-selectors/sidecar-selectors-bad.yaml']);
    expect(sidecars.findings.map((f) => f.message)).toContain(
      'The Sidecars [cart cart-v1] in namespace "shop" select the same workload pod "cart-v1-5d8f9-abcde", which can lead to undefined behavior.',
    );
  });
});
