import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { YamlSource } from '../../src/cluster/yaml-source.ts';
import { defineCheck } from '../../src/engine/check.ts';
import { runFleet } from '../../src/engine/fleet.ts';
import { runChecks, type RunEvent } from '../../src/engine/runner.ts';
import { SourceUnavailableError, type ClusterSource } from '../../src/engine/source.ts';
import type { RunReport } from '../../src/engine/types.ts';

const dir = mkdtempSync(join(tmpdir(), 'meshbook-fleet-'));
function snapshotFile(name: string, pods: readonly string[]): string {
  const path = join(dir, `${name}.yaml`);
  const docs = pods.map((p) => `apiVersion: v1\nkind: Pod\nmetadata:\n  namespace: shop\n  name: ${p}\n`);
  writeFileSync(path, docs.join('---\n'));
  return path;
}
const eastFile = snapshotFile('east', ['cart', 'web']);
const westFile = snapshotFile('west', ['cart']);
const east = (): { name: string; source: ClusterSource } => ({ name: 'east', source: new YamlSource([eastFile], 'east.yaml') });
const west = (): { name: string; source: ClusterSource } => ({ name: 'west', source: new YamlSource([westFile], 'west.yaml') });
const down = (): { name: string; source: ClusterSource } => ({
  name: 'west',
  source: {
    target: { type: 'live', name: 'west-context' },
    live: true,
    gather: () => Promise.reject(new SourceUnavailableError('unreachable', 'The API server at https://10.0.0.9 did not answer.')),
  },
});

const podNamer = defineCheck({
  id: 'pod-namer',
  title: 'Reports every pod',
  description: 'Test check.',
  why: 'Testing.',
  docs: '/t/',
  inputs: ['v1/Pod'],
  analyze(ctx) {
    expect(ctx.clusters).toHaveLength(1);
    for (const p of ctx.list('v1/Pod'))
      ctx.report('IST0103', { kind: 'Pod', namespace: p.metadata.namespace, name: p.metadata.name }, { pod: p.metadata.name });
  },
});

const meshRuns: string[][] = [];
// Reports each pod that exists in one cluster only, on that cluster: only a mesh-wide view can tell.
const onlyHere = defineCheck({
  id: 'only-here',
  title: 'Pods in one cluster only',
  description: 'Test check.',
  why: 'Testing.',
  docs: '/t/',
  inputs: ['v1/Pod'],
  scope: 'mesh',
  analyze(ctx) {
    meshRuns.push(ctx.clusters.map((c) => c.name));
    for (const c of ctx.clusters) {
      for (const p of c.list('v1/Pod')) {
        const elsewhere = ctx.clusters.filter((o) => o !== c && o.find('v1/Pod', 'shop', p.metadata.name) !== undefined);
        if (elsewhere.length === 0)
          ctx.report('IST0103', { kind: 'Pod', namespace: 'shop', name: p.metadata.name, cluster: c.name }, { pod: p.metadata.name });
      }
    }
  },
});

const liveOnly = defineCheck({
  id: 'live-only',
  title: 'Needs probes',
  description: 'Test check.',
  why: 'Testing.',
  docs: '/t/',
  inputs: ['v1/Pod'],
  needs: ['probes'],
  analyze() {},
});

const stable = (report: RunReport): unknown => ({
  ...report,
  startedAt: 'x',
  gatherMs: 0,
  checks: report.checks.map((c) => ({ ...c, durationMs: 0 })),
});

describe('runFleet', () => {
  it('runs a cluster-scoped check on every cluster and names the cluster of each finding', async () => {
    const report = await runFleet([podNamer], [east(), west()]);
    const [result] = report.checks;
    expect(result).toMatchObject({ id: 'pod-namer', status: 'warn', read: { kinds: 1, objects: 3 } });
    expect(result!.findings.map((f) => [f.resource.cluster, f.resource.name, f.location?.file])).toEqual([
      ['east', 'cart', eastFile],
      ['east', 'web', eastFile],
      ['west', 'cart', westFile],
    ]);
    expect(report.clusters).toEqual([
      { name: 'east', target: { type: 'snapshot', name: 'east.yaml', paths: [eastFile] }, read: { kinds: 1, objects: 2 } },
      { name: 'west', target: { type: 'snapshot', name: 'west.yaml', paths: [westFile] }, read: { kinds: 1, objects: 1 } },
    ]);
    expect(report.target).toEqual({ type: 'snapshot', name: 'east (east.yaml), west (west.yaml)', paths: [eastFile, westFile] });
    expect(report.read).toEqual({ kinds: 1, objects: 3 });
    expect(report.problem).toBeUndefined();
  });

  it('with one cluster gives exactly the one-cluster report', async () => {
    const fleet = await runFleet([podNamer, onlyHere, liveOnly], [east()]);
    const single = await runChecks([podNamer, onlyHere, liveOnly], east().source);
    expect(stable(fleet)).toEqual(stable(single));
    expect(fleet.clusters).toBeUndefined();
    expect(JSON.stringify(fleet)).not.toContain('"cluster"');
  });

  it('says once that a cluster could not be read, and still checks the others', async () => {
    const events: RunEvent[] = [];
    const report = await runFleet([podNamer], [east(), down()], { onEvent: (e) => events.push(e) });
    expect(report.problem).toBeUndefined();
    expect(report.clusters?.[1]).toEqual({
      name: 'west',
      target: { type: 'live', name: 'west-context' },
      read: { kinds: 0, objects: 0 },
      problem: { reason: 'unreachable', message: 'The API server at https://10.0.0.9 did not answer.' },
    });
    const [result] = report.checks;
    // Passing on east says nothing about west: the check is an error, east's findings are kept.
    expect(result).toMatchObject({ status: 'error', reason: 'west: not read (unreachable).' });
    expect(result!.findings.map((f) => `${f.resource.cluster}:${f.resource.name}`)).toEqual(['east:cart', 'east:web']);
    expect(report.target.type).toBe('live');
    // Clusters are gathered at once: each says it is done when it is.
    const gathered = events.filter((e) => e.type === 'gathered').sort((a, b) => (a.cluster! < b.cluster! ? -1 : 1));
    expect(gathered.map((e) => [e.cluster, e.problem?.reason])).toEqual([
      ['east', undefined],
      ['west', 'unreachable'],
    ]);
    expect(events.filter((e) => e.type === 'result')).toHaveLength(1);
  });

  it('has one problem for the run when no cluster could be read, and no check passes', async () => {
    const report = await runFleet([podNamer, onlyHere], [{ ...down(), name: 'east' }, down()]);
    expect(report.problem?.reason).toBe('unreachable');
    expect(report.problem?.message).toMatch(/^No cluster could be read\. east: The API server .* west: The API server/);
    expect(report.checks.map((c) => c.status)).toEqual(['error', 'error']);
  });

  it('runs a mesh-scoped check once, over every cluster, and locates findings in their own cluster', async () => {
    meshRuns.length = 0;
    const events: RunEvent[] = [];
    const report = await runFleet([onlyHere, podNamer], [east(), west()], { onEvent: (e) => events.push(e) });
    expect(meshRuns).toEqual([['east', 'west']]);
    const [mesh] = report.checks;
    expect(mesh).toMatchObject({ id: 'only-here', status: 'warn', read: { kinds: 1, objects: 3 } });
    expect(mesh!.findings).toHaveLength(1);
    expect(mesh!.findings[0]).toMatchObject({ resource: { kind: 'Pod', namespace: 'shop', name: 'web', cluster: 'east' } });
    expect(mesh!.findings[0]!.location?.file).toBe(eastFile);
    expect(events.map((e) => e.type)).toEqual(['gathered', 'gathered', 'result', 'result']);
  });

  it('a mesh-scoped check over one readable cluster sees that one, and the unreadable one makes it an error', async () => {
    meshRuns.length = 0;
    const report = await runFleet([onlyHere], [east(), down()]);
    expect(meshRuns).toEqual([['east']]);
    expect(report.checks[0]).toMatchObject({ status: 'error', reason: 'west: not read (unreachable).' });
    expect(report.checks[0]!.findings.map((f) => f.resource.name)).toEqual(['cart', 'web']);
  });

  it('skips a live-only check on snapshots once, not once per cluster', async () => {
    const report = await runFleet([liveOnly], [east(), west()]);
    expect(report.checks[0]).toMatchObject({ status: 'skipped' });
    expect(report.checks[0]!.reason).toMatch(/^Skipped: needs a live cluster/);
    expect(report.checks[0]!.reason).not.toContain('west');
    expect(report.problem).toBeUndefined();
  });

  it('refuses clusters without distinct names', async () => {
    await expect(runFleet([podNamer], [east(), { ...west(), name: 'east' }])).rejects.toThrow(/distinct/);
  });
});
