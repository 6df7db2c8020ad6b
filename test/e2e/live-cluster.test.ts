// The page against a real kube-apiserver (etcd + kube-apiserver from tools/cluster, loaded with the
// demo cluster's objects): the dev server's kubeconfig holds the least-privilege viewer, whose
// context is the default target; "Run all checks" reads the cluster, each live result takes the
// recorded one's place, the scoreboard counts what the page shows, and a fix is drawn as
// Starlight's code block. Skipped, with the reason, when the cluster binaries are not built.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { loadObjects as readFixtures } from '../../src/cluster/yaml-source.ts';
import { findClusterBinaries, loadObjects, startCluster, type TestCluster } from '../../tools/cluster/harness.ts';
import { launchBrowser, openPage, type Browser } from '../../tools/site/browser.ts';
import { REPO_ROOT, startDevServer, type DevServer } from '../../tools/site/dev-server.ts';
import { join } from 'node:path';

const binaries = findClusterBinaries();
const PATH = '/network-layers/r5-control-ports/';

let cluster: TestCluster;
let server: DevServer;
let browser: Browser;
let page: Page;

describe.skipIf(binaries === undefined)('the page against a real kube-apiserver', () => {
  beforeAll(async () => {
    cluster = await startCluster({ binaries: binaries! });
    const { objects } = await readFixtures([join(REPO_ROOT, 'runbooks', 'demo-cluster')]);
    await loadObjects(cluster.admin, objects);
    server = await startDevServer({ KUBECONFIG: cluster.viewerKubeconfig });
    browser = await launchBrowser();
    page = await browser.context.newPage();
    await page.goto(`${server.origin}${PATH}`);
    await server.settled();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await cluster?.stop();
  });

  it('runs every runbook of the page live: the live results replace the recorded ones, and the scoreboard counts them', async () => {
    await openPage(page, `${server.origin}${PATH}`, ['runbook-run']);
    // The kubeconfig's current context is the default target.
    expect(await page.locator('#meshbook-target').evaluate((s: HTMLSelectElement) => s.value)).toMatch(/^context:/);
    const runbooks = page.locator('section.runbook');
    const count = await runbooks.count();
    expect(count).toBeGreaterThan(0);

    await page.getByRole('button', { name: 'Run all checks', exact: true }).click();
    await page.locator('meshbook-runner[state="done"]').waitFor({ timeout: 60_000 });

    for (let i = 0; i < count; i++) {
      const section = runbooks.nth(i);
      const label = `runbook ${await section.getAttribute('data-check')}`;
      expect(await section.locator('runbook-run .rb-live-label').textContent(), label).toBe('Live result · this run');
      expect(await section.locator('runbook-run .rb-summary').textContent(), label).toMatch(/context /);
      // The recording is folded, one click away, and marked as superseded.
      const recorded = section.locator('details.mb-recorded');
      if ((await recorded.count()) > 0) {
        expect(await recorded.evaluate((d: HTMLDetailsElement) => d.open), label).toBe(false);
        expect(await recorded.getAttribute('data-superseded'), label).toBe('');
      }
    }

    const board = page.locator('[data-scoreboard]');
    const chips = await board.locator('.mb-board-chip').allTextContents();
    expect(chips.reduce((n, c) => n + Number.parseInt(c, 10), 0)).toBe(count);
    const shown = await page.locator('runbook-run li.rb-finding').count();
    expect(shown).toBeGreaterThan(0);
    expect(await board.locator('[data-findings]').getAttribute('data-findings')).toBe(String(shown));

    // The control-plane port fix, read from the live cluster, as Expressive Code's block.
    const fix = page.locator('section.runbook[data-check="control-ports"] runbook-run li.rb-finding[data-key^="MB0601"]').first();
    expect(await fix.locator('.mb-fix-code .expressive-code figure.frame').count()).toBe(2);
  });
});
