// Search in the dev server. Starlight's search says "only available in production builds"
// under `astro dev`: Pagefind indexes built HTML. This integration builds the site once in
// the background when the dev server starts (`astro build` into a cache directory, a few
// seconds for this book), serves its /pagefind/ index, and swaps the dev warning for the
// Pagefind UI with a small dev-only script. Archived versions in publish/archive/ are served
// too, so the version menu works in dev. The index reflects the content at server start:
// restart the dev server (or save astro.config.mjs) to refresh it. MESHBOOK_DEV_SEARCH=0 turns it off.

import { rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AstroIntegration } from 'astro';
import { runAstroBuild } from '../publish/astro-build.ts';
import { serveStatic } from '../publish/static-files.ts';
import { getPublishState, publishPaths } from '../publish/state.ts';

/** The page script that mounts Pagefind's UI in place of the dev warning. */
const CLIENT = 'src/integration/dev-search-client.ts';

/** Where the page asks whether the index is built yet (always 200, so nothing logs an error). */
export const SEARCH_STATUS_PATH = '/_meshbook/search-status';

/** The integration that makes search work under `astro dev`. */
export function meshbookDevSearch(): AstroIntegration {
  let root = process.cwd();
  let cacheDir = '';
  return {
    name: 'meshbook:dev-search',
    hooks: {
      'astro:config:setup': ({ command, config, injectScript }) => {
        if (command !== 'dev' || process.env.MESHBOOK_DEV_SEARCH === '0') return;
        root = fileURLToPath(config.root);
        cacheDir = join(fileURLToPath(config.cacheDir), 'meshbook-dev-search');
        injectScript('page', `import ${JSON.stringify(join(root, CLIENT))};`);
      },
      'astro:server:setup': ({ server, logger }) => {
        if (cacheDir === '') return;
        const site = join(cacheDir, 'site');
        const archives = publishPaths(getPublishState().publishDir).archive;
        let ready = false;
        let failed = false;
        const started = performance.now();
        void buildIndex(root, cacheDir, site).then(
          () => {
            ready = true;
            logger.info(`Search index ready (${((performance.now() - started) / 1000).toFixed(1)} s, built into ${site}).`);
          },
          (error: unknown) => {
            failed = true;
            logger.warn(`Search index not built: ${(error as Error).message}`);
          },
        );
        server.middlewares.use((req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => {
          const path = new URL(req.url ?? '/', 'http://localhost').pathname;
          if (path === SEARCH_STATUS_PATH && req.method === 'GET') {
            const state = ready ? 'ready' : failed ? 'failed' : 'building';
            res
              .writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' })
              .end(JSON.stringify({ state }));
            return;
          }
          const pagefind = path.startsWith('/pagefind/');
          const archive = /^\/v\d[^/]*\//.test(path);
          if ((!pagefind && !archive) || (req.method !== 'GET' && req.method !== 'HEAD')) return next();
          if (pagefind && !ready) {
            res
              .writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8', 'Retry-After': '3' })
              .end('The search index is still being built.\n');
            return;
          }
          serveStatic(pagefind ? site : archives, path, req, res).then(
            (served) => {
              if (!served) next();
            },
            (error: unknown) => next(error),
          );
        });
      },
    },
  };
}

// A production build of the current book into the cache, with its own Astro cache so it
// does not race the dev server's, and without re-recording the demo: starting a dev server
// must not rewrite a committed file.
async function buildIndex(root: string, cacheDir: string, site: string): Promise<void> {
  await rm(site, { recursive: true, force: true });
  await runAstroBuild({
    root,
    outDir: site,
    env: { MESHBOOK_DEV_SEARCH: '0', MESHBOOK_RECORD_DEMO: '0', MESHBOOK_CACHE_DIR: join(cacheDir, 'astro-cache'), MESHBOOK_LINKS: 'warn' },
  });
}
