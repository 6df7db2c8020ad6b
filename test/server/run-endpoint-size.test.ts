// The run endpoint under a result larger than its stream allows: the result is cut to fit
// (findings counted in `truncated`, the picture left out with a note), the other checks still
// report, and the stream always ends with `done`.

import { postLocal, type Reply } from './helpers/local-post.ts';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { YamlSource } from '../../src/cluster/yaml-source.ts';
import { defineCheck, type Check } from '../../src/engine/check.ts';
import type { ReachabilityMatrix } from '../../src/engine/types.ts';
import { createRunEndpoint, type RunEndpointLimits } from '../../src/server/run-endpoint.ts';
import type { RunStreamEvent } from '../../src/server/run-events.ts';
import type { TargetRegistry } from '../../src/server/targets.ts';
import { getCheck } from '../../runbooks/index.ts';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'gateway-ports', 'gateway-ports-bad.yaml');
const TOKEN = 'test-token-0123456789abcdefghijklmnopqrstuvwxyz';
const LIMIT = 64 * 1024;

// A picture far larger than the limit: 120 × 120 cells with a detail each (~2 MB of JSON).
function bigMatrix(): ReachabilityMatrix {
  const ids = Array.from({ length: 120 }, (_, i) => `ns-${i}`);
  return {
    type: 'reachability-matrix',
    title: 'Namespace to Service reachability',
    rows: ids.map((id) => ({ id, label: id })),
    columns: ids.map((id) => ({ id, label: `${id}/svc:8080` })),
    cells: ids.flatMap((row) =>
      ids.map((column) => ({
        row,
        column,
        state: 'blocked' as const,
        detail: `1 of 1 connections blocked on port 8080 by a policy in ${row}`,
      })),
    ),
  };
}

// 150 findings of ~1 KB each, plus the picture: well over LIMIT.
const hugeCheck = (id: string): Check =>
  defineCheck({
    id,
    title: 'Huge',
    description: 'Reports more than the stream can carry.',
    why: 'Tests the stream bound.',
    inputs: ['v1/Service'],
    docs: '/introduction/',
    analyze: (ctx) => {
      for (let i = 0; i < 150; i++) {
        ctx.report('MB0101', { kind: 'Service', namespace: 'default', name: `svc-${i}` }, { scope: `scope ${i} ${'x'.repeat(1000)}` });
      }
      ctx.attach(bigMatrix());
    },
  });
const huge = hugeCheck('huge');
const huge2 = hugeCheck('huge-2');

async function start(checks: Check[], limits: Partial<RunEndpointLimits>): Promise<{ server: Server; port: number }> {
  const targets: TargetRegistry = {
    list: () => [{ id: 'fixture', name: 'fixture snapshot', group: 'snapshot' }],
    open: (id) => (id === 'fixture' ? new YamlSource([FIXTURE], 'fixture snapshot') : undefined),
  };
  const handler = createRunEndpoint({ token: TOKEN, checks, targets, limits, log: { info: () => {}, warn: () => {} } });
  const server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

function run(port: number, checks: string[]): Promise<Reply> {
  return postLocal(port, '/__meshbook/run', JSON.stringify({ checks, target: 'fixture' }), { token: TOKEN });
}

const events = (body: string): RunStreamEvent[] =>
  body
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as RunStreamEvent);
const results = (list: RunStreamEvent[]) => list.filter((e): e is Extract<RunStreamEvent, { type: 'result' }> => e.type === 'result');

describe('a result larger than the stream allows', () => {
  let h: { server: Server; port: number };
  beforeAll(async () => {
    h = await start([huge, huge2, getCheck('gateway-ports')!], { maxResponseBytes: LIMIT, maxFindingsPerCheck: 1000 });
  });
  afterAll(() => h.server.close());

  it('is cut to fit, the next check still reports, and the stream ends with done', async () => {
    const reply = await run(h.port, ['huge', 'gateway-ports']);
    expect(reply.status).toBe(200);
    expect(Buffer.byteLength(reply.body)).toBeLessThanOrEqual(LIMIT);
    const list = events(reply.body);
    expect(list.map((e) => e.type)).toEqual(['start', 'gathered', 'result', 'result', 'done']);
    const [big, next] = results(list);
    expect(big!.result.id).toBe('huge');
    expect(big!.result.reason).toBeUndefined();
    expect(big!.result.status).toBe('fail');
    // Findings kept up to the bound, the rest counted; together they are all 150.
    const kept = big!.result.findings.length;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(150);
    expect(kept + (big!.result.truncated ?? 0)).toBe(150);
    expect(big!.result.attachments).toBeUndefined();
    expect(big!.note).toMatch(
      /larger than the page's stream allows \(64 KiB\): the reachability matrix "Namespace to Service reachability" \(120 sources × 120 destinations\) is left out/,
    );
    expect(next!.result).toMatchObject({ id: 'gateway-ports', status: 'fail' });
    expect(list.at(-1)).toEqual({ type: 'done', summary: { pass: 0, warn: 0, fail: 2, error: 0, skipped: 0 } });
  });

  it('keeps room for every check still to come, even when the big one comes first of many', async () => {
    const reply = await run(h.port, ['huge', 'gateway-ports', 'huge-2']);
    const list = events(reply.body);
    expect(results(list).map((e) => e.result.id)).toEqual(['huge', 'gateway-ports', 'huge-2']);
    expect(list.at(-1)?.type).toBe('done');
    expect(Buffer.byteLength(reply.body)).toBeLessThanOrEqual(LIMIT);
  });

  it('sends a result that fits untouched', async () => {
    const reply = await run(h.port, ['gateway-ports']);
    const [only] = results(events(reply.body));
    expect(only!.note).toBeUndefined();
    expect(only!.result.truncated).toBeUndefined();
  });

  it('ends with an error line, not silence, when even a short result cannot fit', async () => {
    const tiny = await start([huge, getCheck('gateway-ports')!], { maxResponseBytes: 1500 });
    try {
      const list = events((await run(tiny.port, ['huge', 'gateway-ports'])).body);
      expect(list.at(-1)).toEqual({ type: 'error', message: 'The run produced more than 1500 bytes of results and was stopped.' });
    } finally {
      tiny.server.close();
    }
  });
});
