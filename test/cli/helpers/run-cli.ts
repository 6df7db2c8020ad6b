// Runs the real CLI as a child process, the way npx does: the project's Node on
// bin/meshbook.mjs, from the repository root.

import { spawn, type ChildProcess } from 'node:child_process';
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
  onSpawn?: (child: ChildProcess) => void;
}

/** Runs `meshbook …args` and collects its exit code and output. */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of ['NO_COLOR', 'FORCE_COLOR', 'MESHBOOK_CONTENT_DIR']) delete env[key];
  Object.assign(env, options.env);
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, [BIN, ...args], { cwd: options.cwd ?? REPO, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    options.onSpawn?.(child);
  });
}

/** A fixture path relative to the repository root, as a user would type it. */
export function fixture(name: string): string {
  return join('test', 'cli', 'fixtures', name);
}
