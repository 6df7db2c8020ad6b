// Runs `astro build` in a child process with extra environment: archives are built with
// another base path, the dev server builds its search index, and the tests build into
// temporary directories. A child, because Astro's config (base, title) is read once per process.

import { ExecaError, execa } from 'execa';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A fresh scratch directory for a build, inside the project. Astro writes a static build's
 * server chunks to <outDir>/.prerender only when outDir is inside the working directory,
 * else to <root>/.astro/.prerender, which two builds at once would share and break.
 */
export async function scratchDir(root: string, prefix: string): Promise<string> {
  const parent = join(root, 'node_modules', '.cache', 'meshbook');
  await mkdir(parent, { recursive: true });
  return mkdtemp(join(parent, `${prefix}-`));
}

/**
 * Variables a test runner sets that change what Astro builds: vitest exports Vite's env
 * (DEV=1, MODE=test …) into process.env, and a child build would become a dev build
 * (Starlight's search then says "only available in production builds").
 */
export const VITEST_ENV: ReadonlySet<string> = new Set(['NODE_ENV', 'TEST', 'BASE_URL', 'MODE', 'DEV', 'PROD', 'SSR']);

export interface AstroBuildOptions {
  /** The project root (where astro.config.mjs is). */
  root: string;
  outDir: string;
  env?: Record<string, string | undefined>;
  /** Called with each chunk of output (build logs), e.g. to print them. */
  onOutput?: (text: string) => void;
  /** A build that takes longer is killed and reported; bounds a hung build, times nothing. */
  timeoutMs?: number;
}

// The whole site on a loaded 2-core machine takes a few minutes; a build still running after this hangs.
const BUILD_TIMEOUT_MS = 20 * 60_000;

/** Builds the site; resolves with the build's wall time in ms, rejects with the command, how it ended and its last output. */
export async function runAstroBuild({ root, outDir, env = {}, onOutput, timeoutMs = BUILD_TIMEOUT_MS }: AstroBuildOptions): Promise<number> {
  const started = performance.now();
  // vitest's NODE_ENV=test and VITEST* variables change what Astro builds; a build is a user's build.
  const base: Record<string, string | undefined> = { ...process.env };
  for (const key of Object.keys(base)) if (key.startsWith('VITEST') || VITEST_ENV.has(key)) delete base[key];
  const child = execa(process.execPath, [join(root, 'node_modules', 'astro', 'bin', 'astro.mjs'), 'build', '--outDir', outDir], {
    cwd: root,
    env: { ...base, ASTRO_TELEMETRY_DISABLED: '1', NO_COLOR: '1', FORCE_COLOR: '0', ...env },
    extendEnv: false,
    stdin: 'ignore',
    all: true,
    // A build logs every page: only the tail is kept, for the error.
    buffer: false,
    timeout: timeoutMs,
  });
  let tail = '';
  child.all.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    tail = (tail + text).slice(-6000);
    onOutput?.(text);
  });
  try {
    await child;
  } catch (error) {
    // execa's short message names the command and how it ended (exit code, signal, timeout).
    const how = error instanceof ExecaError ? error.shortMessage : String(error);
    throw new Error(`astro build (outDir ${outDir}) failed: ${how}\n${tail.trim()}`, { cause: error });
  }
  return performance.now() - started;
}
