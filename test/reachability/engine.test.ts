// The reachability engine's API: the run's shared model (ctx.shared), the hops each data plane
// makes, and explain's verdict chain.

import { describe, expect, it } from 'vitest';
import { Snapshot } from '../../src/engine/snapshot.ts';
import type { ClusterSource } from '../../src/engine/source.ts';
import { defineCheck, sharedKey } from '../../src/engine/check.ts';
import type { KubeObject, Namespace, NetworkPolicy, Pod } from '../../src/k8s/objects.ts';
import { runChecks } from '../../src/engine/runner.ts';
import { networkModel } from '../../src/reachability/context.ts';
import { buildNetworkModel } from '../../src/reachability/network-model.ts';
import type { NetworkModel } from '../../src/reachability/network-model.ts';

const ns = (name: string, labels: Record<string, string> = {}): Namespace => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, labels },
});
const pod = (namespace: string, name: string, ip: string, labels: Record<string, string>, proxy: boolean): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, labels },
  spec: { containers: [{ name: 'app', ports: [{ name: 'http', containerPort: 8080 }] }, ...(proxy ? [{ name: 'istio-proxy' }] : [])] },
  status: { phase: 'Running', podIP: ip },
});
const denyAllBut = (namespace: string, name: string, from: Record<string, string>, port: number): NetworkPolicy => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { namespace, name },
  spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: from } }], ports: [{ port }] }] },
});

const cluster = {
  pods: [
    pod('shop', 'web-1', '10.0.0.1', { app: 'web' }, true),
    pod('shop', 'api-1', '10.0.0.2', { app: 'api' }, true),
    pod('legacy', 'old-1', '10.0.1.1', { app: 'old' }, false),
  ],
  namespaces: [ns('shop', { 'istio-injection': 'enabled' }), ns('legacy')],
  policies: [denyAllBut('shop', 'api-from-web', { app: 'web' }, 8080)],
};
const classOf = (net: NetworkModel, name: string) => net.index.classOf(cluster.pods.find((p) => p.metadata.name === name)!);

describe('ctx.shared', () => {
  const counter = sharedKey<{ builds: number }>('test/counter');
  let builds = 0;
  const seen: NetworkModel[] = [];
  const asker = (id: string) =>
    defineCheck({
      id,
      title: 'Asks for shared state',
      description: 'Test check.',
      why: 'Testing.',
      docs: '/t/',
      inputs: ['v1/Pod', 'v1/Namespace', 'networking.k8s.io/v1/NetworkPolicy'],
      analyze(ctx) {
        ctx.shared(counter, () => ({ builds: ++builds }));
        seen.push(networkModel(ctx));
      },
    });
  const source: ClusterSource = {
    target: { type: 'snapshot', name: 'test' },
    live: false,
    gather: async (kinds) => new Snapshot([...cluster.pods, ...cluster.namespaces, ...cluster.policies] as KubeObject[], { kinds }),
  };

  it('builds once per run and hands every check of the run the same value; a new run builds again', async () => {
    await runChecks([asker('one'), asker('two')], source);
    expect(builds).toBe(1);
    expect(seen[0]).toBe(seen[1]);
    await runChecks([asker('one')], source);
    expect(builds).toBe(2);
    expect(seen[2]).not.toBe(seen[0]);
  });
});

describe('data planes and hops', () => {
  const net = buildNetworkModel(cluster);
  it("knows each class's data plane: sidecar for meshed pods, none outside the mesh", () => {
    expect(net.dataPlaneOf(classOf(net, 'api-1'))).toBe('sidecar');
    expect(net.dataPlaneOf(classOf(net, 'old-1'))).toBe('none');
  });
  it('sends sidecar → sidecar and from outside the mesh to the destination pod on its target port', () => {
    const api = classOf(net, 'api-1');
    const port = { protocol: 'TCP' as const, port: 8080, name: 'http' };
    for (const from of ['sidecar', 'none', 'outside'] as const) {
      const hops = net.hops({ from, to: api, port, purpose: 'service' });
      expect(hops).toHaveLength(1);
      expect(hops[0]!.to).toEqual({ kind: 'class', podClass: api });
      expect(hops[0]!.port).toEqual(port);
    }
    expect(net.hops({ from: 'sidecar', to: api, port, purpose: 'service' })[0]!.via).toContain('sidecar → sidecar');
  });
  it('treats control traffic (proxies → istiod 15012) as a hop to the control port', () => {
    const hops = net.hops({ from: 'sidecar', to: classOf(net, 'old-1'), port: { protocol: 'TCP', port: 15012 }, purpose: 'control' });
    expect(hops.map((h) => h.port.port)).toEqual([15012]);
  });
});

describe('explain', () => {
  const net = buildNetworkModel(cluster);
  const api = classOf(net, 'api-1');
  const port = { protocol: 'TCP' as const, port: 8080 };

  it('names the rule that allows a connection', () => {
    const e = net.explain({ kind: 'class', podClass: classOf(net, 'web-1') }, api, port);
    expect(e.allowed).toBe(true);
    expect(e.hops[0]!.ingress).toMatchObject({
      allowed: true,
      reason: 'allowed-by-rule',
      policies: [{ namespace: 'shop', name: 'api-from-web' }],
      allowedBy: [{ namespace: 'shop', name: 'api-from-web', rule: 0 }],
    });
    expect(e.hops[0]!.egress).toMatchObject({ allowed: true, reason: 'not-isolated', policies: [], rules: [] });
  });

  it('says why no rule allows a blocked one (peer or port), and the change that would', () => {
    const fromOld = net.explain({ kind: 'class', podClass: classOf(net, 'old-1') }, api, port);
    expect(fromOld.allowed).toBe(false);
    const ingress = fromOld.hops[0]!.ingress;
    expect(ingress).toMatchObject({ allowed: false, reason: 'no-rule-matches', policies: [{ namespace: 'shop', name: 'api-from-web' }] });
    expect(ingress.rules).toEqual([{ policy: { namespace: 'shop', name: 'api-from-web' }, rule: 0, peers: false, ports: true }]);
    expect(ingress.fix?.policy).toEqual({ namespace: 'shop', name: 'api-from-web' });
    expect(ingress.fix?.rule).toMatchObject({
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'legacy' } } }],
      ports: [{ protocol: 'TCP', port: 8080 }],
    });

    const otherPort = net.explain({ kind: 'class', podClass: classOf(net, 'web-1') }, api, { protocol: 'TCP', port: 9090 });
    expect(otherPort.hops[0]!.ingress.rules).toEqual([
      { policy: { namespace: 'shop', name: 'api-from-web' }, rule: 0, peers: true, ports: false },
    ]);
  });

  it('explains a connection from outside the pod network', () => {
    const e = net.explain({ kind: 'ip', ip: '192.0.2.10' }, api, port, 'control');
    expect(e.allowed).toBe(false);
    expect(e.hops[0]!.egress.reason).toBe('not-a-pod');
    expect(e.hops[0]!.ingress.rules[0]).toMatchObject({ peers: false, ports: true });
  });
});
