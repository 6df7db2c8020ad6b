// A private network namespace for tests that need a client on a non-loopback address: its
// `lo` gets 127.0.0.1 and the TEST-NET address 192.0.2.2 (RFC 5737, never routed), so a
// client that connects from 192.0.2.2 to 192.0.2.2 is, to the server, a machine that is not
// this one — without any traffic leaving the namespace, and nothing to clean up on the host:
// the namespace goes away with its last process.

// node:child_process, not execa: the agent is a line-protocol peer on its stdin/stdout for the test's whole life,
// and the namespace lives exactly as long as it (unshare execs it); there is no result to collect.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { IncomingHttpHeaders } from 'node:http';

/** The namespace's non-loopback address. */
export const REMOTE_ADDRESS = '192.0.2.2';

const SETUP = `ip link set lo up && ip addr add ${REMOTE_ADDRESS}/32 dev lo`;

/** Why a namespace cannot be made here, or undefined when it can (needs root or CAP_SYS_ADMIN, unshare and ip). */
export function netnsUnavailable(): string | undefined {
  const probe = spawnSync('unshare', ['-n', 'sh', '-c', SETUP], { encoding: 'utf8', timeout: 10_000 });
  if (probe.error !== undefined) return `cannot run unshare: ${probe.error.message}`;
  if (probe.status !== 0) return `\`unshare -n sh -c '${SETUP}'\` failed (${probe.status}): ${probe.stderr.trim()}`;
  return undefined;
}

export interface HttpRequest {
  host: string;
  port: number;
  path: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** The client socket's address: REMOTE_ADDRESS makes the request come from "another machine". */
  localAddress?: string;
}

export interface HttpReply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Netns {
  /** Prefix for a command that must run inside the namespace. */
  enter: string[];
  /** Makes an HTTP request from inside the namespace. */
  request(spec: HttpRequest): Promise<HttpReply>;
  close(): Promise<void>;
}

/** Creates the namespace, held by an agent process that makes requests inside it. */
export async function startNetns(): Promise<Netns> {
  const agent: ChildProcess = spawn(
    'unshare',
    ['-n', 'sh', '-c', `${SETUP} && exec "$0" "$1"`, process.execPath, join(import.meta.dirname, 'netns-agent.mjs')],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  agent.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const waiting = new Map<string, { resolve: (r: HttpReply) => void; reject: (e: Error) => void }>();
  let ready: () => void = () => {};
  const started = new Promise<void>((resolve, reject) => {
    ready = resolve;
    agent.once('exit', (code) => reject(new Error(`the namespace agent exited with ${code}: ${stderr}`)));
  });
  createInterface({ input: agent.stdout! }).on('line', (line) => {
    const reply = JSON.parse(line) as { id: string | null; error?: string } & HttpReply;
    if (reply.id === 'ready') return ready();
    const w = waiting.get(reply.id ?? '');
    if (w === undefined) return;
    waiting.delete(reply.id!);
    if (reply.error !== undefined) w.reject(new Error(reply.error));
    else w.resolve({ status: reply.status, headers: reply.headers, body: reply.body });
  });
  await started;
  let next = 0;
  const exited = new Promise<void>((resolve) => agent.once('exit', () => resolve()));
  return {
    enter: ['nsenter', `--net=/proc/${agent.pid}/ns/net`],
    request: (spec) =>
      new Promise((resolve, reject) => {
        const id = String(next++);
        waiting.set(id, { resolve, reject });
        agent.stdin!.write(`${JSON.stringify({ ...spec, id })}\n`);
      }),
    close: async () => {
      if (agent.exitCode !== null) return;
      agent.stdin!.end();
      agent.kill('SIGTERM');
      await exited;
    },
  };
}
