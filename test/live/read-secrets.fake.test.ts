// The live source reads Secret contents (a plain LIST of secrets) only when opted in
// (`--read-secrets` → LiveSource readSecrets); otherwise metadata only, as before. The two
// reads are cached apart, so one never serves the other.

import { describe, expect, it } from 'vitest';
import { GatherCache, type LiveSource } from '../../src/cluster/live-source.ts';
import { METADATA_ONLY_ACCEPT } from '../../src/cluster/kube-http.ts';
import type { FakeApiServer, FakeResource } from './fake-apiserver.ts';
import { fakeClusters, signal } from '../helpers/fake-cluster.ts';

const clusters = fakeClusters('meshbook-read-secrets-');

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
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"data":{"tls.key":"c2VjcmV0"}}' },
      },
      type: 'kubernetes.io/tls',
      data: { 'tls.key': 'c2VjcmV0' },
    },
    // The API server leaves `data` out of an empty Secret.
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'empty', namespace: 'istio-system' }, type: 'Opaque' },
  ],
};

const open = (server: FakeApiServer, cache: GatherCache, readSecrets: boolean): Promise<LiveSource> =>
  clusters.open(server, { cache, readSecrets });

describe('LiveSource readSecrets', () => {
  it('sends the plain Secret LIST only when opted in, and caches the two reads apart', async () => {
    const server = await clusters.start({ resources: [secrets] });
    const cache = new GatherCache();

    const plain = await (await open(server, cache, false)).gather(['v1/Secret'], { signal: signal() });
    const lists = (): string[] => server.requests.filter((r) => r.url.startsWith('/api/v1/secrets')).map((r) => r.accept);
    expect(lists()).toEqual([METADATA_ONLY_ACCEPT]);
    expect(plain.list('v1/Secret').every((s) => s.data === undefined)).toBe(true);

    const read = await (await open(server, cache, true)).gather(['v1/Secret'], { signal: signal() });
    expect(lists()).toEqual([METADATA_ONLY_ACCEPT, 'application/json']);
    expect(read.fromCache.size).toBe(0);
    expect(read.find('v1/Secret', 'istio-system', 'shop-cert')?.data).toEqual({ 'tls.key': 'c2VjcmV0' });
    // `data` is always there when contents were read, so "empty" is told apart from "not read".
    expect(read.find('v1/Secret', 'istio-system', 'empty')?.data).toEqual({});
    expect(read.find('v1/Secret', 'istio-system', 'shop-cert')?.metadata.annotations).toEqual({});

    // A metadata-only run after it is served from its own cache entry: still no payload.
    const again = await (await open(server, cache, false)).gather(['v1/Secret'], { signal: signal() });
    expect(again.fromCache.has('v1/Secret')).toBe(true);
    expect(JSON.stringify(again.list('v1/Secret'))).not.toContain('c2VjcmV0');
    // The two LISTs, and the proof (/version, /api) once for the context.
    expect(server.requests).toHaveLength(4);
  });
});
