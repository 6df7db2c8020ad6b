// A kubeconfig context in a real browser against a real dev server: the selector lists the
// contexts (current one marked, and selected by default) after the demo snapshot, remembers
// the reader's choice across reloads, the page spells out the chosen
// cluster and context, a check runs against the fake API server on 127.0.0.1 and its result
// is labelled with the context, the data's time is shown with a refresh, and Cancel stops a
// run whose API request hangs (the server aborts the request).

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DEMO_DIR, startFakeCluster, writeKubeconfig } from '../helpers/fake-cluster.ts';
import type { FakeApiServer } from '../live/fake-apiserver.ts';
import { launchBrowser, openPage, type Browser } from '../../tools/site/browser.ts';
import { startDevServer, type DevServer } from '../../tools/site/dev-server.ts';

let tmp: string;
let fake: FakeApiServer;
let hang: FakeApiServer;
let server: DevServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'meshbook-e2e-live-'));
  fake = await startFakeCluster([DEMO_DIR]);
  hang = await startFakeCluster([DEMO_DIR], { faults: { pods: 'hang' } });
  const kubeconfig = await writeKubeconfig(
    join(tmp, 'kubeconfig'),
    [
      { name: 'fake-ctx', cluster: 'fake-cluster', server: fake.url },
      { name: 'hang-ctx', cluster: 'hang-cluster', server: hang.url },
    ],
    'fake-ctx',
  );
  server = await startDevServer({ KUBECONFIG: kubeconfig });
  browser = await launchBrowser();
  page = await browser.context.newPage();
  // Once, so the tests' page loads see a settled server (see DevServer.settled).
  await page.goto(`${server.origin}/introduction/`);
  await server.settled();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await fake?.close();
  await hang?.close();
  if (tmp !== undefined) await rm(tmp, { recursive: true, force: true });
});

async function openIntroduction(): Promise<void> {
  await openPage(page, `${server.origin}/introduction/`);
}

const checked = async (): Promise<string> => page.locator('#meshbook-target').evaluate((s: HTMLSelectElement) => s.value);

describe('the target selected when a page opens', () => {
  it('is the last one this browser picked, across reloads and pages; a remembered target that is gone falls back to the current context', async () => {
    await openIntroduction();
    expect(await checked()).toBe('context:fake-ctx');
    await page.locator('#meshbook-target').selectOption('demo');
    await openIntroduction();
    expect(await checked()).toBe('demo');
    expect(await page.locator('[data-target-info]').textContent()).toBe('Snapshot: demo cluster snapshot (files; nothing live is read).');
    await page.reload();
    await page.waitForFunction(() => customElements.get('meshbook-runner') !== undefined);
    expect(await checked()).toBe('demo');
    // A run goes to the remembered target.
    const requests: string[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/__meshbook/run')) requests.push(r.postData() ?? '');
    });
    const card = page.locator('section.runbook[data-check="gateway-ports"]');
    await card.getByRole('button', { name: 'Run this check', exact: true }).click();
    await card.locator('runbook-run[state="done"]').waitFor({ timeout: 30_000 });
    expect(JSON.parse(requests[0]!)).toMatchObject({ target: 'demo' });

    // A context removed from the kubeconfig since: the default again.
    await page.evaluate(() => localStorage.setItem('meshbook.target', 'context:removed-ctx'));
    await openIntroduction();
    expect(await checked()).toBe('context:fake-ctx');
    await page.evaluate(() => localStorage.removeItem('meshbook.target'));
  });
});

describe('a kubeconfig context on the dev server', () => {
  it('selects the current context by default, shows it, runs a check against it and labels the result with it', async () => {
    await openIntroduction();
    const select = page.locator('#meshbook-target');
    expect((await select.locator('option:checked').textContent())?.trim()).toBe('fake-ctx (current context) — fake-cluster');
    const contexts = await select.locator('optgroup[label="Kubeconfig contexts"] option').allTextContents();
    expect(contexts.map((c) => c.trim())).toEqual(['fake-ctx (current context) — fake-cluster', 'hang-ctx — hang-cluster']);

    expect(await page.locator('[data-target-info]').textContent()).toBe(
      `Live cluster fake-cluster at ${fake.url}, kubeconfig context fake-ctx (the current context). Checks only read.`,
    );

    const requests: string[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/__meshbook/run')) requests.push(r.postData() ?? '');
    });
    const card = page.locator('section.runbook[data-check="gateway-ports"]');
    await card.getByRole('button', { name: 'Run this check', exact: true }).click();
    await card.locator('runbook-run[state="done"]').waitFor({ timeout: 30_000 });
    const body = JSON.parse(requests[0]!) as { target: string; fingerprint?: string };
    expect(body.target).toBe('context:fake-ctx');
    expect(body.fingerprint).toMatch(/\S/);
    expect(await card.locator('runbook-run .rb-status-word').textContent()).toBe('Warning');
    expect(await card.locator('runbook-run .rb-summary').textContent()).toContain('context fake-ctx (cluster fake-cluster)');
    expect(fake.requests.some((r) => r.url.startsWith('/api/v1/services'))).toBe(true);

    // How old the data is, with a refresh that reads the cluster again.
    const freshness = page.locator('[data-freshness]');
    expect(await freshness.isVisible()).toBe(true);
    expect(await page.locator('[data-freshness-text]').textContent()).toMatch(/^Data from \d\d:\d\d:\d\d/);
    const before = fake.requests.length;
    await page.getByRole('button', { name: 'refresh', exact: true }).click();
    await page.locator('meshbook-runner[state="done"]').waitFor({ timeout: 30_000 });
    expect(JSON.parse(requests.at(-1)!)).toMatchObject({ target: 'context:fake-ctx', refresh: true });
    expect(fake.requests.length).toBeGreaterThan(before);
  });

  it('explains a blocked matrix cell against the live context (the explain request names that context)', async () => {
    await openPage(page, `${server.origin}/network-layers/r3-l3-reachability/`, ['runbook-run']);
    await page.locator('#meshbook-target').selectOption('context:fake-ctx');
    const card = page.locator('section.runbook[data-check="mesh-reachability"]');
    await card.getByRole('button', { name: 'Run this check', exact: true }).click();
    await card.locator('runbook-run[state="done"]').waitFor({ timeout: 30_000 });
    const explains: string[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/__meshbook/explain')) explains.push(r.postData() ?? '');
    });
    const figure = card.locator('.runbook-results figure.mb-matrix');
    const cell = figure.locator('td.mb-mx-pair[data-row="bookinfo/productpage-v1"][data-column="bookinfo/ratings:9080"]');
    expect(await cell.getAttribute('data-state')).toBe('blocked');
    await cell.click();
    const panel = figure.locator('.mb-matrix-explain');
    await panel.locator('.mb-explain-lines').waitFor({ timeout: 20_000 });
    const lines = await panel.locator('.mb-explain-line').allTextContents();
    expect(lines[0]).toBe('bookinfo/productpage-v1 → Service bookinfo/ratings:9080/TCP: BLOCKED');
    expect(lines.some((l) => l.startsWith('ingress (the destination): blocked'))).toBe(true);
    expect(JSON.parse(explains[0]!)).toMatchObject({ target: 'context:fake-ctx' });
  });

  it('Cancel stops a run whose API request hangs, and the server aborts that request', async () => {
    await openIntroduction();
    await page.locator('#meshbook-target').selectOption('context:hang-ctx');
    const cancel = page.getByRole('button', { name: 'Cancel', exact: true });
    expect(await cancel.isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Run all checks', exact: true }).click();
    await expect.poll(() => hang.requests.some((r) => r.url.includes('/pods')), { timeout: 30_000 }).toBe(true);
    await cancel.click();
    await page.locator('meshbook-runner[state="error"]').waitFor({ timeout: 10_000 });
    expect(await page.locator('[data-progress]').textContent()).toBe('Stopped: Cancelled: the run was stopped.');
    expect(await cancel.isVisible()).toBe(false);
    await expect.poll(() => hang.abandoned, { timeout: 10_000 }).toBeGreaterThan(0);
  });
});
