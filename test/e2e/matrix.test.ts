// The R3 reachability matrix in a real browser: "Run this check" on mesh-reachability draws it
// live under the findings (DOM path), and a recorded result of the same check draws it at
// render time (serializer path); blocked cells link to the finding about the policy that
// blocks them. Screenshots of both themes go to the scratch directory (kept when
// MESHBOOK_SCREENSHOTS names a directory to copy them to).

import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { YamlSource } from '../../src/cluster/yaml-source.ts';
import { runChecks } from '../../src/engine/runner.ts';
import type { CheckResult, ReachabilityMatrix } from '../../src/engine/types.ts';
import { buildRecord, checkSourceFiles } from '../../src/publish/record.ts';
import { scratchDir } from '../../src/publish/astro-build.ts';
import { getCheck } from '../../runbooks/index.ts';
import { launchBrowser, openPage, type Browser } from '../../tools/site/browser.ts';
import { REPO_ROOT, startDevServer, type DevServer } from '../../tools/site/dev-server.ts';

const PAGE = '/network-layers/r3-l3-reachability/';
const CHECK = 'mesh-reachability';

let scratch = '';
let server: DevServer;
let browser: Browser;
let page: Page;
let want: CheckResult;
let matrix: ReachabilityMatrix;

beforeAll(async () => {
  const report = await runChecks(
    [getCheck(CHECK)!],
    new YamlSource([join(REPO_ROOT, 'runbooks', 'demo-cluster')], 'demo cluster snapshot'),
  );
  want = report.checks[0]!;
  matrix = want.attachments![0]!;
  // A recorded result of the same run, so the page also renders it through the serializer.
  scratch = await scratchDir(REPO_ROOT, 'test-e2e-matrix');
  await mkdir(join(scratch, 'publish', 'records'), { recursive: true });
  // With the check's source as it is now: a record of an unknown or earlier version is not shown.
  const sources = new Map([[CHECK, await readFile((await checkSourceFiles(join(REPO_ROOT, 'runbooks'))).get(CHECK)!, 'utf8')]]);
  const record = buildRecord(report, { meshbookVersion: '0.0.0-test', sources });
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
  await openPage(p, `${server.origin}${PAGE}`);
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
  const targets = await links.evaluateAll((as) =>
    as.map((a) => ({ href: a.getAttribute('href') ?? '', column: a.getAttribute('data-column') ?? '' })),
  );
  for (const { href } of targets) {
    expect(href).toMatch(new RegExp(`^#${prefix}-${CHECK}-\\d+$`));
    const index = Number(href.slice(href.lastIndexOf('-') + 1)) - 1;
    const target = results.locator(`li.rb-finding${href}`);
    expect(await target.count(), `${href} names a finding`).toBe(1);
    const finding = want.findings[index]!;
    expect(await target.locator('.rb-resource').textContent()).toBe(
      `${finding.resource.kind} ${finding.resource.namespace}/${finding.resource.name}`,
    );
  }
}

describe('the reachability matrix', () => {
  it('is drawn live under the findings, every blocked cell linking to its finding', async () => {
    const results = await runCheck(page);
    const figure = results.locator('figure.mb-matrix');
    expect(await figure.count()).toBe(1);
    // Under the findings, not above them.
    expect(
      await results.evaluate(
        (r) =>
          r.querySelector('.rb-findings')!.compareDocumentPosition(r.querySelector('figure.mb-matrix')!) & Node.DOCUMENT_POSITION_FOLLOWING,
      ),
    ).toBeTruthy();
    const grid = figure.locator('table[role="grid"]');
    expect(await grid.getAttribute('aria-label')).toMatch(
      /^Meshed workloads \(11\) → Service ports \(13\), as NetworkPolicies allow\. \d+ of \d+ source → destination pairs blocked/,
    );
    expect(await figure.locator('.mb-mx-pair').count()).toBe(matrix.rows.length * matrix.columns.length);
    expect(await figure.locator('.mb-mx-row').count()).toBe(matrix.rows.length);
    expect(await figure.locator('.mb-mx-legend-item').count()).toBe(4);
    // The cells are really drawn: the grid has a size and a blocked cell is red-ish, not black.
    const box = await grid.boundingBox();
    expect(box!.width).toBeGreaterThan(200);
    const fill = await figure
      .locator('.mb-mx-pair[data-state="blocked"] .mb-mx-cell')
      .first()
      .evaluate((r) => getComputedStyle(r).backgroundColor);
    expect(fill).toMatch(/^rgb\(/);
    expect(fill).not.toBe('rgb(0, 0, 0)');
    await assertLinks(results, 'finding');

    // A click on a cell opens its explanation, whose first link goes to the finding.
    const first = results.locator('a.mb-mx-link').first();
    const href = (await first.getAttribute('href'))!;
    await first.click();
    const toFinding = figure.locator('.mb-matrix-explain a.mb-explain-finding');
    expect(await toFinding.getAttribute('href')).toBe(href);
    await toFinding.click();
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
    expect(await figure.locator('table[role="grid"]').count()).toBe(1);
    expect(await figure.locator('.mb-mx-pair').count()).toBe(matrix.rows.length * matrix.columns.length);
    await assertLinks(recorded, 'recorded-finding');
    // No server answers for a record: a blocked cell's panel links its finding and names the CLI command.
    const cell = figure.locator('td.mb-mx-pair[data-row="shop/cart"][data-column="bookinfo/ratings:9080"]');
    await cell.click();
    const panel = figure.locator('.mb-matrix-explain');
    expect(await panel.locator('.mb-explain-note code').textContent()).toBe(
      'npx meshbook explain --from shop/cart --to bookinfo/ratings:9080',
    );
    expect(await panel.locator('a.mb-explain-finding').getAttribute('href')).toMatch(new RegExp(`^#recorded-finding-${CHECK}-\\d+$`));
    // The live run on the same page keeps its own anchors: no id appears twice.
    await runCheck(page);
    const ids = await page.locator('.rb-finding[id]').evaluateAll((els) => els.map((e) => e.id));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('explains a blocked cell on click: the policies on each end, the rule each misses, the rule that would allow it', async () => {
    const results = await runCheck(page);
    const figure = results.locator('figure.mb-matrix');
    const cell = figure.locator('td.mb-mx-pair[data-row="bookinfo/productpage-v1"][data-column="bookinfo/ratings:9080"]');
    expect(await cell.getAttribute('data-state')).toBe('blocked');
    await cell.click();
    const panel = figure.locator('.mb-matrix-explain');
    await panel.locator('.mb-explain-lines').waitFor({ timeout: 20_000 });
    expect(await panel.getAttribute('data-row')).toBe('bookinfo/productpage-v1');
    const lines = await panel.locator('.mb-explain-line').allTextContents();
    expect(lines[0]).toBe('bookinfo/productpage-v1 → Service bookinfo/ratings:9080/TCP: BLOCKED');
    expect(lines).toContain('egress (the source): allowed: no NetworkPolicy selects the source for egress, so everything is allowed');
    expect(
      lines.some((l) =>
        l.startsWith(
          'ingress (the destination): blocked: the destination is selected for ingress by bookinfo/allow-from-ambient, bookinfo/default-deny-ingress',
        ),
      ),
    ).toBe(true);
    expect(lines).toContain(
      'The smallest change that allows it: append this rule to spec.ingress of NetworkPolicy bookinfo/ratings-from-reviews-v2:',
    );
    expect(lines.map((l) => l.trim())).toContain('app: productpage');
    // The page never asked for anything but the explanation of that cell, as text.
    expect(await panel.evaluate((p) => p.querySelectorAll('script, iframe, img').length)).toBe(0);
    // An allowed cell explains nothing and closes the panel.
    await figure.locator('td.mb-mx-pair[data-state="allowed"]').first().click();
    expect(await panel.isHidden()).toBe(true);
  });

  it('is keyboard accessible: one tab stop, arrow keys move, the focused cell is said in words, Enter explains', async () => {
    const results = await runCheck(page);
    const figure = results.locator('figure.mb-matrix');
    const cells = figure.locator('td.mb-mx-pair');
    expect(await figure.locator('td.mb-mx-pair[tabindex="0"]').count()).toBe(1);
    expect(await figure.locator('a.mb-mx-link[tabindex="-1"]').count()).toBe(await figure.locator('a.mb-mx-link').count());
    await cells.first().focus();
    const focused = (): Promise<[string, string]> =>
      page.evaluate(() => {
        const el = document.activeElement as HTMLElement;
        return [el.dataset.row ?? '', el.dataset.column ?? ''];
      });
    const [row0, col0] = await focused();
    expect([row0, col0]).toEqual([matrix.rows[0]!.id, matrix.columns[0]!.id]);
    await page.keyboard.press('ArrowRight');
    expect(await focused()).toEqual([matrix.rows[0]!.id, matrix.columns[1]!.id]);
    await page.keyboard.press('ArrowDown');
    expect(await focused()).toEqual([matrix.rows[1]!.id, matrix.columns[1]!.id]);
    await page.keyboard.press('End');
    expect(await focused()).toEqual([matrix.rows[1]!.id, matrix.columns.at(-1)!.id]);
    await page.keyboard.press('Control+Home');
    expect(await focused()).toEqual([matrix.rows[0]!.id, matrix.columns[0]!.id]);
    // The moved-to cell is the only tab stop, and its row and column headers are marked.
    expect(await figure.locator('td.mb-mx-pair[tabindex="0"]').count()).toBe(1);
    expect(await figure.locator('th.mb-mx-cross').count()).toBe(2);
    expect(await figure.locator('.mb-matrix-status').textContent()).toMatch(
      new RegExp(`^${matrix.rows[0]!.label} → ${matrix.columns[0]!.label}: `),
    );

    // Walk to the blocked cell with the keyboard only, then Enter.
    const target = { row: 'shop/frontend', column: 'bookinfo/ratings:9080' };
    const r = matrix.rows.findIndex((x) => x.id === target.row);
    const c = matrix.columns.findIndex((x) => x.id === target.column);
    for (let i = 0; i < r; i++) await page.keyboard.press('ArrowDown');
    for (let j = 0; j < c; j++) await page.keyboard.press('ArrowRight');
    expect(await focused()).toEqual([target.row, target.column]);
    await page.keyboard.press('Enter');
    const panel = figure.locator('.mb-matrix-explain');
    await panel.locator('.mb-explain-lines').waitFor({ timeout: 20_000 });
    expect(await panel.locator('.mb-explain-line').first().textContent()).toBe(
      'shop/frontend → Service bookinfo/ratings:9080/TCP: BLOCKED',
    );
    // Space does the same; Close returns focus to the cell.
    await panel.getByRole('button', { name: 'Close' }).click();
    expect(await panel.isHidden()).toBe(true);
    expect(await focused()).toEqual([target.row, target.column]);
    await page.keyboard.press(' ');
    await panel.locator('.mb-explain-lines').waitFor({ timeout: 20_000 });
  });

  it('filters sources and destinations by namespace', async () => {
    const results = await runCheck(page);
    const figure = results.locator('figure.mb-matrix');
    await figure.locator('select[data-filter="rows"]').selectOption('shop');
    const rows = figure.locator('tbody tr:not([hidden])');
    expect(await rows.evaluateAll((trs) => trs.map((t) => (t as HTMLElement).dataset.row))).toEqual(
      matrix.rows.filter((r) => r.id.startsWith('shop/')).map((r) => r.id),
    );
    await figure.locator('select[data-filter="columns"]').selectOption('bookinfo');
    const columns = await figure
      .locator('th.mb-mx-column:not([hidden])')
      .evaluateAll((ths) => ths.map((t) => (t as HTMLElement).dataset.column));
    expect(columns).toEqual(matrix.columns.filter((c) => c.id.startsWith('bookinfo/')).map((c) => c.id));
    // Each visible row has exactly one visible cell per visible column, and the tab stop is on one of them.
    expect(await figure.locator('tbody tr:not([hidden]) td.mb-mx-pair:not([hidden])').count()).toBe(columns.length * (await rows.count()));
    expect(await figure.locator('tbody tr:not([hidden]) td.mb-mx-pair:not([hidden])[tabindex="0"]').count()).toBe(1);
  });

  it('shows the matrix with an explanation open, legible at 1280 and 390 px wide (screenshots)', async () => {
    const shots: string[] = [];
    for (const width of [1280, 390]) {
      const p = await browser.context.newPage();
      try {
        await p.setViewportSize({ width, height: 900 });
        const results = await runCheck(p);
        const figure = results.locator('figure.mb-matrix');
        await figure.locator('td.mb-mx-pair[data-row="shop/frontend"][data-column="bookinfo/ratings:9080"]').click();
        await figure.locator('.mb-explain-lines').waitFor({ timeout: 20_000 });
        // The figure never makes the page scroll sideways: the grid scrolls inside its frame.
        expect(await p.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1)).toBe(true);
        // Sticky headers: scrolled inside the frame, the column labels and row labels stay put.
        const scroll = figure.locator('.mb-matrix-scroll');
        const before = await figure.locator('th.mb-mx-row').first().boundingBox();
        await scroll.evaluate((s) => s.scrollBy(200, 0));
        const after = await figure.locator('th.mb-mx-row').first().boundingBox();
        if (await scroll.evaluate((s) => s.scrollLeft > 0)) expect(Math.round(after!.x)).toBe(Math.round(before!.x));
        await scroll.evaluate((s) => s.scrollTo(0, 0));
        await p.setViewportSize({ width, height: 3000 });
        const file = join(scratch, `matrix-explain-${width}.png`);
        await figure.screenshot({ path: file });
        shots.push(file);
      } finally {
        await p.close();
      }
    }
    const keep = process.env.MESHBOOK_SCREENSHOTS;
    if (keep !== undefined && keep !== '') {
      await mkdir(keep, { recursive: true });
      for (const file of shots) await cp(file, join(keep, file.slice(file.lastIndexOf('/') + 1)));
    }
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
        const [label, bg] = await figure.evaluate((f) => [
          getComputedStyle(f.querySelector('.mb-mx-row')!).color,
          getComputedStyle(f.querySelector('.mb-matrix-scroll')!).backgroundColor,
        ]);
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
