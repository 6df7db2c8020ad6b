// The setup the live source's tests share: fake API servers on loopback, a kubeconfig file for
// each, LiveSources opened on them, and all of it closed after each test.

import { afterAll, afterEach, beforeAll } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GatherCache, LiveSource, type LiveSourceOptions } from '../../src/cluster/live-source.ts';
import { makeItems, startFakeApiServer, type FakeApiServer, type FakeOptions, type FakeResource } from './fake-apiserver.ts';

export interface FakeClusters {
  /** The test file's temporary directory. */
  dir(): string;
  /** Starts a fake API server, closed after the test. */
  start(fake: FakeOptions): Promise<FakeApiServer>;
  /** Writes a kubeconfig for the server (the same file for the same server, without `extra`) and returns its path. */
  kubeconfig(server: FakeApiServer, extra?: Parameters<FakeApiServer['kubeconfig']>[0]): Promise<string>;
  /** Opens a LiveSource on the server (a fresh cache unless the options give one), closed after the test. */
  open(server: FakeApiServer, options?: LiveSourceOptions, extra?: Parameters<FakeApiServer['kubeconfig']>[0]): Promise<LiveSource>;
  /** start + open. */
  setup(fake: FakeOptions, options?: LiveSourceOptions, extra?: Parameters<FakeApiServer['kubeconfig']>[0]): Promise<{ server: FakeApiServer; source: LiveSource }>;
}

/** Registers the test file's hooks (a temporary directory, closing servers and sources) and returns the helpers. */
export function fakeClusters(prefix: string): FakeClusters {
  let dir = '';
  let files = 0;
  const servers: FakeApiServer[] = [];
  const sources: LiveSource[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
  });
  afterEach(async () => {
    for (const s of sources.splice(0)) s.close();
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const helpers: FakeClusters = {
    dir: () => dir,
    async start(fake) {
      const server = await startFakeApiServer(fake);
      servers.push(server);
      return server;
    },
    async kubeconfig(server, extra) {
      // One file per server unless extra settings are asked for: the cache keys on the files read.
      const file = join(dir, extra === undefined ? `kubeconfig-${server.port}.yaml` : `kubeconfig-${server.port}-${++files}.yaml`);
      await writeFile(file, server.kubeconfig(extra));
      return file;
    },
    async open(server, options = {}, extra) {
      const source = await LiveSource.open({ kubeconfig: await helpers.kubeconfig(server, extra) }, { cache: new GatherCache(), ...options });
      sources.push(source);
      return source;
    },
    async setup(fake, options, extra) {
      const server = await helpers.start(fake);
      return { server, source: await helpers.open(server, options, extra) };
    },
  };
  return helpers;
}

/** `n` Pods in namespace shop, as the fake serves them. */
export const fakePods = (n: number): FakeResource => ({ group: '', versions: ['v1'], plural: 'pods', kind: 'Pod', namespaced: true, items: makeItems('v1', 'Pod', n, 'shop') });

/** A signal nobody aborts. */
export const signal = (): AbortSignal => new AbortController().signal;
