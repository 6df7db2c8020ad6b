// The R3 reachability matrix in a real browser: "Run this check" on mesh-reachability draws it
// live under the findings (DOM path), and a recorded result of the same check draws it at
// render time (serializer path); blocked cells link to the finding about the policy that
// blocks them. Screenshots of both themes go to the scratch directory (kept when
// MESHBOOK_SCREENSHOTS names a directory to copy them to).

import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { YamlSource } from '../../src/cluster/yaml-source.ts';
import { runChecks } from '../../src/engine/runner.ts';
import type { CheckResult, ReachabilityMatrix } from '../../src/engine/types.ts';
import { buildRecord } from '../../src/publish/record.ts';
import { scratchDir } from '../../src/publish/astro-build.ts';
import { getCheck } from '../../runbooks/index.ts';
import { launchBrowser, type Browser } from './helpers/browser.ts';
import { REPO_ROOT, startDevServer, type DevServer } from './helpers/dev-server.ts';

const PAGE = '/network-layers/r3-l3-reachability/';
const CHECK = 'mesh-reachability';

let scratch = '';
let server: DevServer;
let browser: Browser;
let page: Page;
let want: CheckResult;
let matrix: ReachabilityMatrix;

beforeAll(async () => {
  const report = await runChecks([getCheck(CHECK)!], new YamlSource([join(REPO_ROOT, 'runbooks', 'demo-cluster')], 'demo cluster snapshot'));
  want = report.checks[0]!;
  matrix = want.attachments![0]!;
  // A recorded result of the same run, so the page also renders it through the serializer.
  scratch = await scratchDir(REPO_ROOT, 'test-e2e-matrix');
  await mkdir(join(scratch, 'publish', 'records'), { recursive: true });
  const record = buildRecord(report, { meshbookVersion: '0.0.0-test', sources: new Map() });
  await writeFile(join(scratch, 'publish', 'records', '2026-11-25-demo.json'), `${JSON.stringify(record, null, 2)}\n`);
  // Without the dev search: its Pagefind UI import can leave the page's module graph on a 504
  // "Outdated Optimize Dep" after Vite re-optimizes, and search is not what this file tests.
  server = await startDevServer({ MESHBOOK_PUBLISH_DIR: join(scratch, 'publish'), MESHBOOK_DEV_SEARCH: '0' });
  browser = await launchBrowser();
  page = await browser.context.newPage();
  // A new MESHBOOK_PUBLISH_DIR changes Vite's config hash: the first load re-optimizes (see DevServer.settled).
  await page.goto(`${server.origin}/introduction/`);
  await server.settled();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (scratch !== '') await rm(scratch, { recursive: true, force: true });
});

function card(p: Page = page): Locator {
  return p.locator(`section.runbook[data-check="${CHECK}"]`);
}

async function runCheck(p: Page): Promise<Locator> {
  // Retried: a page load that raced the dev server's dependency re-optimization never defines the elements.
  for (let attempt = 1; ; attempt++) {
    await p.goto(`${server.origin}${PAGE}`);
    try {
      await p.waitForFunction(() => customElements.get('runbook-run') !== undefined && customElements.get('meshbook-runner') !== undefined, undefined, { timeout: 10_000 });
      break;
    } catch (error) {
      if (attempt === 3) throw error;
    }
  }
  await card(p).getByRole('button', { name: 'Run this check', exact: true }).click();
  await card(p).locator('runbook-run[state="done"]').waitFor({ timeout: 30_000 });
  return card(p).locator('.runbook-results');
}

// Every cell link's target exists, is a finding of the same results, and is about a policy that blocks the cell.
async function assertLinks(results: Locator, prefix: string): Promise<void> {
  const links = results.locator('a.mb-mx-link');
  const blocked = matrix.cells.filter((c) => c.state === 'blocked' || c.state === 'partial').length;
  expect(await links.count()).toBe(blocked);
  expect(blocked).toBeGreaterThan(0);
  const targets = await links.evaluateAll((as) => as.map((a) => ({ href: a.getAttribute('href') ?? '', column: a.getAttribute('data-column') ?? '' })));
  for (const { href } of targets) {
    expect(href).toMatch(new RegExp(`^#${prefix}-${CHECK}-\\d+$`));
    const index = Number(href.slice(href.lastIndexOf('-') + 1)) - 1;
    const target = results.locator(`li.rb-finding${href}`);
    expect(await target.count(), `${href} names a finding`).toBe(1);
    const finding = want.findings[index]!;
    expect(await target.locator('.rb-resource').textContent()).toBe(`${finding.resource.kind} ${finding.resource.namespace}/${finding.resource.name}`);
  }
}

describe('the reachability matrix', () => {
  it('is drawn live under the findings, every blocked cell linking to its finding', async () => {
    const results = await runCheck(page);
    const figure = results.locator('figure.mb-matrix');
    expect(await figure.count()).toBe(1);
    // Under the findings, not above them.
    expect(await results.evaluate((r) => r.querySelector('.rb-findings')!.compareDocumentPosition(r.querySelector('figure.mb-matrix')!) & Node.DOCUMENT_POSITION_FOLLOWING)).toBeTruthy();
    const svg = figure.locator('svg[role="img"]');
    expect(await svg.evaluate((s) => s.namespaceURI)).toBe('http://www.w3.org/2000/svg');
    expect(await svg.getAttribute('aria-label')).toMatch(/^Meshed workloads \(9\) → Service ports \(11\), as NetworkPolicies allow\. \d+ of \d+ source → destination pairs blocked/);
    expect(await figure.locator('.mb-mx-pair').count()).toBe(matrix.rows.length * matrix.columns.length);
    expect(await figure.locator('.mb-mx-row').count()).toBe(matrix.rows.length);
    expect(await figure.locator('.mb-mx-legend-item').count()).toBe(4);
    // The cells are really drawn: the SVG has a size and a blocked cell is red-ish, not black.
    const box = await svg.boundingBox();
    expect(box!.width).toBeGreaterThan(200);
    const fill = await figure.locator('.mb-mx-pair[data-state="blocked"] rect').first().evaluate((r) => getComputedStyle(r).fill);
    expect(fill).toMatch(/^rgb\(/);
    expect(fill).not.toBe('rgb(0, 0, 0)');
    await assertLinks(results, 'finding');

    // Following a cell goes to the finding.
    const first = results.locator('a.mb-mx-link').first();
    const href = (await first.getAttribute('href'))!;
    await first.click();
    await page.waitForFunction((h) => location.hash === h, href);
    expect(await page.locator(`${href}:target`).count()).toBe(1);
    expect(await page.locator(href).isVisible()).toBe(true);

    // The text alternative lists the same pairs, with the same links.
    const items = figure.locator('.mb-matrix-pairs li');
    expect(await items.count()).toBe(matrix.cells.filter((c) => c.state === 'blocked' || c.state === 'partial').length);
    expect(await items.first().locator('a').getAttribute('href')).toBe(href);
  });

  it('is drawn from the recorded result too, through the serializer, linking to the recorded findings', async () => {
    await page.goto(`${server.origin}${PAGE}`);
    const recorded = card().locator('.mb-recorded');
    expect(await recorded.count()).toBe(1);
    const figure = recorded.locator('figure.mb-matrix');
    expect(await figure.count()).toBe(1);
    expect(await figure.locator('svg[role="img"]').evaluate((s) => s.namespaceURI)).toBe('http://www.w3.org/2000/svg');
    expect(await figure.locator('.mb-mx-pair').count()).toBe(matrix.rows.length * matrix.columns.length);
    await assertLinks(recorded, 'recorded-finding');
    // The live run on the same page keeps its own anchors: no id appears twice.
    await runCheck(page);
    const ids = await page.locator('.rb-finding[id]').evaluateAll((els) => els.map((e) => e.id));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('reads in the light and the dark theme (screenshots)', async () => {
    const shots: string[] = [];
    for (const scheme of ['light', 'dark'] as const) {
      const themed = scheme === 'light' ? browser : await launchBrowser({ colorScheme: 'dark' });
      try {
        const p = scheme === 'light' ? page : await themed.context.newPage();
        const results = await runCheck(p);
        expect(await p.evaluate(() => document.documentElement.dataset.theme)).toBe(scheme);
        const figure = results.locator('figure.mb-matrix');
        await figure.locator('.mb-matrix-pairs summary').click();
        // Tall enough that the figure sits between the sticky header and the dev toolbar.
        await p.setViewportSize({ width: 1280, height: 3000 });
        const file = join(scratch, `matrix-${scheme}.png`);
        await figure.screenshot({ path: file });
        await p.setViewportSize({ width: 1280, height: 900 });
        shots.push(file);
        // The label colour differs from the page background in both themes.
        const [label, bg] = await figure.evaluate((f) => [getComputedStyle(f.querySelector('.mb-mx-row')!).fill, getComputedStyle(f.querySelector('.mb-matrix-scroll')!).backgroundColor]);
        expect(label).not.toBe(bg);
      } finally {
        if (themed !== browser) await themed.close();
      }
    }
    const keep = process.env.MESHBOOK_SCREENSHOTS;
    if (keep !== undefined && keep !== '') {
      await mkdir(keep, { recursive: true });
      for (const file of shots) await cp(file, join(keep, file.slice(file.lastIndexOf('/') + 1)));
    }
  });
});
