// The run endpoint over a real HTTP server on loopback: the stream contract, validation,
// bounds, cancellation, and that a refused request never opens a target.

import { postLocal, streamEvents, type Reply } from './helpers/local-post.ts';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { YamlSource } from '../../src/cluster/yaml-source.ts';
import { defineCheck, type Check } from '../../src/engine/check.ts';
import { createRunEndpoint, DEFAULT_LIMITS, type RunEndpointLimits } from '../../src/server/run-endpoint.ts';
import type { TargetRegistry } from '../../src/server/targets.ts';
import { getCheck } from '../../runbooks/index.ts';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'gateway-ports', 'gateway-ports-bad.yaml');
const TOKEN = 'test-token-0123456789abcdefghijklmnopqrstuvwxyz';

// A check that waits until its run is cancelled, recording that it was.
let slowStarted = 0;
let slowAborted = 0;
const slow = defineCheck({
  id: 'slow',
  title: 'Slow',
  description: 'Waits for cancellation.',
  why: 'Tests cancellation.',
  inputs: ['v1/Pod'],
  docs: '/introduction/',
  analyze: (ctx) =>
    new Promise<void>((resolve) => {
      slowStarted++;
      ctx.signal.addEventListener('abort', () => {
        slowAborted++;
        resolve();
      });
    }),
});

interface Harness {
  server: Server;
  port: number;
  opened: () => number;
}

async function start(checks: Check[], limits: Partial<RunEndpointLimits> = {}): Promise<Harness> {
  let opened = 0;
  const targets: TargetRegistry = {
    list: () => [{ id: 'fixture', name: 'fixture snapshot', group: 'snapshot' }],
    open: (id) => {
      if (id !== 'fixture') return undefined;
      opened++;
      return new YamlSource([FIXTURE], 'fixture snapshot');
    },
  };
  const handler = createRunEndpoint({ token: TOKEN, checks, targets, limits, log: { info: () => {}, warn: () => {} } });
  const server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, opened: () => opened };
}

function post(h: Harness, body: string, headers: Record<string, string> = {}, method = 'POST'): Promise<Reply> {
  return postLocal(h.port, '/__meshbook/run', body, { token: TOKEN, headers, method });
}

const events = streamEvents;

const gatewayPorts = getCheck('gateway-ports')!;

describe('run endpoint', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await start([gatewayPorts, slow]);
  });
  afterAll(() => h.server.close());

  it('streams start, gathered, one result per check, and done, as NDJSON', async () => {
    const reply = await post(h, JSON.stringify({ checks: ['gateway-ports'], target: 'fixture' }));
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
    expect(reply.headers['cache-control']).toBe('no-store');
    const list = events(reply.body);
    expect(list.map((e) => e.type)).toEqual(['start', 'gathered', 'result', 'done']);
    const [startEvent, , result, done] = list;
    expect(startEvent).toMatchObject({
      type: 'start',
      target: { type: 'snapshot', name: 'fixture snapshot' },
      checks: [{ id: 'gateway-ports', title: gatewayPorts.title }],
    });
    expect(result).toMatchObject({ type: 'result', done: 1, total: 1, result: { id: 'gateway-ports', status: 'fail' } });
    expect(done).toEqual({ type: 'done', summary: { pass: 0, warn: 0, fail: 1, error: 0, skipped: 0 } });
  });

  it('never sends CORS headers', async () => {
    const ok = await post(h, JSON.stringify({ checks: ['gateway-ports'], target: 'fixture' }));
    const refused = await post(h, '{}', { Origin: 'http://evil.example' });
    const preflight = await post(h, '', { 'Access-Control-Request-Method': 'POST' }, 'OPTIONS');
    for (const reply of [ok, refused, preflight]) {
      expect(Object.keys(reply.headers).filter((k) => k.startsWith('access-control-'))).toEqual([]);
    }
    expect(preflight.status).toBe(405);
  });

  describe.each([
    ['unknown check ids', { checks: ['gateway-ports', 'rm-rf', 'nope'], target: 'fixture' }, /Unknown check ids: "rm-rf", "nope"/],
    ['an unknown target', { checks: ['gateway-ports'], target: '/etc' }, /Unknown target "\/etc"/],
    ['no checks', { checks: [], target: 'fixture' }, /checks: .*received \[\]/],
    ['a check that is not a string', { checks: [42], target: 'fixture' }, /checks\[0\]: .*received 42/],
    ['an extra field (code in the request)', { checks: ['gateway-ports'], target: 'fixture', code: 'process.exit()' }, /code/],
    ['an array body', [], /received \[\]/],
  ])('refuses a body with %s', (_name, body, message) => {
    it('with 400 and the reason, opening no target', async () => {
      const before = h.opened();
      const reply = await post(h, JSON.stringify(body));
      expect(reply.status).toBe(400);
      expect(reply.body).toMatch(message);
      expect(h.opened()).toBe(before);
    });
  });

  it('refuses a body that is not JSON with 400', async () => {
    const reply = await post(h, 'checks=gateway-ports');
    expect(reply.status).toBe(400);
    expect(reply.body).toMatch(/not JSON/);
  });

  it('refuses a chunked body over the limit with 413', async () => {
    const reply = await new Promise<Reply>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: h.port,
          path: '/__meshbook/run',
          method: 'POST',
          headers: {
            Host: `localhost:${h.port}`,
            Origin: `http://localhost:${h.port}`,
            'X-Meshbook-Token': TOKEN,
            'Content-Type': 'application/json',
            'Transfer-Encoding': 'chunked',
          },
        },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += String(c)));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
        },
      );
      req.on('error', reject);
      for (let i = 0; i <= DEFAULT_LIMITS.maxBodyBytes / 1024 + 4; i++) req.write('x'.repeat(1024));
      req.end();
    });
    expect(reply.status).toBe(413);
  });

  describe.each([
    ['a foreign Origin', { Origin: 'http://evil.example' }, 'POST', 403],
    ['a foreign Host', { Host: 'evil.example' }, 'POST', 403],
    ['no token', { 'X-Meshbook-Token': '' }, 'POST', 403],
    ['a wrong token', { 'X-Meshbook-Token': 'guess' }, 'POST', 403],
    ['GET', {}, 'GET', 405],
    ['a form post', { 'Content-Type': 'application/x-www-form-urlencoded' }, 'POST', 415],
  ])('refuses %s', (_name, headers, method, status) => {
    it(`with ${status} and runs nothing`, async () => {
      const before = h.opened();
      const reply = await post(h, JSON.stringify({ checks: ['gateway-ports'], target: 'fixture' }), headers, method);
      expect(reply.status).toBe(status);
      expect(h.opened()).toBe(before);
      if (status === 405) expect(reply.headers.allow).toBe('POST');
    });
  });
});

describe('run endpoint bounds', () => {
  it('allows two runs at once and refuses a third with 429; a client that goes away cancels its run', async () => {
    const h = await start([slow], { maxConcurrentRuns: 2 });
    try {
      slowStarted = 0;
      slowAborted = 0;
      const open: ReturnType<typeof request>[] = [];
      for (let i = 0; i < 2; i++) {
        const req = request({
          host: '127.0.0.1',
          port: h.port,
          path: '/__meshbook/run',
          method: 'POST',
          headers: {
            Host: `localhost:${h.port}`,
            Origin: `http://localhost:${h.port}`,
            'X-Meshbook-Token': TOKEN,
            'Content-Type': 'application/json',
          },
        });
        req.on('error', () => {});
        req.end(JSON.stringify({ checks: ['slow'], target: 'fixture' }));
        open.push(req);
      }
      await expect.poll(() => slowStarted, { timeout: 5_000 }).toBe(2);
      const third = await post(h, JSON.stringify({ checks: ['slow'], target: 'fixture' }));
      expect(third.status).toBe(429);
      expect(third.headers['retry-after']).toBe('5');
      for (const req of open) req.destroy();
      await expect.poll(() => slowAborted, { timeout: 5_000 }).toBe(2);
      // Both slots are free again.
      await expect.poll(async () => (await post(h, '{"checks":["nope"],"target":"fixture"}')).status, { timeout: 5_000 }).toBe(400);
    } finally {
      h.server.close();
    }
  });

  it('stops a run at its deadline and says so in an error event', async () => {
    const h = await start([slow], { runDeadlineMs: 300 });
    try {
      const reply = await post(h, JSON.stringify({ checks: ['slow'], target: 'fixture' }));
      expect(reply.status).toBe(200);
      const last = events(reply.body).at(-1);
      expect(last).toEqual({ type: 'error', message: 'The run took longer than 300 ms and was stopped.' });
    } finally {
      h.server.close();
    }
  });
});
