// Kubeconfig contexts as dev-server targets, over a fake kubeconfig and the fake API server:
// the selector's list (current context first, with cluster and server), a run against a
// context, the fingerprint guard (409 when the context changed since the page loaded), the
// per-context cache with its time and a refresh, and cancellation reaching the API request.

import { postLocal, streamEvents, type Reply } from './helpers/local-post.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCheck } from '../../runbooks/index.ts';
import type { RunStreamEvent } from '../../src/server/run-events.ts';
import { CONTEXT_CHANGED, devTargets, type TargetOption, type TargetRegistry } from '../../src/server/targets.ts';
import { DEMO_DIR, REPO, closedPortUrl, startFakeCluster, writeKubeconfig } from '../helpers/fake-cluster.ts';
import type { FakeApiServer } from '../live/fake-apiserver.ts';
import { TOKEN, startRunEndpoint, type RunEndpointServer } from '../helpers/run-endpoint-server.ts';

let tmp: string;
let fake: FakeApiServer;
let hang: FakeApiServer;
let kubeconfig: string;
let targets: TargetRegistry;
let server: RunEndpointServer;
let port: number;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'meshbook-live-targets-'));
  fake = await startFakeCluster([DEMO_DIR]);
  hang = await startFakeCluster([DEMO_DIR], { faults: { pods: 'hang' } });
  kubeconfig = join(tmp, 'kubeconfig');
  await writeKubeconfig(
    kubeconfig,
    [
      { name: 'alpha', cluster: 'alpha-cluster', server: await closedPortUrl() },
      { name: 'fake', cluster: 'fake-cluster', server: fake.url },
      { name: 'hang', cluster: 'hang-cluster', server: hang.url },
    ],
    'fake',
  );
  targets = devTargets({ root: REPO, env: { KUBECONFIG: kubeconfig }, home: tmp });
  server = await startRunEndpoint(targets);
  port = server.port;
});
afterAll(async () => {
  server?.close();
  await fake?.close();
  await hang?.close();
  await rm(tmp, { recursive: true, force: true });
});

function post(body: unknown, signal?: AbortSignal): Promise<Reply> {
  return postLocal(port, '/__meshbook/run', JSON.stringify(body), { token: TOKEN, ...(signal === undefined ? {} : { signal }) });
}

const events = streamEvents;
const option = async (id: string): Promise<TargetOption> => (await targets.list()).find((t) => t.id === id)!;

describe('kubeconfig contexts as targets', () => {
  it('lists the demo snapshot, then every context (the current one first and marked) with its cluster and server', async () => {
    const list = await targets.list();
    expect(list[0]).toEqual({ id: 'demo', name: 'demo cluster snapshot', group: 'snapshot' });
    // Runs over several clusters follow, in their own group (test/server/fleet-targets.test.ts).
    expect(
      list
        .slice(1)
        .filter((t) => t.group !== 'fleet')
        .map((t) => [t.id, t.group, t.context, t.cluster, t.current]),
    ).toEqual([
      ['context:fake', 'context', 'fake', 'fake-cluster', true],
      ['context:alpha', 'context', 'alpha', 'alpha-cluster', false],
      ['context:hang', 'context', 'hang', 'hang-cluster', false],
    ]);
    expect(list[1]!.server).toBe(fake.url);
    expect(list[1]!.fingerprint).toMatch(/\S/);
    // Never credentials.
    expect(JSON.stringify(list)).not.toContain('token-');
  });

  it('runs checks against a context: the start event names context, cluster and server; gathered says when', async () => {
    const { fingerprint } = await option('context:fake');
    const reply = await post({ checks: ['gateway-ports'], target: 'context:fake', fingerprint, refresh: true });
    expect(reply.status, reply.body).toBe(200);
    const list = events(reply.body);
    expect(list.map((e) => e.type)).toEqual(['start', 'gathered', 'result', 'done']);
    expect(list[0]).toMatchObject({
      type: 'start',
      target: { type: 'live', name: 'fake', context: 'fake', cluster: 'fake-cluster', server: fake.url },
    });
    const gathered = list[1] as Extract<RunStreamEvent, { type: 'gathered' }>;
    expect(new Date(gathered.gatheredAt!).getTime()).toBeGreaterThan(Date.now() - 10_000);
    expect(gathered.cachedKinds).toBe(0);
    expect(list[2]).toMatchObject({ type: 'result', result: { id: 'gateway-ports', status: 'warn' } });
  });

  it('serves the next run from the per-context cache (same time), and refresh reads again', async () => {
    const { fingerprint } = await option('context:fake');
    const first = events((await post({ checks: ['gateway-ports'], target: 'context:fake', fingerprint, refresh: true })).body);
    const before = fake.requests.length;
    const second = events((await post({ checks: ['gateway-ports'], target: 'context:fake', fingerprint })).body);
    expect(fake.requests.length).toBe(before);
    const at = (list: RunStreamEvent[]): Extract<RunStreamEvent, { type: 'gathered' }> =>
      list.find((e) => e.type === 'gathered') as Extract<RunStreamEvent, { type: 'gathered' }>;
    expect(at(second).gatheredAt).toBe(at(first).gatheredAt);
    expect(at(second).cachedKinds).toBe(getCheck('gateway-ports')!.inputs.length);
    const third = events((await post({ checks: ['gateway-ports'], target: 'context:fake', fingerprint, refresh: true })).body);
    expect(fake.requests.length).toBeGreaterThan(before);
    expect(at(third).cachedKinds).toBe(0);
  });

  it('refuses with 409 when the context changed since the page loaded', async () => {
    const stale = await option('context:fake');
    await writeKubeconfig(
      kubeconfig,
      [
        { name: 'alpha', cluster: 'alpha-cluster', server: await closedPortUrl() },
        { name: 'fake', cluster: 'fake-cluster', server: `${fake.url}/` },
        { name: 'hang', cluster: 'hang-cluster', server: hang.url },
      ],
      'fake',
    );
    const before = fake.requests.length;
    const reply = await post({ checks: ['gateway-ports'], target: 'context:fake', fingerprint: stale.fingerprint });
    expect(reply.status).toBe(409);
    expect(reply.body).toContain(CONTEXT_CHANGED);
    expect(fake.requests.length).toBe(before);
    // With the fingerprint the page sees after a reload, it runs.
    const fresh = await option('context:fake');
    expect(fresh.fingerprint).not.toBe(stale.fingerprint);
    expect((await post({ checks: ['gateway-ports'], target: 'context:fake', fingerprint: fresh.fingerprint })).status).toBe(200);
  });

  it('refuses a context run without a fingerprint, and an unknown context', async () => {
    const missing = await post({ checks: ['gateway-ports'], target: 'context:fake' });
    expect(missing.status).toBe(400);
    expect(missing.body).toContain('needs the context fingerprint');
    const unknown = await post({ checks: ['gateway-ports'], target: 'context:nope', fingerprint: 'x' });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toContain('Unknown target "context:nope"');
  });

  it('an unreachable context streams an error result per check, saying why', async () => {
    const { fingerprint } = await option('context:alpha');
    const list = events((await post({ checks: ['gateway-ports'], target: 'context:alpha', fingerprint })).body);
    expect(list.find((e) => e.type === 'result')).toMatchObject({
      result: { status: 'error', reason: expect.stringContaining('connection refused') },
    });
  });

  it('a client that aborts the request cancels the run and its in-flight API request', async () => {
    const { fingerprint } = await option('context:hang');
    const controller = new AbortController();
    const pending = post({ checks: ['gateway-ports'], target: 'context:hang', fingerprint, refresh: true }, controller.signal).catch(
      (e: unknown) => e,
    );
    await expect.poll(() => hang.requests.some((r) => r.url.includes('/pods')), { timeout: 5_000 }).toBe(true);
    controller.abort();
    await pending;
    await expect.poll(() => hang.abandoned, { timeout: 5_000 }).toBeGreaterThan(0);
  });
});
