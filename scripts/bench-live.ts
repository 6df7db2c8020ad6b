// Benchmark of the live source against the real test cluster: cluster start time, then a full
// run of every check (as the viewer) over the demo cluster, cold (no cache) and warm (cache),
// printing request counts and gather times. `node --import tsx scripts/bench-live.ts [runs]`.
// Results are recorded in docs/live-clusters.md.

import { join } from 'node:path';
import { GatherCache, LiveSource } from '../src/cluster/live-source.ts';
import { loadObjects as readFixtures } from '../src/cluster/yaml-source.ts';
import { inputsOf, runChecks } from '../src/engine/runner.ts';
import { CHECKS } from '../runbooks/index.ts';
import { REPO, findClusterBinaries, loadObjects, startCluster } from '../tools/cluster/harness.ts';

const runs = Number(process.argv[2] ?? '10');
const binaries = findClusterBinaries();
if (binaries === undefined) {
  console.error('bench-live: kube-apiserver and etcd are not built (tools/cluster/build-all.sh).');
  process.exit(1);
}
const cluster = await startCluster({ binaries });
try {
  console.log(
    `cluster start: etcd healthy ${cluster.timings.etcdMs} ms, kube-apiserver ready ${cluster.timings.apiserverMs} ms, CRDs established ${cluster.timings.crdsMs} ms (${cluster.crdOrigin})`,
  );
  const { objects } = await readFixtures([join(REPO, 'runbooks', 'demo-cluster')]);
  const t = performance.now();
  await loadObjects(cluster.admin, objects);
  console.log(`demo cluster loaded: ${objects.length} objects in ${Math.round(performance.now() - t)} ms`);
  const checks = CHECKS.filter((c) => c.needs === undefined || c.needs.length === 0);
  console.log(`${checks.length} checks, ${inputsOf(checks).length} input kinds`);
  for (const mode of ['cold', 'warm'] as const) {
    const source = await LiveSource.open(
      { kubeconfig: cluster.viewerKubeconfig },
      { cache: new GatherCache(), cacheTtlMs: mode === 'cold' ? 0 : 60_000 },
    );
    const gather: number[] = [];
    const total: number[] = [];
    const requests: number[] = [];
    for (let i = 0; i < runs + 1; i++) {
      const before = source.requestCount;
      const start = performance.now();
      const report = await runChecks(checks, source);
      // The first run opens the connection (and, warm, fills the cache): not counted.
      if (i === 0) continue;
      total.push(performance.now() - start);
      gather.push(report.gatherMs);
      requests.push(source.requestCount - before);
    }
    source.close();
    console.log(
      `${mode}: requests per run ${[...new Set(requests)].join('/')}, gather p50 ${p(gather, 0.5)} ms p90 ${p(gather, 0.9)} ms, whole run p50 ${p(total, 0.5)} ms (${runs} runs)`,
    );
  }
} finally {
  await cluster.stop();
}

function p(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);
}
