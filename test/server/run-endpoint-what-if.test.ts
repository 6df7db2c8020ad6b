// The run endpoint with what-if YAML, over a real HTTP server on loopback: a YAML problem is the
// stream's one error line and opens no target; good YAML adds a `what-if` event before `done`.

import { postLocal, streamEvents } from './helpers/local-post.ts';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { YamlSource } from '../../src/cluster/yaml-source.ts';
import { createRunEndpoint } from '../../src/server/run-endpoint.ts';
import { MAX_WITH_YAML } from '../../src/server/run-request.ts';
import type { RunStreamEvent } from '../../src/server/run-events.ts';
import type { TargetRegistry } from '../../src/server/targets.ts';
import { getCheck } from '../../runbooks/index.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const TOKEN = 'test-token-0123456789abcdefghijklmnopqrstuvwxyz';

let server: Server;
let port: number;
let opened = 0;

beforeAll(async () => {
  const targets: TargetRegistry = {
    list: () => [{ id: 'demo', name: 'demo cluster snapshot', group: 'snapshot' }],
    open: (id) => {
      if (id !== 'demo') return undefined;
      opened++;
      return new YamlSource([join(ROOT, 'runbooks', 'demo-cluster')], 'demo cluster snapshot');
    },
  };
  const handler = createRunEndpoint({
    token: TOKEN,
    checks: [getCheck('mesh-reachability')!],
    targets,
    log: { info: () => {}, warn: () => {} },
  });
  server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(() => server.close());

async function run(withYaml: string): Promise<{ status: number; events: RunStreamEvent[] }> {
  const reply = await postLocal(port, '/__meshbook/run', JSON.stringify({ checks: ['mesh-reachability'], target: 'demo', withYaml }), {
    token: TOKEN,
  });
  try {
    return { status: reply.status, events: streamEvents(reply.body) };
  } catch {
    throw new Error(`${reply.status}: ${reply.body}`);
  }
}

describe('run endpoint with withYaml', () => {
  it('answers malformed YAML with one error line naming the line, and opens no target', async () => {
    const before = opened;
    const reply = await run('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n   namespace: b\n');
    expect(reply.status).toBe(200);
    expect(reply.events).toHaveLength(1);
    expect(reply.events[0]).toMatchObject({ type: 'error' });
    expect((reply.events[0] as { message: string }).message).toMatch(/^The what-if YAML cannot be applied: pasted YAML:5: invalid YAML: /);
    expect(opened).toBe(before);
  });

  it('refuses an object that fails snapshot validation, naming its line', async () => {
    const reply = await run('apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n');
    expect(reply.events).toHaveLength(1);
    expect((reply.events[0] as { message: string }).message).toMatch(/pasted YAML:\d+: Pod has no metadata\.name/);
  });

  it('streams the what-if comparison before done', async () => {
    const reply = await run(await readFile(join(ROOT, 'test', 'cli', 'fixtures', 'what-if', 'fix-ratings.yaml'), 'utf8'));
    const types = reply.events.map((e) => e.type);
    expect(types.slice(-2)).toEqual(['what-if', 'done']);
    const whatIf = reply.events.find((e) => e.type === 'what-if');
    expect(whatIf?.type === 'what-if' && whatIf.added).toEqual([]);
    expect(whatIf?.type === 'what-if' && whatIf.fixed.map((f) => `${f.code} ${f.resource.name}`)).toEqual([
      'MB0401 ratings-from-reviews-v2',
    ]);
    // The demo's ambient fault (orders/payments-ingress) is untouched by this change and remains.
    const result = reply.events.find((e) => e.type === 'result');
    expect(result?.type === 'result' && result.result.findings.map((f) => `${f.code} ${f.resource.namespace}/${f.resource.name}`)).toEqual([
      'MB0401 orders/payments-ingress',
    ]);
  });

  it('accepts YAML at the size limit through the body limit', async () => {
    // A comment of MAX_WITH_YAML characters, multi-byte and needing JSON escapes, then nothing to apply.
    const big = `#${'é"'.repeat((MAX_WITH_YAML - 1) / 2)}`.slice(0, MAX_WITH_YAML);
    const reply = await run(big);
    expect(reply.status).toBe(200);
    expect((reply.events[0] as { message: string }).message).toMatch(/pasted YAML holds no Kubernetes objects to apply/);
  });
});
