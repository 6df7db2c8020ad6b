// The run endpoint of a real `astro dev`, attacked from outside the page: each refusal gets
// its status and runs nothing (the server logs "run started" for every run it begins, and
// no such line may appear). A valid request with the page's token is the control.

import { request, type IncomingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevServer, type DevServer } from '../../tools/site/dev-server.ts';

let server: DevServer;
let token: string;

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

// node:http rather than fetch: fetch will not send a forged Host header.
function send(method: string, headers: Record<string, string>, body: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path: '/__meshbook/run', method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function validHeaders(): Record<string, string> {
  return {
    Host: `127.0.0.1:${server.port}`,
    Origin: server.origin,
    'X-Meshbook-Token': token,
    'Content-Type': 'application/json',
  };
}

const BODY = JSON.stringify({ checks: ['gateway-ports'], target: 'demo' });

function runsStarted(): number {
  return server
    .log()
    .split('\n')
    .filter((l) => l.includes('run started:')).length;
}

beforeAll(async () => {
  server = await startDevServer();
  const html = await (await fetch(`${server.origin}/introduction/`)).text();
  const match = /<meshbook-runner[^>]*\btoken="([^"]+)"/.exec(html);
  if (match === null) throw new Error('the introduction page carries no runner token');
  token = match[1]!;
});

afterAll(async () => {
  await server?.stop();
});

describe('the dev server run endpoint', () => {
  it('carries a token of at least 128 bits in the pages it serves', () => {
    expect(Buffer.from(token, 'base64url').length * 8).toBeGreaterThanOrEqual(128);
  });

  const refusals: [string, (h: Record<string, string>) => Record<string, string>, string, string, number][] = [
    ['a foreign Origin', (h) => ({ ...h, Origin: 'http://evil.example' }), 'POST', BODY, 403],
    ['Origin null', (h) => ({ ...h, Origin: 'null' }), 'POST', BODY, 403],
    ['no Origin', ({ Origin: _o, ...h }) => h, 'POST', BODY, 403],
    [
      'a foreign Host (DNS rebinding)',
      (h) => ({ ...h, Host: `evil.example:${server.port}`, Origin: `http://evil.example:${server.port}` }),
      'POST',
      BODY,
      403,
    ],
    ['a missing token', ({ 'X-Meshbook-Token': _t, ...h }) => h, 'POST', BODY, 403],
    ['a wrong token', (h) => ({ ...h, 'X-Meshbook-Token': `${token.slice(0, -2)}xx` }), 'POST', BODY, 403],
    ['GET', (h) => h, 'GET', '', 405],
    [
      'a CORS preflight',
      (h) => ({ ...h, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'x-meshbook-token,content-type' }),
      'OPTIONS',
      '',
      405,
    ],
    [
      'a form post',
      (h) => ({ ...h, 'Content-Type': 'application/x-www-form-urlencoded' }),
      'POST',
      'checks=gateway-ports&target=demo',
      415,
    ],
    ['a text/plain post', (h) => ({ ...h, 'Content-Type': 'text/plain' }), 'POST', BODY, 415],
  ];

  describe.each(refusals)('refuses %s', (_name, headers, method, body, status) => {
    it(`with ${status}, no CORS headers, and runs nothing`, async () => {
      const before = runsStarted();
      const reply = await send(method, headers(validHeaders()), body);
      expect(reply.status, reply.body).toBe(status);
      expect(Object.keys(reply.headers).filter((k) => k.startsWith('access-control-'))).toEqual([]);
      expect(reply.body).not.toContain('"type"');
      if (status === 405) expect(reply.headers.allow).toBe('POST');
      // Give a (wrongly) started run time to log before counting.
      await new Promise((r) => setTimeout(r, 100));
      expect(runsStarted()).toBe(before);
    });
  });

  it('refuses unknown check ids with 400 naming them', async () => {
    const before = runsStarted();
    const reply = await send('POST', validHeaders(), JSON.stringify({ checks: ['gateway-ports', 'cat-etc-passwd'], target: 'demo' }));
    expect(reply.status).toBe(400);
    expect(reply.body).toContain('Unknown check id: "cat-etc-passwd"');
    expect(runsStarted()).toBe(before);
  });

  it('runs a valid request from the page and streams NDJSON (the control)', async () => {
    const before = runsStarted();
    const reply = await send('POST', validHeaders(), BODY);
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
    expect(Object.keys(reply.headers).filter((k) => k.startsWith('access-control-'))).toEqual([]);
    const types = reply.body
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { type: string }).type);
    expect(types).toEqual(['start', 'gathered', 'result', 'done']);
    expect(runsStarted()).toBe(before + 1);
  });

  it('gives no token to a page asked for under a non-loopback Host (a LAN client of `--host`)', async () => {
    const html = await new Promise<string>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: server.port, path: '/introduction/', headers: { Host: `192.168.1.10:${server.port}` } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => resolve(text));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(html).toContain('Introduction to Network Operations');
    expect(html).not.toContain(token);
    expect(html).not.toContain('<meshbook-runner');
    expect(html).toContain('npx meshbook check --check gateway-ports');
  });

  it('serves pages without CORS headers, even to a loopback Origin', async () => {
    const res = await fetch(`${server.origin}/introduction/`, { headers: { Origin: 'http://localhost:3000' } });
    await res.text();
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});
