// A fake API server (test/live/fake-apiserver.ts) that serves a snapshot's objects — every
// known kind is installed, empty or not — plus kubeconfig files pointing at it. Used by the
// CLI and dev-server tests to run the live path without a real cluster. And the setup the
// live source's tests share (fakeClusters): servers, kubeconfigs and LiveSources, closed after
// each test.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { KINDS, KIND_IDS, kindIdOf, type KindId } from '../../src/k8s/kinds.ts';
import { GatherCache, LiveSource, type LiveSourceOptions } from '../../src/cluster/live-source.ts';
import { loadObjects } from '../../src/cluster/yaml-source.ts';
import type { KubeObject } from '../../src/k8s/objects.ts';
import { runChecks, type RunOptions } from '../../src/engine/runner.ts';
import type { CheckResult } from '../../src/engine/types.ts';
import { getCheck } from '../../runbooks/index.ts';
import {
  makeItems,
  startFakeApiServer,
  type Fault,
  type FakeApiServer,
  type FakeOptions,
  type FakeResource,
} from '../live/fake-apiserver.ts';

export const REPO = join(import.meta.dirname, '..', '..');
export const DEMO_DIR = join(REPO, 'runbooks', 'demo-cluster');

/** One FakeResource per known kind, holding the given objects of that kind. */
export function resourcesFor(objects: readonly KubeObject[]): FakeResource[] {
  const byKind = new Map<KindId, Record<string, unknown>[]>();
  for (const o of objects) {
    const id = kindIdOf(o.apiVersion, o.kind);
    if (id === undefined) continue;
    // Namespaced objects without a namespace land in default, as kubectl apply would put them.
    const copy = structuredClone(o) as KubeObject;
    if (KINDS[id].namespaced && copy.metadata.namespace === undefined) copy.metadata.namespace = 'default';
    byKind.set(id, [...(byKind.get(id) ?? []), copy as unknown as Record<string, unknown>]);
  }
  return KIND_IDS.map((id) => ({
    group: KINDS[id].group,
    versions: [...KINDS[id].versions],
    plural: KINDS[id].plural,
    kind: KINDS[id].kind,
    namespaced: KINDS[id].namespaced,
    items: byKind.get(id) ?? [],
  }));
}

/** A fake API server serving the files in `paths` (plus `extra` objects). */
export async function startFakeCluster(
  paths: readonly string[],
  options: { extra?: KubeObject[]; faults?: Record<string, Fault> } = {},
): Promise<FakeApiServer> {
  const { objects } = await loadObjects(paths);
  return startFakeApiServer({ resources: resourcesFor([...objects, ...(options.extra ?? [])]), faults: options.faults ?? {} });
}

/** A Secret with a payload and a last-applied copy of it: nothing of either may be written or shown. */
export const PAYLOAD_SECRET: KubeObject = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: {
    name: 'shop-cert',
    namespace: 'istio-system',
    annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"data":{"tls.key":"UEFZTE9BRC1TRUNSRVQ="}}', keep: 'me' },
  },
  type: 'kubernetes.io/tls',
  data: { 'tls.key': 'UEFZTE9BRC1TRUNSRVQ=' },
};

export interface ContextSpec {
  name: string;
  server: string;
  cluster?: string;
  namespace?: string;
}

/** Writes a kubeconfig with these contexts (token users; http servers skip TLS verification). */
export async function writeKubeconfig(file: string, contexts: readonly ContextSpec[], current?: string): Promise<string> {
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: contexts.map((c) => ({
      name: c.cluster ?? `${c.name}-cluster`,
      cluster: { server: c.server, ...(c.server.startsWith('http:') ? { 'insecure-skip-tls-verify': true } : {}) },
    })),
    users: contexts.map((c) => ({ name: `${c.name}-user`, user: { token: `token-${c.name}` } })),
    contexts: contexts.map((c) => ({
      name: c.name,
      context: {
        cluster: c.cluster ?? `${c.name}-cluster`,
        user: `${c.name}-user`,
        ...(c.namespace === undefined ? {} : { namespace: c.namespace }),
      },
    })),
    ...(current === undefined ? {} : { 'current-context': current }),
  };
  await writeFile(file, yaml.dump(config));
  return file;
}

/** A loopback URL where nothing listens (connection refused). */
export async function closedPortUrl(): Promise<string> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

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
  setup(
    fake: FakeOptions,
    options?: LiveSourceOptions,
    extra?: Parameters<FakeApiServer['kubeconfig']>[0],
  ): Promise<{ server: FakeApiServer; source: LiveSource }>;
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
      const source = await LiveSource.open(
        { kubeconfig: await helpers.kubeconfig(server, extra) },
        { cache: new GatherCache(), ...options },
      );
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
export const fakePods = (n: number): FakeResource => ({
  group: '',
  versions: ['v1'],
  plural: 'pods',
  kind: 'Pod',
  namespaced: true,
  items: makeItems('v1', 'Pod', n, 'shop'),
});

/** A signal nobody aborts. */
export const signal = (): AbortSignal => new AbortController().signal;

/** Runs one check on a LiveSource (no cache) over a fake API server serving the files at `paths`, with `fake`'s extra options (proxy answers, faults). */
export async function runCheckOnFake(
  clusters: FakeClusters,
  paths: readonly string[],
  checkId: string,
  fake: Omit<FakeOptions, 'resources'> = {},
  options: RunOptions = {},
): Promise<{ result: CheckResult; fake: FakeApiServer }> {
  const { objects } = await loadObjects(paths);
  const server = await clusters.start({ ...fake, resources: resourcesFor(objects) });
  const source = await clusters.open(server, { cacheTtlMs: 0 });
  const report = await runChecks([getCheck(checkId)!], source, options);
  return { result: report.checks[0]!, fake: server };
}
