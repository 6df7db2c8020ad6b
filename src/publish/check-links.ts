// Checks every internal link and anchor of a built site: <a href>, <link href>, <script src>,
// <img src>, redirects. External URLs are not fetched (a build must not depend on the
// network). Links from recorded results and findings are in the pages, so they are checked
// like any other; `extra` adds links that must resolve whether or not a page shows them.

import { readFile, readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

export interface BrokenLink {
  /** The page, as a site path (`/concepts/gateways/`), or `(extra)`. */
  page: string;
  href: string;
  reason: string;
}

export interface LinkCheckOptions {
  /** Site-relative links that must resolve too (each check's docs link, each code page). */
  extra?: readonly string[];
  /** Only links under this path prefix are checked (an archive checked on its own). */
  within?: string;
}

// Fragments browsers handle without an element: the top of the page.
const BUILTIN_FRAGMENTS = new Set(['', 'top', '_top']);

interface Page {
  ids: Set<string>;
}

/** All HTML pages under `dir`, by site path, with the ids each defines. */
async function indexSite(dir: string): Promise<{ pages: Map<string, Page>; files: Set<string>; html: Map<string, string> }> {
  const pages = new Map<string, Page>();
  const files = new Set<string>();
  const html = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const rel = relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/');
    files.add(`/${rel}`);
    if (!rel.endsWith('.html')) continue;
    const text = await readFile(join(dir, rel), 'utf8');
    html.set(`/${rel}`, text);
    const ids = new Set<string>();
    for (const m of text.matchAll(/\s(?:id|name)=["']([^"']+)["']/g)) ids.add(decodeEntities(m[1]!));
    pages.set(`/${rel}`, { ids });
  }
  return { pages, files, html };
}

function decodeEntities(text: string): string {
  return text
    .replace(/&#x([0-9a-f]+);/gi, (_m, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_m, dec: string) => String.fromCodePoint(Number(dec)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** The site path of the page a file serves (`/a/index.html` → `/a/`). */
function pagePathOf(file: string): string {
  return file.endsWith('/index.html') ? file.slice(0, -'index.html'.length) : file;
}

/** The file a site path resolves to, as a static host would serve it. */
function resolveFile(path: string, files: Set<string>): string | undefined {
  const candidates = path.endsWith('/') ? [`${path}index.html`] : [path, `${path}.html`, `${path}/index.html`];
  return candidates.find((c) => files.has(c));
}

/** Every link in a page's HTML that points into the site. */
export function linksIn(html: string): string[] {
  const links: string[] = [];
  // Text inside <code> and <pre> is shown, not followed; attributes there are still real links.
  for (const m of html.matchAll(/<(a|link|script|img|source|iframe)\b[^>]*?\s(href|src)=["']([^"']*)["']/gi)) {
    const tag = m[1]!.toLowerCase();
    if (tag === 'link' && /\srel=["'](?:preconnect|dns-prefetch|alternate)["']/i.test(m[0])) continue;
    links.push(decodeEntities(m[3]!));
  }
  for (const m of html.matchAll(/<meta\b[^>]*http-equiv=["']refresh["'][^>]*content=["']\d+;\s*url=([^"']+)["']/gi)) links.push(decodeEntities(m[1]!));
  return links;
}

function isExternal(href: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('//');
}

/** Checks every page under `dir`; returns the broken links, empty when all resolve. */
export async function checkLinks(dir: string, options: LinkCheckOptions = {}): Promise<{ pages: number; links: number; broken: BrokenLink[] }> {
  const site = await indexSite(dir);
  const broken: BrokenLink[] = [];
  let count = 0;
  const check = (page: string, href: string): void => {
    if (href === '' || isExternal(href)) return;
    const base = new URL(page, 'http://site.invalid');
    let url: URL;
    try {
      url = new URL(href, base);
    } catch {
      broken.push({ page, href, reason: 'not a URL' });
      return;
    }
    if (url.origin !== base.origin) return;
    let path: string;
    let fragment: string;
    try {
      path = decodeURIComponent(url.pathname);
      fragment = decodeURIComponent(url.hash.replace(/^#/, ''));
    } catch {
      broken.push({ page, href, reason: 'bad percent-encoding' });
      return;
    }
    if (options.within !== undefined && !path.startsWith(options.within)) return;
    count++;
    const file = resolveFile(path, site.files);
    if (file === undefined) {
      broken.push({ page, href, reason: `no file for ${path}` });
      return;
    }
    if (BUILTIN_FRAGMENTS.has(fragment)) return;
    const target = site.pages.get(file);
    if (target !== undefined && !target.ids.has(fragment)) broken.push({ page, href, reason: `no element with id "${fragment}" on ${pagePathOf(file)}` });
  };
  for (const [file, html] of site.html) {
    const page = pagePathOf(file);
    for (const href of linksIn(html)) check(page, href);
  }
  for (const href of options.extra ?? []) check('/', href);
  // Extra links are reported as such, not as links of the home page.
  for (const b of broken) if ((options.extra ?? []).includes(b.href) && b.page === '/' && !linksIn(site.html.get('/index.html') ?? '').includes(b.href)) b.page = '(extra)';
  return { pages: site.html.size, links: count, broken };
}

/** One line per broken link, for the build log and the CLI. */
export function formatBroken(broken: readonly BrokenLink[]): string {
  return broken.map((b) => `  ${b.page} → ${b.href} (${b.reason})`).join('\n');
}
