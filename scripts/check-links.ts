// `npm run check-links [DIR]`: checks every internal link and anchor of a built site (dist/
// by default), archives included. `astro build` already runs it (src/integration/publish.ts);
// this is for a site assembled or edited by hand.

import { resolve } from 'node:path';
import { checkLinks, formatBroken } from '../src/publish/check-links.ts';
import { findingLinks } from '../src/integration/publish.ts';

const dir = resolve(process.argv[2] ?? 'dist');
const result = await checkLinks(dir, { extra: findingLinks() });
if (result.broken.length > 0) {
  console.error(`${result.broken.length} broken internal links in ${dir}:\n${formatBroken(result.broken)}`);
  process.exitCode = 1;
} else {
  console.log(`${result.pages} pages, ${result.links} internal links, none broken.`);
}
