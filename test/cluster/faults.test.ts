// The live source when the real API server misbehaves mid-run: paused (accepts connections,
// never answers), briefly slow, and stopped. Nothing hangs; the checks whose kinds could not be
// read say why, precisely. Runs its own cluster (with the minimal CRDs, which it also exercises),
// because it stops the API server.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { GatherCache, LiveSource, type LiveSourceOptions } from '../../src/cluster/live-source.ts';
import { YamlSource, loadObjects as readFixtures } from '../../src/cluster/yaml-source.ts';
import { runChecks } from '../../src/engine/runner.ts';
import type { RunReport } from '../../src/engine/types.ts';
import { CHECKS, getCheck } from '../../runbooks/index.ts';
import { pairs } from '../helpers/run-fixtures.ts';
import { REPO, findClusterBinaries, loadObjects, startCluster, unloadObjects, type TestCluster } from '../../tools/cluster/harness.ts';

const binaries = findClusterBinaries();
const liveChecks = CHECKS.filter((c) => c.needs === undefined || c.needs.length === 0);

describe.skipIf(binaries === undefined)('faults on a real kube-apiserver', () => {
  let cluster: TestCluster;
  const sources: LiveSource[] = [];
  const open = async (options: LiveSourceOptions): Promise<LiveSource> => {
    const source = await LiveSource.open({ kubeconfig: cluster.viewerKubeconfig }, { cacheTtlMs: 0, cache: new GatherCache(), ...options });
    sources.push(source);
    return source;
  };
  // Runs every check, and calls `act` once the run has sent `after` requests (i.e. mid-gather).
  const runWith = async (
    source: LiveSource,
    after: number,
    act: () => void | Promise<void>,
  ): Promise<{ report: RunReport; ms: number }> => {
    let done = false;
    const watcher = (async () => {
      while (!done && source.requestCount < after) await new Promise((r) => setTimeout(r, 1));
      if (!done) await act();
    })();
    const start = performance.now();
    const report = await runChecks(liveChecks, source);
    done = true;
    await watcher;
    return { report, ms: performance.now() - start };
  };

  beforeAll(async () => {
    cluster = await startCluster({ binaries: binaries!, crds: 'minimal' });
  });

  afterAll(async () => {
    for (const s of sources) s.close();
    await cluster?.stop();
  });

  it.each(['gateway-ports-port-without-number.yaml', 'gateway-ports-ok.yaml'])(
    'minimal CRDs: %s gives the same gateway-ports findings live as from the snapshot',
    async (name) => {
      // The first is rejected by Istio's real CRD schema (a server without port.number); the
      // schema-less minimal CRDs hold it, so the check's handling of it is compared too.
      const fixture = join(REPO, 'test', 'fixtures', 'gateway-ports', name);
      const loaded = await loadObjects(cluster.admin, (await readFixtures([fixture])).objects);
      try {
        const check = getCheck('gateway-ports')!;
        const live = await runChecks([check], await open({}));
        const snapshot = await runChecks([check], new YamlSource([fixture]));
        expect(live.checks[0]!.status).toBe(snapshot.checks[0]!.status);
        expect(pairs(live.checks[0]!)).toEqual(pairs(snapshot.checks[0]!));
      } finally {
        await unloadObjects(cluster.admin, loaded);
      }
    },
  );

  // The fault runs read an empty-ish cluster: what matters is how reading fails, not what is found.
  it('a briefly slow API server (paused 0.5 s) within the request budget: the run completes normally', async () => {
    const source = await open({ timeoutMs: 5_000, concurrency: 1 });
    const { report } = await runWith(source, 2, async () => {
      cluster.pauseApiserver();
      await new Promise((r) => setTimeout(r, 500));
      cluster.resumeApiserver();
    });
    expect(report.checks.filter((c) => c.status === 'error')).toEqual([]);
  });

  it('a paused API server mid-run: unread kinds time out per request, the run ends in bounded time', async () => {
    const source = await open({ timeoutMs: 1_000, deadlineMs: 10_000, concurrency: 1 });
    try {
      const { report, ms } = await runWith(source, 2, () => cluster.pauseApiserver());
      // One request times out (1 s); the kinds after it are not tried (the server is not answering).
      expect(ms).toBeLessThan(4_000);
      expect(report.checks).toHaveLength(liveChecks.length);
      const errored = report.checks.filter((c) => c.status === 'error');
      expect(errored.length).toBeGreaterThan(0);
      for (const c of errored)
        expect(c.reason).toMatch(
          /^No complete answer from the API server at https:\/\/127\.0\.0\.1:\d+ within 1 s \(GET \/[^)]+\): it is slow or overloaded — check its health, then retry\./,
        );
    } finally {
      cluster.resumeApiserver();
    }
  });

  it('a stopped API server mid-run: the rest say it cannot be reached, and a new run fails fast with the same words', async () => {
    const source = await open({ timeoutMs: 5_000, concurrency: 1 });
    const { report, ms } = await runWith(source, 2, () => cluster.stopApiserver());
    expect(ms).toBeLessThan(12_000);
    const errored = report.checks.filter((c) => c.status === 'error');
    expect(errored.length).toBeGreaterThan(0);
    const refused = new RegExp(
      `Cannot reach the API server at ${cluster.server.replace(/[.]/g, '\\.')}: connection refused — is the cluster running, and is "meshbook-test-viewer" the right context\\?`,
    );
    for (const c of errored) expect(c.reason).toMatch(new RegExp(`${refused.source}|closed the connection before answering`));

    const start = performance.now();
    const after = await runChecks(liveChecks, await open({}));
    expect(performance.now() - start).toBeLessThan(2_000);
    for (const c of after.checks) expect(c).toMatchObject({ status: 'error', reason: expect.stringMatching(refused) });
  });
});
