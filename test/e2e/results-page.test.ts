// Results a reader can act on, in a real browser: a live run replaces the recorded result of its
// runbook (the recording one click away, saying how it differs), "Run all" leaves a scoreboard
// (counts, failing runbooks linked, passed ones on one line, a severity filter), and finding
// cards fit a 390 px phone screen in light and dark mode.

import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { YamlSource } from '../../src/cluster/yaml-source.ts';
import { runChecks } from '../../src/engine/runner.ts';
import type { RunReport } from '../../src/engine/types.ts';
import { buildRecord, checkSourceFiles } from '../../src/publish/record.ts';
import { scratchDir } from '../../src/publish/astro-build.ts';
import { CHECKS } from '../../runbooks/index.ts';
import { launchBrowser, type Browser } from '../../tools/site/browser.ts';
import { REPO_ROOT, startDevServer, type DevServer } from '../../tools/site/dev-server.ts';

const INTRO = ['sidecar-injection', 'control-plane-health', 'gateway-ports', 'service-endpoints'];
// The page whose long findings (rules, commands) overflowed a phone screen.
const WIDE_PAGE = '/network-layers/r4-firewall-rules/';
const SHOTS = process.env.MESHBOOK_SCREENSHOTS;

let scratch = '';
let server: DevServer;
let browser: Browser;
let page: Page;
let live: RunReport;

beforeAll(async () => {
  live = await runChecks(CHECKS, new YamlSource([join(REPO_ROOT, 'runbooks', 'demo-cluster')], 'demo cluster snapshot'));
  // A record of the demo that differs from today's run for sidecar-injection: one finding it
  // lacks (new in the live run) and one the live run does not have (gone).
  const recorded = structuredClone(live);
  const sidecar = recorded.checks.find((c) => c.id === 'sidecar-injection')!;
  expect(sidecar.findings.length).toBeGreaterThan(0);
  const [first] = sidecar.findings.splice(0, 1);
  sidecar.findings.push({ ...first!, message: 'A finding of an older run', resource: { kind: 'Pod', namespace: 'gone', name: 'old-pod' } });
  const files = await checkSourceFiles(join(REPO_ROOT, 'runbooks'));
  const sources = new Map<string, string>();
  for (const c of CHECKS) sources.set(c.id, await readFile(files.get(c.id)!, 'utf8'));
  scratch = await scratchDir(REPO_ROOT, 'test-e2e-results');
  await mkdir(join(scratch, 'publish', 'records'), { recursive: true });
  await writeFile(
    join(scratch, 'publish', 'records', 'demo.json'),
    JSON.stringify(buildRecord(recorded, { meshbookVersion: '0.0.0-test', sources })),
  );
  server = await startDevServer({ MESHBOOK_PUBLISH_DIR: join(scratch, 'publish'), MESHBOOK_DEV_SEARCH: '0' });
  browser = await launchBrowser();
  page = await browser.context.newPage();
  await page.goto(`${server.origin}/introduction/`);
  await server.settled();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (scratch !== '') await rm(scratch, { recursive: true, force: true });
});

async function open(p: Page, path: string): Promise<void> {
  await p.goto(`${server.origin}${path}`);
  await p.waitForFunction(() => customElements.get('runbook-run') !== undefined && customElements.get('meshbook-runner') !== undefined);
}

async function runAll(p: Page): Promise<void> {
  await p.locator('button[data-run-all]').click();
  await p.waitForSelector('meshbook-runner[state="done"]', { timeout: 120_000 });
}

function section(p: Page, id: string): ReturnType<Page['locator']> {
  return p.locator(`section.runbook[data-check="${id}"]`);
}

describe('a live result replaces the recorded one', () => {
  it('folds the recording to one labelled line that says how this run differs, one click away', async () => {
    await open(page, '/introduction/');
    const card = section(page, 'sidecar-injection');
    const recorded = card.locator('details.mb-recorded');
    expect(await recorded.getAttribute('open')).not.toBeNull();
    expect(await recorded.locator('summary .mb-recorded-label').textContent()).toBe('Recorded result');
    const recordedCount = await recorded.locator('li.rb-finding').count();

    await card.getByRole('button', { name: 'Run this check' }).click();
    await page.waitForSelector('section.runbook[data-check="sidecar-injection"] runbook-run[state="done"]');
    const want = live.checks.find((c) => c.id === 'sidecar-injection')!;
    expect(await card.locator('.rb-live-label').textContent()).toBe('Live result · this run');
    expect(await recorded.getAttribute('open')).toBeNull();
    const summary = ((await recorded.locator('summary').textContent()) ?? '').replace(/\s+/g, ' ');
    expect(summary).toMatch(/^Recorded result · Recorded on \d{4}-\d\d-\d\d \d\d:\d\d UTC against demo cluster snapshot/);
    expect(summary).toContain('differs from this run: 1 new, 1 gone');
    // Every finding once: the live ones shown, the recorded ones folded away.
    const visible = await card.locator('li.rb-finding').evaluateAll((els) => els.filter((e) => e.checkVisibility()).length);
    expect(visible).toBe(want.findings.length);

    await recorded.locator('summary').click();
    expect(await recorded.getAttribute('open')).not.toBeNull();
    expect(await recorded.locator('li.rb-finding').first().isVisible()).toBe(true);
    expect(await recorded.locator('li.rb-finding').count()).toBe(recordedCount);
    // Both drawn by the same code: backtick spans are code elements, no raw backtick in either.
    expect(await card.locator('.rb-remediation').evaluateAll((els) => els.filter((e) => (e.textContent ?? '').includes('`')).length)).toBe(
      0,
    );
  });

  it('says "same findings" when the recording agrees with the run', async () => {
    await open(page, '/introduction/');
    const card = section(page, 'gateway-ports');
    await card.getByRole('button', { name: 'Run this check' }).click();
    await page.waitForSelector('section.runbook[data-check="gateway-ports"] runbook-run[state="done"]');
    expect(await card.locator('details.mb-recorded summary').textContent()).toContain('same findings as this run');
  });
});

describe('the "Run all" scoreboard', () => {
  it('counts by status and severity, links every runbook that did not pass, collapses passes to one line', async () => {
    await open(page, '/introduction/');
    await runAll(page);
    const board = page.locator('meshbook-runner [data-scoreboard]');
    expect(await board.count()).toBe(1);
    const results = live.checks.filter((c) => INTRO.includes(c.id));
    const words = { fail: 'failed', error: 'errored', warn: 'warned', skipped: 'skipped', pass: 'passed' } as const;
    const chips = await board.locator('.mb-board-chip').allTextContents();
    for (const [status, word] of Object.entries(words)) {
      const n = results.filter((c) => c.status === status).length;
      if (n > 0) expect(chips).toContain(`${n} ${word}`);
    }
    const findings = results.flatMap((c) => c.findings);
    expect(await board.locator('.mb-board-findings').getAttribute('data-findings')).toBe(String(findings.length));
    for (const severity of ['error', 'warning'] as const) {
      const n = findings.filter((f) => f.severity === severity).length;
      if (n > 0) expect(await board.locator('.mb-board-findings').textContent()).toContain(`${n} ${severity}`);
    }
    const attention = results.filter((c) => c.status !== 'pass');
    expect(await board.locator('.mb-board-list li').count()).toBe(attention.length);
    for (const c of attention) {
      const link = board.locator(`.mb-board-list li[data-check="${c.id}"] a`);
      expect(await link.getAttribute('href')).toBe(`#runbook-${c.id}`);
    }
    const passed = results.filter((c) => c.status === 'pass');
    expect(await board.locator('.mb-board-passed').count()).toBe(passed.length > 0 ? 1 : 0);
    if (passed.length > 0) expect(await board.locator('.mb-board-passed a').count()).toBe(passed.length);
    // A link goes to its runbook.
    const first = board.locator('.mb-board-list a').first();
    const href = (await first.getAttribute('href'))!;
    await first.click();
    await page.waitForFunction((h) => location.hash === h, href);
  });

  it('filters findings by severity page-wide', async () => {
    const shown = (): Promise<string[]> =>
      page
        .locator('.runbook-results li.rb-finding')
        .evaluateAll((els) => els.filter((e) => e.checkVisibility()).map((e) => (e as HTMLElement).dataset.severity ?? ''));
    const all = await shown();
    expect(all).toContain('error');
    expect(all.some((s) => s !== 'error')).toBe(true);
    await page.getByRole('radio', { name: 'Errors only', exact: true }).check();
    const errors = await shown();
    expect(errors.length).toBeGreaterThan(0);
    expect(new Set(errors)).toEqual(new Set(['error']));
    await page.getByRole('radio', { name: 'Errors and warnings', exact: true }).check();
    expect((await shown()).includes('info')).toBe(false);
    await page.getByRole('radio', { name: 'All', exact: true }).check();
    expect((await shown()).length).toBe(all.length);
  });
});

describe('the page chrome', () => {
  it('wraps long source lines instead of clipping them, and the version button is a menu, not a play button', async () => {
    await open(page, WIDE_PAGE);
    const source = page.locator('details.mb-source').first();
    await source.locator('summary').click();
    const pre = source.locator('pre');
    const [scroll, client] = await pre.evaluate((el) => [el.scrollWidth, el.clientWidth]);
    expect(scroll).toBeLessThanOrEqual(client);
    const summary = page.locator('mb-versions summary, .mb-version-menu summary').first();
    expect(
      await summary.evaluate((el) => getComputedStyle(el).display === 'list-item' && getComputedStyle(el).listStyleType !== 'none'),
    ).toBe(false);
    expect(await summary.evaluate((el) => getComputedStyle(el, '::after').content)).toContain('▾');
  });
});

describe('at 390 px wide', () => {
  for (const scheme of ['light', 'dark'] as const) {
    it(`finding cards and runbooks do not overflow (${scheme})`, async () => {
      const b = await launchBrowser({ colorScheme: scheme });
      try {
        const p = await b.context.newPage();
        await p.setViewportSize({ width: 390, height: 844 });
        for (const path of ['/introduction/', WIDE_PAGE]) {
          await open(p, path);
          await runAll(p);
          // Recorded results too: open every one.
          await p.evaluate(() => document.querySelectorAll('details.mb-recorded').forEach((d) => ((d as HTMLDetailsElement).open = true)));
          const overflow = await p.evaluate(() => {
            const out: string[] = [];
            for (const s of document.querySelectorAll<HTMLElement>('section.runbook')) {
              const right = s.getBoundingClientRect().right;
              if (s.scrollWidth > s.clientWidth) out.push(`${s.id}: ${s.scrollWidth} > ${s.clientWidth}`);
              for (const card of s.querySelectorAll<HTMLElement>('li.rb-finding')) {
                if (!card.checkVisibility()) continue;
                if (card.scrollWidth > card.clientWidth) out.push(`${card.id}: scrollWidth ${card.scrollWidth} > ${card.clientWidth}`);
                if (card.getBoundingClientRect().right > right + 0.5)
                  out.push(`${card.id}: right ${card.getBoundingClientRect().right} > ${right}`);
              }
            }
            if (document.documentElement.scrollWidth > document.documentElement.clientWidth)
              out.push(`page: ${document.documentElement.scrollWidth}`);
            return out;
          });
          expect(overflow, `${path} (${scheme})`).toEqual([]);
          expect(await p.locator('li.rb-finding').count()).toBeGreaterThan(0);
          if (SHOTS !== undefined && path === '/introduction/') {
            await p.evaluate(() => window.scrollTo(0, 0));
            await p.screenshot({ path: join(SHOTS, `run-all-390-${scheme}.png`), fullPage: true });
          }
        }
      } finally {
        await b.close();
      }
    }, 240_000);
  }

  it.runIf(SHOTS !== undefined)('screenshot at 1280 px after "Run all"', async () => {
    await open(page, '/introduction/');
    await runAll(page);
    await page.screenshot({ path: join(SHOTS!, 'run-all-1280.png'), fullPage: true });
  });
});
