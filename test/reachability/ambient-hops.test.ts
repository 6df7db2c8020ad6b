// The ambient data plane: which L4 hops a request to (or from) an ambient pod makes, as the
// network model classifies pods and resolves waypoints.

import { describe, expect, it } from 'vitest';
import type { Namespace, NetworkPolicy, Pod, Service } from '../../src/k8s/objects.ts';
import { DATA_PLANES } from '../../src/reachability/data-plane.ts';
import { buildNetworkModel, type NetworkModel } from '../../src/reachability/network-model.ts';
import { meshServicePorts, servicePortReach } from '../../src/reachability/service-port-reach.ts';

const ns = (name: string, labels: Record<string, string> = {}): Namespace => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, labels },
});
type Container = NonNullable<NonNullable<Pod['spec']>['containers']>[number];
const pod = (namespace: string, name: string, ip: string, labels: Record<string, string>): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, labels },
  spec: { containers: [{ name: 'app', ports: [{ name: 'http', containerPort: 8080 }] }] },
  status: { phase: 'Running', podIP: ip },
});
// An istio-proxy container running `proxy <role>` (sidecar, waypoint, ztunnel).
const withProxy = (p: Pod, args: string[]): Pod => ({
  ...p,
  spec: { containers: [...(p.spec?.containers ?? []), { name: 'istio-proxy', args } as Container] },
});
const service = (namespace: string, name: string, selector: Record<string, string>, labels: Record<string, string> = {}): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace, labels },
  spec: { selector, ports: [{ port: 80, targetPort: 8080 }] },
});
const onlyPort = (namespace: string, name: string, port: number): NetworkPolicy => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { namespace, name },
  spec: { podSelector: { matchLabels: { app: 'till' } }, policyTypes: ['Ingress'], ingress: [{ ports: [{ port }] }] },
});

const pods = [
  pod('mall', 'shelf-1', '10.0.1.1', { app: 'shelf' }),
  pod('mall', 'till-1', '10.0.1.2', { app: 'till' }),
  withProxy(pod('mall', 'wp-1', '10.0.1.9', { 'gateway.networking.k8s.io/gateway-name': 'wp' }), ['proxy', 'waypoint']),
  withProxy(pod('istio-system', 'ztunnel-1', '10.0.0.3', { app: 'ztunnel' }), ['proxy', 'ztunnel']),
  withProxy(pod('shop', 'web-1', '10.0.2.1', { app: 'web', 'networking.istio.io/tunnel': 'http' }), ['proxy', 'sidecar']),
  withProxy(pod('shop', 'cart-1', '10.0.2.2', { app: 'cart' }), ['proxy', 'sidecar']),
  pod('legacy', 'old-1', '10.0.3.1', { app: 'old' }),
];
const namespaces = [
  ns('mall', { 'istio.io/dataplane-mode': 'ambient' }),
  ns('shop', { 'istio-injection': 'enabled' }),
  ns('legacy'),
  ns('istio-system'),
];
const net = buildNetworkModel({ pods, namespaces, policies: [onlyPort('mall', 'only-8080', 8080)] });
const cls = (m: NetworkModel, name: string) => m.index.classOf(pods.find((p) => p.metadata.name === name)!);
const port = { protocol: 'TCP' as const, port: 8080 };
const hopsOf = (from: 'sidecar' | 'ambient' | 'none' | 'outside', to: string, svc?: Service, fromGateway = false) =>
  net.hops({ from, to: cls(net, to), port, purpose: 'service' }, svc, fromGateway).map((h) => ({
    from: h.from?.label,
    to: h.to.kind === 'class' ? net.workloadOf(h.to.podClass) : '?',
    port: h.port.port,
    via: h.via,
  }));

describe('classifying ambient pods', () => {
  it('gives ambient pods their own data plane and keeps infrastructure out of the mesh endpoints', () => {
    expect(net.hasAmbient).toBe(true);
    expect(net.dataPlaneOf(cls(net, 'shelf-1'))).toBe('ambient');
    expect(net.isMeshed(cls(net, 'shelf-1'))).toBe(true);
    expect(net.dataPlaneOf(cls(net, 'web-1'))).toBe('sidecar');
    expect(net.dataPlaneOf(cls(net, 'old-1'))).toBe('none');
    for (const [name, role] of [
      ['wp-1', 'waypoint'],
      ['ztunnel-1', 'ztunnel'],
    ] as const) {
      expect(net.ambientRole(cls(net, name))).toBe(role);
      expect(net.isMeshed(cls(net, name))).toBe(false);
    }
    expect(net.ambientRole(cls(net, 'shelf-1'))).toBeUndefined();
  });

  it('has no ambient hops on a cluster without ambient pods', () => {
    const sidecars = buildNetworkModel({ pods: [pods[4]!, pods[6]!], namespaces, policies: [] });
    expect(sidecars.hasAmbient).toBe(false);
  });
});

describe('DataPlane ambient hops', () => {
  it('tunnels mesh clients to 15008 on the pod, and lets plaintext clients in on the target port', () => {
    expect(hopsOf('ambient', 'till-1')).toEqual([
      {
        from: undefined,
        to: 'mall/till',
        port: 15008,
        via: 'ambient → ztunnel HBONE 15008 → ambient pod (target port 8080 inside the tunnel)',
      },
    ]);
    expect(hopsOf('sidecar', 'till-1')[0]!.port).toBe(15008);
    expect(hopsOf('none', 'till-1')).toEqual([
      { from: undefined, to: 'mall/till', port: 8080, via: "plaintext to the target port (captured by the pod's ztunnel)" },
    ]);
    expect(hopsOf('outside', 'till-1')[0]!.port).toBe(8080);
  });

  it('reaches a sidecar that terminates HBONE from an ambient client on 15008, and leaves sidecar-to-sidecar on the target port', () => {
    // Without networking.istio.io/tunnel=http the ztunnel sends to the target port.
    expect(hopsOf('ambient', 'cart-1')).toEqual([{ from: undefined, to: 'shop/cart', port: 8080, via: 'pod IP and target port' }]);
    expect(hopsOf('ambient', 'web-1')).toEqual([
      {
        from: undefined,
        to: 'shop/web',
        port: 15008,
        via: 'ambient → ztunnel HBONE 15008 → sidecar pod (target port 8080 inside the tunnel)',
      },
    ]);
    expect(hopsOf('sidecar', 'web-1')).toEqual([
      { from: undefined, to: 'shop/web', port: 8080, via: 'sidecar → sidecar, pod IP and target port' },
    ]);
    expect(hopsOf('ambient', 'old-1')).toEqual([{ from: undefined, to: 'legacy/old', port: 8080, via: 'pod IP and target port' }]);
  });

  it('goes through the bound waypoint in two hops, and gateways only with istio.io/ingress-use-waypoint', () => {
    const bound = service('mall', 'till', { app: 'till' }, { 'istio.io/use-waypoint': 'wp' });
    const twoHops = [
      { from: undefined, to: 'mall/wp-1', port: 15008, via: 'ambient → ztunnel HBONE 15008 → waypoint mall/wp' },
      {
        from: 'waypoint mall/wp',
        to: 'mall/till',
        port: 15008,
        via: 'waypoint mall/wp HBONE 15008 → ambient pod (target port 8080 inside the tunnel)',
      },
    ];
    expect(hopsOf('ambient', 'till-1', bound)).toEqual(twoHops);
    expect(hopsOf('sidecar', 'till-1', bound, true)).toHaveLength(1);
    const ingress = service('mall', 'till', { app: 'till' }, { 'istio.io/use-waypoint': 'wp', 'istio.io/ingress-use-waypoint': 'true' });
    expect(hopsOf('sidecar', 'till-1', ingress, true)).toHaveLength(2);
    // `none` opts the Service out of its namespace's waypoint; an unknown waypoint is no hop.
    expect(hopsOf('ambient', 'till-1', service('mall', 'till', { app: 'till' }, { 'istio.io/use-waypoint': 'none' }))).toHaveLength(1);
    expect(hopsOf('ambient', 'till-1', service('mall', 'till', { app: 'till' }, { 'istio.io/use-waypoint': 'gone' }))).toHaveLength(1);
  });

  it("explains each hop from its own source: the waypoint's hop is judged from the waypoint", () => {
    const bound = service('mall', 'till', { app: 'till' }, { 'istio.io/use-waypoint': 'wp' });
    const e = net.explain({ kind: 'class', podClass: cls(net, 'shelf-1') }, cls(net, 'till-1'), port, 'service', bound);
    expect(e.allowed).toBe(false);
    expect(e.hops.map((h) => [h.port.port, h.allowed, h.ingress.policies.map((p) => p.name)])).toEqual([
      [15008, true, []],
      [15008, false, ['only-8080']],
    ]);
    expect(e.hops[1]!.from).toEqual({ kind: 'class', podClass: cls(net, 'wp-1') });
    expect(e.hops[1]!.ingress.fix?.rule).toEqual({
      from: [{ podSelector: { matchLabels: { 'gateway.networking.k8s.io/gateway-name': 'wp' } } }],
      ports: [{ protocol: 'TCP', port: 15008 }],
    });
  });

  it('is one more entry in DATA_PLANES', () => {
    expect(Object.keys(DATA_PLANES).sort()).toEqual(['ambient', 'none', 'sidecar']);
  });
});

describe('requests through a waypoint', () => {
  const bound = service('mall', 'till', { app: 'till' }, { 'istio.io/use-waypoint': 'wp' });
  const reachOf = (m: NetworkModel) => {
    const sources = m.index.classes.filter((c) => m.isMeshed(c) && !c.hostNetwork);
    return servicePortReach(m, sources, meshServicePorts(m, [bound]))!;
  };

  it("is blocked for every client when the waypoint's hop on is, and is reported with the clients, not the waypoint", () => {
    // only-8080 admits till's target port but not 15008: the waypoint → till hop is dropped.
    const reach = reachOf(net);
    expect(reach.groups).toHaveLength(1);
    const g = reach.groups[0]!;
    expect(g.meta).toMatchObject({ kind: 'port', waypoint: 'waypoint mall/wp' });
    expect(g.policy.name).toBe('only-8080');
    expect([...g.sources]).toEqual(['mall/shelf', 'mall/till', 'shop/cart', 'shop/web']);
    expect(g.fix?.rules).toMatchObject([{ ports: [{ protocol: 'TCP', port: 15008 }] }]);
    const matrix = reach.matrix.build('t');
    expect(matrix.cells.map((c) => [c.row, c.state, c.detail])).toEqual(
      ['mall/shelf', 'mall/till', 'shop/cart', 'shop/web'].map((row) => [row, 'blocked', '1 of 1 connections blocked on port 15008']),
    );
    for (const col of meshServicePorts(net, [bound])) expect(reach.reachedBy(col).size).toBe(0);
  });

  it('is allowed when both hops are', () => {
    const open = buildNetworkModel({ pods, namespaces, policies: [] });
    const reach = reachOf(open);
    expect(reach.groups).toEqual([]);
    expect(new Set(reach.matrix.build('t').cells.map((c) => c.state))).toEqual(new Set(['allowed']));
  });
});
