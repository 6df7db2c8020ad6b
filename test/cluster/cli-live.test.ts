// The CLI on a real kube-apiserver holding the demo cluster: `meshbook check --kubeconfig
// <viewer> --format json` equals `meshbook check --snapshot <dir written by meshbook snapshot>`
// (statuses, reasons and findings; live-only checks are skipped offline, as they must be).

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKS } from '../../runbooks/index.ts';
import type { JsonReport } from '../../src/report/report-schema.ts';
import { MANIFEST_FILE, type SnapshotManifest } from '../../src/cluster/snapshot-files.ts';
import { loadObjects as readFixtures } from '../../src/cluster/yaml-source.ts';
import { runCli } from '../cli/helpers/run-cli.ts';
import { REPO, findClusterBinaries, isDir, loadObjects, startCluster, type TestCluster } from '../../tools/cluster/harness.ts';

const binaries = findClusterBinaries();
const DEMO = join(REPO, 'runbooks', 'demo-cluster');
const liveOnly = new Set(CHECKS.filter((c) => (c.needs ?? []).length > 0).map((c) => c.id));

function outcome(report: JsonReport): Record<string, unknown> {
  return Object.fromEntries(
    report.checks
      .filter((c) => !liveOnly.has(c.id))
      .map((c) => [
        c.id,
        {
          status: c.status,
          reason: c.reason,
          findings: c.findings
            .map((f) => `${f.code} ${f.resource.kind} ${f.resource.namespace ?? ''}/${f.resource.name}: ${f.message}`)
            .sort(),
        },
      ]),
  );
}

describe.skipIf(binaries === undefined || !isDir(DEMO))('the CLI on a real kube-apiserver', () => {
  let cluster: TestCluster;
  let tmp: string;

  beforeAll(async () => {
    cluster = await startCluster({ binaries: binaries! });
    await loadObjects(cluster.admin, (await readFixtures([DEMO])).objects);
    tmp = await mkdtemp(join(tmpdir(), 'meshbook-cli-cluster-'));
  });
  afterAll(async () => {
    await cluster?.stop();
    if (tmp !== undefined) await rm(tmp, { recursive: true, force: true });
  });

  it('check --kubeconfig <viewer> equals check --snapshot <what meshbook snapshot wrote>', async () => {
    const env = { HOME: tmp, KUBECONFIG: '' };
    const dir = join(tmp, 'snap');
    const written = await runCli(['snapshot', '--kubeconfig', cluster.viewerKubeconfig, '--output', dir], { env });
    expect(written.stderr).toBe('');
    expect(written.code).toBe(0);
    const manifest = JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')) as SnapshotManifest;
    expect(manifest.target).toMatchObject({ type: 'live', server: cluster.server });
    expect(manifest.problems.filter((p) => p.reason !== 'not-installed')).toEqual([]);

    const live = await runCli(['check', '--kubeconfig', cluster.viewerKubeconfig, '--format', 'json', '--fail-on', 'never'], { env });
    expect(live.stderr).toBe('');
    const offline = await runCli(['check', '--snapshot', dir, '--format', 'json', '--fail-on', 'never'], { env });
    expect(offline.stderr).toBe('');
    const liveReport = JSON.parse(live.stdout) as JsonReport;
    const offlineReport = JSON.parse(offline.stdout) as JsonReport;
    expect(liveReport.target).toMatchObject({ type: 'live', server: cluster.server });
    expect(outcome(offlineReport)).toEqual(outcome(liveReport));
    expect(liveReport.checks.some((c) => c.findings.length > 0)).toBe(true);
    for (const c of offlineReport.checks.filter((x) => liveOnly.has(x.id))) expect(c.status, c.id).toBe('skipped');
  });

  it.each([
    ['bookinfo/productpage-v1', 'bookinfo/ratings:9080', 1, 'blocked'],
    ['bookinfo/reviews-v2', 'bookinfo/ratings:http', 0, 'allowed'],
  ])('explain --from %s --to %s gives the same verdict chain live as on the snapshot (exit %i)', async (from, to, code, verdict) => {
    const env = { HOME: tmp, KUBECONFIG: '' };
    const live = await runCli(['explain', '--kubeconfig', cluster.viewerKubeconfig, '--from', from, '--to', to, '--format', 'json'], {
      env,
    });
    expect(live.stderr).toBe('');
    expect(live.code).toBe(code);
    const offline = await runCli(['explain', '--snapshot', DEMO, '--from', from, '--to', to, '--format', 'json'], { env });
    expect(offline.code).toBe(code);
    const liveDoc = JSON.parse(live.stdout) as { verdict: string; connections: unknown[] };
    expect(liveDoc.verdict).toBe(verdict);
    expect(liveDoc.connections.length).toBeGreaterThan(0);
    expect(liveDoc).toEqual(JSON.parse(offline.stdout));
  });
});
