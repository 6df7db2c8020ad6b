// Runs from the page under faults, in a real browser against a real dev server: a result larger
// than the stream allows (cut, and "Run all" still fills every runbook), cluster text with
// bidi-override and zero-width characters (escaped and isolated, live and recorded), several
// runbooks run at once (none cancels another), and a cluster that cannot be read (one banner,
// the runbooks "Not run", no data time).

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { closedPortUrl, writeKubeconfig } from '../helpers/fake-cluster.ts';
import { launchBrowser, openPage, type Browser } from '../../tools/site/browser.ts';
import { REPO_ROOT, startDevServer, type DevServer } from '../../tools/site/dev-server.ts';
import { currentCheckVersions } from '../../src/publish/demo-record.ts';

const BIDI = 'bidi names';
const PAGE_CHECKS = ['sidecar-injection', 'control-plane-health', 'gateway-ports', 'service-endpoints'];
// Invisible and reordering characters: none may reach the page's text as such.
const RAW = /[\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/;
const LIMIT = 8 * 1024;

let tmp: string;
let notKubernetes: Server;
let notKubernetesUrl: string;
let server: DevServer;
let browser: Browser;
let page: Page;

// A record of a gateway-ports run whose Gateway name ends in U+202E, for the recorded renderer.
const RECORD = {
  meshbookRecord: 1,
  recordedAt: '2026-11-20T09:30:00.000Z',
  against: { name: 'staging\u202Eue', type: 'live' },
  meshbookVersion: '0.1.0',
  checkVersions: { 'gateway-ports': 'sha256:111111111111' },
  report: {
    target: { type: 'live', name: 'staging\u202Eue', context: 'staging', server: 'https://10.1.2.3:6443' },
    startedAt: '2026-11-20T09:30:00.000Z',
    checks: [
      {
        id: 'gateway-ports',
        title: 'Gateway ports are exposed by the gateway Service',
        status: 'fail',
        durationMs: 3,
        read: { kinds: 3, objects: 12 },
        findings: [
          {
            code: 'IST0101',
            severity: 'error',
            message: 'Referenced selector not found: "istio=in\u202Essergni"',
            resource: { kind: 'Gateway', namespace: 'shop', name: 'gw\u202Eeteled' },
            evidence: { 'spec.selector': 'istio=in\u202Essergni' },
            remediation: 'Run `kubectl -n shop delete gateway gw\u202Eeteled` only if it is unused.',
            docs: '/concepts/gateways/#gateway-ports',
          },
        ],
      },
    ],
  },
};

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'meshbook-e2e-faults-'));
  // Any web server that is not Kubernetes: 404 to everything (a proxy, a typo in the port).
  notKubernetes = createServer((_req, res) => res.writeHead(404, { 'Content-Type': 'text/plain' }).end('404 page not found\n'));
  await new Promise<void>((resolve) => notKubernetes.listen(0, '127.0.0.1', resolve));
  notKubernetesUrl = `http://127.0.0.1:${(notKubernetes.address() as AddressInfo).port}`;
  const kubeconfig = await writeKubeconfig(join(tmp, 'kubeconfig'), [
    { name: 'not-kube', cluster: 'web-server', server: notKubernetesUrl },
    { name: 'down', cluster: 'down-cluster', server: await closedPortUrl() },
  ]);
  const publish = join(tmp, 'publish');
  await mkdir(join(publish, 'records'), { recursive: true });
  // Recorded with the check as it is now: a record of an earlier version would not be shown.
  const current = (await currentCheckVersions(REPO_ROOT)).get('gateway-ports')!;
  await writeFile(
    join(publish, 'records', '2026-11-20-bidi.json'),
    JSON.stringify({ ...RECORD, checkVersions: { 'gateway-ports': current } }),
  );
  server = await startDevServer({
    MESHBOOK_EXTRA_TARGETS: `${BIDI}=test/fixtures/e2e/bidi-names.yaml`,
    KUBECONFIG: kubeconfig,
    MESHBOOK_PUBLISH_DIR: publish,
    MESHBOOK_MAX_RESPONSE_BYTES: String(LIMIT),
  });
  browser = await launchBrowser();
  page = await browser.context.newPage();
  await page.goto(`${server.origin}/introduction/`);
  await server.settled();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await new Promise<void>((resolve) => (notKubernetes === undefined ? resolve() : notKubernetes.close(() => resolve())));
  if (tmp !== undefined) await rm(tmp, { recursive: true, force: true });
});

async function open(path: string): Promise<void> {
  await openPage(page, `${server.origin}${path}`);
}

function runbook(id: string): ReturnType<Page['locator']> {
  return page.locator(`section.runbook[data-check="${id}"] runbook-run`);
}

async function runAll(): Promise<void> {
  await page.getByRole('button', { name: 'Run all checks', exact: true }).click();
  await page.locator('meshbook-runner:not([state="running"])').waitFor({ timeout: 45_000 });
}

describe('a result larger than the stream allows', () => {
  it('is cut on the page with "N more findings not shown", and "Run all" still fills every runbook', async () => {
    await open('/introduction/');
    await runAll();
    expect(await page.locator('meshbook-runner').getAttribute('state')).toBe('done');
    expect(await page.locator('[data-progress]').textContent()).toMatch(/^4 of 4 checks done against demo cluster snapshot: /);
    for (const id of PAGE_CHECKS) expect(await runbook(id).getAttribute('state'), id).toBe('done');
    const cut = await page.locator('runbook-run .rb-reason[data-truncated]').allTextContents();
    expect(cut.length).toBeGreaterThan(0);
    for (const text of cut) expect(text).toMatch(/^\d+ more findings? not shown; run the CLI for the full list\.$/);
    // A runbook whose findings were all cut does not read as an all-clear.
    const summaries = await page.locator('runbook-run:has(.rb-reason[data-truncated]) .rb-summary').allTextContents();
    for (const text of summaries) expect(text).toMatch(/^\d+ findings? · /);
  });

  it('leaves out the reachability matrix with a note, and the result still shows', async () => {
    await open('/network-layers/r3-l3-reachability/');
    const card = runbook('mesh-reachability');
    await card.getByRole('button', { name: 'Run this check', exact: true }).click();
    await page.locator('runbook-run[check="mesh-reachability"]:not([state="running"])').waitFor({ timeout: 45_000 });
    expect(await card.getAttribute('state')).toBe('done');
    expect(await card.locator('.rb-status-word').textContent()).toBe('Warning');
    expect(await card.locator('.rb-reason[data-trimmed]').textContent()).toMatch(
      /larger than the page's stream allows \(8 KiB\): the reachability matrix .* is left out\. Run the CLI for the full result: npx meshbook check --check mesh-reachability$/,
    );
    expect(await card.locator('figure.mb-matrix').count()).toBe(0);
  });
});

describe('cluster text with bidi-override and zero-width characters', () => {
  it('is shown escaped and bidi-isolated in live results', async () => {
    await open('/introduction/');
    await page.locator('#meshbook-target').selectOption({ label: BIDI });
    // One by one: each result alone fits the small stream limit this server runs with.
    for (const id of ['gateway-ports', 'sidecar-injection']) {
      await runbook(id).getByRole('button', { name: 'Run this check', exact: true }).click();
      await page.locator(`runbook-run[check="${id}"][state="done"]`).waitFor({ timeout: 45_000 });
    }
    const gateway = runbook('gateway-ports');
    expect(await gateway.locator('.rb-resource').allTextContents()).toEqual(['Gateway shop/gw\\u202eeteled']);
    expect(await gateway.locator('.rb-message').textContent()).toBe('Referenced selector not found: "istio=in\\u061cgress\\ufeff"');
    const sidecar = runbook('sidecar-injection');
    expect(await sidecar.locator('.rb-resource').allTextContents()).toEqual(['Pod shop/pay\\u200bments\\u202e']);
    // The delete command reads as it will run, its name's characters spelled out.
    expect(await sidecar.locator('.rb-remediation code').first().textContent()).toBe('kubectl -n shop delete pod pay\\u200bments\\u202e');
    expect(await sidecar.locator('.rb-evidence dd').allTextContents()).toContain('\\u2066eurt');
    for (const id of ['gateway-ports', 'sidecar-injection']) expect(RAW.test((await runbook(id).textContent()) ?? ''), id).toBe(false);
    expect(await gateway.locator('.rb-reason[data-truncated]').count()).toBe(0);
    expect(await sidecar.locator('.rb-reason[data-truncated]').count()).toBe(0);
    // Each element that holds cluster text is its own bidi island.
    for (const selector of ['.rb-resource', '.rb-message', '.rb-remediation code', '.rb-evidence dd']) {
      expect(
        await sidecar
          .locator(selector)
          .first()
          .evaluate((el) => getComputedStyle(el).unicodeBidi),
        selector,
      ).toBe('isolate');
    }
  });

  it('is shown escaped in recorded results, in the server-rendered HTML', async () => {
    const html = await (await fetch(`${server.origin}/introduction/`)).text();
    expect(RAW.test(html)).toBe(false);
    await open('/introduction/');
    const recorded = page.locator('section.runbook[data-check="gateway-ports"] .mb-recorded');
    expect(await recorded.locator('.rb-resource').textContent()).toBe('Gateway shop/gw\\u202eeteled');
    // The same renderer as the live result: the command in a code span, no raw backticks.
    expect(await recorded.locator('.rb-remediation').textContent()).toBe(
      'What to do: Run kubectl -n shop delete gateway gw\\u202eeteled only if it is unused.',
    );
    expect(await recorded.locator('.rb-remediation code').textContent()).toBe('kubectl -n shop delete gateway gw\\u202eeteled');
    expect(await recorded.locator('.mb-recorded-head strong').textContent()).toBe('staging\\u202eue');
    expect(await recorded.locator('.rb-read').textContent()).toBe('Read 12 objects of 3 kinds.');
    expect(await recorded.locator('.rb-resource').evaluate((el) => getComputedStyle(el).unicodeBidi)).toBe('isolate');
  });
});

describe('several runbooks run at once', () => {
  it('each ends with its result; none cancels another, and a third waits its turn', async () => {
    await open('/introduction/');
    // The demo, whatever an earlier test picked (the page remembers the last choice).
    await page.locator('#meshbook-target').selectOption('demo');
    const requests: string[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/__meshbook/run')) requests.push(r.postData() ?? '');
    });
    const ids = ['gateway-ports', 'sidecar-injection', 'service-endpoints'];
    for (const id of ids) await runbook(id).getByRole('button', { name: 'Run this check', exact: true }).click();
    for (const id of ids) await page.locator(`runbook-run[check="${id}"]:not([state="running"])`).waitFor({ timeout: 45_000 });
    for (const id of ids) {
      expect(await runbook(id).getAttribute('state'), id).toBe('done');
      expect(await runbook(id).textContent(), id).not.toMatch(/Cancelled|refused/);
    }
    expect(requests.map((r) => (JSON.parse(r) as { checks: string[] }).checks)).toEqual(ids.map((id) => [id]));
    // The one runbook not clicked was never touched.
    expect(await runbook('control-plane-health').getAttribute('state')).toBe('idle');
  });
});

describe('a cluster that cannot be read', () => {
  for (const [context, what] of [
    ['not-kube', 'a web server that is not Kubernetes'],
    ['down', 'an unreachable API server'],
  ] as const) {
    it(`says so once for "Run all" (${what}); the runbooks say "Not run" and no data time shows`, async () => {
      await open('/introduction/');
      await page.locator('#meshbook-target').selectOption(`context:${context}`);
      await runAll();
      const banners = page.locator('.rb-problem');
      expect(await banners.count()).toBe(1);
      expect(await page.locator('meshbook-runner [data-run-problem]').count()).toBe(1);
      const message = (await banners.locator('.rb-problem-message').textContent()) ?? '';
      expect(message.length).toBeGreaterThan(10);
      // The reason is on the page once, not once per runbook.
      const body = (await page.locator('meshbook-runner, runbook-run').allTextContents()).join('\n');
      expect(body.split(message).length - 1).toBe(1);
      for (const id of PAGE_CHECKS) {
        const card = runbook(id);
        expect(await card.getAttribute('not-run'), id).toBe('');
        expect(await card.locator('.rb-outcome').textContent(), id).toBe('Not runthe cluster could not be read (see above)');
      }
      expect(await page.locator('[data-freshness]').isHidden()).toBe(true);
      expect(body).not.toMatch(/Data from|Passed/);
      expect(await page.locator('[data-progress]').textContent()).toMatch(
        /^Not run against context down|^Not run against context not-kube/,
      );
    });
  }

  it('says so in the runbook itself when one runbook runs', async () => {
    await open('/introduction/');
    await page.locator('#meshbook-target').selectOption('context:down');
    const card = runbook('gateway-ports');
    await card.getByRole('button', { name: 'Run this check', exact: true }).click();
    await page.locator('runbook-run[check="gateway-ports"]:not([state="running"])').waitFor({ timeout: 45_000 });
    expect(await card.locator('.rb-problem').count()).toBe(1);
    expect(await page.locator('.rb-problem').count()).toBe(1);
    expect(await card.textContent()).not.toMatch(/Passed|Data from/);
  });
});
