// The live source reads Secret contents (a plain LIST of secrets) only when opted in
// (`--read-secrets` → LiveSource readSecrets); otherwise metadata only, as before. The two
// reads are cached apart, so one never serves the other.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GatherCache, LiveSource } from '../../src/cluster/live-source.ts';
import { METADATA_ONLY_ACCEPT } from '../../src/cluster/kube-http.ts';
import { startFakeApiServer, type FakeApiServer, type FakeResource } from './fake-apiserver.ts';

let dir: string;
const servers: FakeApiServer[] = [];
const sources: LiveSource[] = [];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'meshbook-read-secrets-'));
});
afterEach(async () => {
  for (const s of sources.splice(0)) s.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
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
      metadata: { name: 'shop-cert', namespace: 'istio-system', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"data":{"tls.key":"c2VjcmV0"}}' } },
      type: 'kubernetes.io/tls',
      data: { 'tls.key': 'c2VjcmV0' },
    },
    // The API server leaves `data` out of an empty Secret.
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'empty', namespace: 'istio-system' }, type: 'Opaque' },
  ],
};

async function open(server: FakeApiServer, cache: GatherCache, readSecrets: boolean): Promise<LiveSource> {
  const file = join(dir, `kubeconfig-${server.port}.yaml`);
  await writeFile(file, server.kubeconfig());
  const source = await LiveSource.open({ kubeconfig: file }, { cache, readSecrets });
  sources.push(source);
  return source;
}

const signal = (): AbortSignal => new AbortController().signal;

describe('LiveSource readSecrets', () => {
  it('sends the plain Secret LIST only when opted in, and caches the two reads apart', async () => {
    const server = await startFakeApiServer({ resources: [secrets] });
    servers.push(server);
    const cache = new GatherCache();

    const plain = await (await open(server, cache, false)).gather(['v1/Secret'], { signal: signal() });
    expect(server.requests.map((r) => r.accept)).toEqual([METADATA_ONLY_ACCEPT]);
    expect(plain.list('v1/Secret').every((s) => s.data === undefined)).toBe(true);

    const read = await (await open(server, cache, true)).gather(['v1/Secret'], { signal: signal() });
    expect(server.requests.map((r) => r.accept)).toEqual([METADATA_ONLY_ACCEPT, 'application/json']);
    expect(read.fromCache.size).toBe(0);
    expect(read.find('v1/Secret', 'istio-system', 'shop-cert')?.data).toEqual({ 'tls.key': 'c2VjcmV0' });
    // `data` is always there when contents were read, so "empty" is told apart from "not read".
    expect(read.find('v1/Secret', 'istio-system', 'empty')?.data).toEqual({});
    expect(read.find('v1/Secret', 'istio-system', 'shop-cert')?.metadata.annotations).toEqual({});

    // A metadata-only run after it is served from its own cache entry: still no payload.
    const again = await (await open(server, cache, false)).gather(['v1/Secret'], { signal: signal() });
    expect(again.fromCache.has('v1/Secret')).toBe(true);
    expect(JSON.stringify(again.list('v1/Secret'))).not.toContain('c2VjcmV0');
    expect(server.requests).toHaveLength(2);
  });
});
