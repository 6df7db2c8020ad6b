// The live source against a fake API server on loopback: discovery, pagination, the
// metadata-only Accept header for Secrets, fault classification, cancellation, timeouts,
// the whole-gather deadline, the cache, and that one failing kind never stops the others.

import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { execaSync } from 'execa';
import { readFileSync, writeFileSync } from 'node:fs';
import { GatherCache, LiveSnapshot } from '../../src/cluster/live-source.ts';
import { KubeReader, METADATA_ONLY_ACCEPT } from '../../src/cluster/kube-http.ts';
import { runChecks } from '../../src/engine/runner.ts';
import { describeForbidden } from '../../src/k8s/kinds.ts';
import { YamlSource } from '../../src/cluster/yaml-source.ts';
import { getCheck } from '../../runbooks/index.ts';
import type { KindId } from '../../src/k8s/kinds.ts';
import { makeItems, type FakeResource } from './fake-apiserver.ts';
import { pairs } from '../helpers/run-fixtures.ts';
import { fakeClusters, fakePods as pods, signal } from '../helpers/fake-cluster.ts';

const clusters = fakeClusters('meshbook-live-');

const services = (n: number): FakeResource => ({
  group: '',
  versions: ['v1'],
  plural: 'services',
  kind: 'Service',
  namespaced: true,
  items: makeItems('v1', 'Service', n, 'shop'),
});
const secrets: FakeResource = {
  group: '',
  versions: ['v1'],
  plural: 'secrets',
  kind: 'Secret',
  namespaced: true,
  items: [
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'shop-cert',
        namespace: 'istio-system',
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"data":{"tls.key":"c2VjcmV0"}}', keep: 'me' },
      },
      type: 'kubernetes.io/tls',
      data: { 'tls.key': 'c2VjcmV0' },
    },
  ],
};
const istioGateways = (versions: string[], n = 2): FakeResource => ({
  group: 'networking.istio.io',
  versions,
  plural: 'gateways',
  kind: 'Gateway',
  namespaced: true,
  items: makeItems(`networking.istio.io/${versions[0]}`, 'Gateway', n, 'shop'),
});
const networkPolicies: FakeResource = {
  group: 'networking.k8s.io',
  versions: ['v1'],
  plural: 'networkpolicies',
  kind: 'NetworkPolicy',
  namespaced: true,
  items: makeItems('networking.k8s.io/v1', 'NetworkPolicy', 3, 'bookinfo'),
};

const setup = clusters.setup;

// Every gather that reads something first proves the server is Kubernetes (GET /version and /api, once per context per TTL).
const PROOF = ['/api', '/version'];
const afterProof = (server: { requests: { url: string }[] }): string[] =>
  server.requests.map((r) => r.url.split('?')[0]!).filter((p) => !PROOF.includes(p));

describe('gather', () => {
  it('reads each kind with one paginated LIST: requests = proof + discovery + pages', async () => {
    const { server, source } = await setup({ resources: [pods(1201), services(2), istioGateways(['v1'], 0)] }, { pageSize: 500 });
    const snap = await source.gather(['v1/Pod', 'v1/Service', 'networking.istio.io/v1/Gateway'], { signal: signal() });
    expect(snap.list('v1/Pod')).toHaveLength(1201);
    expect(snap.list('v1/Service')).toHaveLength(2);
    expect(snap.list('networking.istio.io/v1/Gateway')).toHaveLength(0);
    // 2 proof GETs (/version, /api) + 1 discovery (/apis) + 3 pod pages + 1 service page + 1 gateway page; core kinds need no discovery.
    expect(
      server.requests
        .slice(0, 2)
        .map((r) => r.url)
        .sort(),
    ).toEqual(PROOF);
    expect(server.requests.map((r) => r.url.split('?')[0])).toEqual(
      expect.arrayContaining(['/apis', '/api/v1/pods', '/api/v1/services', '/apis/networking.istio.io/v1/gateways']),
    );
    expect(server.requests).toHaveLength(8);
    expect(snap.requests).toBe(8);
    expect(source.requestCount).toBe(8);
    expect(
      server.requests.filter((r) => r.url.startsWith('/api/v1/pods')).map((r) => new URL(r.url, 'http://x').searchParams.get('limit')),
    ).toEqual(['500', '500', '500']);
    expect(
      server.requests.every((r) => r.method === 'GET' && r.userAgent.startsWith('meshbook/') && r.authorization === 'Bearer fake-token'),
    ).toBe(true);
    expect(snap.problems.size).toBe(0);
  });

  it('sets apiVersion and kind on LIST items and drops managedFields', async () => {
    const { source } = await setup({ resources: [pods(1)] });
    const snap = await source.gather(['v1/Pod'], { signal: signal() });
    const pod = snap.list('v1/Pod')[0]!;
    expect(pod.apiVersion).toBe('v1');
    expect(pod.kind).toBe('Pod');
    expect(pod.metadata).not.toHaveProperty('managedFields');
    expect(snap.find('v1/Pod', 'shop', 'pod-0')).toBe(pod);
  });

  it('reads Secrets as PartialObjectMetadataList: no payload, no last-applied copy of it', async () => {
    const { server, source } = await setup({ resources: [secrets] });
    const snap = await source.gather(['v1/Secret'], { signal: signal() });
    expect(server.requests.find((r) => r.url.startsWith('/api/v1/secrets'))!.accept).toBe(METADATA_ONLY_ACCEPT);
    const secret = snap.list('v1/Secret')[0]!;
    expect(secret).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'shop-cert', namespace: 'istio-system', annotations: { keep: 'me' } },
    });
    expect(JSON.stringify(snap.list('v1/Secret'))).not.toContain('c2VjcmV0');
  });

  it('drops Secret payloads even when the server ignores the metadata-only Accept header', async () => {
    const { source } = await setup({ resources: [secrets], ignoreMetadataAccept: true });
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      const snap = await source.gather(['v1/Secret'], { signal: signal() });
      expect(snap.list('v1/Secret')[0]).toEqual({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'shop-cert', namespace: 'istio-system', annotations: { keep: 'me' } },
      });
      await new Promise((r) => setImmediate(r));
      expect(warnings.join()).toMatch(/returned SecretList instead of PartialObjectMetadataList; payloads were dropped/);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('refuses an invalid namespace before sending anything', async () => {
    const { server, source } = await setup({ resources: [pods(1)] });
    await expect(source.gather(['v1/Pod'], { signal: signal(), namespace: 'Not A Namespace' })).rejects.toThrow(
      /Namespace "Not A Namespace" is not a valid namespace name/,
    );
    expect(server.requests).toHaveLength(0);
  });

  it('takes an empty metadata-only list (items: null, as the API server sends it) as no objects', async () => {
    const { source } = await setup({ resources: [{ ...secrets, items: [] }] });
    const snap = await source.gather(['v1/Secret'], { signal: signal() });
    expect(snap.problems.size).toBe(0);
    expect(snap.list('v1/Secret')).toEqual([]);
  });

  it('chooses the served version from discovery (Istio v1beta1 only)', async () => {
    const { server, source } = await setup({ resources: [istioGateways(['v1beta1'])] });
    const snap = await source.gather(['networking.istio.io/v1/Gateway'], { signal: signal() });
    expect(afterProof(server)).toEqual(['/apis', '/apis/networking.istio.io/v1beta1/gateways']);
    expect(snap.list('networking.istio.io/v1/Gateway').map((g) => g.apiVersion)).toEqual([
      'networking.istio.io/v1beta1',
      'networking.istio.io/v1beta1',
    ]);
    expect(snap.versions.get('networking.istio.io/v1/Gateway')).toBe('v1beta1');
  });

  it('falls back to legacy discovery: group list, then the CRD group-version', async () => {
    const { server, source } = await setup({ discovery: 'legacy', resources: [istioGateways(['v1', 'v1beta1']), networkPolicies] });
    const snap = await source.gather(
      ['networking.istio.io/v1/Gateway', 'networking.k8s.io/v1/NetworkPolicy', 'gateway.networking.k8s.io/v1/HTTPRoute'],
      { signal: signal() },
    );
    const paths = afterProof(server);
    // Built-in groups need no per-version request; absent groups none at all.
    expect(paths.sort()).toEqual(
      [
        '/apis',
        '/apis/networking.istio.io/v1',
        '/apis/networking.istio.io/v1/gateways',
        '/apis/networking.k8s.io/v1/networkpolicies',
      ].sort(),
    );
    expect(snap.list('networking.k8s.io/v1/NetworkPolicy')).toHaveLength(3);
    expect(snap.problems.get('gateway.networking.k8s.io/v1/HTTPRoute')?.reason).toBe('not-installed');
  });

  it('reports a kind whose API group is absent as not-installed, without listing it', async () => {
    const { server, source } = await setup({ resources: [pods(1)] });
    const snap = await source.gather(['v1/Pod', 'gateway.networking.k8s.io/v1/Gateway'], { signal: signal() });
    const problem = snap.problems.get('gateway.networking.k8s.io/v1/Gateway');
    expect(problem).toEqual({
      kind: 'gateway.networking.k8s.io/v1/Gateway',
      reason: 'not-installed',
      message: `gateways.gateway.networking.k8s.io is not installed: the API server at ${server.url} serves no gateway.networking.k8s.io API group.`,
    });
    expect(snap.kinds.has('gateway.networking.k8s.io/v1/Gateway')).toBe(true);
    expect(server.requests.some((r) => r.url.includes('gateway.networking.k8s.io/'))).toBe(false);
  });

  it('limits namespaced kinds to a namespace; cluster-scoped kinds stay cluster-wide', async () => {
    const namespaces: FakeResource = {
      group: '',
      versions: ['v1'],
      plural: 'namespaces',
      kind: 'Namespace',
      namespaced: false,
      items: makeItems('v1', 'Namespace', 2),
    };
    const { server, source } = await setup({ resources: [pods(3), namespaces] });
    const snap = await source.gather(['v1/Pod', 'v1/Namespace'], { signal: signal(), namespace: 'shop' });
    expect(afterProof(server).sort()).toEqual(['/api/v1/namespaces', '/api/v1/namespaces/shop/pods']);
    expect(snap.list('v1/Pod')).toHaveLength(3);
  });

  it('restarts a list once when its continue token expires (410)', async () => {
    const { server, source } = await setup({ resources: [pods(5)], faults: { pods: 'expire-once' } }, { pageSize: 2 });
    const snap = await source.gather(['v1/Pod'], { signal: signal() });
    expect(snap.list('v1/Pod')).toHaveLength(5);
    // The proof, page 1, expired page 2, then 3 pages from the start.
    expect(afterProof(server)).toHaveLength(5);
  });
});

describe('faults: the failing kind reports precisely, the others complete', () => {
  const all: KindId[] = ['v1/Pod', 'v1/Service', 'networking.k8s.io/v1/NetworkPolicy'];

  it('403 → forbidden, naming the missing permission', async () => {
    const { source } = await setup({ resources: [pods(2), services(1), networkPolicies], faults: { networkpolicies: 'forbidden' } });
    const snap = await source.gather(all, { signal: signal(), namespace: 'bookinfo' });
    expect(snap.problems.get('networking.k8s.io/v1/NetworkPolicy')).toEqual({
      kind: 'networking.k8s.io/v1/NetworkPolicy',
      reason: 'forbidden',
      message:
        'cannot list networkpolicies.networking.k8s.io in namespace bookinfo: forbidden — needs get/list on networkpolicies (apiGroup networking.k8s.io).',
    });
    expect(snap.problems.get('networking.k8s.io/v1/NetworkPolicy')!.message).toBe(
      describeForbidden('networking.k8s.io/v1/NetworkPolicy', 'bookinfo'),
    );
    expect(snap.kinds.has('v1/Pod') && snap.kinds.has('v1/Service')).toBe(true);
    expect(snap.kinds.has('networking.k8s.io/v1/NetworkPolicy')).toBe(false);
  });

  it('403 at cluster scope also says where the role is documented', async () => {
    const { source } = await setup({ resources: [networkPolicies], faults: { networkpolicies: 'forbidden' } });
    const snap = await source.gather(['networking.k8s.io/v1/NetworkPolicy'], { signal: signal() });
    expect(snap.problems.get('networking.k8s.io/v1/NetworkPolicy')!.message).toMatchInlineSnapshot(
      `"cannot list networkpolicies.networking.k8s.io at cluster scope: forbidden — needs get/list on networkpolicies (apiGroup networking.k8s.io). Ask for the Meshbook viewer ClusterRole (docs/rbac/meshbook-viewer.yaml), or limit the run to a namespace you can read."`,
    );
  });

  it('401 on every LIST → the whole source is unauthorized, said once', async () => {
    const { server, source } = await setup({ resources: [pods(1)], faults: { pods: 'unauthorized' } });
    await expect(source.gather(['v1/Pod'], { signal: signal() })).rejects.toMatchObject({
      name: 'SourceUnavailableError',
      reason: 'unauthorized',
      message: `The API server at ${server.url} rejected the credentials of user "fake-user" in context "fake" (401 Unauthorized): log in again or refresh the credentials.`,
    });
  });

  it("401 on one LIST while another kind reads → that kind's problem", async () => {
    const { server, source } = await setup({ resources: [pods(1), services(1)], faults: { services: 'unauthorized' } }, { concurrency: 1 });
    const snap = await source.gather(['v1/Pod', 'v1/Service'], { signal: signal() });
    expect(snap.list('v1/Pod')).toHaveLength(1);
    expect(snap.problems.get('v1/Service')).toEqual({
      kind: 'v1/Service',
      reason: 'forbidden',
      message: `The API server at ${server.url} rejected the credentials of user "fake-user" in context "fake" (401 Unauthorized): log in again or refresh the credentials.`,
    });
  });

  it('404 on a LIST of a core kind → invalid, never not-installed', async () => {
    const { server, source } = await setup({ resources: [pods(1), services(1)], faults: { services: 'notfound' } });
    const snap = await source.gather(['v1/Pod', 'v1/Service'], { signal: signal() });
    expect(snap.problems.get('v1/Service')).toEqual({
      kind: 'v1/Service',
      reason: 'invalid',
      message: `GET /api/v1/services answered 404 at ${server.url}: every Kubernetes API server serves services, so this server (or a proxy in front of it) is not answering as one.`,
    });
    expect(snap.kinds.has('v1/Service')).toBe(false);
  });

  it('404 on a LIST of a group kind discovery listed → not-installed', async () => {
    const { source } = await setup({ resources: [pods(1), networkPolicies], faults: { networkpolicies: 'notfound' } });
    const snap = await source.gather(['v1/Pod', 'networking.k8s.io/v1/NetworkPolicy'], { signal: signal() });
    expect(snap.problems.get('networking.k8s.io/v1/NetworkPolicy')?.reason).toBe('not-installed');
    expect(snap.list('v1/Pod')).toHaveLength(1);
  });

  it("500 → server-error with the status and the server's message", async () => {
    const { server, source } = await setup({ resources: [pods(1), services(1)], faults: { services: 'error' } });
    const snap = await source.gather(['v1/Pod', 'v1/Service'], { signal: signal() });
    expect(snap.problems.get('v1/Service')).toEqual({
      kind: 'v1/Service',
      reason: 'server-error',
      message: `The API server at ${server.url} answered 500 to GET /api/v1/services: etcdserver: request timed out while listing services.`,
    });
    expect(snap.list('v1/Pod')).toHaveLength(1);
  });

  it('a closed connection → unreachable, saying the server closed it', async () => {
    const { server, source } = await setup({ resources: [pods(1), services(1)], faults: { services: 'close' } }, { concurrency: 1 });
    const snap = await source.gather(['v1/Pod', 'v1/Service'], { signal: signal() });
    expect(snap.problems.get('v1/Service')?.reason).toBe('unreachable');
    expect(snap.problems.get('v1/Service')?.message).toContain(
      `The API server at ${server.url} closed the connection before answering GET /api/v1/services`,
    );
    expect(snap.list('v1/Pod')).toHaveLength(1);
  });

  it('a hanging request → timeout after the per-request budget; the rest complete', async () => {
    const { server, source } = await setup(
      { resources: [pods(1), services(1), networkPolicies], faults: { services: 'hang' } },
      { timeoutMs: 300, concurrency: 4 },
    );
    const start = performance.now();
    const snap = await source.gather(all, { signal: signal() });
    const took = performance.now() - start;
    expect(took).toBeLessThan(2_000);
    expect(snap.problems.get('v1/Service')).toEqual({
      kind: 'v1/Service',
      reason: 'timeout',
      message: `No complete answer from the API server at ${server.url} within 0.3 s (GET /api/v1/services): it is slow or overloaded — check its health, then retry.`,
    });
    expect(snap.list('v1/Pod')).toHaveLength(1);
    expect(snap.list('networking.k8s.io/v1/NetworkPolicy')).toHaveLength(3);
  });

  it('a slow server within budget is fine', async () => {
    const { source } = await setup({ resources: [pods(1)], faults: { pods: { slowMs: 150 } } }, { timeoutMs: 2_000 });
    const snap = await source.gather(['v1/Pod'], { signal: signal() });
    expect(snap.problems.size).toBe(0);
  });

  it('the whole-gather deadline turns unfinished kinds into timeouts', async () => {
    const { source } = await setup(
      { resources: [pods(1), services(1)], faults: { services: 'hang' } },
      { timeoutMs: 10_000, deadlineMs: 300 },
    );
    const start = performance.now();
    const snap = await source.gather(['v1/Pod', 'v1/Service'], { signal: signal() });
    expect(performance.now() - start).toBeLessThan(2_000);
    expect(snap.list('v1/Pod')).toHaveLength(1);
    expect(snap.problems.get('v1/Service')).toMatchObject({
      reason: 'timeout',
      message: expect.stringContaining('did not finish within 0.3 s'),
    });
  });

  it('a deadline before any kind is read → the whole source timed out, said once', async () => {
    const { source } = await setup(
      { resources: [pods(1), services(1)], faults: { pods: 'hang', services: 'hang' } },
      { timeoutMs: 10_000, deadlineMs: 300 },
    );
    const start = performance.now();
    await expect(source.gather(['v1/Pod', 'v1/Service'], { signal: signal() })).rejects.toMatchObject({
      name: 'SourceUnavailableError',
      reason: 'timeout',
      message: expect.stringContaining('did not finish within 0.3 s'),
    });
    expect(performance.now() - start).toBeLessThan(2_000);
  });

  it('discovery failing fails the whole source, and nothing else is requested', async () => {
    const { server, source } = await setup({ resources: [istioGateways(['v1']), pods(1)], faults: { discovery: 'error' } });
    await expect(source.gather(['v1/Pod', 'networking.istio.io/v1/Gateway'], { signal: signal() })).rejects.toMatchObject({
      reason: 'server-error',
      message: `The API server at ${server.url} answered 500 to GET /version: etcdserver: request timed out while listing version.`,
    });
    expect(server.requests.map((r) => r.url).sort()).toEqual(PROOF);
  });

  it('/apis answering like something else (after a good proof) → not-kubernetes, not "not installed"', async () => {
    const { server, source } = await setup({ resources: [istioGateways(['v1']), pods(1)], faults: { apis: 'notfound' } });
    await expect(source.gather(['v1/Pod', 'networking.istio.io/v1/Gateway'], { signal: signal() })).rejects.toMatchObject({
      reason: 'not-kubernetes',
      message: expect.stringContaining(
        `The server at ${server.url} does not answer API discovery as a Kubernetes API server does: GET /apis answered 404 (application/json)`,
      ),
    });
  });

  it('proves the server once per context per TTL, and records its version', async () => {
    const { server, source } = await setup({ resources: [pods(1)] }, { cacheTtlMs: 60_000 });
    await source.gather(['v1/Pod'], { signal: signal() });
    await source.gather(['v1/Service'], { signal: signal() });
    expect(server.requests.filter((r) => PROOF.includes(r.url))).toHaveLength(2);
    expect(source.serverVersion).toEqual({ major: '1', minor: '31', gitVersion: 'v1.31.0-fake' });
  });

  it('a 403 on /version alone is tolerated when /api answers as Kubernetes', async () => {
    const { source } = await setup({ resources: [pods(1)], faults: { version: 'forbidden' } });
    const snap = await source.gather(['v1/Pod'], { signal: signal() });
    expect(snap.list('v1/Pod')).toHaveLength(1);
    expect(source.serverVersion).toBeUndefined();
  });

  it('an unreachable server → one SourceUnavailableError, fast, and no kind is tried', async () => {
    const { server, source } = await setup({ resources: [pods(1)] }, { concurrency: 1 });
    await server.close();
    const start = performance.now();
    await expect(source.gather(['v1/Pod', 'v1/Service', 'v1/ConfigMap'], { signal: signal() })).rejects.toMatchObject({
      name: 'SourceUnavailableError',
      reason: 'unreachable',
      message: `Cannot reach the API server at ${server.url}: connection refused — is the cluster running, and is "fake" the right context?`,
    });
    expect(performance.now() - start).toBeLessThan(2_000);
    // The two proof GETs, sent together; no LIST.
    expect(source.requestCount).toBe(2);
  });

  it('a server that goes away after the proof → the kinds not read say so, or the source when none was', async () => {
    const { server, source } = await setup({ resources: [pods(1), services(1)] }, { concurrency: 1 });
    await source.gather(['v1/Pod'], { signal: signal() });
    await server.close();
    await expect(source.gather(['v1/Service', 'v1/ConfigMap'], { signal: signal() })).rejects.toMatchObject({ reason: 'unreachable' });
    // The cached Pods were read: the others are that run's problems, not the whole source's.
    const snap = await source.gather(['v1/Pod', 'v1/Service', 'v1/ConfigMap'], { signal: signal() });
    expect(snap.list('v1/Pod')).toHaveLength(1);
    expect(snap.problems.get('v1/Service')?.reason).toBe('unreachable');
    expect(snap.problems.get('v1/ConfigMap')?.message).toBe(snap.problems.get('v1/Service')?.message);
  });

  it('an object with a wrong-typed field makes its whole kind a problem, naming the object and the field', async () => {
    const bad: FakeResource = {
      ...services(2),
      items: [
        ...makeItems('v1', 'Service', 1, 'shop'),
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'a', namespace: 'default' }, spec: { ports: '80' } },
      ],
    };
    const { server, source } = await setup({ resources: [pods(1), bad] });
    const snap = await source.gather(['v1/Pod', 'v1/Service'], { signal: signal() });
    expect(snap.list('v1/Pod')).toHaveLength(1);
    expect(snap.list('v1/Service')).toHaveLength(0);
    expect(snap.problems.get('v1/Service')).toEqual({
      kind: 'v1/Service',
      reason: 'invalid',
      message: expect.stringMatching(
        new RegExp(
          `^The API server at ${server.url.replace(/[.]/g, '\\.')} returned Service default/a: spec\\.ports must be a list.*Nothing of services was used\\.$`,
        ),
      ),
    });
  });

  it('a response larger than the bound is refused', async () => {
    const { source } = await setup({ resources: [pods(2000)] }, { maxResponseBytes: 10_000, pageSize: 500 });
    const snap = await source.gather(['v1/Pod'], { signal: signal() });
    expect(snap.problems.get('v1/Pod')).toMatchObject({ reason: 'invalid', message: expect.stringContaining('is larger than 10 KiB') });
  });
});

describe('cancellation', () => {
  it('aborting the signal rejects the gather promptly and closes in-flight requests', async () => {
    const { server, source } = await setup(
      { resources: [pods(1), services(1)], faults: { pods: 'hang', services: 'hang' } },
      { timeoutMs: 30_000 },
    );
    const controller = new AbortController();
    const reason = new Error('cancelled by the user');
    setTimeout(() => controller.abort(reason), 100);
    const start = performance.now();
    await expect(source.gather(['v1/Pod', 'v1/Service'], { signal: controller.signal })).rejects.toBe(reason);
    expect(performance.now() - start).toBeLessThan(1_000);
    await new Promise((r) => setTimeout(r, 50));
    expect(server.abandoned).toBe(2);
  });

  it('an already-aborted signal sends nothing', async () => {
    const { server, source } = await setup({ resources: [pods(1)] });
    await expect(source.gather(['v1/Pod'], { signal: AbortSignal.abort() })).rejects.toThrow();
    expect(server.requests).toHaveLength(0);
  });
});

describe('cache', () => {
  it('serves a second gather from the cache, and refresh reads again', async () => {
    const cache = new GatherCache();
    const { server, source } = await setup({ resources: [pods(2), istioGateways(['v1'])] }, { cache });
    const kinds: KindId[] = ['v1/Pod', 'networking.istio.io/v1/Gateway'];
    const first = await source.gather(kinds, { signal: signal() });
    expect(first.fromCache.size).toBe(0);
    const second = await source.gather(kinds, { signal: signal() });
    expect(second.requests).toBe(0);
    expect([...second.fromCache].sort()).toEqual([...kinds].sort());
    expect(second.gatheredAt).toBe(first.gatheredAt);
    expect(second.list('v1/Pod')).toHaveLength(2);
    // A namespace is served from the cluster-wide entry.
    const scoped = await source.gather(['v1/Pod'], { signal: signal(), namespace: 'other' });
    expect(scoped.requests).toBe(0);
    expect(scoped.list('v1/Pod')).toHaveLength(0);
    const refreshed = await source.gather(kinds, { signal: signal(), refresh: true });
    // Refresh proves the server again: 2 + discovery + 2 LISTs.
    expect(refreshed.requests).toBe(5);
    expect(refreshed.fromCache.size).toBe(0);
    expect(server.requests).toHaveLength(10);
  });

  it('expires entries after the TTL, and never caches failures', async () => {
    const { source } = await setup({ resources: [pods(1), services(1)], faults: { services: 'error' } }, { cacheTtlMs: 50 });
    await source.gather(['v1/Pod', 'v1/Service'], { signal: signal() });
    const again = await source.gather(['v1/Pod', 'v1/Service'], { signal: signal() });
    expect([...again.fromCache]).toEqual(['v1/Pod']);
    await new Promise((r) => setTimeout(r, 60));
    const later = await source.gather(['v1/Pod'], { signal: signal() });
    expect(later.fromCache.size).toBe(0);
    expect(later).toBeInstanceOf(LiveSnapshot);
  });
});

describe('through the runner', () => {
  it('gives the same findings as the snapshot source on the gateway-ports fixture', async () => {
    const { readFile } = await import('node:fs/promises');
    const { parseSnapshotText } = await import('../../src/cluster/yaml-source.ts');
    const fixture = join(import.meta.dirname, '..', 'fixtures', 'gateway-ports', 'gateway-ports-bad.yaml');
    const objects = parseSnapshotText(await readFile(fixture, 'utf8'), fixture).objects;
    const byKind = (kind: string): Record<string, unknown>[] => objects.filter((o) => o.kind === kind) as Record<string, unknown>[];
    const { source } = await setup({
      resources: [
        { group: '', versions: ['v1'], plural: 'pods', kind: 'Pod', namespaced: true, items: byKind('Pod') },
        { group: '', versions: ['v1'], plural: 'services', kind: 'Service', namespaced: true, items: byKind('Service') },
        {
          group: 'networking.istio.io',
          versions: ['v1', 'v1beta1'],
          plural: 'gateways',
          kind: 'Gateway',
          namespaced: true,
          items: byKind('Gateway'),
        },
      ],
    });
    const check = getCheck('gateway-ports')!;
    const live = await runChecks([check], source);
    const snapshot = await runChecks([check], new YamlSource([fixture]));
    expect(live.target).toMatchObject({ type: 'live', name: 'fake', context: 'fake', cluster: 'fake-cluster' });
    expect(pairs(live.checks[0]!)).toEqual(pairs(snapshot.checks[0]!));
  });

  it('a forbidden input makes exactly the checks that read it error, with the permission to ask for', async () => {
    const { source } = await setup({ resources: [pods(1), services(1), istioGateways(['v1'])], faults: { services: 'forbidden' } });
    const report = await runChecks([getCheck('gateway-ports')!], source);
    expect(report.checks[0]).toMatchObject({
      status: 'error',
      reason: expect.stringContaining('cannot list services at cluster scope: forbidden — needs get/list on services.'),
    });
  });
});

describe('the read-only client', () => {
  it('offers get, list, access reviews and proxy GETs, and nothing that writes', async () => {
    const methods = Object.getOwnPropertyNames(KubeReader.prototype)
      .filter((m) => m !== 'constructor')
      .sort();
    expect(methods).toEqual(['close', 'createAccessReview', 'get', 'list', 'proxyGet', 'requestCount', 'requestCounts', 'server'].sort());
  });

  it('refuses connect subresources, watches and paths outside the API', async () => {
    const { server, source } = await setup({ resources: [pods(1)] });
    const r = source.reader;
    await expect(r.get('/api/v1/namespaces/shop/pods/p/exec?command=sh')).rejects.toThrow(/connect subresources/);
    await expect(r.get('/api/v1/namespaces/shop/services/s/proxy/x')).rejects.toThrow(/connect subresources/);
    await expect(r.get('/api/v1/namespaces/shop/pods/p/%65xec')).rejects.toThrow(/connect subresources/);
    await expect(r.get('/api/v1/../../metrics')).rejects.toThrow(/Not a read path|dot segments/);
    await expect(r.get('/api/v1/pods?watch=true')).rejects.toThrow(/Streaming/);
    await expect(r.get('/metrics')).rejects.toThrow(/Not a read path/);
    await expect(r.get('/api/v1/namespaces/istio-system/secrets/shop-cert')).rejects.toThrow(/Secrets are read only as metadata/);
    await expect(r.get('/api/v1/secrets?limit=1')).rejects.toThrow(/Secrets are read only as metadata/);
    await expect(r.get('/api/v1/namespaces/x/%73ecrets')).rejects.toThrow(/Secrets are read only as metadata/);
    await expect(r.list('v1/Pod', { namespace: 'Bad/NS' })).rejects.toThrow(/namespace/);
    expect(server.requests).toHaveLength(0);
    expect(await r.get('/api')).toEqual({ kind: 'APIVersions', versions: ['v1'] });
  });

  it('creates access reviews (POST only there) and validates them', async () => {
    const { server, source } = await setup({ resources: [] });
    const status = await source.reader.createAccessReview({
      kind: 'SelfSubjectAccessReview',
      spec: { resourceAttributes: { verb: 'list', resource: 'secrets', namespace: 'istio-system' } },
    });
    expect(status).toEqual({ allowed: false, reason: 'fake denies secrets' });
    const sar = await source.reader.createAccessReview({
      kind: 'SubjectAccessReview',
      spec: { user: 'system:serviceaccount:istio-system:istiod', resourceAttributes: { verb: 'list', resource: 'pods' } },
    });
    expect(sar.allowed).toBe(true);
    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
      'POST /apis/authorization.k8s.io/v1/subjectaccessreviews',
    ]);
    expect(JSON.parse(server.requests[0]!.body)).toEqual({
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      spec: { resourceAttributes: { verb: 'list', resource: 'secrets', namespace: 'istio-system' } },
    });
    await expect(source.reader.createAccessReview({ kind: 'Pod', spec: {} } as never)).rejects.toThrow(
      /SelfSubjectAccessReview or SubjectAccessReview/,
    );
    await expect(source.reader.createAccessReview({ kind: 'SelfSubjectAccessReview', spec: {} })).rejects.toThrow(/exactly one/);
  });

  it('GETs through the service proxy, validating the target and the path', async () => {
    const { source } = await setup({ resources: [] });
    const res = await source.reader.proxyGet(
      { kind: 'service', namespace: 'istio-system', name: 'istiod', port: 15014 },
      '/debug/syncz?x=1',
    );
    expect(res).toEqual({ status: 200, contentType: 'text/plain', body: 'proxied istio-system/istiod:15014 /debug/syncz?x=1' });
    await expect(source.reader.proxyGet({ kind: 'service', namespace: 'istio-system', name: 'istiod' }, '/missing')).rejects.toMatchObject({
      reason: 'not-found',
    });
    await expect(source.reader.proxyGet({ kind: 'service', namespace: 'istio-system', name: 'istiod' }, '/a/../../x')).rejects.toThrow(
      /dot segments/,
    );
    await expect(source.reader.proxyGet({ kind: 'node', namespace: 'x', name: 'y' } as never, '/')).rejects.toThrow(/service or pod/);
  });
});

describe('TLS', () => {
  let pki: { ca: string; otherCa: string; key: string; cert: string } | undefined;
  beforeAll(() => {
    const dir = clusters.dir();
    try {
      const run = (args: string[]): void => void execaSync('openssl', args, { cwd: dir, stdio: 'ignore', timeout: 60_000 });
      const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
      run(['req', '-x509', '-new', ...ec, '-days', '1', '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', '/CN=fake-ca']);
      run(['req', '-x509', '-new', ...ec, '-days', '1', '-keyout', 'other.key', '-out', 'other.crt', '-subj', '/CN=other-ca']);
      run(['req', '-new', ...ec, '-keyout', 'srv.key', '-out', 'srv.csr', '-subj', '/CN=fake-apiserver']);
      writeFileSync(join(dir, 'srv.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
      run([
        'x509',
        '-req',
        '-in',
        'srv.csr',
        '-CA',
        'ca.crt',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-days',
        '1',
        '-out',
        'srv.crt',
        '-extfile',
        'srv.ext',
      ]);
      const read = (f: string): string => readFileSync(join(dir, f), 'utf8');
      pki = { ca: read('ca.crt'), otherCa: read('other.crt'), key: read('srv.key'), cert: read('srv.crt') };
    } catch {
      pki = undefined;
    }
  });

  it('verifies the server against the kubeconfig CA, and explains a CA mismatch', async (ctx) => {
    if (pki === undefined) return ctx.skip();
    const b64 = (s: string): string => Buffer.from(s).toString('base64');
    const { source } = await setup(
      { resources: [pods(1)], tls: { key: pki.key, cert: pki.cert } },
      {},
      { cluster: { 'certificate-authority-data': b64(pki.ca) } },
    );
    const ok = await source.gather(['v1/Pod'], { signal: signal() });
    expect(ok.list('v1/Pod')).toHaveLength(1);

    const { source: wrong } = await setup(
      { resources: [pods(1)], tls: { key: pki.key, cert: pki.cert } },
      {},
      { cluster: { 'certificate-authority-data': b64(pki.otherCa) } },
    );
    await expect(wrong.gather(['v1/Pod'], { signal: signal() })).rejects.toMatchObject({
      reason: 'tls',
      message: expect.stringMatching(
        /TLS with the API server at https:\/\/127\.0\.0\.1:\d+ failed \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\): the server's certificate is not signed by a CA this client trusts — check certificate-authority\(-data\) of cluster "fake-cluster" in the kubeconfig\./,
      ),
    });
  });

  it('explains plain http on a TLS port', async (ctx) => {
    if (pki === undefined) return ctx.skip();
    const server = await clusters.start({ resources: [pods(1)] });
    const source = await clusters.open(
      server,
      {},
      {
        cluster: {
          server: server.url.replace('http:', 'https:'),
          'insecure-skip-tls-verify': false,
          'certificate-authority-data': Buffer.from(pki.ca).toString('base64'),
        },
      },
    );
    await expect(source.gather(['v1/Pod'], { signal: signal() })).rejects.toMatchObject({
      reason: 'tls',
      message: expect.stringMatching(/does not speak TLS on this port/),
    });
  });
});
