// What-if from the page, in a real browser against a real dev server and the demo: proposed
// YAML pasted into the "Run all" panel is applied over the target for that run, the page says
// what the change adds and fixes, and a YAML problem stops the run with one line naming it.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchBrowser, openPage, type Browser } from '../../tools/site/browser.ts';
import { REPO_ROOT, startDevServer, type DevServer } from '../../tools/site/dev-server.ts';

const PAGE = '/network-layers/r3-l3-reachability/';
const FIXTURES = join(REPO_ROOT, 'test', 'cli', 'fixtures', 'what-if');

let server: DevServer;
let browser: Browser;
let page: Page;
const requests: string[] = [];

beforeAll(async () => {
  server = await startDevServer();
  browser = await launchBrowser();
  page = await browser.context.newPage();
  page.on('request', (r) => {
    if (r.url().endsWith('/__meshbook/run')) requests.push(r.postData() ?? '');
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function runAllWith(yaml: string): Promise<void> {
  await openPage(page, `${server.origin}${PAGE}`);
  await page.locator('#meshbook-target').selectOption('demo');
  await page.locator('textarea[data-with-yaml]').fill(yaml);
  await page.getByRole('button', { name: 'Run all checks', exact: true }).click();
  await page.locator('meshbook-runner:not([state="running"])').waitFor({ timeout: 45_000 });
}

describe('what-if on the page', () => {
  it('applies a replacement NetworkPolicy: the fixed finding is listed and the runbook shows the run with the change', async () => {
    // Without the change the demo's R3 fault is there.
    await runAllWith('');
    const card = page.locator('runbook-run[check="mesh-reachability"]');
    expect(await card.locator('.rb-status-word').textContent()).toBe('Warning');
    expect(await page.locator('[data-what-if]').count()).toBe(0);

    requests.length = 0;
    await runAllWith(await readFile(join(FIXTURES, 'fix-ratings.yaml'), 'utf8'));
    expect(JSON.parse(requests.at(-1) ?? '{}').withYaml).toContain('name: ratings-from-reviews-v2');
    expect(await page.locator('meshbook-runner').getAttribute('state')).toBe('done');
    const box = page.locator('[data-what-if]');
    // This page embeds one check (mesh-reachability): the change fixes its finding on ratings.
    expect(await box.locator('.rb-what-if-head').textContent()).toBe('What-if: 0 added, 1 fixed');
    expect(await box.locator('li[data-change="added"]').count()).toBe(0);
    const fixed = await box.locator('li[data-change="fixed"]').allTextContents();
    expect(fixed).toHaveLength(1);
    expect(fixed[0]).toMatch(
      /^warning MB0401 NetworkPolicy bookinfo\/ratings-from-reviews-v2 — 7 meshed workload\(s\) cannot reach Service bookinfo\/ratings port 9080/,
    );
    // The demo's ambient fault (orders/payments-ingress) is not touched by this change and stays.
    expect(await card.locator('.rb-status-word').textContent()).toBe('Warning');
    expect(await card.textContent()).not.toContain('NetworkPolicy bookinfo/ratings-from-reviews-v2');
    expect(await card.textContent()).toContain('NetworkPolicy orders/payments-ingress');
    expect(await page.locator('[data-progress]').textContent()).toMatch(
      /^1 of 1 checks done against demo cluster snapshot with the pasted YAML applied: /,
    );
  });

  it('adds findings for a change that breaks reachability', async () => {
    await runAllWith(await readFile(join(FIXTURES, 'lock-productpage-egress.yaml'), 'utf8'));
    expect(await page.locator('[data-what-if] .rb-what-if-head').textContent()).toMatch(/^What-if: [1-9]\d* added, 0 fixed$/);
    expect(await page.locator('[data-what-if] li[data-change="added"]').first().textContent()).toMatch(
      /NetworkPolicy bookinfo\/productpage-egress-dns-only — /,
    );
  });

  it('stops on malformed YAML with one line naming the line, and runs nothing', async () => {
    // Line 5 is indented one space too far.
    await runAllWith(
      [
        'apiVersion: networking.k8s.io/v1',
        'kind: NetworkPolicy',
        'metadata:',
        '  name: broken',
        '   namespace: bookinfo',
        'spec: {}',
        '',
      ].join('\n'),
    );
    expect(await page.locator('meshbook-runner').getAttribute('state')).toBe('error');
    const progress = (await page.locator('[data-progress]').textContent()) ?? '';
    expect(progress).toMatch(/^Stopped: The what-if YAML cannot be applied: pasted YAML:5: invalid YAML: bad indentation/);
    expect(await page.locator('[data-what-if]').count()).toBe(0);
    const card = page.locator('runbook-run[check="mesh-reachability"]');
    expect(await card.getAttribute('state')).toBe('error');
    expect(await card.locator('.rb-summary').textContent()).toMatch(/pasted YAML:5: invalid YAML/);
  });
});
