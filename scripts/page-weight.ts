// Prints the JavaScript a built page ships: inline scripts, module scripts and the chunks
// they import statically (what the browser fetches before the page is interactive), raw
// and gzip. Chunks only imported dynamically (search's index, loaded on first use) are
// listed apart. Also prints the runbook island's size, minified, which only dev pages load.
//
//   npx astro build && node --import tsx scripts/page-weight.ts [route] [dist]
//   (defaults: /introduction/ and dist)

import { readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const route = process.argv[2] ?? '/introduction/';
const dist = process.argv[3] ?? 'dist';

interface Entry {
  name: string;
  raw: number;
  gzip: number;
}

const measure = (name: string, text: string | Uint8Array): Entry => {
  const buf = typeof text === 'string' ? Buffer.from(text) : Buffer.from(text);
  return { name, raw: buf.length, gzip: gzipSync(buf, { level: 9 }).length };
};

const html = await readFile(join(dist, route, 'index.html'), 'utf8');
const eager: Entry[] = [];
const lazy = new Map<string, Entry>();
const seen = new Set<string>();

// Follows a module's static imports (`import … from "./x.js"`, `import "./x.js"`); dynamic
// `import("./y.js")` targets are recorded as lazy.
async function follow(url: string): Promise<void> {
  if (seen.has(url)) return;
  seen.add(url);
  const text = await readFile(join(dist, url), 'utf8');
  eager.push(measure(url, text));
  const dir = posix.dirname(url);
  for (const m of text.matchAll(/\b(?:import|export)\s*(?:[^'"`();]*?\bfrom\s*)?["']([^"']+\.js)["']/g)) {
    await follow(posix.resolve(dir, m[1]!));
  }
  for (const m of text.matchAll(/import\(\s*["'`]([^"'`]+\.js)["'`]\s*\)/g)) {
    const target = posix.resolve(dir, m[1]!);
    if (!lazy.has(target)) {
      try {
        lazy.set(target, measure(target, await readFile(join(dist, target))));
      } catch {
        // outside dist (e.g. pagefind's runtime path); not shipped with the page
      }
    }
  }
}

let inline = 0;
for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
  const attrs = m[1] ?? '';
  const src = /\bsrc="([^"]+)"/.exec(attrs)?.[1];
  if (src !== undefined) await follow(src);
  else if ((m[2] ?? '').trim() !== '') eager.push(measure(`inline script #${++inline}`, m[2]!));
}
for (const url of seen) lazy.delete(url);

const total = (list: Entry[]): Entry => ({
  name: 'total',
  raw: list.reduce((n, e) => n + e.raw, 0),
  gzip: list.reduce((n, e) => n + e.gzip, 0),
});
const row = (e: Entry): string => `${String(e.raw).padStart(8)} ${String(e.gzip).padStart(8)}  ${e.name}`;

console.log(`JavaScript shipped by ${route} (bytes)`);
console.log(`${'raw'.padStart(8)} ${'gzip'.padStart(8)}`);
for (const e of eager) console.log(row(e));
console.log(row(total(eager)));
if (lazy.size > 0) {
  console.log('\nLoaded later, on demand:');
  for (const e of lazy.values()) console.log(row(e));
}

// Every file gzipped on its own, as a server would send them; the island as a production bundle.
const island = await build({
  entryPoints: ['src/components/runbook-run.ts'],
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  write: false,
});
const code = island.outputFiles[0]!.contents;
console.log('\nRunbook island (dev pages only; src/components/runbook-run.ts, bundled and minified):');
console.log(row(measure('runbook-run.ts', code)));
