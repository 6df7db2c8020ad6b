// The guide in a real browser against a real dev server: the landing page, one runbook
// run inline, "Run all checks" with progress, and cluster markup rendered as text.

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { YamlSource } from '../../src/cluster/yaml-source.ts';
import { runChecks } from '../../src/engine/runner.ts';
import type { CheckResult } from '../../src/engine/types.ts';
import { getCheck } from '../../runbooks/index.ts';
import { launchBrowser, openPage, type Browser } from '../../tools/site/browser.ts';
import { REPO_ROOT, startDevServer, type DevServer } from '../../tools/site/dev-server.ts';

const HOSTILE = 'hostile markup';
const STATUS_WORDS = { pass: 'Passed', warn: 'Warning', fail: 'Failed', error: 'Error', skipped: 'Skipped' } as const;
const PAGE_CHECKS = ['sidecar-injection', 'control-plane-health', 'gateway-ports', 'service-endpoints'];

let server: DevServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  server = await startDevServer({ MESHBOOK_EXTRA_TARGETS: `${HOSTILE}=test/fixtures/e2e/hostile-markup.yaml` });
  browser = await launchBrowser();
  page = await browser.context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

// What the engine itself says about a check on the demo snapshot: the page must show the same.
async function expected(id: string): Promise<CheckResult> {
  const report = await runChecks([getCheck(id)!], new YamlSource([join(REPO_ROOT, 'runbooks', 'demo-cluster')], 'demo cluster snapshot'));
  return report.checks[0]!;
}

function friendly(r: { kind: string; namespace?: string; name: string }): string {
  return r.namespace === undefined ? `${r.kind} ${r.name}` : `${r.kind} ${r.namespace}/${r.name}`;
}

function runbook(id: string): ReturnType<Page['locator']> {
  return page.locator(`section.runbook[data-check="${id}"]`);
}

async function openIntroduction(): Promise<void> {
  // The island is a module script: openPage waits until the custom elements are defined (and
  // reloads once if the dev server's first dependency optimisation reloaded the page under it).
  await openPage(page, `${server.origin}/introduction/`);
}

describe('the guide on the dev server', () => {
  it('opens on the Introduction to Network Operations page', async () => {
    await openPage(page, `${server.origin}/`);
    expect(new URL(page.url()).pathname).toBe('/introduction/');
    expect((await page.locator('h1#_top').textContent())?.trim()).toBe('Introduction to Network Operations');
    // Four runbooks, each with exactly one button whose accessible name is "Run this check".
    expect(await page.getByRole('button', { name: 'Run this check', exact: true }).count()).toBe(PAGE_CHECKS.length);
    for (const id of PAGE_CHECKS) expect(await runbook(id).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Run all checks', exact: true }).count()).toBe(1);
    const target = page.locator('#meshbook-target');
    expect(await target.locator('option:checked').textContent()).toBe('demo cluster snapshot');
  });

  it('runs one check inline and draws its status word and findings', async () => {
    await openIntroduction();
    const want = await expected('gateway-ports');
    const card = runbook('gateway-ports');
    await card.getByRole('button', { name: 'Run this check', exact: true }).click();
    await card.locator('runbook-run[state="done"]').waitFor({ timeout: 30_000 });
    expect(await card.locator('runbook-run .rb-status-word').textContent()).toBe(STATUS_WORDS[want.status]);
    const resources = await card.locator('runbook-run .rb-resource').allTextContents();
    expect(resources).toEqual(want.findings.map((f) => friendly(f.resource)));
    // The demo cluster has a deliberate gateway fault, so there is a finding to look at.
    expect(want.findings.length).toBeGreaterThan(0);
    {
      const first = card.locator('runbook-run .rb-finding').first();
      const f = want.findings[0]!;
      expect(await first.locator('.rb-code').textContent()).toBe(f.code);
      expect(await first.locator('.rb-code').getAttribute('href')).toBe(`/reference/codes/${f.code.toLowerCase()}/`);
      // Paired `backticks` become <code> elements, so the text reads without them.
      expect(await first.locator('.rb-message').textContent()).toBe(
        f.message.split('`').length % 2 === 1 ? f.message.replaceAll('`', '') : f.message,
      );
      expect(await first.getByRole('link', { name: 'Read the guide section' }).getAttribute('href')).toBe(
        '/concepts/gateways/#gateway-ports',
      );
    }
    // Only this runbook ran.
    expect(await page.locator('runbook-run[state="done"]').count()).toBe(1);
  });

  it('"Run all checks" fills every runbook from one streamed run, with progress', async () => {
    await openIntroduction();
    // Record every progress text the page shows while the run streams in.
    await page.evaluate(() => {
      const progress = document.querySelector('[data-progress]')!;
      const seen: string[] = [];
      (window as unknown as { __progress: string[] }).__progress = seen;
      // Read each record's new text node, so texts set within one task are all seen.
      new MutationObserver((records) => {
        for (const r of records) for (const n of r.addedNodes) seen.push(n.textContent ?? '');
      }).observe(progress, { childList: true, subtree: true });
    });
    const requests: string[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/__meshbook/run')) requests.push(r.postData() ?? '');
    });
    await page.getByRole('button', { name: 'Run all checks', exact: true }).click();
    await page.locator('meshbook-runner[state="done"]').waitFor({ timeout: 30_000 });

    expect(requests).toHaveLength(1);
    expect(JSON.parse(requests[0]!)).toEqual({ checks: PAGE_CHECKS, target: 'demo' });
    const seen = await page.evaluate(() => (window as unknown as { __progress: string[] }).__progress);
    for (let n = 1; n < PAGE_CHECKS.length; n++) expect(seen).toContain(`${n} of ${PAGE_CHECKS.length} checks done`);
    const final = await page.locator('[data-progress]').textContent();
    expect(final).toMatch(new RegExp(`^${PAGE_CHECKS.length} of ${PAGE_CHECKS.length} checks done against demo cluster snapshot: `));

    for (const id of PAGE_CHECKS) {
      const want = await expected(id);
      const card = runbook(id);
      expect(await card.locator('runbook-run').getAttribute('state')).toBe('done');
      expect(await card.locator('runbook-run .rb-status-word').textContent()).toBe(STATUS_WORDS[want.status]);
      expect(await card.locator('runbook-run .rb-finding').count()).toBe(want.findings.length);
    }
  });

  it('renders markup from cluster objects as text, never as elements', async () => {
    await openIntroduction();
    let dialogs = 0;
    page.on('dialog', (d) => {
      dialogs++;
      void d.dismiss();
    });
    await page.locator('#meshbook-target').selectOption({ label: HOSTILE });
    await page.getByRole('button', { name: 'Run all checks', exact: true }).click();
    await page.locator('meshbook-runner[state="done"]').waitFor({ timeout: 30_000 });

    const gateway = runbook('gateway-ports');
    expect(await gateway.locator('runbook-run .rb-status-word').textContent()).toBe('Failed');
    expect(await gateway.locator('runbook-run .rb-resource').allTextContents()).toEqual(['Gateway shop/<svg onload="window.__pwned=2">']);
    expect(await gateway.locator('runbook-run .rb-evidence dd').first().textContent()).toBe('istio=<script>window.__pwned=3</script>');

    const sidecar = runbook('sidecar-injection');
    expect(await sidecar.locator('runbook-run .rb-resource').allTextContents()).toContain('Pod shop/<b>bold-pod</b>');
    expect(await sidecar.locator('runbook-run .rb-evidence dd').allTextContents()).toContain(
      '<img src=x onerror="document.title=&quot;pwned&quot;;window.__pwned=1">',
    );

    // Nothing from the snapshot became an element, and no injected script ran.
    expect(await page.locator('.runbook-results img, .runbook-results svg, .runbook-results script, .runbook-results b').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.title()).not.toBe('pwned');
    expect(dialogs).toBe(0);
  });
});
