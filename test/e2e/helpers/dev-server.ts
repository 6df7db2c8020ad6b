// Starts `astro dev` on a free loopback port for the end-to-end tests, the way a user's
// `npm run dev` would, and keeps its log so tests can see what the server did.

import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');

export interface DevServer {
  port: number;
  origin: string;
  /** Everything the server printed so far. */
  log(): string;
  /**
   * Waits until a dependency re-optimization the first page load set off is done. A fresh dev
   * server re-optimizes a client dependency (the search UI) then, answers 504 to the page's
   * module graph until it is done, and reloads the page: call this once after the first load.
   */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

// The environment a user's shell would have: vitest's NODE_ENV=test and VITEST* variables
// make `astro dev` serve nothing (every page is "Cannot GET").
function userEnvironment(): Record<string, string | undefined> {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('VITEST') || key === 'NODE_ENV' || key === 'TEST') delete env[key];
  return env;
}

/** A port the OS says is free right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

// Astro refuses a second dev server per project ("Another astro dev server is already running"):
// test files, and people testing in the same tree, each start their own on their own port.
const IGNORE_LOCK = ['--ignore-lock'];

/** How to start the server when not plainly on 127.0.0.1 (e.g. inside a test's network namespace). */
export interface DevServerOptions {
  /** The address `astro dev --host` listens on; 127.0.0.1 by default. */
  host?: string;
  /** Commands to run astro under, e.g. `['nsenter', '--net=/proc/1234/ns/net']`. */
  prefix?: string[];
  /** How to GET a page from the server when the test process cannot reach it directly. */
  get?: (url: string) => Promise<{ status: number; text: string }>;
}

/** Starts the dev server and resolves once it serves the introduction page. */
export async function startDevServer(env: Record<string, string> = {}, options: DevServerOptions = {}): Promise<DevServer> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  let output = '';
  const [command = process.execPath, ...prefixArgs] = [...(options.prefix ?? []), process.execPath];
  const get = options.get ?? (async (url: string) => {
    // Bounded: a request made while the server is still starting can stall.
    const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    return { status: res.status, text: await res.text() };
  });
  // The Node running the tests is the project's Node 24; spawn the CLI with it directly.
  const child: ChildProcess = spawn(
    command,
    [...prefixArgs, join(REPO_ROOT, 'node_modules', 'astro', 'bin', 'astro.mjs'), 'dev', '--port', String(port), '--host', options.host ?? '127.0.0.1', ...IGNORE_LOCK],
    {
      cwd: REPO_ROOT,
      // KUBECONFIG points nowhere unless a test gives one: the developer's real clusters never show up in a test.
      env: { ...userEnvironment(), KUBECONFIG: join(REPO_ROOT, 'test', 'e2e', 'no-kubeconfig'), ASTRO_TELEMETRY_DISABLED: '1', FORCE_COLOR: '0', NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.pid === undefined) return;
    // The dev server's own children (esbuild) go with it: kill the process group we created.
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 5_000);
    await exited;
    clearTimeout(timer);
  };

  const deadline = Date.now() + 120_000;
  let last = 'no answer yet';
  for (;;) {
    if (child.exitCode !== null) throw new Error(`astro dev exited with ${child.exitCode}:\n${output}`);
    try {
      const res = await get(`${origin}/introduction/`);
      if (res.status === 200) break;
      last = `${res.status}: ${res.text.slice(0, 500)}`;
    } catch (error) {
      last = String((error as Error).cause ?? error); // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`astro dev did not serve /introduction/ within 120 s (last: ${last}):\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const settled = async (): Promise<void> => {
    for (let i = 0; i < 40 && output.includes('Re-optimizing dependencies') && !output.includes('dependency optimized'); i++) await new Promise((r) => setTimeout(r, 500));
    await new Promise((r) => setTimeout(r, 1_500));
  };
  return { port, origin, log: () => output, settled, stop };
}
