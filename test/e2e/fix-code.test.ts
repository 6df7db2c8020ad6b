// A NetworkPolicy fix as code a reader copies: the rule as a YAML block and the kubectl command
// as a shell block, drawn by Expressive Code as every code block of the site, whose copy button
// puts exactly that text on the clipboard; the same in the recorded result (rendered when the page
// is) and the live one (rendered by the run endpoint, inserted by the island).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { launchBrowser, openPage, type Browser } from '../../tools/site/browser.ts';
import { startDevServer, type DevServer } from '../../tools/site/dev-server.ts';

let server: DevServer;
let browser: Browser;
let page: Page;

const PATH = '/network-layers/r5-control-ports/';
const COMMAND =
  `kubectl -n istio-system patch networkpolicy ingressgateway-egress --type=json -p '[{"op":"add","path":"/spec/egress/-",` +
  `"value":{"to":[{"podSelector":{"matchLabels":{"app":"istiod"}}}],"ports":[{"protocol":"TCP","port":15012}]}}]'`;
const YAML = ['to:', '- podSelector:', '    matchLabels:', '      app: istiod', 'ports:', '- protocol: TCP', '  port: 15012'].join('\n');

beforeAll(async () => {
  server = await startDevServer();
  browser = await launchBrowser();
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.origin });
  page = await browser.context.newPage();
  await page.goto(`${server.origin}${PATH}`);
  await server.settled();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function open(): Promise<void> {
  await openPage(page, `${server.origin}${PATH}`, ['runbook-run']);
}

async function expectFix(finding: Locator): Promise<void> {
  expect(await finding.locator('.rb-remediation').textContent()).toBe(
    'What to do: Let the proxies out to the control plane: append this rule to spec.egress of NetworkPolicy ' +
      'istio-system/ingressgateway-egress (YAML below); apply it with the command below.',
  );
  // Starlight's own code blocks: Expressive Code's frame, title and copy button.
  const blocks = finding.locator('.mb-fix-code');
  expect(await blocks.count()).toBe(2);
  const yaml = blocks.nth(0);
  const shell = blocks.nth(1);
  expect(await yaml.getAttribute('data-lang')).toBe('yaml');
  expect(await yaml.locator('.expressive-code figure.frame figcaption .title').textContent()).toBe('Rule to append to spec.egress');
  expect(await yaml.locator('.expressive-code pre[data-language="yaml"]').count()).toBe(1);
  expect(await shell.getAttribute('data-lang')).toBe('sh');
  expect(await shell.locator('.expressive-code figure.frame.is-terminal figcaption .title').textContent()).toBe('Command that applies it');
  // Expressive Code's stylesheet is on the page, whether or not its prose has a code block.
  expect(await page.locator('link[rel="stylesheet"][href*="/ec."]').count()).toBeGreaterThan(0);
  // No copy button of the page's own: only Expressive Code's, one per block.
  expect(await finding.locator('button').count()).toBe(2);
  // The evidence no longer repeats the rule as JSON.
  expect(await finding.locator('.rb-evidence').textContent()).toContain('(shown as YAML under What to do)');

  for (const [block, text] of [
    [shell, COMMAND],
    [yaml, YAML],
  ] as const) {
    await page.evaluate(() => navigator.clipboard.writeText(''));
    const button = block.locator('.expressive-code .copy button');
    await button.click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(text);
    await expect.poll(() => block.locator('.copy .feedback').textContent()).toBe('Copied!');
  }
}

describe('a NetworkPolicy fix', () => {
  it('is a YAML block and a shell block with working Copy buttons in the recorded result', async () => {
    await open();
    const finding = page.locator('section.runbook[data-check="control-ports"] .mb-recorded li.rb-finding[data-key^="MB0601"]').first();
    await expectFix(finding);
  });

  it('is drawn the same in the live result', async () => {
    await open();
    await page.locator('#meshbook-target').selectOption('demo');
    const card = page.locator('section.runbook[data-check="control-ports"]');
    await card.getByRole('button', { name: 'Run this check', exact: true }).click();
    await card.locator('runbook-run[state="done"]').waitFor({ timeout: 30_000 });
    await expectFix(card.locator('runbook-run li.rb-finding[data-key^="MB0601"]').first());
  });
});
