// The static build, built once into a scratch directory with the fixture records: every
// runbook shows its source and local command, recorded results are rendered and masked,
// nothing of the dev runner or a kubeconfig is in the output, and no internal link breaks.

import { readFile, readdir, rm } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKS } from '../../runbooks/index.ts';
import { listPages, pageRunbookIds } from '../../src/site/pages.ts';
import { findingLinks } from '../../src/integration/publish.ts';
import { runAstroBuild, scratchDir } from '../../src/publish/astro-build.ts';
import { checkLinks, formatBroken } from '../../src/publish/check-links.ts';
import { MASK } from '../../src/publish/mask.ts';
import { copyFixtureRecords } from './fixture-records.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const SITE = 'https://meshbook.example.org';
let scratch = '';
let dist = '';
let output = '';

async function page(path: string): Promise<string> {
  return readFile(join(dist, path, 'index.html'), 'utf8');
}

// The HTML of one runbook's section.
function section(html: string, id: string): string {
  const start = html.indexOf(`<section class="runbook not-content" id="runbook-${id}"`);
  if (start === -1) return '';
  return html.slice(start, html.indexOf('</section>', start));
}

beforeAll(async () => {
  scratch = await scratchDir(ROOT, 'test-build');
  dist = join(scratch, 'dist');
  const publish = join(scratch, 'publish');
  await copyFixtureRecords(join(publish, 'records'), ROOT);
  // Broken links are reported by the test below, not by failing every test here.
  const ms = await runAstroBuild({
    root: ROOT,
    outDir: dist,
    env: { MESHBOOK_PUBLISH_DIR: publish, MESHBOOK_LINKS: 'warn', MESHBOOK_CACHE_DIR: join(scratch, 'cache'), MESHBOOK_SITE_URL: SITE },
    onOutput: (text) => (output += text),
  });
  const pages = (await readdir(dist, { recursive: true })).filter((f) => f.endsWith('.html')).length;
  console.log(`static build: ${pages} pages in ${(ms / 1000).toFixed(1)} s (${(ms / pages).toFixed(0)} ms per page, process start included)`);
}, 180_000);

afterAll(async () => {
  if (scratch !== '') await rm(scratch, { recursive: true, force: true });
});

describe('static build', () => {
  it('has the pages, the search index and no run controls', async () => {
    for (const path of ['introduction', 'concepts/gateways', 'reference/codes']) expect(await page(path)).toContain('<title>');
    expect((await readdir(join(dist, 'pagefind'))).length).toBeGreaterThan(0);
    const html = await page('concepts/gateways');
    expect(html).not.toContain('<runbook-run');
    expect(html).not.toContain('<meshbook-runner');
    expect(html).not.toContain('Run this check');
  });

  it('indexes prose for search with a word boundary between labels, and no runbook source', async () => {
    const dir = join(dist, 'pagefind', 'fragment');
    const texts = new Map<string, string>();
    for (const name of await readdir(dir)) {
      // A fragment is gzip'd: a short signature, then the page's JSON (url, content, …).
      const raw = gunzipSync(await readFile(join(dir, name))).toString('utf8');
      const doc = JSON.parse(raw.slice(raw.indexOf('{'))) as { url: string; content: string };
      texts.set(doc.url, doc.content);
    }
    const ambient = texts.get('/concepts/ambient/') ?? '';
    expect(ambient).toContain("its node’s ztunnel The application connects");
    expect(texts.get('/reference/codes/ist0102/')).toMatch(/Level Info\. Family /);
    for (const [url, content] of texts) expect(content, url).not.toContain('import { defineCheck }');
  });

  it('shows every embedded runbook with its source (highlighted, collapsed) and the local command', async () => {
    const pages = await listPages(join(ROOT, 'content'));
    let seen = 0;
    for (const [slug, file] of pages) {
      const ids = await pageRunbookIds(file);
      if (ids.length === 0) continue;
      const html = await page(slug === 'index' ? '' : slug);
      for (const id of ids.filter((i) => CHECKS.some((c) => c.id === i))) {
        const s = section(html, id);
        expect(s, `${slug}: runbook ${id}`).toContain(`npx meshbook check --check ${id}`);
        expect(s, `${slug}: source of ${id}`).toMatch(new RegExp(`<details class="mb-source[^"]*" data-check-version="sha256:[0-9a-f]{12}" data-pagefind-ignore><summary[^>]*>Source <code[^>]*>runbooks/[a-z-]+/${id}\\.ts</code>`));
        expect(s).toContain('class="astro-code');
        expect(s).toContain('--shiki-dark:');
        seen++;
      }
    }
    expect(seen).toBeGreaterThan(5);
  });

  it('embeds the newest recorded result, with when, against what, and masked values', async () => {
    const s = section(await page('concepts/gateways'), 'gateway-ports');
    expect(s).toContain('Recorded on <time datetime="2026-11-20T09:30:00.000Z"');
    expect(s).toMatch(/against <strong[^>]*>staging-eu<\/strong><span[^>]*> \(Kubernetes v1\.36\.3, Istio 1\.28\.0\)/);
    expect(s).not.toContain('earlier version of this check');
    expect(s).toContain('href="/reference/codes/ist0162/"');
    // Drawn by the live renderer's code (result-tree.ts): backtick spans are code, never raw.
    expect(s).toContain('<strong>What to do: </strong>Add port 9443 to the <code>istio-ingressgateway</code> Service.');
    expect(s).not.toContain('`istio-ingressgateway`');
    expect(s).toMatch(/<details class="mb-recorded[^"]*" open[^>]*><summary class="mb-recorded-head[^"]*"><span class="mb-recorded-label[^"]*">Recorded result<\/span>/);
    expect(s).toContain('href="/concepts/gateways/#gateway-ports"');
    expect(s).toContain(MASK);
    expect(s).toContain('shop-cert');
    for (const secret of ['hunter2-FIXTURE-PASSWORD', 'MIIBFIXTURECERTDATA', 'eyJhbGciOiJSUzI1NiJ9', '10.1.2.3', 'older snapshot']) expect(s).not.toContain(secret);
  });

  it('never shows the findings of a result recorded with an earlier version of its check', async () => {
    const s = section(await page('concepts/gateways'), 'gateway-conflicts');
    expect(s).toContain('Recorded with an earlier version of this check');
    expect(s).toContain('data-stale');
    expect(s).not.toContain('STALE-FINDING-TEXT');
    expect(s).not.toContain('rb-finding');
  });

  it('builds quietly, with a sitemap and canonical links when MESHBOOK_SITE_URL is set', async () => {
    expect(output).not.toContain('MODULE_LEVEL_DIRECTIVE');
    expect(await readFile(join(dist, 'sitemap-index.xml'), 'utf8')).toContain(`${SITE}/sitemap-0.xml`);
    expect(await readFile(join(dist, 'sitemap-0.xml'), 'utf8')).toContain(`<loc>${SITE}/concepts/gateways/</loc>`);
    expect(await page('concepts/gateways')).toMatch(new RegExp(`<link rel="canonical" href="${SITE}/concepts/gateways/"`));
  });

  it('keeps runbook labels apart in the text search indexes', async () => {
    const html = await page('concepts/gateways');
    expect(html).toMatch(/<dt[^>]*>Verifies<\/dt> <dd/);
    expect(html).toContain('<a class="rb-code" href="/reference/codes/ist0162/">IST0162</a> <span class="rb-severity">warning</span> <span class="rb-resource">');
  });

  it('fails with MESHBOOK_STRICT_RECORDS=1 when a record was made with an earlier version of its check', async () => {
    const publish = join(scratch, 'publish');
    const build = runAstroBuild({ root: ROOT, outDir: join(scratch, 'dist-strict'), env: { MESHBOOK_PUBLISH_DIR: publish, MESHBOOK_STRICT_RECORDS: '1', MESHBOOK_CACHE_DIR: join(scratch, 'cache-strict') } });
    await expect(build).rejects.toThrow(/earlier version of their check.*2026-11-21-stale\.json: gateway-conflicts/s);
  }, 120_000);

  it('carries no endpoint, token or kubeconfig anywhere', async () => {
    const home = homedir();
    const files = (await readdir(dist, { recursive: true, withFileTypes: true })).filter((e) => e.isFile() && /\.(html|js|css|json|xml|txt)$/.test(e.name));
    for (const f of files) {
      const text = await readFile(join(f.parentPath, f.name), 'utf8');
      const where = join(f.parentPath, f.name);
      expect(text, where).not.toContain('__meshbook');
      expect(text.toLowerCase(), where).not.toContain('x-meshbook-token');
      expect(text, where).not.toMatch(/token=["'][A-Za-z0-9_-]{43}["']/);
      expect(text, where).not.toMatch(/\.kube\/config|KUBECONFIG/);
      if (home.length > 1) expect(text, where).not.toContain(home);
    }
    expect(files.length).toBeGreaterThan(20);
  });

  it('has no broken internal link or anchor (pages, findings, code pages)', async () => {
    const result = await checkLinks(dist, { extra: findingLinks() });
    expect(result.links).toBeGreaterThan(100);
    expect(formatBroken(result.broken)).toBe('');
  });
});
