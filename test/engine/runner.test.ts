import { describe, expect, it } from 'vitest';
import { defineCheck, type Check } from '../../src/engine/check.ts';
import { inputsOf, runChecks, runOne, type RunEvent } from '../../src/engine/runner.ts';
import { Snapshot, type GatherProblem } from '../../src/engine/snapshot.ts';
import { SourceUnavailableError, type ClusterSource, type GatherOptions } from '../../src/engine/source.ts';
import type { KindId } from '../../src/k8s/kinds.ts';
import type { KubeObject } from '../../src/k8s/objects.ts';

const pod = (ns: string, name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { namespace: ns, name } });
const svc = (ns: string, name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { namespace: ns, name } });

// A source that records every gather call, so tests can prove each kind is read once.
class CountingSource implements ClusterSource {
  readonly target = { type: 'snapshot' as const, name: 'test' };
  readonly gathers: KindId[][] = [];
  constructor(
    readonly live: boolean,
    private readonly objects: KubeObject[],
    private readonly problems: GatherProblem[] = [],
    private readonly delayMs = 0,
  ) {}
  async gather(kinds: readonly KindId[], options: GatherOptions): Promise<Snapshot> {
    this.gathers.push([...kinds]);
    if (this.delayMs > 0) {
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(resolve, this.delayMs);
        options.signal.addEventListener(
          'abort',
          () => {
            clearTimeout(t);
            reject(options.signal.reason);
          },
          { once: true },
        );
      });
    }
    return new Snapshot(this.objects, { kinds, problems: this.problems });
  }
}

const podNamer = defineCheck({
  id: 'pod-namer',
  title: 'Reports every pod',
  description: 'Test check.',
  why: 'Testing.',
  docs: '/t/',
  inputs: ['v1/Pod'],
  analyze(ctx) {
    for (const p of ctx.list('v1/Pod'))
      ctx.report('IST0103', { kind: 'Pod', namespace: p.metadata.namespace, name: p.metadata.name }, { pod: p.metadata.name });
  },
});
const svcCounter = defineCheck({
  id: 'svc-counter',
  title: 'Reads pods and services',
  description: 'Test check.',
  why: 'Testing.',
  docs: '/t/',
  inputs: ['v1/Pod', 'v1/Service'],
  analyze(ctx) {
    if (ctx.list('v1/Service').length > ctx.list('v1/Pod').length)
      ctx.report('IST0101', { kind: 'Service', name: 'x' }, { kind: 'pod', ref: 'x' });
  },
});
const thrower = defineCheck({
  id: 'thrower',
  title: 'Throws',
  description: 'Test check.',
  why: 'Testing.',
  docs: '/t/',
  inputs: ['v1/Pod'],
  analyze() {
    throw new Error('boom');
  },
});
const sleeper = defineCheck({
  id: 'sleeper',
  title: 'Never finishes',
  description: 'Test check.',
  why: 'Testing.',
  docs: '/t/',
  inputs: ['v1/Pod'],
  analyze: (ctx) => new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve())),
});
const sneaky = defineCheck({
  id: 'sneaky',
  title: 'Reads an undeclared kind',
  description: 'Test check.',
  why: 'Testing.',
  docs: '/t/',
  inputs: ['v1/Pod'],
  analyze(ctx) {
    (ctx.list as (k: KindId) => unknown)('v1/Service');
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
const netpolReader = defineCheck({
  id: 'netpol-reader',
  title: 'Reads network policies',
  description: 'Test check.',
  why: 'Testing.',
  docs: '/t/',
  inputs: ['networking.k8s.io/v1/NetworkPolicy'],
  analyze() {},
});

describe('runChecks', () => {
  it('gathers the union of inputs once and gives every check the same snapshot', async () => {
    const source = new CountingSource(false, [pod('a', 'p1'), svc('a', 's1'), svc('a', 's2')]);
    const report = await runChecks([podNamer, svcCounter], source);
    expect(source.gathers).toEqual([['v1/Pod', 'v1/Service']]);
    expect(report.checks.map((c) => [c.id, c.status, c.findings.map((f) => f.code)])).toEqual([
      ['pod-namer', 'warn', ['IST0103']],
      ['svc-counter', 'fail', ['IST0101']],
    ]);
    const f = report.checks[0]!.findings[0]!;
    expect(f).toMatchObject({
      severity: 'warning',
      resource: { kind: 'Pod', namespace: 'a', name: 'p1' },
      docs: '/t/',
      codeDocs: '/reference/codes/ist0103/',
    });
    expect(f.message).toContain('The pod p1 is missing the Istio proxy');
  });

  it('turns a throwing check into an error result and runs the rest', async () => {
    const report = await runChecks([thrower, podNamer], new CountingSource(false, [pod('a', 'p1')]));
    expect(report.checks[0]).toMatchObject({ id: 'thrower', status: 'error' });
    expect(report.checks[0]!.findings[0]).toMatchObject({ code: 'MB0001', params: { error: 'boom' } });
    expect(report.checks[1]).toMatchObject({ id: 'pod-namer', status: 'warn' });
  });

  it('times a check out without stopping the others', async () => {
    const report = await runChecks([sleeper, podNamer], new CountingSource(false, [pod('a', 'p1')]), { checkTimeoutMs: 50 });
    expect(report.checks[0]!.status).toBe('error');
    expect(report.checks[0]!.reason).toContain('did not finish within 50 ms');
    expect(report.checks[1]!.status).toBe('warn');
  });

  it('refuses reads of undeclared kinds', async () => {
    const report = await runChecks([sneaky], new CountingSource(false, []));
    expect(report.checks[0]!.status).toBe('error');
    expect(report.checks[0]!.reason).toContain('does not declare');
  });

  it('skips live-only checks on a snapshot without gathering for them', async () => {
    const source = new CountingSource(false, []);
    const report = await runChecks([liveOnly], source);
    expect(report.checks[0]).toMatchObject({ status: 'skipped' });
    expect(report.checks[0]!.reason).toMatch(/needs a live cluster/);
    expect(source.gathers).toEqual([]);
  });

  it('errors only the checks whose inputs could not be read', async () => {
    const problem: GatherProblem = {
      kind: 'networking.k8s.io/v1/NetworkPolicy',
      reason: 'forbidden',
      message: 'cannot list networkpolicies.networking.k8s.io in namespace bookinfo: forbidden',
    };
    const report = await runChecks([netpolReader, podNamer], new CountingSource(true, [pod('a', 'p')], [problem]));
    expect(report.checks[0]).toMatchObject({ id: 'netpol-reader', status: 'error', reason: problem.message });
    expect(report.checks[1]).toMatchObject({ id: 'pod-namer', status: 'warn' });
  });

  it('streams a gathered event, then one result per check in order', async () => {
    const events: RunEvent['type'][] = [];
    await runChecks([podNamer, svcCounter], new CountingSource(false, []), { onEvent: (e) => events.push(e.type) });
    expect(events).toEqual(['gathered', 'result', 'result']);
  });

  it('is cancelled by its signal, also mid-gather', async () => {
    const controller = new AbortController();
    const run = runChecks([podNamer], new CountingSource(true, [], [], 5_000), { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('cancelled by user')), 20);
    await expect(run).rejects.toThrow('cancelled by user');
  });

  it('reports a slow gather as an error on every check instead of hanging', async () => {
    const report = await runChecks([podNamer, svcCounter], new CountingSource(true, [], [], 5_000), { gatherTimeoutMs: 50 });
    expect(report.checks.map((c) => c.status)).toEqual(['error', 'error']);
    expect(report.checks[0]!.reason).toContain('longer than 50 ms');
  });

  it('bounds the findings per check and counts the rest', async () => {
    const pods = Array.from({ length: 30 }, (_, i) => pod('a', `p${i}`));
    const report = await runChecks([podNamer], new CountingSource(false, pods), { maxFindingsPerCheck: 10 });
    expect(report.checks[0]!.findings).toHaveLength(10);
    expect(report.checks[0]!.truncated).toBe(20);
  });

  it('de-duplicates identical findings', async () => {
    const twice = defineCheck({
      id: 'twice',
      title: 'Reports twice',
      description: 'Test check.',
      why: 'Testing.',
      docs: '/t/',
      inputs: ['v1/Pod'],
      analyze(ctx) {
        for (let i = 0; i < 2; i++) ctx.report('IST0103', { kind: 'Pod', namespace: 'a', name: 'p' }, { pod: 'p' });
      },
    });
    const report = await runChecks([twice], new CountingSource(false, []));
    expect(report.checks[0]!.findings).toHaveLength(1);
  });

  it('reports only findings in the namespace the run is limited to, with every namespace visible', async () => {
    const source = new CountingSource(false, [pod('a', 'p1'), pod('b', 'p2')]);
    const report = await runChecks([podNamer], source, { namespace: 'b' });
    expect(report.checks[0]!.findings.map((f) => f.resource.name)).toEqual(['p2']);
  });

  it('computes the union of inputs in registry order', () => {
    expect(inputsOf([svcCounter, netpolReader, podNamer] as Check[])).toEqual([
      'v1/Pod',
      'v1/Service',
      'networking.k8s.io/v1/NetworkPolicy',
    ]);
  });
});

describe('checks with live needs', () => {
  // Such a check is typed to always get its probes (ProbeContext): the runner never calls it without them.
  it('are skipped, not run, when no probes are handed to them', async () => {
    let ran = false;
    const live = defineCheck({
      id: 'needs-probes',
      title: 'Needs probes',
      description: 'Asks the API server.',
      why: 'Only a live cluster knows.',
      inputs: ['v1/Pod'],
      docs: '/network-layers/',
      needs: ['probes'],
      analyze(ctx) {
        ran = true;
        void ctx.probes.accessReview;
      },
    });
    const result = await runOne(live, new Snapshot([], { kinds: ['v1/Pod'] }), new AbortController().signal, {
      checkTimeoutMs: 1_000,
      maxFindingsPerCheck: 10,
    });
    expect(ran).toBe(false);
    expect(result.status).toBe('skipped');
    expect(result.reason).toMatch(/needs a live cluster/);
  });
});

describe('runChecks: how much was read, and a source that cannot be read', () => {
  const gateways = defineCheck({
    id: 'gw-reader',
    title: 'Reads Istio Gateways',
    description: 'Test check.',
    why: 'Testing.',
    docs: '/t/',
    inputs: ['networking.istio.io/v1/Gateway'],
    analyze() {},
  });

  it('says per check and per run how many kinds and objects were read', async () => {
    const report = await runChecks([podNamer, svcCounter], new CountingSource(false, [pod('a', 'p1'), pod('b', 'p2'), svc('a', 's')]));
    expect(report.checks.map((c) => c.read)).toEqual([
      { kinds: 1, objects: 2 },
      { kinds: 2, objects: 3 },
    ]);
    expect(report.read).toEqual({ kinds: 2, objects: 3 });
    expect(report.problem).toBeUndefined();
  });

  it('runs no check on a source that is not usable, says why once, and passes nothing', async () => {
    const events: RunEvent[] = [];
    const broken: ClusterSource = {
      target: { type: 'live', name: 'ctx' },
      live: true,
      gather: () =>
        Promise.reject(
          new SourceUnavailableError('not-kubernetes', 'http://127.0.0.1:9 is not a Kubernetes API server: GET /api answered 404.'),
        ),
    };
    const report = await runChecks([podNamer, svcCounter, gateways], broken, { onEvent: (e) => events.push(e) });
    expect(report.problem).toEqual({
      reason: 'not-kubernetes',
      message: 'http://127.0.0.1:9 is not a Kubernetes API server: GET /api answered 404.',
    });
    expect(report.checks.map((c) => c.status)).toEqual(['error', 'error', 'error']);
    expect(report.checks.every((c) => c.read === undefined && c.reason === report.problem?.message)).toBe(true);
    expect(report.read).toEqual({ kinds: 0, objects: 0 });
    const gathered = events.find((e) => e.type === 'gathered');
    expect(gathered).toMatchObject({ type: 'gathered', problem: { reason: 'not-kubernetes' }, read: { kinds: 0, objects: 0 } });
    expect(gathered).not.toHaveProperty('gatheredAt');
  });

  it('skips, and does not pass, a check all of whose inputs are not installed', async () => {
    const absent: GatherProblem = { kind: 'networking.istio.io/v1/Gateway', reason: 'not-installed', message: 'Gateway is not installed.' };
    const report = await runChecks([gateways, podNamer], new CountingSource(true, [pod('a', 'p1')], [absent]));
    expect(report.checks[0]).toMatchObject({
      status: 'skipped',
      reason: 'Nothing to check: Gateway is not installed.',
      read: { kinds: 0, objects: 0 },
    });
    expect(report.checks[1]).toMatchObject({ status: 'warn', read: { kinds: 1, objects: 1 } });
  });
});

describe('ctx.skip', () => {
  const skipping = (alsoReport: boolean) =>
    defineCheck({
      id: 'skips',
      title: 'Skips',
      description: 'Test check.',
      why: 'Testing.',
      docs: '/t/#skips',
      inputs: ['v1/Pod'],
      analyze(ctx) {
        ctx.skip('Nothing to check: no pods.');
        if (alsoReport) ctx.report('IST0103', { kind: 'Pod', namespace: 'ns', name: 'p' }, { pod: 'p' });
      },
    });

  it('ends the check as skipped with its reason, and a report after it is an error, never a quiet skip', async () => {
    const source = new CountingSource(false, []);
    const [quiet] = (await runChecks([skipping(false)], source)).checks;
    expect([quiet!.status, quiet!.reason]).toEqual(['skipped', 'Nothing to check: no pods.']);
    const [loud] = (await runChecks([skipping(true)], source)).checks;
    expect(loud!.status).toBe('error');
  });
});
