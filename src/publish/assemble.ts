// What happens after `astro build` writes its pages: the current build copies in every
// archived version (frozen copies kept in publish/archive/), re-renders the version menus
// now that every version's pages are known, and checks every internal link; an archive
// build rebases its root-relative links under its own base path.

import { cp, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { checkLinks, formatBroken, type BrokenLink } from './check-links.ts';
import { rebaseRootLinks, replaceLatestLink, replaceVersionMenu } from './html.ts';
import { versionBase } from './mode.ts';
import { renderVersionMenu, type VersionsFile } from './versions.ts';

/** Every .html file under `dir`, relative, with forward slashes. */
export async function htmlFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith('.html')) out.push(relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'));
  }
  return out.sort();
}

/** The page path a file serves within its version (`a/index.html` → `a/`, `index.html` → ``). */
export function pageOf(file: string): string {
  return file === 'index.html' ? '' : file.endsWith('/index.html') ? file.slice(0, -'index.html'.length) : file;
}

async function rewrite(file: string, change: (html: string) => string): Promise<void> {
  const html = await readFile(file, 'utf8');
  const next = change(html);
  if (next !== html) await writeFile(file, next);
}

/** The directory of a version's copy inside the output (`current` → the output itself). */
function versionDir(outDir: string, version: string): string {
  return version === 'current' ? outDir : join(outDir, versionBase(version).slice(1, -1));
}

/** Rewrites an archive build's output in place: links under its base, its own menu and banner. */
export async function finishArchiveBuild(outDir: string, options: { version: string; versions: VersionsFile }): Promise<void> {
  const base = versionBase(options.version);
  const files = await htmlFiles(outDir);
  const pages = new Set(files.map(pageOf));
  for (const file of files) {
    const page = pageOf(file);
    await rewrite(join(outDir, file), (html) => {
      const rebased = rebaseRootLinks(html, base);
      const menu = renderVersionMenu({ versions: options.versions, here: options.version, page, has: (v, p) => v === options.version && pages.has(p) });
      return replaceLatestLink(replaceVersionMenu(rebased, menu), '/');
    });
  }
}

export interface AssembleResult {
  versions: string[];
  pages: number;
  links: number;
  broken: BrokenLink[];
}

/**
 * Completes the current build in `outDir`: copies each archived version from `archiveDir`,
 * re-renders every page's version menu and archive banner link, and checks links.
 */
export async function assembleSite(outDir: string, options: { versions: VersionsFile; archiveDir: string; extraLinks: readonly string[] }): Promise<AssembleResult> {
  const archived = options.versions.archived.map((v) => v.version);
  for (const version of archived) {
    const from = join(options.archiveDir, versionBase(version).slice(1, -1));
    try {
      if (!(await stat(from)).isDirectory()) throw new Error('not a directory');
    } catch (cause) {
      throw new Error(
        `versions.json lists version ${JSON.stringify(version)} but its archive ${JSON.stringify(from)} is missing; run "npm run archive -- --version ${version}" or remove it from versions.json.`,
        { cause },
      );
    }
    await cp(from, versionDir(outDir, version), { recursive: true });
  }
  // Each version's pages, so a menu entry can point at the same page in that version.
  const pagesOf = new Map<string, Set<string>>();
  const archivedDirs = new Set(archived.map((v) => versionBase(v).slice(1)));
  const all = await htmlFiles(outDir);
  pagesOf.set('current', new Set(all.filter((f) => ![...archivedDirs].some((d) => f.startsWith(d))).map(pageOf)));
  for (const version of archived) pagesOf.set(version, new Set((await htmlFiles(versionDir(outDir, version))).map(pageOf)));
  const has = (version: string, page: string): boolean => pagesOf.get(version)?.has(page) ?? false;
  for (const version of ['current', ...archived]) {
    const dir = versionDir(outDir, version);
    for (const page of pagesOf.get(version) ?? []) {
      const file = join(dir, page === '' ? 'index.html' : page.endsWith('/') ? `${page}index.html` : page);
      await rewrite(file, (html) => {
        const menu = replaceVersionMenu(html, renderVersionMenu({ versions: options.versions, here: version, page, has }));
        return version === 'current' ? menu : replaceLatestLink(menu, has('current', page) ? `/${page}` : '/');
      });
    }
  }
  const checked = await checkLinks(outDir, { extra: options.extraLinks });
  return { versions: archived, pages: checked.pages, links: checked.links, broken: checked.broken };
}

/** The error a build fails with when links are broken. */
export function brokenLinksError(broken: readonly BrokenLink[]): Error {
  return new Error(`${broken.length} broken internal link${broken.length === 1 ? '' : 's'} in the built site:\n${formatBroken(broken.slice(0, 50))}${broken.length > 50 ? `\n  … and ${broken.length - 50} more` : ''}`);
}
