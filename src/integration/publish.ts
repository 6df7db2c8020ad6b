// The publishing concerns of the build as an Astro integration: tells components where
// records and versions live, and after `astro build` assembles dist/ (archives copied in,
// version menus re-rendered, every internal link checked: a broken one fails the build).
// An archive build (MESHBOOK_ARCHIVE_VERSION, run by scripts/archive.ts) only rebases its
// links; the archive script checks its links and stores it.

import { fileURLToPath } from 'node:url';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { AstroIntegration } from 'astro';
import { CHECKS } from '../../runbooks/index.ts';
import { codeDocsPath, listCodes } from '../engine/codes.ts';
import { assembleSite, brokenLinksError, finishArchiveBuild } from '../publish/assemble.ts';
import type { PublishMode } from '../publish/mode.ts';
import { menuVersions, publishPaths, setPublishState } from '../publish/state.ts';
import { currentCheckVersions, refreshDemoRecord, staleChecks } from '../publish/demo-record.ts';
import { loadRecords } from '../publish/records.ts';

/** Links findings point to, which must resolve even when no page shows such a finding. */
export function findingLinks(): string[] {
  return [
    ...new Set([
      ...CHECKS.map((c) => c.docs).filter((d): d is string => typeof d === 'string' && d.startsWith('/')),
      ...listCodes().map(({ id }) => codeDocsPath(id)),
    ]),
  ];
}

/** The integration that embeds records, assembles archives into dist/ and checks links. */
export function meshbookPublish(mode: PublishMode): AstroIntegration {
  let publishDir = '';
  return {
    name: 'meshbook:publish',
    hooks: {
      'astro:config:setup': async ({ config, command, logger }) => {
        const root = fileURLToPath(config.root);
        publishDir = resolve(root, mode.publishDir ?? 'publish');
        setPublishState({ publishDir, ...(mode.archive === undefined ? {} : { archive: mode.archive }), cache: command === 'build' });
        // An archive keeps the records it was cut with; the current book never shows a stale demo.
        // MESHBOOK_RECORD_DEMO=0: the dev server's background search build, which must not write.
        if (command !== 'build' || mode.archive !== undefined) return;
        const records = publishPaths(publishDir).records;
        if (process.env.MESHBOOK_RECORD_DEMO !== '0') {
          const demo = await refreshDemoRecord(records, root, await packageVersion(root));
          if (demo.status === 'recorded') logger.info(`Re-recorded the demo (${demo.stale.join(', ')} changed) in ${demo.ms} ms.`);
        }
        if (process.env.MESHBOOK_STRICT_RECORDS === '1') {
          const stale = await staleRecords(records, root);
          if (stale.length > 0)
            throw new Error(
              `Recorded results made with an earlier version of their check (MESHBOOK_STRICT_RECORDS=1): ${stale.join('; ')}. Re-record them with \`npx meshbook check … --record FILE\`.`,
            );
        }
      },
      // Runs after Starlight's own build:done (it is listed first), so Pagefind has indexed
      // only the current pages when the archives (each with its own index) are copied in.
      'astro:build:done': async ({ dir, logger }) => {
        const outDir = fileURLToPath(dir);
        const started = performance.now();
        if (mode.archive !== undefined) {
          await finishArchiveBuild(outDir, { version: mode.archive.version, versions: await menuVersions() });
          logger.info(`Archive ${mode.archive.version}: links rebased under ${mode.base}.`);
          return;
        }
        const result = await assembleSite(outDir, {
          versions: await menuVersions(),
          archiveDir: publishPaths(publishDir).archive,
          extraLinks: findingLinks(),
        });
        if (result.broken.length > 0) {
          // MESHBOOK_LINKS=warn: a work-in-progress build that should still produce dist/.
          if (process.env.MESHBOOK_LINKS !== 'warn') throw brokenLinksError(result.broken);
          logger.warn(brokenLinksError(result.broken).message);
        }
        const archives =
          result.versions.length === 0 ? 'no archived versions' : `archived ${result.versions.map((v) => `v${v}`).join(', ')}`;
        logger.info(
          `${result.pages} pages (${archives}), ${result.links} internal links checked, ${result.broken.length} broken (${Math.round(performance.now() - started)} ms).`,
        );
      },
    },
  };
}

async function packageVersion(root: string): Promise<string> {
  try {
    const v = (JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version?: unknown }).version;
    return typeof v === 'string' ? v : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** `file: check, check` for every record holding a result of a check that changed since. */
export async function staleRecords(recordsDir: string, root: string): Promise<string[]> {
  const current = await currentCheckVersions(root);
  const out: string[] = [];
  for (const { file, record } of await loadRecords(recordsDir)) {
    const stale = staleChecks(
      record,
      current,
      record.report.checks.map((c) => c.id),
    );
    if (stale.length > 0) out.push(`${file}: ${stale.join(', ')}`);
  }
  return out;
}
