// Targets over several clusters on the dev server: the two-cluster demo when its folder is there,
// kubeconfig contexts checked together (every usable one, or any two or more the page names),
// each result naming the cluster of every finding, a cluster that cannot be read said once while
// the others report, and the fingerprint guard on every context of the run.

import { postLocal, streamEvents, type Reply } from './helpers/local-post.ts';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunStreamEvent } from '../../src/server/run-events.ts';
import { CONTEXT_CHANGED, contextsOf, devTargets, type TargetRegistry } from '../../src/server/targets.ts';
import { DEMO_DIR, REPO, closedPortUrl, startFakeCluster, writeKubeconfig } from '../helpers/fake-cluster.ts';
import type { FakeApiServer } from '../live/fake-apiserver.ts';
import { TOKEN, startRunEndpoint, type RunEndpointServer } from '../helpers/run-endpoint-server.ts';

const TWO = join(REPO, 'test', 'fixtures', 'sidecar-injection', 'two-clusters');

let tmp: string;
let east: FakeApiServer;
let west: FakeApiServer;
let targets: TargetRegistry;
let server: RunEndpointServer;
let port: number;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'meshbook-fleet-targets-'));
  // A root with a two-cluster demo of its own: one folder per cluster.
  for (const name of ['east', 'west']) {
    await mkdir(join(tmp, 'runbooks', 'demo-multicluster', name), { recursive: true });
    await cp(join(TWO, `${name}.yaml`), join(tmp, 'runbooks', 'demo-multicluster', name, `${name}.yaml`));
  }
  east = await startFakeCluster([DEMO_DIR]);
  west = await startFakeCluster([DEMO_DIR]);
  const kubeconfig = join(tmp, 'kubeconfig');
  await writeKubeconfig(
    kubeconfig,
    [
      { name: 'east', cluster: 'east-cluster', server: east.url },
      { name: 'west', cluster: 'west-cluster', server: west.url },
      { name: 'down', cluster: 'down-cluster', server: await closedPortUrl() },
    ],
    'east',
  );
  targets = devTargets({ root: tmp, env: { KUBECONFIG: kubeconfig }, home: tmp });
  server = await startRunEndpoint(targets);
  port = server.port;
});
afterAll(async () => {
  server?.close();
  await east?.close();
  await west?.close();
  await rm(tmp, { recursive: true, force: true });
});

const post = (body: unknown): Promise<Reply> => postLocal(port, '/__meshbook/run', JSON.stringify(body), { token: TOKEN });
const fingerprintOf = async (...names: string[]): Promise<string> => {
  const list = await targets.list();
  return names.map((n) => list.find((t) => t.id === `context:${n}`)!.fingerprint).join(' ');
};
const results = (events: RunStreamEvent[]): Extract<RunStreamEvent, { type: 'result' }>['result'][] =>
  events.flatMap((e) => (e.type === 'result' ? [e.result] : []));

describe('targets over several clusters', () => {
  it('lists the two-cluster demo and every usable context together, after the single targets', async () => {
    const list = await targets.list();
    const fleets = list.filter((t) => t.group === 'fleet');
    expect(fleets.map((t) => [t.id, t.name, t.clusters])).toEqual([
      ['demo-multicluster', 'demo (2 clusters)', ['east', 'west']],
      ['contexts:east+west+down', 'every context (east + west + down)', ['east', 'west', 'down']],
    ]);
    expect(fleets[1]!.fingerprint).toBe(await fingerprintOf('east', 'west', 'down'));
    expect(list.findIndex((t) => t.group === 'fleet')).toBeGreaterThan(list.findLastIndex((t) => t.group === 'context'));
    expect(contextsOf('contexts:west+east', list)).toEqual(['west', 'east']);
    for (const bad of ['contexts:east', 'contexts:east+east', 'contexts:east+nope', 'context:east'])
      expect(contextsOf(bad, list), bad).toBeUndefined();
  });

  it('runs the two-cluster demo: every finding names its cluster', async () => {
    const reply = await post({ checks: ['sidecar-injection'], target: 'demo-multicluster' });
    expect(reply.status, reply.body).toBe(200);
    const events = streamEvents(reply.body);
    expect(
      events
        .filter((e) => e.type === 'gathered')
        .map((e) => e.cluster)
        .sort(),
    ).toEqual(['east', 'west']);
    const [result] = results(events);
    expect(result!.findings.map((f) => `${f.code} ${f.resource.cluster}:${f.resource.namespace ?? ''}/${f.resource.name}`)).toEqual([
      'IST0102 west:/legacy',
      'IST0103 west:shop/cart-7c9d8f6b5-xk2lp',
    ]);
  });

  it('runs any two contexts the page names together, each read live', async () => {
    const [eastBefore, westBefore] = [east.requests.length, west.requests.length];
    const reply = await post({ checks: ['gateway-ports'], target: 'contexts:west+east', fingerprint: await fingerprintOf('west', 'east') });
    expect(reply.status, reply.body).toBe(200);
    const events = streamEvents(reply.body);
    expect(events[0]).toMatchObject({ type: 'start', target: { type: 'live' } });
    const [result] = results(events);
    expect(result!.status).toBe('warn');
    const clusters = result!.findings.map((f) => f.resource.cluster);
    expect(new Set(clusters)).toEqual(new Set(['west', 'east']));
    // The same demo in both: each finding twice, once per cluster.
    expect(clusters.filter((c) => c === 'west').length).toBe(clusters.filter((c) => c === 'east').length);
    expect(east.requests.length).toBeGreaterThan(eastBefore);
    expect(west.requests.length).toBeGreaterThan(westBefore);
  });

  it('says once that a context could not be read; the others still report, and the check is not a pass', async () => {
    const reply = await post({
      checks: ['gateway-ports'],
      target: 'contexts:east+west+down',
      fingerprint: await fingerprintOf('east', 'west', 'down'),
    });
    expect(reply.status, reply.body).toBe(200);
    const events = streamEvents(reply.body);
    const down = events.find((e) => e.type === 'gathered' && e.cluster === 'down');
    expect(down).toMatchObject({ problem: { reason: 'unreachable' } });
    const [result] = results(events);
    expect(result!.status).toBe('error');
    expect(result!.reason).toMatch(/^down: not read \(unreachable\)\.$/);
    expect(result!.findings.some((f) => f.resource.cluster === 'east')).toBe(true);
  });

  it('refuses with 409 when one context changed since the page loaded, and what-if on several clusters', async () => {
    const stale = await post({
      checks: ['gateway-ports'],
      target: 'contexts:east+west',
      fingerprint: `${await fingerprintOf('east')} nope`,
    });
    expect(stale.status).toBe(409);
    expect(stale.body).toContain(CONTEXT_CHANGED);
    const whatIf = await post({
      checks: ['gateway-ports'],
      target: 'demo-multicluster',
      withYaml: 'apiVersion: v1\nkind: Namespace\nmetadata: { name: x }\n',
    });
    expect(streamEvents(whatIf.body).at(-1)).toMatchObject({ type: 'error', message: expect.stringContaining('applies to one cluster') });
  });
});
