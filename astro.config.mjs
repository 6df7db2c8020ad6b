// @ts-check
// Site wiring only: each concern lives in its own module under src/integration/.
import { defineConfig } from 'astro/config';
import starlight from '@astrojs/starlight';
import { meshbookDevRunner } from './src/integration/dev-runner.ts';
import { sidebar } from './src/integration/sidebar.ts';
import { meshbookPublish } from './src/integration/publish.ts';
import { meshbookDevSearch } from './src/integration/dev-search.ts';
import { publishMode } from './src/publish/mode.ts';

// The current book at `/`, or an archive of one version at `/v<version>/` (scripts/archive.ts).
const publish = publishMode(process.env);

// Astro marks each MDX page's propagated-assets module with its own `"use astro:head-inject"`
// directive; the bundler warns that it may drop it, which is harmless (Astro reads the marker
// before bundling). Only that warning, for that directive, is silenced.
/** @param {{ code?: string; message: string }} warning */
function isAstroHeadInject(warning) {
  return warning.code === 'MODULE_LEVEL_DIRECTIVE' && warning.message.includes('"use astro:head-inject"');
}

export default defineConfig({
  base: publish.base,
  // The published URL (e.g. https://meshbook.example.org): with it the build writes a sitemap
  // (Starlight's built-in @astrojs/sitemap) and canonical links; without it, neither.
  ...(process.env.MESHBOOK_SITE_URL ? { site: process.env.MESHBOOK_SITE_URL } : {}),
  vite: {
    build: {
      rollupOptions: {
        onwarn(warning, warn) {
          if (!isAstroHeadInject(warning)) warn(warning);
        },
      },
    },
  },
  // The dev server's background search build uses its own cache (src/integration/dev-search.ts).
  ...(process.env.MESHBOOK_CACHE_DIR ? { cacheDir: process.env.MESHBOOK_CACHE_DIR } : {}),
  // `/` redirects to the introduction: see src/pages/index.astro.
  integrations: [
    starlight({
      title: publish.title,
      description: 'An Istio network-operations guide whose checks you can run against your cluster.',
      sidebar,
      customCss: ['./src/styles/meshbook.css'],
      components: {
        // Adds the page-level "Run all checks" panel to pages that embed runbooks.
        MarkdownContent: './src/components/MarkdownContent.astro',
        // The archive banner ("Archived on …") on archived builds; Starlight's banner otherwise.
        Banner: './src/components/ArchiveBanner.astro',
        // The version menu in the header, on every page of every version.
        SocialIcons: './src/components/VersionMenu.astro',
      },
      pagination: true,
      lastUpdated: false,
    }),
    meshbookDevRunner(),
    // After starlight(): its build:done (Pagefind) must run before archives are copied in.
    meshbookPublish(publish),
    meshbookDevSearch(),
  ],
});
