// The run endpoint applies the project's finding policy as the CLI does (suppressed findings are
// listed apart and counted, never dropped; a rule past its day is reported), and sends each
// finding's fix blocks as the page's code renderer draws them.

import { postLocal, streamEvents } from './helpers/local-post.ts';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { YamlSource } from '../../src/cluster/yaml-source.ts';
import { InputError } from '../../src/engine/source.ts';
import { makeSuppressor, partitionByDate, type SuppressionRule } from '../../src/engine/suppress.ts';
import { createRunEndpoint, type RunEndpointOptions } from '../../src/server/run-endpoint.ts';
import type { RunStreamEvent } from '../../src/server/run-events.ts';
import type { TargetRegistry } from '../../src/server/targets.ts';
import { getCheck } from '../../runbooks/index.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const TOKEN = 'test-token-0123456789abcdefghijklmnopqrstuvwxyz';
const RULES: SuppressionRule[] = [
  { code: 'MB0401', resource: 'NetworkPolicy payments-ingress.orders', by: 'config', reason: 'payments is closed on purpose' },
  { code: 'IST0102', resource: 'Namespace legacy', by: 'config', reason: 'old', until: '2020-01-01' },
];

const servers: Server[] = [];

async function serve(options: Pick<RunEndpointOptions, 'findingPolicy' | 'fixBlocks'>): Promise<number> {
  const targets: TargetRegistry = {
    list: () => [{ id: 'demo', name: 'demo cluster snapshot', group: 'snapshot' }],
    open: () => new YamlSource([join(ROOT, 'runbooks', 'demo-cluster')], 'demo cluster snapshot'),
  };
  const handler = createRunEndpoint({
    token: TOKEN,
    checks: [getCheck('mesh-reachability')!],
    targets,
    log: { info: () => {}, warn: () => {} },
    ...options,
  });
  const server = createServer((req, res) => void handler(req, res));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function run(port: number): Promise<RunStreamEvent[]> {
  const reply = await postLocal(port, '/__meshbook/run', JSON.stringify({ checks: ['mesh-reachability'], target: 'demo' }), {
    token: TOKEN,
  });
  expect(reply.status).toBe(200);
  return streamEvents(reply.body);
}

let events: RunStreamEvent[];

beforeAll(async () => {
  const { active, expired } = partitionByDate(RULES, '2026-06-01');
  const port = await serve({
    findingPolicy: async () => ({ policy: { suppress: makeSuppressor(active) }, expired }),
    fixBlocks: () => async (blocks) => blocks.map((b) => `<div class="expressive-code">${b.lang}: ${b.title}</div>`),
  });
  events = await run(port);
});

afterAll(() => {
  for (const server of servers) server.close();
});

describe('a page run with the project config', () => {
  it('lists the suppressed finding apart with its rule, and keeps the others', () => {
    const result = events.find((e) => e.type === 'result');
    if (result?.type !== 'result') throw new Error('no result');
    expect(result.result.suppressed?.map((f) => [f.code, f.resource.name, f.suppression.by, f.suppression.reason])).toEqual([
      ['MB0401', 'payments-ingress', 'config', 'MB0401=NetworkPolicy payments-ingress.orders: payments is closed on purpose'],
    ]);
    expect(result.result.findings.some((f) => f.resource.name === 'payments-ingress')).toBe(false);
    expect(result.result.findings.length).toBeGreaterThan(0);
  });

  it('counts the suppressed findings and reports the expired rule in `done`', () => {
    const done = events.at(-1);
    expect(done?.type).toBe('done');
    if (done?.type !== 'done') return;
    expect(done.suppressed).toBe(1);
    expect(done.expiredSuppressions).toEqual([{ code: 'IST0102', resource: 'Namespace legacy', reason: 'old', until: '2020-01-01' }]);
  });

  it("sends each finding's fix blocks as the renderer drew them, by finding index", () => {
    const result = events.find((e) => e.type === 'result');
    if (result?.type !== 'result') throw new Error('no result');
    const withCode = result.result.findings.map((f) => f.fixCode !== undefined);
    expect(withCode).toContain(true);
    expect(result.fixHtml?.map((h) => h !== null)).toEqual(withCode);
    const i = withCode.indexOf(true);
    expect(result.fixHtml?.[i]).toEqual(
      result.result.findings[i]!.fixCode!.blocks.map((b) => `<div class="expressive-code">${b.lang}: ${b.title}</div>`),
    );
  });
});

describe('a page run whose project config cannot be read', () => {
  it('answers with one error line and runs nothing', async () => {
    const port = await serve({
      findingPolicy: async () => {
        throw new InputError('The config file /x/meshbook.yaml is not valid YAML: bad indentation');
      },
    });
    const reply = await run(port);
    expect(reply).toEqual([{ type: 'error', message: 'The config file /x/meshbook.yaml is not valid YAML: bad indentation' }]);
  });

  it('still applies the annotation without a policy reader, and sends no HTML without a renderer', async () => {
    const port = await serve({ fixBlocks: () => undefined });
    const reply = await run(port);
    const result = reply.find((e) => e.type === 'result');
    expect(result?.type === 'result' && result.fixHtml).toBeUndefined();
    expect(reply.at(-1)).toMatchObject({ type: 'done' });
  });
});
