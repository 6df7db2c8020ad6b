// The dev server facing people who are not the developer at this machine, in a real
// `astro dev` and Chromium:
// - started with `--host 0.0.0.0`, a page asked for from another address (here 192.0.2.2 in a
//   network namespace the test creates) carries no run token and no kubeconfig context, even
//   with `Host: localhost`; the run endpoint refuses that client; the terminal says so at start;
// - no other site can frame a dev page (CSP frame-ancestors, X-Frame-Options);
// - a kubeconfig with a problem says so under the target selector and in the terminal.
// Without network namespaces (not root, no unshare), the server listens on 127.0.0.1 and the
// tests that need another address skip, saying why.

import { ExecaError, execa } from 'execa';
import { request as httpRequest } from 'node:http';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { writeKubeconfig } from '../helpers/fake-cluster.ts';
import { CHROMIUM, launchBrowser, openPage, type Browser } from '../../tools/site/browser.ts';
import { startDevServer, type DevServer } from '../../tools/site/dev-server.ts';
import { netnsUnavailable, REMOTE_ADDRESS, startNetns, type HttpReply, type HttpRequest, type Netns } from './helpers/netns.ts';

// Never contacted: the selector only lists contexts; their names and URL must not reach a remote page.
const SECRET_SERVER = 'https://secret-cluster.example.invalid:6443';

const noNetns = netnsUnavailable();
if (noNetns !== undefined) console.warn(`dev-security: tests with a non-loopback client skip: ${noNetns}`);

let tmp: string;
let kubeconfig: string;
let netns: Netns | undefined;
let server: DevServer;
let browser: Browser;
let page: Page;
let token: string;

// node:http (in the namespace when there is one), so a forged Host header is sent as is.
function send(spec: HttpRequest): Promise<HttpReply> {
  if (netns !== undefined) return netns.request(spec);
  return new Promise((resolve, reject) => {
    const req = httpRequest(spec, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(spec.body ?? '');
  });
}

const local = (path: string, extra: Partial<HttpRequest> = {}): Promise<HttpReply> =>
  send({ host: '127.0.0.1', port: server.port, path, headers: { Host: `localhost:${server.port}` }, ...extra });

// "Another machine" naming the server as localhost: socket from 192.0.2.2 to 192.0.2.2.
const remote = (path: string, extra: Partial<HttpRequest> = {}): Promise<HttpReply> =>
  send({
    host: REMOTE_ADDRESS,
    localAddress: REMOTE_ADDRESS,
    port: server.port,
    path,
    headers: { Host: `localhost:${server.port}` },
    ...extra,
  });

// A one-page HTTP server on 127.0.0.1 of the browser's network (the namespace when there is one).
async function serveAttacker(html: string): Promise<{ origin: string; close(): Promise<void> }> {
  const script = `const s = require('node:http').createServer((q, r) => { r.setHeader('Content-Type', 'text/html'); r.end(process.env.PAGE); });
s.listen(0, '127.0.0.1', () => console.log(s.address().port));`;
  const [command, ...args] = [...(netns?.enter ?? []), process.execPath, '-e', script];
  // reject: false, since it ends by being killed; it is killed with this process at the latest (execa's cleanup).
  const child = execa(command!, args, {
    env: { PAGE: html },
    extendEnv: false,
    stdin: 'ignore',
    stderr: 'inherit',
    buffer: false,
    reject: false,
  });
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
    void child.then((r) =>
      reject(new Error(`the attacker page server ended before listening: ${r instanceof ExecaError ? r.shortMessage : r.command}`)),
    );
  });
  return {
    origin: `http://127.0.0.1:${port}/`,
    close: async () => {
      child.kill('SIGTERM');
      await child;
    },
  };
}

async function writeGoodKubeconfig(): Promise<void> {
  await writeKubeconfig(
    kubeconfig,
    [
      { name: 'secret-ctx', cluster: 'secret-cluster', server: SECRET_SERVER },
      // A cluster without a server URL: listed, but cannot be used.
      { name: 'broken-ctx', cluster: 'broken-cluster', server: '' },
    ],
    'secret-ctx',
  );
}

async function openIntroduction(origin: string): Promise<void> {
  await openPage(page, `${origin}/introduction/`, ['meshbook-runner']);
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'meshbook-e2e-security-'));
  kubeconfig = join(tmp, 'kubeconfig');
  await writeGoodKubeconfig();
  const env = { KUBECONFIG: kubeconfig, MESHBOOK_DEV_SEARCH: '0' };
  let executablePath: string | undefined;
  if (noNetns === undefined) {
    netns = await startNetns();
    const ns = netns;
    server = await startDevServer(env, {
      host: '0.0.0.0',
      prefix: ns.enter,
      get: async (url) => {
        const u = new URL(url);
        const reply = await ns.request({ host: u.hostname, port: Number(u.port), path: u.pathname });
        return { status: reply.status, text: reply.body };
      },
    });
    // Chromium in the namespace too, where `localhost` is mapped to the non-loopback address.
    executablePath = join(tmp, 'chromium-in-netns');
    await writeFile(executablePath, `#!/bin/sh\nexec ${ns.enter.join(' ')} ${CHROMIUM} "$@"\n`);
    await chmod(executablePath, 0o755);
  } else {
    server = await startDevServer(env);
  }
  browser = await launchBrowser({
    ...(executablePath === undefined ? {} : { executablePath, args: [`--host-resolver-rules=MAP localhost ${REMOTE_ADDRESS}`] }),
  });
  page = await browser.context.newPage();
  await page.goto(`${server.origin}/introduction/`);
  await server.settled();
  const html = (await local('/introduction/')).body;
  const match = /<meshbook-runner[^>]*\btoken="([^"]+)"/.exec(html);
  if (match === null) throw new Error('the introduction page served to loopback carries no runner token');
  token = match[1]!;
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await netns?.close();
  if (tmp !== undefined) await rm(tmp, { recursive: true, force: true });
});

describe.skipIf(noNetns !== undefined)('a dev server listening beyond loopback (--host 0.0.0.0)', () => {
  it('says in the terminal at startup that runbooks run only for loopback clients', () => {
    expect(server.log()).toContain('The dev server listens on 0.0.0.0, beyond loopback. Runbooks run only for loopback clients');
  });

  it('gives a loopback client the token and the contexts (the control)', async () => {
    const html = (await local('/introduction/')).body;
    expect(html).toContain(token);
    expect(html).toContain('secret-ctx');
    expect(html).toContain(SECRET_SERVER);
  });

  it('serves another machine that sends Host: localhost the guide without token, contexts, cluster or server', async () => {
    const reply = await remote('/introduction/');
    expect(reply.status).toBe(200);
    expect(reply.body).toContain('Introduction to Network Operations');
    expect(reply.body).not.toContain(token);
    for (const secret of ['secret-ctx', 'secret-cluster', SECRET_SERVER, 'broken-ctx', 'broken-cluster', kubeconfig])
      expect(reply.body).not.toContain(secret);
    expect(reply.body).not.toContain('<meshbook-runner');
    expect(reply.body).not.toContain('<runbook-run');
    expect(reply.body).toContain('This check runs only from the machine that runs the dev server');
  });

  it('refuses a run from another machine with 403, even with the token, Host and Origin of a local page', async () => {
    const body = JSON.stringify({ checks: ['gateway-ports'], target: 'demo' });
    const headers = {
      Host: `localhost:${server.port}`,
      Origin: `http://localhost:${server.port}`,
      'X-Meshbook-Token': token,
      'Content-Type': 'application/json',
    };
    const refused = await remote('/__meshbook/run', { method: 'POST', headers, body });
    expect(refused.status).toBe(403);
    expect(refused.body).toContain(`requests are accepted from loopback only, not from "${REMOTE_ADDRESS}"`);
    // The same request over loopback runs: the 403 is for the address, nothing else.
    const accepted = await local('/__meshbook/run', { method: 'POST', headers, body });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toContain('"type":"done"');
  });

  it('shows a browser on another machine a readable page that says where runbooks run, with no run controls', async () => {
    // Chromium resolves localhost to 192.0.2.2 here: the attack as a browser sends it.
    await page.goto(`http://localhost:${server.port}/introduction/`);
    await expect
      .poll(() => page.locator('[data-runner-remote]').textContent())
      .toContain('run only from a browser on the machine that runs the dev server');
    expect(await page.locator('meshbook-runner').count()).toBe(0);
    expect(await page.locator('#meshbook-target').count()).toBe(0);
    expect(await page.locator('section.runbook[data-check="gateway-ports"] [data-runs-locally-only]').textContent()).toContain(
      'npx meshbook check --check gateway-ports',
    );
    const html = await page.content();
    expect(html).not.toContain(token);
    expect(html).not.toContain('secret-ctx');
    expect(html).not.toContain(SECRET_SERVER);
  });
});

describe('framing a dev page', () => {
  it('sends frame-ancestors and X-Frame-Options on pages', async () => {
    const reply = await local('/introduction/');
    expect(reply.headers['content-security-policy']).toBe("frame-ancestors 'self'");
    expect(reply.headers['x-frame-options']).toBe('DENY');
  });

  it('is refused to another site, and allowed to the dev site itself (the control)', async () => {
    const target = `${server.origin}/introduction/`;
    // Another site on loopback (Chromium would refuse a public page's frame of a loopback one anyway).
    const attacker = await serveAttacker(`<!doctype html><title>prize</title><iframe id="victim" src="${target}"></iframe>`);
    try {
      await page.goto(attacker.origin);
    } catch (error) {
      await attacker.close();
      throw error;
    }
    const framed = await (await page.locator('#victim').elementHandle())!.contentFrame();
    if (framed === null) throw new Error('the iframe has no frame');
    // Loaded means the guide rendered inside; blocked means Chromium put its error page there.
    const outcome = async (): Promise<string> => {
      if (framed.url().startsWith('chrome-error:')) return 'blocked';
      const shown = await framed
        .locator('section.runbook')
        .count()
        .catch(() => 0);
      return shown > 0 ? 'loaded' : 'pending';
    };
    await expect.poll(outcome, { timeout: 30_000 }).not.toBe('pending');
    await attacker.close();
    expect(await outcome()).toBe('blocked');

    await openIntroduction(server.origin);
    await page.evaluate((src) => {
      const frame = document.createElement('iframe');
      frame.id = 'self';
      frame.src = src;
      document.body.append(frame);
    }, target);
    const self = page.frameLocator('#self');
    await self.locator('section.runbook').first().waitFor({ timeout: 30_000 });
  });
});

describe('a kubeconfig with a problem', () => {
  it('shows a context that cannot be used, and why, as text under the selector', async () => {
    await writeGoodKubeconfig();
    await openIntroduction(server.origin);
    const option = page.locator('#meshbook-target option[value="context:broken-ctx"]');
    expect(await option.isDisabled()).toBe(true);
    expect(await option.textContent()).toBe('broken-ctx — broken-cluster (cannot be used, see below)');
    const reason = page.locator('[data-target-problems] [data-problem-for="context:broken-ctx"]');
    expect(await reason.isVisible()).toBe(true);
    expect(await reason.textContent()).toBe(
      `Context broken-ctx cannot be used: Cluster "broken-cluster" (in ${kubeconfig}) has no server URL.`,
    );
    // The usable context is still offered.
    expect(await page.locator('#meshbook-target option[value="context:secret-ctx"]').isDisabled()).toBe(false);
  });

  it('names the file, line and reason of a malformed kubeconfig under the selector and in the terminal', async () => {
    await writeFile(kubeconfig, 'apiVersion: v1\nclusters:\n- name: a\n  cluster: {server: https://a.example\n');
    try {
      await openIntroduction(server.origin);
      const reason = page.locator('[data-target-problems] [data-problem-for="kubeconfig"]');
      expect(await reason.isVisible()).toBe(true);
      const text = (await reason.textContent()) ?? '';
      expect(text).toMatch(
        new RegExp(
          `^No kubeconfig contexts listed\\. Kubeconfig ${kubeconfig.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+: invalid YAML: `,
        ),
      );
      // The snapshots are still there to run.
      // (Runs over several clusters, such as the two-cluster demo, are listed apart: test/e2e/multi-cluster.test.ts.)
      expect(await page.locator('#meshbook-target option:not([data-fleet])').allTextContents()).toEqual(['demo cluster snapshot']);
      const problem = text.slice('No kubeconfig contexts listed. '.length);
      await expect.poll(() => server.log()).toContain(problem);
    } finally {
      await writeGoodKubeconfig();
    }
  });
});
