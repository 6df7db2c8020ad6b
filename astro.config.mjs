// @ts-check
// Site wiring only: each concern lives in its own module under src/integration/.
import { defineConfig } from 'astro/config';
import starlight from '@astrojs/starlight';
import { meshbookDevRunner } from './src/integration/dev-runner.ts';
import { sidebar } from './src/integration/sidebar.ts';

export default defineConfig({
  // `/` redirects to the introduction: see src/pages/index.astro.
  integrations: [
    starlight({
      title: 'Meshbook',
      description: 'An Istio network-operations guide whose checks you can run against your cluster.',
      sidebar,
      customCss: ['./src/styles/meshbook.css'],
      components: {
        // Adds the page-level "Run all checks" panel to pages that embed runbooks.
        MarkdownContent: './src/components/MarkdownContent.astro',
      },
      pagination: true,
      lastUpdated: false,
    }),
    meshbookDevRunner(),
  ],
});
