// One run over two clusters of a mesh against two real API servers (two etcd + kube-apiserver
// pairs), each loaded with one cluster of a two-cluster scenario and read as the least-privilege
// viewer through two contexts of one kubeconfig: runFleet over the live clusters gives the same
// findings as the named snapshots `meshbook snapshot --context … --context …` writes of them,
// the CLI's live run over both contexts agrees, and neither server's audit log shows a write by
// the viewer.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GatherCache, LiveSource } from '../../src/cluster/live-source.ts';
import { YamlSource, loadObjects as readFixtures } from '../../src/cluster/yaml-source.ts';
import { runFleet } from '../../src/engine/fleet.ts';
import { CHECKS } from '../../runbooks/index.ts';
import {
  REPO,
  findClusterBinaries,
  isDir,
  kubeconfigForClusters,
  loadObjects,
  readAudit,
  startClusters,
  userName,
  waitForAudit,
  type TestCluster,
} from '../../tools/cluster/harness.ts';
import { friendly } from '../helpers/run-fixtures.ts';
import { assertJsonContract } from '../cli/helpers/json-contract.ts';
import { runCli } from '../cli/helpers/run-cli.ts';

const binaries = findClusterBinaries();
if (binaries === undefined) {
  console.warn(
    '[cluster] SKIPPED: kube-apiserver/etcd are not built. Run tools/cluster/build-all.sh (or set KUBE_APISERVER_BIN and ETCD_BIN); .ci/run builds them.',
  );
}

// The two-cluster demo when it is there (one folder per cluster), else a small scenario of our own.
const DEMO = join(REPO, 'runbooks', 'demo-multicluster');
const FIXTURE = join(REPO, 'test', 'fixtures', 'sidecar-injection', 'two-clusters');
const demoClusters = isDir(DEMO) ? readdirSync(DEMO).filter((d) => isDir(join(DEMO, d))) : [];
const SCENARIO: { name: string; paths: string[] }[] =
  demoClusters.length >= 2
    ? demoClusters.sort().map((name) => ({ name, paths: [join(DEMO, name)] }))
    : ['east', 'west'].map((name) => ({ name, paths: [join(FIXTURE, `${name}.yaml`)] }));

// Live-only checks ask probes, which a snapshot cannot answer: compared are the others.
const snapshotChecks = CHECKS.filter((c) => c.needs === undefined || c.needs.length === 0);

// (check, status, sorted `CODE Kind cluster:ns/name`) for every check of a report.
interface Outcome {
  checks: readonly {
    id: string;
    status: string;
    findings: readonly { code: string; resource: { kind: string; namespace?: string; name: string; cluster?: string } }[];
  }[];
}
function outcome(report: Outcome): [string, string, string[]][] {
  return report.checks
    .filter((c) => snapshotChecks.some((s) => s.id === c.id))
    .map((c) => [c.id, c.status, c.findings.map((f) => `${f.code} ${friendly(f.resource)}`).sort()] as [string, string, string[]]);
}

describe.skipIf(binaries === undefined)('a run over two live clusters', () => {
  let clusters: TestCluster[];
  let kubeconfig: string;
  const sources: LiveSource[] = [];

  beforeAll(async () => {
    clusters = await startClusters(SCENARIO.length, { binaries: binaries! });
    console.info(`[cluster] ${clusters.length} API servers up in ${Math.max(...clusters.map((c) => c.timings.totalMs))} ms`);
    for (const [i, { paths }] of SCENARIO.entries()) await loadObjects(clusters[i]!.admin, (await readFixtures(paths)).objects);
    kubeconfig = await kubeconfigForClusters(
      join(clusters[0]!.dir, 'clusters.kubeconfig'),
      SCENARIO.map((s, i) => ({ name: s.name, cluster: clusters[i]! })),
    );
  }, 240_000);

  afterAll(async () => {
    for (const s of sources) s.close();
    await Promise.all((clusters ?? []).map((c) => c.stop()));
  });

  it('runFleet as the viewer gives the findings of the named snapshots the CLI writes of both clusters', async () => {
    for (const s of SCENARIO)
      sources.push(await LiveSource.open({ kubeconfig, context: s.name }, { cacheTtlMs: 0, cache: new GatherCache() }));
    const live = await runFleet(
      snapshotChecks,
      SCENARIO.map((s, i) => ({ name: s.name, source: sources[i]! })),
    );
    expect(live.problem).toBeUndefined();
    expect(live.clusters?.map((c) => [c.name, c.target.type, c.target.server, c.problem])).toEqual(
      SCENARIO.map((s, i) => [s.name, 'live', clusters[i]!.server, undefined]),
    );
    // The demo's deliberate faults (runbooks/demo-multicluster/README.md) are found live, on the right cluster.
    if (demoClusters.length >= 2) {
      const all = outcome(live).flatMap(([, , findings]) => findings);
      expect(all).toContain('MB0910 Deployment west:istio-system/istiod');
      expect(all).toContain('IST0170 Service east:shop/ratings');
    }
    // Each cluster's findings are there, named by their cluster.
    const named = live.checks.flatMap((c) => c.findings.map((f) => f.resource.cluster));
    expect(named.length).toBeGreaterThan(0);
    expect(named.every((n) => SCENARIO.some((s) => s.name === n))).toBe(true);

    const out = join(mkdtempSync(join(tmpdir(), 'meshbook-fleet-')), 'snap');
    const contexts = SCENARIO.flatMap((s) => ['--context', s.name]);
    const written = await runCli(['snapshot', '--kubeconfig', kubeconfig, ...contexts, '--output', out]);
    expect([written.code, written.stderr]).toEqual([0, '']);
    expect(readdirSync(out).sort()).toEqual(SCENARIO.map((s) => s.name));
    const offline = await runFleet(
      snapshotChecks,
      SCENARIO.map((s) => ({ name: s.name, source: new YamlSource([join(out, s.name)]) })),
    );
    expect(outcome(live)).toEqual(outcome(offline));

    // The CLI over both contexts (live) and over the named snapshots agrees with both.
    const [cliLive, cliOffline] = await Promise.all([
      runCli(['check', '--kubeconfig', kubeconfig, ...contexts, '--format', 'json']),
      runCli(['check', ...SCENARIO.flatMap((s) => ['--snapshot', `${s.name}=${join(out, s.name)}`]), '--format', 'json']),
    ]);
    expect(outcome(assertJsonContract(cliLive.stdout))).toEqual(outcome(live));
    expect(outcome(assertJsonContract(cliOffline.stdout))).toEqual(outcome(live));
  }, 180_000);

  it('leaves no write by the viewer in either audit log (access reviews excepted)', async () => {
    for (const [i, cluster] of clusters.entries()) {
      const viewer = sources[i] ?? (await LiveSource.open({ kubeconfig, context: SCENARIO[i]!.name }, { cacheTtlMs: 0 }));
      // The audit log is written after the response: a sentinel request marks the end of what we did.
      const sentinel = `sentinel-${randomUUID()}`;
      await expect(viewer.reader.get(`/api/v1/namespaces/${sentinel}`)).rejects.toMatchObject({ reason: 'not-found' });
      await waitForAudit(cluster.auditLog, (e) => e.requestURI.includes(sentinel) && e.user.username === userName('viewer'));
      const byViewer = (await readAudit(cluster.auditLog)).filter((e) => e.user.username === userName('viewer'));
      expect(byViewer.filter((e) => e.verb === 'list').length, `${SCENARIO[i]!.name} was listed`).toBeGreaterThan(5);
      const writes = byViewer.filter((e) => ['create', 'update', 'patch', 'delete', 'deletecollection'].includes(e.verb));
      const reviews = new Set(['selfsubjectaccessreviews', 'subjectaccessreviews']);
      expect(writes.filter((e) => !reviews.has(e.objectRef?.resource ?? ''))).toEqual([]);
      console.info(
        `[cluster] ${SCENARIO[i]!.name}: ${byViewer.length} requests by the viewer, ${writes.length} access reviews, 0 other writes`,
      );
    }
  }, 60_000);
});
