// Starts `astro dev` on a free loopback port for the end-to-end tests and the page benchmark,
// the way a user's `npm run dev` would, and keeps its log so callers can see what the server did.

import { ExecaError, execa, type Result } from 'execa';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');

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
  const get =
    options.get ??
    (async (url: string) => {
      // Bounded: a request made while the server is still starting can stall.
      const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      return { status: res.status, text: await res.text() };
    });
  // The Node running the tests is the project's Node 24; spawn the CLI with it directly.
  // Detached, in a process group of its own, so that stopping it also stops its children
  // (esbuild); execa's cleanup skips detached children, hence the exit hook below.
  const child = execa(
    command,
    [
      ...prefixArgs,
      join(REPO_ROOT, 'node_modules', 'astro', 'bin', 'astro.mjs'),
      'dev',
      '--port',
      String(port),
      '--host',
      options.host ?? '127.0.0.1',
      ...IGNORE_LOCK,
    ],
    {
      cwd: REPO_ROOT,
      // KUBECONFIG points nowhere unless a caller gives one: the developer's real clusters never show up in a test.
      env: {
        ...userEnvironment(),
        KUBECONFIG: join(REPO_ROOT, 'test', 'e2e', 'no-kubeconfig'),
        ASTRO_TELEMETRY_DISABLED: '1',
        FORCE_COLOR: '0',
        NO_COLOR: '1',
        ...env,
      },
      extendEnv: false,
      stdin: 'ignore',
      all: true,
      // The output is kept in `output` (log()), not buffered a second time.
      buffer: false,
      detached: true,
      // It ends by being stopped; how it ended is read from the result, never thrown.
      reject: false,
    },
  );
  child.all.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const pid = child.pid;
  const killGroup = (signal: NodeJS.Signals): void => {
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // already gone
    }
  };
  const killOnExit = (): void => killGroup('SIGKILL');
  process.once('exit', killOnExit);
  let finished: Result | undefined;
  const ended = child.then((result) => {
    process.removeListener('exit', killOnExit);
    finished = result;
  });

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      killGroup('SIGTERM');
      const timer = setTimeout(() => killGroup('SIGKILL'), 5_000);
      await ended;
      clearTimeout(timer);
    }
  };

  const deadline = Date.now() + 120_000;
  let last: string | undefined;
  for (;;) {
    if (finished !== undefined) {
      // execa's message names the command and how it ended (exit code, signal, or why it could not start).
      const how = finished instanceof ExecaError ? finished.shortMessage : `${finished.command} exited with 0`;
      throw new Error(`astro dev ended before serving: ${how}\n${output}`);
    }
    try {
      const res = await get(`${origin}/introduction/`);
      if (res.status === 200) break;
      last = `${res.status}: ${res.text.slice(0, 500)}`;
    } catch (error) {
      last = String((error as Error).cause ?? error); // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`astro dev did not serve /introduction/ within 120 s (last: ${last ?? 'no answer yet'}):\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const settled = async (): Promise<void> => {
    for (let i = 0; i < 40 && output.includes('Re-optimizing dependencies') && !output.includes('dependency optimized'); i++)
      await new Promise((r) => setTimeout(r, 500));
    await new Promise((r) => setTimeout(r, 1_500));
  };
  return { port, origin, log: () => output, settled, stop };
}
