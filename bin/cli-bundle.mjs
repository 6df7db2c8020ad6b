// The CLI as one prebuilt JavaScript file (.meshbook/cli/meshbook.mjs), so `npx meshbook` does not
// transpile ~200 TypeScript modules through tsx at every start (about half a second of CPU, more
// than a 5k-object check takes). Plain JavaScript: it runs before any TypeScript can load.
//
// The bundle is used only while it is newer than every .ts file under src/ and runbooks/ (and
// tsconfig.json); otherwise it is rebuilt with esbuild (Astro's own dependency), and if that fails
// the caller falls back to tsx, which reports the error against the TypeScript source. npm
// packages stay outside the bundle (resolved from node_modules at run time).
//
//   node bin/cli-bundle.mjs        builds it now (npm's `prepare` does, after install)

import { readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// Two directories below the root, like src/cli/: the CLI finds the repository from its own location.
const DIR = join(ROOT, '.meshbook', 'cli');
export const BUNDLE = join(DIR, 'meshbook.mjs');
const ENTRY = join(ROOT, 'src', 'cli', 'main.ts');
const SOURCE_DIRS = ['src', 'runbooks'];

/** The newest modification time (ms) of the sources the bundle is built from. */
function newestSource() {
  let newest = statSync(join(ROOT, 'tsconfig.json')).mtimeMs;
  for (const dir of SOURCE_DIRS) {
    for (const entry of readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
      const mtime = statSync(join(entry.parentPath, entry.name)).mtimeMs;
      if (mtime > newest) newest = mtime;
    }
  }
  return newest;
}

/** Whether the bundle exists and is newer than its sources. */
export function bundleIsFresh() {
  try {
    return statSync(BUNDLE).mtimeMs >= newestSource();
  } catch {
    return false;
  }
}

/**
 * Builds the bundle into a fresh directory, then swaps it in (concurrent builds do not clash).
 * Code split: what only live runs need (the Kubernetes client library) loads only on a live run.
 * Throws when esbuild fails.
 */
export async function buildBundle() {
  const { build } = await import('esbuild');
  const parent = join(ROOT, '.meshbook');
  const tmp = join(parent, `cli.${process.pid}.tmp`);
  const old = join(parent, `cli.${process.pid}.old`);
  try {
    await build({
      entryPoints: { meshbook: ENTRY },
      outdir: tmp,
      outExtension: { '.js': '.mjs' },
      bundle: true,
      splitting: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      packages: 'external',
      tsconfig: join(ROOT, 'tsconfig.json'),
      logLevel: 'silent',
      legalComments: 'none',
    });
    try {
      renameSync(DIR, old);
    } catch {
      // No bundle yet.
    }
    renameSync(tmp, DIR);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    rmSync(old, { recursive: true, force: true });
  }
}

/** The bundle's path when it is fresh or could be rebuilt; undefined when the caller should use tsx. */
export async function freshBundle() {
  if (process.env.MESHBOOK_CLI_TSX === '1') return undefined;
  if (bundleIsFresh()) return BUNDLE;
  try {
    await buildBundle();
    return BUNDLE;
  } catch {
    return undefined;
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    await buildBundle();
    process.stdout.write(`meshbook: built ${BUNDLE}\n`);
  } catch (error) {
    // Never fail an install over it: the CLI falls back to tsx.
    process.stderr.write(
      `meshbook: could not build the CLI bundle (the CLI will run through tsx): ${error instanceof Error ? error.message : String(error)}\n`,
    );
  }
}
