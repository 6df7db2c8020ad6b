// The book lives in top-level content/, not src/content/docs: Starlight's docsLoader only
// reads the latter, so the collection uses Astro's glob loader with Starlight's schema.
// Files starting with `_` are partials, as in Starlight's own loader.

import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';
import { docsSchema } from '@astrojs/starlight/schema';

export const collections = {
  docs: defineCollection({
    loader: glob({ pattern: '**/[^_]*.{md,mdx}', base: './content' }),
    schema: docsSchema(),
  }),
};
