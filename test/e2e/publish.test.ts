// The published site in Chromium, served by a plain static server: the current book and an
// archive cut with `npm run archive` (into scratch directories, with the fixture records).

import { execa } from 'execa';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFixtureRecords } from '../publish/fixture-records.ts';
import type { Page } from 'playwright-core';
import { VITEST_ENV, scratchDir } from '../../src/publish/astro-build.ts';
import { launchBrowser, type Browser } from '../../tools/site/browser.ts';
import { REPO_ROOT } from '../../tools/site/dev-server.ts';
import { startStaticServer, type StaticServer } from './helpers/static-server.ts';

let scratch = '';
let server: StaticServer;
let browser: Browser;
let page: Page;

// `npm run archive -- --version 1.0`, as a maintainer runs it, into the scratch directory.
async function cutArchive(publish: string, dist: string): Promise<void> {
  const env: Record<string, string | undefined> = {
    ...process.env,
    MESHBOOK_PUBLISH_DIR: publish,
    MESHBOOK_LINKS: 'warn',
    ASTRO_TELEMETRY_DISABLED: '1',
  };
  for (const key of Object.keys(env)) if (key.startsWith('VITEST') || VITEST_ENV.has(key)) delete env[key];
  // A failure throws execa's error: the command, its exit code (or signal, or timeout) and its output.
  const { all } = await execa(
    process.execPath,
    ['--import', 'tsx', 'scripts/archive.ts', '--version', '1.0', '--date', '2026-11-20', '--out-dir', dist],
    {
      cwd: REPO_ROOT,
      env,
      extendEnv: false,
      stdin: 'ignore',
      all: true,
      timeout: 10 * 60_000,
    },
  );
  console.log(
    all
      .split('\n')
      .filter((l) => l.startsWith('archive:'))
      .join('\n'),
  );
}

beforeAll(async () => {
  scratch = await scratchDir(REPO_ROOT, 'test-e2e-publish');
  const publish = join(scratch, 'publish');
  const dist = join(scratch, 'dist');
  await copyFixtureRecords(join(publish, 'records'), REPO_ROOT);
  await cutArchive(publish, dist);
  server = await startStaticServer(dist);
  browser = await launchBrowser();
  page = await browser.context.newPage();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (scratch !== '') await rm(scratch, { recursive: true, force: true });
});

async function openVersionMenu(): Promise<void> {
  await page.locator('header mb-versions summary').first().click();
}

describe('published site', () => {
  it('search finds a page of the current version', async () => {
    await page.goto(`${server.origin}/introduction/`);
    // The search element upgrades, and Pagefind's UI mounts, once the page is idle.
    await page.waitForLoadState('networkidle');
    await page.locator('button[data-open-modal]').click();
    await page.locator('dialog[open]').waitFor();
    await page.locator('#starlight__search input').fill('gateway');
    const first = page.locator('.pagefind-ui__result-link').first();
    await first.waitFor({ timeout: 15_000 });
    const hrefs = await page.locator('.pagefind-ui__result-link').evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''));
    expect(hrefs).toContain('/concepts/gateways/');
    expect(hrefs.every((h) => !h.startsWith('/v1.0/'))).toBe(true);
  });

  it('the version menu goes to the same page in the archive and back', async () => {
    await page.goto(`${server.origin}/concepts/gateways/`);
    await openVersionMenu();
    await page.locator('header mb-versions a[data-version="1.0"]').first().click();
    await page.waitForURL(`${server.origin}/v1.0/concepts/gateways/`);
    await expect(page.title()).resolves.toBe('Gateways | Meshbook 1.0 (archived)');
    await openVersionMenu();
    await page.locator('header mb-versions a[data-version="current"]').first().click();
    await page.waitForURL(`${server.origin}/concepts/gateways/`);
    expect(await page.locator('.mb-archive-banner').count()).toBe(0);
  });

  it('an archived page shows its banner and recorded results, and offers nothing to run', async () => {
    await page.goto(`${server.origin}/v1.0/concepts/gateways/`);
    const banner = page.locator('.mb-archive-banner');
    await expect(banner.textContent()).resolves.toContain('Archived on 2026-11-20');
    expect(await banner.locator('a[data-mb-latest]').getAttribute('href')).toBe('/concepts/gateways/');
    const recorded = page.locator('#runbook-gateway-ports .mb-recorded');
    const text = (await recorded.textContent()) ?? '';
    expect(text).toContain('Recorded on');
    expect(text).toContain('staging-eu');
    expect(text).toContain('[masked]');
    expect(text).not.toContain('hunter2');
    expect(await page.locator('runbook-run, meshbook-runner, button.runbook-button').count()).toBe(0);
    // The archive's links stay in the archive.
    expect(await recorded.locator('a.rb-code').getAttribute('href')).toBe('/v1.0/reference/codes/ist0162/');
  });
});
