// The live probes (ctx.probes) over the fake API server: SubjectAccessReviews, GET-only
// proxying with a bounded body, failures to ask as ProbeErrors, and the runner handing probes
// only to live sources and only to checks that declare them.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GatherCache, LiveSource } from '../../src/cluster/live-source.ts';
import { YamlSource } from '../../src/cluster/yaml-source.ts';
import { ProbeError, defineCheck, type Probes } from '../../src/engine/check.ts';
import { runChecks } from '../../src/engine/runner.ts';
import { startFakeApiServer, type FakeApiServer } from './fake-apiserver.ts';

let dir: string;
let fake: FakeApiServer;
let source: LiveSource;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'meshbook-probes-'));
  fake = await startFakeApiServer({
    resources: [{ group: 'apps', versions: ['v1'], plural: 'deployments', kind: 'Deployment', namespaced: true, items: [] }],
  });
  const file = join(dir, 'kubeconfig');
  await writeFile(file, fake.kubeconfig());
  source = await LiveSource.open({ kubeconfig: file }, { cache: new GatherCache(), cacheTtlMs: 0 });
});
afterAll(async () => {
  source?.close();
  await fake?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('LiveSource.probes', () => {
  it('accessReview sends a SubjectAccessReview with user, groups and resource attributes', async () => {
    const answer = await source.probes.accessReview({
      user: 'system:serviceaccount:istio-system:istiod',
      groups: ['system:serviceaccounts'],
      verb: 'list',
      resource: 'endpointslices',
      group: 'discovery.k8s.io',
    });
    expect(answer).toEqual({ allowed: true, reason: 'fake allows' });
    const sent = JSON.parse(fake.requests.at(-1)!.body) as { kind: string; spec: unknown };
    expect(sent).toMatchObject({
      kind: 'SubjectAccessReview',
      spec: {
        user: 'system:serviceaccount:istio-system:istiod',
        groups: ['system:serviceaccounts'],
        resourceAttributes: { verb: 'list', resource: 'endpointslices', group: 'discovery.k8s.io' },
      },
    });
    expect(await source.probes.accessReview({ user: 'u', verb: 'list', resource: 'secrets' })).toEqual({
      allowed: false,
      reason: 'fake denies secrets',
    });
  });

  it('proxyGet returns the status and the body; a backend 404 is an answer, not a failure', async () => {
    expect(
      await source.probes.proxyGet({
        kind: 'service',
        namespace: 'istio-system',
        name: 'istiod',
        port: 15014,
        path: '/debug/registryz?x=1',
      }),
    ).toEqual({
      status: 200,
      body: 'proxied istio-system/istiod:15014 /debug/registryz?x=1',
      truncated: false,
    });
    const missing = await source.probes.proxyGet({ kind: 'service', namespace: 'istio-system', name: 'istiod', path: '/missing' });
    expect(missing.status).toBe(404);
  });

  it('an unreachable server is a ProbeError with the precise reason', async () => {
    const dead = await startFakeApiServer({ resources: [] });
    const file = join(dir, 'dead.kubeconfig');
    await writeFile(file, dead.kubeconfig());
    await dead.close();
    const gone = await LiveSource.open({ kubeconfig: file }, { cache: new GatherCache() });
    try {
      const error = await gone.probes.accessReview({ user: 'u', verb: 'list', resource: 'pods' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProbeError);
      expect((error as Error).message).toMatch(/^Cannot reach the API server at .*connection refused/);
    } finally {
      gone.close();
    }
  });
});

describe('the runner and probes', () => {
  const seen: (Probes | undefined)[] = [];
  const needsProbes = defineCheck({
    id: 'needs-probes',
    title: 't',
    description: 'd',
    why: 'w',
    inputs: ['apps/v1/Deployment'],
    docs: '/x/#y',
    needs: ['probes'],
    async analyze(ctx) {
      seen.push(ctx.probes);
      await ctx.probes!.accessReview({ user: 'u', verb: 'get', resource: 'pods' });
    },
  });
  const plain = defineCheck({
    id: 'plain',
    title: 't',
    description: 'd',
    why: 'w',
    inputs: ['apps/v1/Deployment'],
    docs: '/x/#y',
    analyze(ctx) {
      seen.push(ctx.probes);
    },
  });

  it('gives probes to live checks that declare them, not to others; skips them on snapshots', async () => {
    seen.length = 0;
    const live = await runChecks([needsProbes, plain], source);
    expect(live.checks.map((c) => c.status)).toEqual(['pass', 'pass']);
    expect(seen[0]).toBeDefined();
    expect(seen[1]).toBeUndefined();
    const snap = await runChecks([needsProbes, plain], new YamlSource([join(import.meta.dirname, '..', '..', 'runbooks', 'demo-cluster')]));
    expect(snap.checks.map((c) => c.status)).toEqual(['skipped', 'pass']);
  });

  it('a ProbeError becomes an error result with its message, without an internal-error finding', async () => {
    const failing = {
      ...source,
      live: true as const,
      target: source.target,
      gather: source.gather.bind(source),
      probes: {
        accessReview: async () => {
          throw new ProbeError(
            'cannot create subjectaccessreviews.authorization.k8s.io: forbidden — needs create on subjectaccessreviews (apiGroup authorization.k8s.io).',
          );
        },
        proxyGet: source.probes.proxyGet,
      },
    };
    const report = await runChecks([needsProbes], failing);
    expect(report.checks[0]).toMatchObject({
      status: 'error',
      reason: expect.stringContaining('cannot create subjectaccessreviews'),
      findings: [],
    });
  });
});
