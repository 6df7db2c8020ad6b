import { describe, expect, it } from 'vitest';
import { defineCheck } from '../../src/engine/check.ts';
import { runOne } from '../../src/engine/runner.ts';
import { Snapshot } from '../../src/engine/snapshot.ts';
import {
  SUPPRESS_ANNOTATION,
  globMatch,
  istioctlName,
  makeSuppressor,
  parseSuppressFlag,
  partitionByDate,
  type FindingPolicy,
  type SuppressionRule,
} from '../../src/engine/suppress.ts';
import type { KubeObject } from '../../src/k8s/objects.ts';

const pod = (ns: string, name: string, suppress?: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { namespace: ns, name, ...(suppress === undefined ? {} : { annotations: { [SUPPRESS_ANNOTATION]: suppress } }) },
});
const ns = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });

// Reports IST0103 (warning) on every pod and IST0102 (info) on every namespace.
const reporter = defineCheck({
  id: 'reporter',
  title: 'Reports pods and namespaces',
  description: 'Test check.',
  why: 'Testing.',
  docs: '/t/',
  inputs: ['v1/Pod', 'v1/Namespace'],
  analyze(ctx) {
    for (const p of ctx.list('v1/Pod'))
      ctx.report('IST0103', { kind: 'Pod', namespace: p.metadata.namespace, name: p.metadata.name }, { pod: p.metadata.name });
    for (const n of ctx.list('v1/Namespace'))
      ctx.report('IST0102', { kind: 'Namespace', name: n.metadata.name }, { namespace: n.metadata.name });
  },
});

async function run(objects: KubeObject[], policy: FindingPolicy) {
  const snapshot = new Snapshot(objects, { kinds: ['v1/Pod', 'v1/Namespace'], problems: [] });
  return runOne(reporter, snapshot, new AbortController().signal, { checkTimeoutMs: 5_000, maxFindingsPerCheck: 100, policy });
}

const flags = (...values: string[]): SuppressionRule[] => values.map((v) => ({ ...parseSuppressFlag(v)!, by: 'flag' as const }));
const names = (fs: readonly { resource: { kind: string; namespace?: string; name: string } }[]): string[] =>
  fs.map((f) => istioctlName(f.resource));

describe('the galley.istio.io/analyze-suppress annotation', () => {
  it('suppresses one code on the resource that carries it, and the status follows what is left', async () => {
    const result = await run([pod('shop', 'a', 'IST0103'), pod('shop', 'b')], { suppress: makeSuppressor([]) });
    expect(names(result.findings)).toEqual(['Pod b.shop']);
    expect(result.suppressed).toEqual([
      expect.objectContaining({ code: 'IST0103', suppression: { by: 'annotation', reason: `${SUPPRESS_ANNOTATION}: IST0103` } }),
    ]);
    expect(result.status).toBe('warn');
  });

  it('takes a comma-separated list, and a code not in it still reports', async () => {
    const result = await run([pod('shop', 'a', 'IST0101,IST0103'), pod('shop', 'b', 'IST0101, IST0104')], { suppress: makeSuppressor([]) });
    expect(names(result.suppressed ?? [])).toEqual(['Pod a.shop']);
    expect(names(result.findings)).toEqual(['Pod b.shop']);
  });

  it('suppresses every code with `*`; a fully suppressed check passes', async () => {
    const result = await run([pod('shop', 'a', '*')], { suppress: makeSuppressor([]) });
    expect(result.findings).toEqual([]);
    expect(result.suppressed).toHaveLength(1);
    expect(result.status).toBe('pass');
  });
});

describe('--suppress CODE=RESOURCE (istioctl syntax)', () => {
  it('parses exactly one `=`, like istioctl', () => {
    expect(parseSuppressFlag('IST0102=Namespace frod')).toEqual({ code: 'IST0102', resource: 'Namespace frod' });
    expect(parseSuppressFlag('IST0102')).toBeUndefined();
    expect(parseSuppressFlag('IST0102=a=b')).toBeUndefined();
  });

  it('matches the istioctl name: `Kind name.namespace`, `Kind name` for cluster-scoped objects', async () => {
    const result = await run([pod('shop', 'a'), pod('web', 'a'), ns('frod'), ns('shop')], {
      suppress: makeSuppressor(flags('IST0102=Namespace frod', 'IST0103=Pod a.shop')),
    });
    expect(names(result.suppressed ?? [])).toEqual(['Namespace frod', 'Pod a.shop']);
    expect(names(result.findings)).toEqual(['Namespace shop', 'Pod a.web']);
    expect(result.suppressed?.[0]?.suppression).toEqual({ by: 'flag', reason: '--suppress "IST0102=Namespace frod"' });
  });

  it('treats `*` as any run of characters and everything else literally', async () => {
    expect(globMatch('Pod *.baz', 'Pod x.baz')).toBe(true);
    expect(globMatch('Pod *.baz', 'Pod x.bazz')).toBe(false);
    expect(globMatch('Pod a.b', 'Pod aXb')).toBe(false);
    expect(globMatch('*', '')).toBe(true);
    const result = await run([pod('baz', 'a'), pod('baz', 'b'), pod('qux', 'a'), ns('frod')], {
      suppress: makeSuppressor(flags('IST0103=Pod *.baz', 'IST01*=*')),
    });
    // IST01* matches IST0102 on the namespace too; each finding is suppressed by the first rule that matches.
    expect(result.findings).toEqual([]);
    expect(result.suppressed?.map((f) => f.suppression.reason)).toEqual([
      '--suppress "IST01*=*"',
      '--suppress "IST0103=Pod *.baz"',
      '--suppress "IST0103=Pod *.baz"',
      '--suppress "IST01*=*"',
    ]);
  });

  it('does not match another code', async () => {
    const result = await run([pod('baz', 'a')], { suppress: makeSuppressor(flags('IST0102=Pod *')) });
    expect(result.findings).toHaveLength(1);
    expect(result.suppressed).toBeUndefined();
  });
});

describe('config-file rules', () => {
  const rule = (until?: string): SuppressionRule => ({
    code: 'IST0103',
    resource: 'Pod *.shop',
    by: 'config',
    reason: 'legacy pods, moving in Q1',
    ...(until === undefined ? {} : { until }),
  });

  it('carry their reason and last day', async () => {
    const { active, expired } = partitionByDate([rule('2027-01-31')], '2027-01-31');
    expect(expired).toEqual([]);
    const result = await run([pod('shop', 'a')], { suppress: makeSuppressor(active) });
    expect(result.suppressed?.[0]?.suppression).toEqual({
      by: 'config',
      reason: 'IST0103=Pod *.shop: legacy pods, moving in Q1',
      until: '2027-01-31',
    });
    expect(result.status).toBe('pass');
  });

  it('stop suppressing the day after `until`, and are reported as expired', async () => {
    const { active, expired } = partitionByDate([rule('2027-01-31'), rule()], '2027-02-01');
    expect(expired).toEqual([{ code: 'IST0103', resource: 'Pod *.shop', reason: 'legacy pods, moving in Q1', until: '2027-01-31' }]);
    expect(active).toEqual([rule()]);
    const onlyExpired = partitionByDate([rule('2027-01-31')], '2027-02-01');
    const result = await run([pod('shop', 'a')], { suppress: makeSuppressor(onlyExpired.active) });
    expect(result.findings).toHaveLength(1);
    expect(result.status).toBe('warn');
  });
});

describe('severity overrides', () => {
  it('change the severity per code, and with it the status', async () => {
    const plain = await run([ns('frod')], {});
    expect(plain.status).toBe('pass');
    const raised = await run([ns('frod')], { severity: { IST0102: 'error' } });
    expect(raised.findings[0]?.severity).toBe('error');
    expect(raised.status).toBe('fail');
    const lowered = await run([pod('shop', 'a')], { severity: { IST0103: 'info' } });
    expect(lowered.status).toBe('pass');
  });
});
