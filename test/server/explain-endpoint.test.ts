// The explain endpoint over a real HTTP server on loopback: the run endpoint's guards (a refused
// request never opens a target), request validation, and the answer for an allowed, a blocked and
// an unknown pair of the explain fixture.

import { postLocal } from './helpers/local-post.ts';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { YamlSource } from '../../src/cluster/yaml-source.ts';
import { createExplainEndpoint } from '../../src/server/explain-endpoint.ts';
import type { TargetRegistry } from '../../src/server/targets.ts';
import type { ExplainAnswer } from '../../src/reachability/explain-query.ts';

const FIXTURE = join(import.meta.dirname, '..', 'cli', 'fixtures', 'explain', 'cluster.yaml');
const TOKEN = 'test-token-0123456789abcdefghijklmnopqrstuvwxyz';

let server: Server;
let port = 0;
let opened = 0;

beforeAll(async () => {
  const targets: TargetRegistry = {
    list: () => [{ id: 'fixture', name: 'fixture snapshot', group: 'snapshot' }],
    open: (id) => {
      if (id !== 'fixture') return undefined;
      opened++;
      return new YamlSource([FIXTURE], 'fixture snapshot');
    },
  };
  const handler = createExplainEndpoint({ token: TOKEN, targets, log: { warn: () => {} } });
  server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function post(body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; type: string; body: string }> {
  const reply = await postLocal(port, '/__meshbook/explain', typeof body === 'string' ? body : JSON.stringify(body), {
    token: TOKEN,
    headers,
  });
  return { status: reply.status, type: String(reply.headers['content-type']), body: reply.body };
}

describe('POST /__meshbook/explain', () => {
  it('refuses what the run endpoint refuses, before opening any target', async () => {
    const before = opened;
    expect((await post({ target: 'fixture', from: 'legacy/old', to: 'shop/api:80' }, { 'X-Meshbook-Token': 'wrong' })).status).toBe(403);
    expect((await post({ target: 'fixture', from: 'legacy/old', to: 'shop/api:80' }, { Origin: 'http://evil.example' })).status).toBe(403);
    expect((await post({ target: 'fixture', from: 'legacy/old', to: 'shop/api:80' }, { Host: 'evil.example' })).status).toBe(403);
    expect((await post({ target: 'fixture', from: 'legacy/old', to: 'shop/api:80' }, { 'Content-Type': 'text/plain' })).status).toBe(415);
    const bad = await post({ target: 'fixture', from: '../etc', to: 'shop/api:80' });
    expect([bad.status, bad.body]).toEqual([400, expect.stringContaining('from: NAMESPACE/WORKLOAD')]);
    expect((await post({ target: 'fixture', from: 'legacy/old', to: 'shop/api:80', extra: 1 })).status).toBe(400);
    const unknown = await post({ target: 'prod', from: 'legacy/old', to: 'shop/api:80' });
    expect([unknown.status, unknown.body]).toEqual([400, 'Unknown target "prod"\n']);
    expect(opened).toBe(before);
  });

  it('explains a blocked and an allowed pair, and names what exists for an unknown one', async () => {
    const blocked = await post({ target: 'fixture', from: 'legacy/old', to: 'shop/api:80' });
    expect(blocked.status).toBe(200);
    expect(blocked.type).toBe('application/json; charset=utf-8');
    const answer = JSON.parse(blocked.body) as ExplainAnswer;
    expect(answer.ok && answer.report.verdict).toBe('blocked');
    expect(answer.ok && answer.report.connections[0]!.hops[0]!.ingress.fix?.policy).toBe('shop/api-from-web');
    const allowed = JSON.parse((await post({ target: 'fixture', from: 'shop/web', to: 'shop/api:web' })).body) as ExplainAnswer;
    expect(allowed.ok && allowed.report.verdict).toBe('allowed');
    const missing = JSON.parse((await post({ target: 'fixture', from: 'shop/cart', to: 'shop/api:80' })).body) as ExplainAnswer;
    expect(missing).toEqual({
      ok: false,
      problem: 'unknown-source',
      message: 'No running pod or workload "cart" in namespace shop.',
      nearby: ['shop/api', 'shop/web', 'shop/api-1', 'shop/web-1'],
    });
  });
});
