import { describe, expect, it } from 'vitest';
import type { VirtualService } from '../../src/k8s/objects.ts';
import { mirrorDestinations, routeDestinations } from '../../src/istio/destinations.ts';

const vs: VirtualService = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: 'vs', namespace: 'shop' },
  spec: {
    http: [
      { route: [{ destination: { host: 'h0' } }, { weight: 1 }], mirror: { host: 'm0' }, mirrors: [{ destination: { host: 'm1' } }, {}] },
      { route: [{ destination: { host: 'h1' } }] },
    ],
    tcp: [{ route: [{ destination: { host: 't0' } }] }],
    tls: [{ route: [{ destination: { host: 's0' } }] }],
  },
};

describe('VirtualService destinations', () => {
  it('walks tcp, tls, then http routes, like istioctl', () => {
    expect(routeDestinations(vs).map((d) => [d.rule, d.destination.host, d.path])).toEqual([
      ['tcp', 't0', 'spec.tcp[0].route[0].destination'],
      ['tls', 's0', 'spec.tls[0].route[0].destination'],
      ['http', 'h0', 'spec.http[0].route[0].destination'],
      ['http', undefined, 'spec.http[0].route[1].destination'],
      ['http', 'h1', 'spec.http[1].route[0].destination'],
    ]);
  });

  it("lists each rule's mirror, then its mirrors", () => {
    expect(mirrorDestinations(vs).map((d) => [d.rule, d.destination.host, d.path])).toEqual([
      ['http.mirror', 'm0', 'spec.http[0].mirror'],
      ['http.mirrors', 'm1', 'spec.http[0].mirrors[0].destination'],
      ['http.mirrors', undefined, 'spec.http[0].mirrors[1].destination'],
    ]);
  });
});
