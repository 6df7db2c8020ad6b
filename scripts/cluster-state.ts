// Where `npm run cluster:up` keeps its cluster, and how cluster:down recognises its processes.

import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CLUSTER_DIR = process.env.MESHBOOK_CLUSTER_DIR ?? join(tmpdir(), 'meshbook-cluster');
export const STATE_FILE = join(CLUSTER_DIR, 'state.json');

export interface ClusterState {
  dir: string;
  server: string;
  pids: { etcd: number; apiserver: number };
  adminKubeconfig: string;
  viewerKubeconfig: string;
  auditLog: string;
}

/** True when `pid` is alive and is the program we started (guards against a reused pid). */
export function isRunning(pid: number, program: string): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\u0000');
    return cmdline[0]?.endsWith(program) === true && cmdline.some((a) => a.includes(CLUSTER_DIR));
  } catch {
    return false;
  }
}
