// Several clusters in one run from the page: the selector offers the two-cluster demo in its own
// group, a check run over it names the cluster of each resource in its rows, and two kubeconfig
// contexts ticked under "+ Check several contexts together" become one target whose run reads both.

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
let east: FakeApiServer;
let west: FakeApiServer;
let server: DevServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'meshbook-e2e-fleet-'));
  east = await startFakeCluster([DEMO_DIR]);
  west = await startFakeCluster([DEMO_DIR]);
  const kubeconfig = await writeKubeconfig(
    join(tmp, 'kubeconfig'),
    [
      { name: 'east-ctx', cluster: 'east-cluster', server: east.url },
      { name: 'west-ctx', cluster: 'west-cluster', server: west.url },
    ],
    'east-ctx',
  );
  server = await startDevServer({ KUBECONFIG: kubeconfig });
  browser = await launchBrowser();
  page = await browser.context.newPage();
  await page.goto(`${server.origin}/introduction/`);
  await server.settled();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await east?.close();
  await west?.close();
  if (tmp !== undefined) await rm(tmp, { recursive: true, force: true });
});

describe('several clusters on the page', () => {
  it('runs the two-cluster demo and names the cluster of each resource', async () => {
    await openPage(page, `${server.origin}/concepts/multicluster/`, ['runbook-run']);
    const select = page.locator('#meshbook-target');
    const fleets = await select.locator('optgroup[label="Several clusters"] option').allTextContents();
    expect(fleets.map((t) => t.trim())).toEqual(['demo (2 clusters)', 'every context (east-ctx + west-ctx)']);
    await select.selectOption('demo-multicluster');
    expect(await page.locator('[data-target-info]').textContent()).toBe(
      'Several clusters: east + west, checked in one run (each finding names its cluster).',
    );
    const card = page.locator('section.runbook[data-check="remote-secrets"]');
    await card.getByRole('button', { name: 'Run this check', exact: true }).click();
    await card.locator('runbook-run[state="done"]').waitFor({ timeout: 30_000 });
    expect(await card.locator('runbook-run .rb-status-word').textContent()).toBe('Failed');
    expect(await card.locator('runbook-run .rb-resource').allTextContents()).toContain('west: Deployment istio-system/istiod');
  });

  it('checks two ticked contexts together: one run reads both clusters', async () => {
    await openPage(page, `${server.origin}/introduction/`, ['runbook-run']);
    await page.getByText('+ Check several contexts together').click();
    for (const name of ['east-ctx', 'west-ctx']) await page.locator(`[data-context-picker] input[value="${name}"]`).check();
    await page.getByRole('button', { name: 'Use these', exact: true }).click();
    expect(await page.locator('#meshbook-target').evaluate((s: HTMLSelectElement) => s.value)).toBe('contexts:east-ctx+west-ctx');
    const requests: string[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/__meshbook/run')) requests.push(r.postData() ?? '');
    });
    const [eastBefore, westBefore] = [east.requests.length, west.requests.length];
    const card = page.locator('section.runbook[data-check="gateway-ports"]');
    await card.getByRole('button', { name: 'Run this check', exact: true }).click();
    await card.locator('runbook-run[state="done"]').waitFor({ timeout: 30_000 });
    expect(JSON.parse(requests[0]!)).toMatchObject({
      target: 'contexts:east-ctx+west-ctx',
      fingerprint: expect.stringMatching(/^\S+ \S+$/),
    });
    const rows = await card.locator('runbook-run .rb-resource').allTextContents();
    expect(rows.some((r) => r.startsWith('east-ctx: '))).toBe(true);
    expect(rows.some((r) => r.startsWith('west-ctx: '))).toBe(true);
    expect(east.requests.length).toBeGreaterThan(eastBefore);
    expect(west.requests.length).toBeGreaterThan(westBefore);
  });
});
