// Every guide page with runbooks, in a real browser against one dev server: "Run all checks"
// against the demo cluster fills every runbook on the page with the status the engine gives.
// The concept pages must each show a pass next to a finding (the demo cluster has a
// deliberate fault for each: runbooks/demo-cluster/README.md). The network-layers pages embed
// one runbook each (R2 adds a live-only one), so a pass beside a finding cannot exist there; on
// those every status is still checked against the engine's.

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { YamlSource } from '../../src/cluster/yaml-source.ts';
import { runChecks } from '../../src/engine/runner.ts';
import type { CheckStatus } from '../../src/engine/types.ts';
import { getCheck } from '../../runbooks/index.ts';
import { launchBrowser, type Browser } from '../../tools/site/browser.ts';
import { REPO_ROOT, startDevServer, type DevServer } from '../../tools/site/dev-server.ts';

const STATUS_WORDS: Record<CheckStatus, string> = { pass: 'Passed', warn: 'Warning', fail: 'Failed', error: 'Error', skipped: 'Skipped' };
const FINDING_WORDS = new Set(['Warning', 'Failed']);

const CONCEPT_PAGES = [
  'concepts/mesh',
  'concepts/traffic-management',
  'concepts/gateways',
  'concepts/ambient',
  'concepts/security-policies',
];
const NETWORK_LAYER_PAGES = readdirSync(join(REPO_ROOT, 'content', 'network-layers'))
  .filter((f) => f.endsWith('.mdx'))
  .map((f) => `network-layers/${f.slice(0, -'.mdx'.length)}`)
  .filter((slug) => runbookIds(slug).length > 0)
  .sort();

/** The runbooks a page embeds, in page order (what the CLI's --page reads too). */
function runbookIds(slug: string): string[] {
  const mdx = readFileSync(join(REPO_ROOT, 'content', `${slug}.mdx`), 'utf8');
  return [...mdx.matchAll(/<Runbook id="([^"]+)"/g)].map((m) => m[1]!);
}

let server: DevServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  server = await startDevServer();
  browser = await launchBrowser();
  page = await browser.context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

// Opens the page, runs all its checks against the demo cluster, and returns each runbook's status word.
async function runAll(slug: string): Promise<Map<string, string>> {
  await page.goto(`${server.origin}/${slug}/`);
  await page.waitForFunction(() => customElements.get('runbook-run') !== undefined && customElements.get('meshbook-runner') !== undefined);
  expect(await page.locator('#meshbook-target option:checked').textContent()).toBe('demo cluster snapshot');
  await page.getByRole('button', { name: 'Run all checks', exact: true }).click();
  await page.locator('meshbook-runner[state="done"]').waitFor({ timeout: 60_000 });
  const words = new Map<string, string>();
  for (const id of runbookIds(slug)) {
    const card = page.locator(`section.runbook[data-check="${id}"]`);
    expect(await card.count(), `${slug}: runbook ${id} is on the page once`).toBe(1);
    await card.locator('runbook-run[state="done"]').waitFor({ timeout: 30_000 });
    words.set(id, ((await card.locator('runbook-run .rb-status-word').textContent()) ?? '').trim());
  }
  return words;
}

async function engineStatuses(ids: readonly string[]): Promise<Map<string, string>> {
  const report = await runChecks(
    ids.map((id) => getCheck(id)!),
    new YamlSource([join(REPO_ROOT, 'runbooks', 'demo-cluster')], 'demo cluster snapshot'),
  );
  return new Map(report.checks.map((c) => [c.id, STATUS_WORDS[c.status]]));
}

describe('every guide page runs all its checks against the demo cluster', () => {
  it.each(CONCEPT_PAGES)('%s shows every status, at least one Passed and at least one finding', async (slug) => {
    const ids = runbookIds(slug);
    expect(ids.length).toBeGreaterThan(1);
    const shown = await runAll(slug);
    expect(Object.fromEntries(shown)).toEqual(Object.fromEntries(await engineStatuses(ids)));
    const words = [...shown.values()];
    expect(words, `${slug}: a Passed runbook`).toContain('Passed');
    expect(
      words.some((w) => FINDING_WORDS.has(w)),
      `${slug}: a runbook with a Warning or Failed finding (${words.join(', ')})`,
    ).toBe(true);
    // Nothing on the guide's own pages errors on the bundled demo.
    expect(words).not.toContain('Error');
  });

  it.each(NETWORK_LAYER_PAGES)("%s shows the engine's status for every runbook", async (slug) => {
    const ids = runbookIds(slug);
    const shown = await runAll(slug);
    expect(Object.fromEntries(shown)).toEqual(Object.fromEntries(await engineStatuses(ids)));
    expect([...shown.values()]).not.toContain('Error');
  });

  it('covers every network-layers page that has runbooks', () => {
    expect(NETWORK_LAYER_PAGES.length).toBeGreaterThanOrEqual(5);
  });
});
