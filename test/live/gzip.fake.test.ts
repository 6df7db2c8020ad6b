// Gzipped answers (kube-apiserver compresses large responses for clients that accept gzip):
// read whole and inflated once, with the same results, the same response-size bound and the
// same failure for a body that is not gzip; and the request count split by purpose.

import { describe, expect, it } from 'vitest';
import { makeItems, type FakeResource } from './fake-apiserver.ts';
import { fakeClusters, fakePods as pods, signal } from '../helpers/fake-cluster.ts';

const { setup } = fakeClusters('meshbook-gzip-');

const gateways = (n: number): FakeResource => ({
  group: 'networking.istio.io',
  versions: ['v1'],
  plural: 'gateways',
  kind: 'Gateway',
  namespaced: true,
  items: makeItems('networking.istio.io/v1', 'Gateway', n, 'shop'),
});

describe('gzipped answers', () => {
  it('gathers the same objects as from plain answers', async () => {
    const plain = await setup({ resources: [pods(1201), gateways(3)] }, { pageSize: 500 });
    const zipped = await setup({ resources: [pods(1201), gateways(3)], gzip: true }, { pageSize: 500 });
    const kinds = ['v1/Pod', 'networking.istio.io/v1/Gateway'] as const;
    const a = await plain.source.gather(kinds, { signal: signal() });
    const b = await zipped.source.gather(kinds, { signal: signal() });
    expect(b.problems.size).toBe(0);
    expect(b.list('v1/Pod')).toHaveLength(1201);
    expect(b.list('v1/Pod')).toEqual(a.list('v1/Pod'));
    expect(b.list('networking.istio.io/v1/Gateway')).toEqual(a.list('networking.istio.io/v1/Gateway'));
    expect(b.requests).toBe(a.requests);
  });

  it('refuses an answer whose inflated size is over the bound, with the usual message', async () => {
    const { source } = await setup({ resources: [pods(2000)], gzip: true }, { maxResponseBytes: 10_000, pageSize: 500 });
    const snap = await source.gather(['v1/Pod'], { signal: signal() });
    expect(snap.problems.get('v1/Pod')).toMatchObject({ reason: 'invalid', message: expect.stringContaining('is larger than 10 KiB') });
  });

  it('a server whose bodies are not the gzip they claim is not read as Kubernetes', async () => {
    const { server, source } = await setup({ resources: [pods(3)], gzip: 'corrupt' });
    await expect(source.gather(['v1/Pod'], { signal: signal() })).rejects.toMatchObject({
      reason: 'not-kubernetes',
      message: expect.stringContaining(
        `The server at ${server.url} (context "fake") is not a Kubernetes API server: GET /version answered 200 (application/json): (a body declared gzip that is not valid gzip)`,
      ),
    });
  });
});

describe('request counts by purpose', () => {
  it('splits LIST pages, discovery GETs, access reviews and proxied GETs', async () => {
    const { source } = await setup({ resources: [pods(1201), gateways(1)] }, { pageSize: 500 });
    await source.gather(['v1/Pod', 'networking.istio.io/v1/Gateway'], { signal: signal() });
    await source.probes.accessReview({ user: 'u', verb: 'list', resource: 'pods' });
    await source.probes.accessReview({ user: 'u', verb: 'list', resource: 'secrets' });
    await source.probes.proxyGet({ kind: 'service', namespace: 'istio-system', name: 'istiod', path: '/ready' });
    // get: the proof (/version, /api) and discovery (/apis).
    expect(source.requestCounts).toEqual({ list: 4, get: 3, 'access-review': 2, proxy: 1 });
    expect(source.requestCount).toBe(10);
  });
});
