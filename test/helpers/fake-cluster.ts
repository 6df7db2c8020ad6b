// A fake API server (test/live/fake-apiserver.ts) that serves a snapshot's objects — every
// known kind is installed, empty or not — plus kubeconfig files pointing at it. Used by the
// CLI and dev-server tests to run the live path without a real cluster.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { KINDS, KIND_IDS, kindIdOf, type KindId } from '../../src/cluster/kinds.ts';
import { loadObjects } from '../../src/cluster/yaml-source.ts';
import type { KubeObject } from '../../src/engine/k8s-types.ts';
import { startFakeApiServer, type Fault, type FakeApiServer, type FakeResource } from '../live/fake-apiserver.ts';

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
  return KIND_IDS.map((id) => ({ group: KINDS[id].group, versions: [...KINDS[id].versions], plural: KINDS[id].plural, kind: KINDS[id].kind, namespaced: KINDS[id].namespaced, items: byKind.get(id) ?? [] }));
}

/** A fake API server serving the files in `paths` (plus `extra` objects). */
export async function startFakeCluster(paths: readonly string[], options: { extra?: KubeObject[]; faults?: Record<string, Fault> } = {}): Promise<FakeApiServer> {
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
    clusters: contexts.map((c) => ({ name: c.cluster ?? `${c.name}-cluster`, cluster: { server: c.server, ...(c.server.startsWith('http:') ? { 'insecure-skip-tls-verify': true } : {}) } })),
    users: contexts.map((c) => ({ name: `${c.name}-user`, user: { token: `token-${c.name}` } })),
    contexts: contexts.map((c) => ({ name: c.name, context: { cluster: c.cluster ?? `${c.name}-cluster`, user: `${c.name}-user`, ...(c.namespace === undefined ? {} : { namespace: c.namespace }) } })),
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
