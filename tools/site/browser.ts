// Debian's Chromium through playwright-core, headless, with a fresh profile per launch.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.MESHBOOK_CHROMIUM ?? '/usr/bin/chromium';

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Launches Chromium with a throwaway user-data dir. */
export async function launchBrowser(
  options: { colorScheme?: 'light' | 'dark'; executablePath?: string; args?: string[] } = {},
): Promise<Browser> {
  const profile = await mkdtemp(join(tmpdir(), 'meshbook-e2e-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: options.executablePath ?? CHROMIUM,
    headless: true,
    args: [...ARGS, ...(options.args ?? [])],
    viewport: { width: 1280, height: 900 },
    colorScheme: options.colorScheme ?? 'light',
  });
  return {
    context,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Loads `url` and waits until the page's custom elements are defined. Retried: a page load that
 * races the dev server's dependency re-optimization never defines them, and a reload does.
 */
export async function openPage(
  page: Page,
  url: string,
  elements: readonly string[] = ['runbook-run', 'meshbook-runner'],
  attempts = 3,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await page.goto(url);
    try {
      await page.waitForFunction((names) => names.every((name) => customElements.get(name) !== undefined), elements, { timeout: 10_000 });
      return;
    } catch (error) {
      if (attempt === attempts) throw error;
    }
  }
}
