// Runs the real CLI as a child process, the way npx does: the project's Node on
// bin/meshbook.mjs, from the repository root.

import { execa, type Subprocess } from 'execa';
import { join } from 'node:path';

export const REPO = join(import.meta.dirname, '..', '..', '..');
export const NODE = join(REPO, 'node_modules', '.bin', 'node');
export const BIN = join(REPO, 'bin', 'meshbook.mjs');
export const CLI_FIXTURES = join(REPO, 'test', 'cli', 'fixtures');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Extra environment; colour variables are cleared unless given here. */
  env?: Record<string, string>;
  cwd?: string;
  /** Called once the child is spawned (e.g. to signal it). */
  onSpawn?: (child: Subprocess) => void;
  /** A run still going after this is killed and the call throws; bounds a hang, times nothing. */
  timeoutMs?: number;
}

/**
 * Runs `meshbook …args` and collects its exit code and output. Any exit code or signal is a
 * result (the tests assert on them); a run that times out or cannot start throws execa's error,
 * which names the command, how it ended and what it printed.
 */
export async function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of ['NO_COLOR', 'FORCE_COLOR', 'MESHBOOK_CONTENT_DIR']) delete env[key];
  Object.assign(env, options.env);
  const child = execa(NODE, [BIN, ...args], {
    cwd: options.cwd ?? REPO,
    env,
    extendEnv: false,
    stdin: 'pipe',
    // The tests compare output byte for byte, final newline included.
    stripFinalNewline: false,
    reject: false,
    timeout: options.timeoutMs ?? 120_000,
  });
  options.onSpawn?.(child);
  const result = await child;
  if (result.timedOut || (result.exitCode === undefined && result.signal === undefined)) throw result;
  return { code: result.exitCode ?? null, signal: result.signal ?? null, stdout: result.stdout, stderr: result.stderr };
}

/** A fixture path relative to the repository root, as a user would type it. */
export function fixture(name: string): string {
  return join('test', 'cli', 'fixtures', name);
}
