// The what-if engine: a snapshot with proposed objects applied, one gather for both runs, and
// findings compared by code, resource and message (then by code and resource).

import { describe, expect, it } from 'vitest';
import { defineCheck } from '../../src/engine/check.ts';
import { Snapshot } from '../../src/engine/snapshot.ts';
import type { ClusterSource } from '../../src/engine/source.ts';
import type { Finding, RunReport, SourceLocation } from '../../src/engine/types.ts';
import { compareFindings, runWhatIf } from '../../src/engine/what-if.ts';
import type { KindId } from '../../src/k8s/kinds.ts';
import type { KubeObject } from '../../src/k8s/objects.ts';

const pod = (name: string, labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { namespace: 'ns', name, labels },
});

// Reports every pod labelled bad=yes.
const badPods = defineCheck({
  id: 'bad-pods',
  title: 'Reports bad pods',
  description: 'Test check.',
  why: 'Testing.',
  docs: '/t/',
  inputs: ['v1/Pod'],
  analyze(ctx) {
    for (const p of ctx.list('v1/Pod'))
      if (p.metadata.labels?.bad === 'yes')
        ctx.report('IST0103', { kind: 'Pod', namespace: 'ns', name: p.metadata.name }, { pod: p.metadata.name });
  },
});

describe('Snapshot.overlay', () => {
  it('replaces objects by kind, namespace and name, adds new ones, drops kinds it does not hold, and locates both sides', () => {
    const kept = pod('kept');
    const replaced = pod('a');
    const under = new WeakMap<object, SourceLocation>([[kept, { file: 'snap.yaml', line: 3 }]]);
    const base = new Snapshot([kept, replaced], { kinds: ['v1/Pod'], locations: under });
    const next = pod('a', { bad: 'yes' });
    const added = pod('b');
    const svc: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'ns', name: 's' } };
    const over = new WeakMap<object, SourceLocation>([[next, { file: 'change.yaml', line: 1 }]]);
    const snap = base.overlay([next, added, svc], over);
    expect(snap.list('v1/Pod').map((p) => p.metadata.name)).toEqual(['kept', 'a', 'b']);
    expect(snap.find('v1/Pod', 'ns', 'a')).toBe(next);
    expect(snap.list('v1/Service')).toEqual([]);
    expect(snap.locate(next)).toEqual({ file: 'change.yaml', line: 1 });
    expect(snap.locate(kept)).toEqual({ file: 'snap.yaml', line: 3 });
    // The snapshot under it is unchanged.
    expect(base.find('v1/Pod', 'ns', 'a')).toBe(replaced);
  });
});

describe('runWhatIf', () => {
  it('gathers once and reports added and fixed findings', async () => {
    let gathers = 0;
    const source: ClusterSource = {
      target: { type: 'snapshot', name: 'test' },
      live: false,
      gather: async (kinds: readonly KindId[]) => {
        gathers++;
        return new Snapshot([pod('old', { bad: 'yes' }), pod('fine')], { kinds });
      },
    };
    const report = await runWhatIf([badPods], source, {
      objects: [pod('old'), pod('fine', { bad: 'yes' })],
      locations: new WeakMap(),
      files: ['change.yaml'],
    });
    expect(gathers).toBe(1);
    expect(report.whatIf?.files).toEqual(['change.yaml']);
    expect(report.whatIf?.added.map((f) => f.resource.name)).toEqual(['fine']);
    expect(report.whatIf?.fixed.map((f) => f.resource.name)).toEqual(['old']);
    // The report's checks are the run with the change.
    expect(report.checks[0]!.findings.map((f) => f.resource.name)).toEqual(['fine']);
  });
});

describe('compareFindings', () => {
  const finding = (name: string, message: string): Finding => ({
    code: 'MB0401',
    severity: 'warning',
    message,
    resource: { kind: 'NetworkPolicy', namespace: 'ns', name },
    params: {},
  });
  const report = (...findings: Finding[]): RunReport =>
    ({ checks: [{ id: 'c', title: 'c', status: 'warn', durationMs: 0, findings }] }) as unknown as RunReport;

  it('treats a finding whose message changed as still there, and counts repeated findings as a multiset', () => {
    const before = report(finding('p', '11 workloads blocked'), finding('q', 'one'), finding('q', 'one'));
    const after = report(finding('p', '10 workloads blocked'), finding('q', 'one'), finding('r', 'new'));
    const { added, fixed } = compareFindings(before, after);
    expect(added.map((f) => `${f.resource.name}: ${f.message}`)).toEqual(['r: new']);
    expect(fixed.map((f) => `${f.resource.name}: ${f.message}`)).toEqual(['q: one']);
  });
});
