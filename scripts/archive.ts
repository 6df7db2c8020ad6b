// `npm run archive -- --version 1.0`: freezes the current book as version 1.0.
// 1. builds it under /v1.0/ (archive banner, title, no run controls, the records of today)
//    into a staging directory and checks its links;
// 2. stores it in publish/archive/v1.0/ (replacing an earlier cut of the same version) and
//    adds the version to publish/versions.json;
// 3. rebuilds the current site into dist/, which copies every stored archive into
//    dist/v<version>/ and re-renders all version menus (skip with --no-build).
// Commit publish/archive/ and publish/versions.json: later builds take archives from there.

import { cp, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { checkLinks, formatBroken } from '../src/publish/check-links.ts';
import { VERSION_PATTERN, publishMode, versionBase } from '../src/publish/mode.ts';
import { runAstroBuild, scratchDir } from '../src/publish/astro-build.ts';
import { publishPaths } from '../src/publish/state.ts';
import { readVersions, withVersion, writeVersions } from '../src/publish/versions.ts';

const ROOT = resolve(import.meta.dirname, '..');

/** Cuts an archive; returns the process exit code. */
export async function archive(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { version: { type: 'string' }, date: { type: 'string' }, 'out-dir': { type: 'string' }, 'no-build': { type: 'boolean' } },
    strict: true,
  });
  const version = values.version ?? '';
  if (!VERSION_PATTERN.test(version)) {
    console.error(`archive: --version must look like 1.0 or 1.2.3, received ${JSON.stringify(values.version ?? '')}.`);
    return 2;
  }
  const archivedOn = values.date ?? new Date().toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(archivedOn)) {
    console.error(`archive: --date must be YYYY-MM-DD, received ${JSON.stringify(archivedOn)}.`);
    return 2;
  }
  const publishDir = resolve(ROOT, publishMode(process.env).publishDir ?? 'publish');
  const paths = publishPaths(publishDir);
  const dirName = versionBase(version).slice(1, -1);
  const staging = await scratchDir(ROOT, 'archive');
  try {
    const ms = await runAstroBuild({
      root: ROOT,
      outDir: join(staging, dirName),
      env: {
        MESHBOOK_ARCHIVE_VERSION: version,
        MESHBOOK_ARCHIVED_ON: archivedOn,
        MESHBOOK_PUBLISH_DIR: publishDir,
        MESHBOOK_CACHE_DIR: join(staging, '.astro-cache'),
      },
    });
    const links = await checkLinks(staging, { within: versionBase(version) });
    console.log(`archive: built ${version} in ${(ms / 1000).toFixed(1)} s: ${links.pages} pages, ${links.links} internal links.`);
    if (links.broken.length > 0) {
      console.error(`archive: ${links.broken.length} broken links in the archive:\n${formatBroken(links.broken)}`);
      if (process.env.MESHBOOK_LINKS !== 'warn') return 1;
    }
    const target = join(paths.archive, dirName);
    await rm(target, { recursive: true, force: true });
    await cp(join(staging, dirName), target, { recursive: true });
    await writeVersions(paths.versions, withVersion(await readVersions(paths.versions), { version, archivedOn }));
    console.log(`archive: stored in ${target}; ${paths.versions} lists ${version}.`);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  if (values['no-build'] === true) return 0;
  const outDir = resolve(values['out-dir'] ?? join(ROOT, 'dist'));
  const ms = await runAstroBuild({ root: ROOT, outDir, env: { MESHBOOK_PUBLISH_DIR: publishDir } });
  console.log(`archive: built the current site with every archive into ${outDir} in ${(ms / 1000).toFixed(1)} s.`);
  return 0;
}

process.exitCode = await archive(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`archive: ${(error as Error).message}`);
  return 1;
});
