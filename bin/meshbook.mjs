#!/usr/bin/env node
// `npx meshbook`: runs the TypeScript CLI (src/cli/main.ts) directly, through tsx.
// Plain JavaScript on purpose: it is what Node starts before any TypeScript can load.

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(`meshbook: needs Node 22.12 or later, found ${process.version}. Run it through npx or npm (they use the project's Node).\n`);
  process.exit(2);
}

const { fileURLToPath } = await import('node:url');
const { register } = await import('tsx/esm/api');
// Our tsconfig, not whatever tsconfig.json sits in the directory meshbook is run from.
register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
const { runCli } = await import('../src/cli/main.ts');
await runCli(process.argv.slice(2));
