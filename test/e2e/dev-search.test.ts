// Search under `astro dev`: while the background index build runs, the search dialog says it is
// building (the page asks a status endpoint that always answers 200, so nothing logs a 503), then
// Pagefind's UI takes its place.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchBrowser, type Browser } from '../../tools/site/browser.ts';
import { startDevServer, type DevServer } from '../../tools/site/dev-server.ts';

let server: DevServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  server = await startDevServer({});
  browser = await launchBrowser();
  page = await browser.context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function state(): Promise<{ status: number; state: string }> {
  const response = await fetch(`${server.origin}/_meshbook/search-status`);
  return { status: response.status, state: ((await response.json()) as { state: string }).state };
}

describe('dev search', () => {
  it('says the index is being built, then searches', async () => {
    const failures: string[] = [];
    page.on('response', (r) => {
      if (r.status() >= 500) failures.push(`${r.status()} ${r.url()}`);
    });
    await page.goto(`${server.origin}/introduction/`);
    const first = await state();
    expect(first.status).toBe(200);
    // The build takes seconds; the page is asked for right after the server answers.
    expect(first.state).toBe('building');
    await page.locator('site-search button[data-open-modal]').click();
    const target = page.locator('#starlight__search');
    await page.waitForFunction(
      () => document.querySelector('#starlight__search')?.textContent?.includes('Building the search index…') === true,
    );
    expect(await target.getAttribute('data-search-building')).toBe('');
    await page.waitForSelector('#starlight__search input', { timeout: 170_000 });
    expect((await state()).state).toBe('ready');
    expect(await target.textContent()).not.toContain('Building the search index');
    expect(failures).toEqual([]);
  }, 180_000);
});
