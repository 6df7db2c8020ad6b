// `npm run cluster:down`: stops the cluster `npm run cluster:up` started (its two processes,
// by pid, API server first) and removes its directory.

import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { CLUSTER_DIR, STATE_FILE, isRunning, type ClusterState } from './cluster-state.ts';

if (!existsSync(STATE_FILE)) {
  console.error(`cluster:down: no test cluster is running (no ${STATE_FILE}).`);
  await rm(CLUSTER_DIR, { recursive: true, force: true });
  process.exit(0);
}
const state = JSON.parse(await readFile(STATE_FILE, 'utf8')) as ClusterState;
for (const [pid, program] of [
  [state.pids.apiserver, 'kube-apiserver'],
  [state.pids.etcd, 'etcd'],
] as const) {
  if (!isRunning(pid, program)) continue;
  process.kill(pid, 'SIGCONT');
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 10_000;
  while (isRunning(pid, program) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (isRunning(pid, program)) process.kill(pid, 'SIGKILL');
  console.error(`cluster:down: stopped ${program} (pid ${pid})`);
}
await rm(CLUSTER_DIR, { recursive: true, force: true });
console.error(`cluster:down: removed ${CLUSTER_DIR}`);
