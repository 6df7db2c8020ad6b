// `npm run cluster:up [-- --load PATH ...]`: starts the test cluster (etcd + kube-apiserver on
// 127.0.0.1, RBAC, audit log, Istio and Gateway API CRDs) in the background, optionally loads
// fixture YAML into it, and prints ADMIN_KUBECONFIG=…, VIEWER_KUBECONFIG=…, AUDIT_LOG=….
// `npm run cluster:down` stops it and removes its files.

import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { findClusterBinaries, loadObjects, startCluster } from '../tools/cluster/harness.ts';
import { loadObjects as readFixtures } from '../src/cluster/yaml-source.ts';
import { CLUSTER_DIR, STATE_FILE, isRunning, type ClusterState } from './cluster-state.ts';

const args = process.argv.slice(2);
const load: string[] = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--load' && args[i + 1] !== undefined) load.push(args[++i]!);
  else {
    console.error(`cluster:up: unknown argument ${JSON.stringify(args[i])} (usage: npm run cluster:up [-- --load PATH ...])`);
    process.exit(2);
  }
}

if (existsSync(STATE_FILE)) {
  const state = JSON.parse(await readFile(STATE_FILE, 'utf8')) as ClusterState;
  if (isRunning(state.pids.apiserver, 'kube-apiserver') || isRunning(state.pids.etcd, 'etcd')) {
    console.error(`cluster:up: a test cluster is already running (${state.server}); \`npm run cluster:down\` stops it.`);
    printLines(state);
    process.exit(0);
  }
  await rm(CLUSTER_DIR, { recursive: true, force: true });
}

const binaries = findClusterBinaries();
if (binaries === undefined) {
  console.error(
    'cluster:up: kube-apiserver and etcd are not built. Run tools/cluster/build-all.sh (or set KUBE_APISERVER_BIN and ETCD_BIN).',
  );
  process.exit(1);
}
const cluster = await startCluster({ binaries, detached: true, dir: CLUSTER_DIR });
const state: ClusterState = {
  dir: CLUSTER_DIR,
  server: cluster.server,
  pids: cluster.pids,
  adminKubeconfig: cluster.adminKubeconfig,
  viewerKubeconfig: cluster.viewerKubeconfig,
  auditLog: cluster.auditLog,
};
await writeFile(STATE_FILE, JSON.stringify(state, null, 2));
console.error(
  `cluster:up: ${cluster.server} — etcd ${cluster.timings.etcdMs} ms, kube-apiserver ready ${cluster.timings.apiserverMs} ms, CRDs (${cluster.crdOrigin}) ${cluster.timings.crdsMs} ms; logs in ${CLUSTER_DIR}`,
);
if (load.length > 0) {
  const { objects } = await readFixtures(load);
  const loaded = await loadObjects(cluster.admin, objects);
  console.error(`cluster:up: loaded ${loaded.created.length} objects from ${load.join(', ')}`);
  for (const note of loaded.adaptations) console.error(`  adapted: ${note}`);
}
cluster.admin.close();
printLines(state);

function printLines(s: ClusterState): void {
  console.log(`ADMIN_KUBECONFIG=${s.adminKubeconfig}`);
  console.log(`VIEWER_KUBECONFIG=${s.viewerKubeconfig}`);
  console.log(`AUDIT_LOG=${s.auditLog}`);
}
