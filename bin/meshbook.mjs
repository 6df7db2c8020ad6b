#!/usr/bin/env node
// `npx meshbook`: runs the CLI (src/cli/main.ts) — from its prebuilt bundle when that is fresh
// (bin/cli-bundle.mjs), else directly through tsx.
// Plain JavaScript on purpose: it is what Node starts before any TypeScript can load.

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(
    `meshbook: needs Node 22.12 or later, found ${process.version}. Run it through npx or npm (they use the project's Node).\n`,
  );
  process.exit(2);
}

const { enableCompileCache } = await import('node:module');
// V8's compiled code for our modules and the libraries, kept between runs (Node's own cache directory).
enableCompileCache?.();
const { pathToFileURL, fileURLToPath } = await import('node:url');
const { freshBundle } = await import('./cli-bundle.mjs');
const bundle = await freshBundle();
let runCli;
if (bundle !== undefined) {
  try {
    ({ runCli } = await import(pathToFileURL(bundle).href));
  } catch {
    // Swapped out by a concurrent rebuild, or unreadable: the sources still work.
  }
}
if (runCli === undefined) {
  const { register } = await import('tsx/esm/api');
  // Our tsconfig, not whatever tsconfig.json sits in the directory meshbook is run from.
  register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
  ({ runCli } = await import('../src/cli/main.ts'));
}
await runCli(process.argv.slice(2));
