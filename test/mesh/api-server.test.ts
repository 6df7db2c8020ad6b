// The API server as a NetworkPolicy peer: its addresses from the kubernetes EndpointSlice, or
// stand-in addresses when a snapshot does not have them.

import { describe, expect, it } from 'vitest';
import type { EndpointSlice, NetworkPolicy } from '../../src/k8s/objects.ts';
import { apiServerAddresses, OUTSIDE_ADDRESS, standInAddresses } from '../../src/mesh/api-server.ts';

const slice = (namespace: string, service: string, endpoints: EndpointSlice['endpoints'], addressType = 'IPv4'): EndpointSlice => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name: `${service}-x`, namespace, labels: { 'kubernetes.io/service-name': service } },
  addressType,
  endpoints,
});

describe('apiServerAddresses', () => {
  it('reads the ready addresses of default/kubernetes only', () => {
    expect(
      apiServerAddresses([
        slice('default', 'kubernetes', [
          { addresses: ['172.18.0.3'] },
          { addresses: ['172.18.0.2'], conditions: { ready: true } },
          { addresses: ['172.18.0.9'], conditions: { ready: false } },
        ]),
        slice('default', 'kubernetes', [{ addresses: ['fd00::2'] }], 'IPv6'),
        slice('kube-system', 'kubernetes', [{ addresses: ['10.0.0.1'] }]),
        slice('default', 'other', [{ addresses: ['10.0.0.2'] }]),
        slice('default', 'kubernetes', [{ addresses: ['api.example.com'] }], 'FQDN'),
      ]),
    ).toEqual(['172.18.0.2', '172.18.0.3', 'fd00::2']);
  });
});

describe('standInAddresses', () => {
  const policy = (from: NonNullable<NonNullable<NetworkPolicy['spec']>['ingress']>[number]['from']): NetworkPolicy => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'p', namespace: 'istio-system' },
    spec: { ingress: [{ from }] },
  });

  it('always includes an address outside the pod network', () => {
    expect(standInAddresses([])).toEqual([OUTSIDE_ADDRESS]);
  });

  it('adds one address inside each ipBlock, outside its excepts', () => {
    expect(
      standInAddresses([
        policy([{ ipBlock: { cidr: '10.0.0.0/8' } }]),
        policy([{ ipBlock: { cidr: '172.16.0.0/12', except: ['172.16.0.0/16'] } }]),
        policy([{ ipBlock: { cidr: '192.168.0.0/24', except: ['192.168.0.0/31'] } }]),
        policy([{ ipBlock: { cidr: 'fd00::/64' } }]),
        policy([{ ipBlock: { cidr: 'not-a-cidr' } }, { podSelector: {} }]),
      ]),
    ).toEqual([OUTSIDE_ADDRESS, '10.0.0.0', '172.17.0.0', '192.168.0.2', 'fd00::']);
  });
});
