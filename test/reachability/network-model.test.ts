// Which pods the reachability checks treat as meshed, as gateways, and which workload they belong to.

import { describe, expect, it } from 'vitest';
import type { IstioGateway, Namespace, Pod } from '../../src/k8s/objects.ts';
import { buildMeshNetwork, workloadName } from '../../src/reachability/network-model.ts';
import { isGatewayPod, isMeshedPod, isPrometheusPod, meshNamespaceNames, namespaceInMesh } from '../../src/mesh/meshed.ts';

const ns = (name: string, labels: Record<string, string> = {}): Namespace => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, labels },
});
const pod = (
  namespace: string,
  name: string,
  opts: {
    labels?: Record<string, string>;
    proxy?: boolean;
    hostNetwork?: boolean;
    owner?: { kind: string; name: string };
    phase?: string;
    args?: string[];
  } = {},
): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name,
    namespace,
    labels: opts.labels ?? {},
    ...(opts.owner === undefined
      ? {}
      : { ownerReferences: [{ apiVersion: 'apps/v1', kind: opts.owner.kind, name: opts.owner.name, controller: true }] }),
  },
  spec: {
    ...(opts.hostNetwork === true ? { hostNetwork: true } : {}),
    containers: [
      { name: 'app' },
      ...(opts.proxy === true ? [{ name: 'istio-proxy', ...(opts.args === undefined ? {} : { args: opts.args }) }] : []),
    ],
  },
  status: { phase: opts.phase ?? 'Running', podIP: '10.244.1.1' },
});

describe('namespaceInMesh', () => {
  it.each<[string, Record<string, string>, boolean]>([
    ['istio-injection=enabled', { 'istio-injection': 'enabled' }, true],
    ['istio-injection=disabled wins over a revision', { 'istio-injection': 'disabled', 'istio.io/rev': 'canary' }, false],
    ['a revision label', { 'istio.io/rev': 'canary' }, true],
    ['ambient', { 'istio.io/dataplane-mode': 'ambient' }, true],
    ['no label', {}, false],
  ])('%s', (_name, labels, expected) => {
    expect(namespaceInMesh(ns('x', labels))).toBe(expected);
  });
});

describe('isMeshedPod', () => {
  const mesh = meshNamespaceNames([ns('shop', { 'istio-injection': 'enabled' }), ns('legacy')]);
  it.each<[string, Pod, boolean]>([
    ['a pod with istio-proxy, anywhere', pod('legacy', 'a', { proxy: true }), true],
    ['a pod of a mesh namespace, sidecar yet to come', pod('shop', 'b'), true],
    ['one that opted out', pod('shop', 'c', { labels: { 'sidecar.istio.io/inject': 'false' } }), false],
    ['a hostNetwork pod', pod('shop', 'd', { hostNetwork: true }), false],
    ['a pod outside the mesh', pod('legacy', 'e'), false],
  ])('%s', (_name, p, expected) => {
    expect(isMeshedPod(p, mesh)).toBe(expected);
  });
});

describe('isGatewayPod and isPrometheusPod', () => {
  const gw: IstioGateway = {
    apiVersion: 'networking.istio.io/v1',
    kind: 'Gateway',
    metadata: { name: 'g', namespace: 'shop' },
    spec: { selector: { istio: 'egressgateway' } },
  };
  it('knows gateways by their Gateway selector or their router proxy', () => {
    expect(isGatewayPod(pod('istio-system', 'eg', { proxy: true, labels: { istio: 'egressgateway' } }), [gw])).toBe(true);
    expect(isGatewayPod(pod('istio-system', 'ig', { proxy: true, args: ['proxy', 'router'] }), [])).toBe(true);
    expect(isGatewayPod(pod('shop', 'web', { proxy: true, args: ['proxy', 'sidecar'] }), [gw])).toBe(false);
  });
  it('knows Prometheus by its chart labels', () => {
    expect(isPrometheusPod(pod('monitoring', 'prometheus-0', { labels: { 'app.kubernetes.io/name': 'prometheus' } }))).toBe(true);
    expect(isPrometheusPod(pod('monitoring', 'grafana-0', { labels: { app: 'grafana' } }))).toBe(false);
  });
});

describe('workloadName', () => {
  it.each<[string, Pod, string]>([
    [
      'the Deployment behind a ReplicaSet owner',
      pod('shop', 'cart-7c9d8f6b5-xk2lp', {
        labels: { 'pod-template-hash': '7c9d8f6b5' },
        owner: { kind: 'ReplicaSet', name: 'cart-7c9d8f6b5' },
      }),
      'cart',
    ],
    ['a StatefulSet owner', pod('shop', 'redis-0', { owner: { kind: 'StatefulSet', name: 'redis' } }), 'redis'],
    [
      'the name pattern when there is no owner',
      pod('shop', 'web-5d8f7c6b9d-2nxqp', { labels: { 'pod-template-hash': '5d8f7c6b9d' } }),
      'web',
    ],
    ['the app label of a bare pod', pod('shop', 'debug', { labels: { app: 'toolbox' } }), 'toolbox'],
    ['the pod name as a last resort', pod('shop', 'debug'), 'debug'],
  ])('%s', (_name, p, expected) => {
    expect(workloadName(p)).toBe(expected);
  });
});

describe('buildMeshNetwork', () => {
  it('classifies classes and drops finished pods', () => {
    const net = buildMeshNetwork({
      pods: [
        pod('shop', 'web-a', { labels: { app: 'web' }, proxy: true }),
        pod('shop', 'job-1', { labels: { app: 'job' }, phase: 'Succeeded' }),
        pod('istio-system', 'ig', { labels: { istio: 'ingressgateway' }, proxy: true, args: ['proxy', 'router'] }),
        pod('legacy', 'old', { labels: { app: 'old' } }),
      ],
      namespaces: [ns('shop', { 'istio-injection': 'enabled' }), ns('istio-system'), ns('legacy')],
      policies: [],
    });
    expect(net.index.classes.map((c) => [net.workloadOf(c), net.isMeshed(c), net.isGateway(c)])).toEqual([
      ['shop/web', true, false],
      ['istio-system/ig', true, true],
      ['legacy/old', false, false],
    ]);
  });
});
