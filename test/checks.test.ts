// One table for every check: fixture files in, the exact multiset of (code, resource) out.
// Negative fixtures expect nothing (or only info findings). Fixture files say what they expect
// in `# expected:` comments. A second table pins the bundled demo cluster's findings.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { YamlSource } from '../src/cluster/yaml-source.ts';
import { runChecks } from '../src/engine/runner.ts';
import type { CheckStatus } from '../src/engine/types.ts';
import { CHECKS } from '../runbooks/index.ts';
import { FIXTURES as FIXTURE_DIR, describeFixtureRows, pairs, runFixture, type FixtureRow } from './helpers/run-fixtures.ts';


const rows: FixtureRow[] = [
  // control-plane-health
  {
    check: 'control-plane-health',
    fixtures: ['control-plane-health/control-plane-health-ok.yaml'],
    expected: [['MB0104', 'Deployment istio-system/istiod']],
    status: 'pass',
  },
  {
    check: 'control-plane-health',
    fixtures: ['control-plane-health/control-plane-health-missing.yaml'],
    expected: [['MB0101', 'Namespace istio-system']],
    status: 'fail',
  },
  {
    check: 'control-plane-health',
    fixtures: ['control-plane-health/control-plane-health-degraded.yaml'],
    expected: [
      ['MB0102', 'Deployment istio-system/istiod'],
      ['MB0104', 'Deployment istio-system/istiod-canary'],
      ['MB0103', 'Pod istio-system/istiod-canary-7f6d5c4b3-x8k2p'],
      ['MB0102', 'Deployment mesh-cp/pilot'],
    ],
    status: 'fail',
  },
  {
    check: 'control-plane-health',
    fixtures: ['control-plane-health/control-plane-health-manifest.yaml'],
    expected: [['MB0104', 'Deployment istio-system/istiod']],
    status: 'pass',
  },
  {
    check: 'control-plane-health',
    fixtures: ['control-plane-health/control-plane-health-istio-1-0.yaml'],
    expected: [
      ['MB0104', 'Deployment istio-system/istio-pilot'],
      ['MB0103', 'Pod istio-system/istio-pilot-65f4d7b8c9-bl6pd'],
    ],
    status: 'warn',
  },
  {
    check: 'control-plane-health',
    fixtures: ['control-plane-health/control-plane-health-namespace-only.yaml'],
    expected: [['MB0101', 'Namespace istio-system']],
    status: 'fail',
  },
  {
    check: 'control-plane-health',
    fixtures: ['control-plane-health/control-plane-health-shared-labels.yaml'],
    expected: [
      ['MB0104', 'Deployment istio-system/istiod'],
      ['MB0104', 'Deployment istio-system/istiod-canary'],
      ['MB0103', 'Pod istio-system/istiod-canary-6d5f8b7c4-h2k9m'],
    ],
    status: 'warn',
  },

  // sidecar-injection
  { check: 'sidecar-injection', fixtures: ['sidecar-injection/sidecar-injection-ok.yaml'], expected: [], status: 'pass' },
  {
    check: 'sidecar-injection',
    fixtures: ['sidecar-injection/sidecar-injection-bad.yaml'],
    expected: [
      ['IST0102', 'Namespace legacy'],
      ['IST0102', 'Namespace blank'],
      ['IST0123', 'Namespace busted'],
      ['IST0123', 'Namespace mixed'],
      ['IST0103', 'Pod shop/cart-7c9d8f6b5-xk2lp'],
      ['IST0103', 'Pod shop/worker-6f5e4d3c2-b8n4m'],
      ['IST0103', 'Pod shop/imageless-proxy'],
      ['IST0103', 'Pod busted/orders-5b4c3d2e1-q9w8e'],
    ],
    status: 'warn',
  },
  {
    check: 'sidecar-injection',
    fixtures: ['sidecar-injection/sidecar-injection-default-on.yaml'],
    expected: [
      ['IST0148', 'Namespace apps'],
      ['IST0103', 'Pod web/api-0'],
    ],
  },
  {
    check: 'sidecar-injection',
    fixtures: ['sidecar-injection/sidecar-injection-injector-values.yaml'],
    expected: [
      ['IST0102', 'Namespace apps'],
      ['IST0102', 'Namespace tools'],
    ],
    // IST0102 is info, as in istioctl: a namespace outside the mesh is a fact, not a fault.
    status: 'pass',
  },

  // gateway-ports
  { check: 'gateway-ports', fixtures: ['gateway-ports/gateway-ports-ok.yaml'], expected: [], status: 'pass' },
  {
    check: 'gateway-ports',
    fixtures: ['gateway-ports/gateway-ports-bad.yaml'],
    expected: [
      ['IST0101', 'Gateway shop/orphan'],
      ['IST0162', 'Gateway shop/web'],
      ['IST0162', 'Gateway shop/web'],
    ],
  },
  {
    check: 'gateway-ports',
    fixtures: ['gateway-ports/gateway-ports-port-without-number.yaml'],
    expected: [['IST0162', 'Gateway shop/web']],
  },

  // service-endpoints
  { check: 'service-endpoints', fixtures: ['service-endpoints/service-endpoints-ok.yaml'], expected: [], status: 'pass' },
  {
    check: 'service-endpoints',
    fixtures: ['service-endpoints/service-endpoints-bad.yaml'],
    expected: [
      ['MB0202', 'Service bookinfo/reviews'],
      ['MB0203', 'EndpointSlice bookinfo/reviews-8xk2p'],
      ['MB0203', 'EndpointSlice bookinfo/ratings-m2n3b'],
      ['MB0205', 'Service bookinfo/details'],
      ['MB0203', 'EndpointSlice bookinfo/details-q1w2e'],
      ['MB0201', 'Service bookinfo/recommendations'],
      ['MB0204', 'Service bookinfo/productpage'],
      ['MB0202', 'Service bookinfo/mongodb'],
      ['MB0203', 'EndpointSlice bookinfo/mongodb-z9x8c'],
      ['MB0201', 'Service edge/web'],
    ],
    status: 'fail',
  },
];

describeFixtureRows(rows);

// Messages are what operators read first: pin a few exactly, so a wording change is deliberate.
describe('messages', () => {
  it('say what is wrong, with the values that prove it', async () => {
    const endpoints = await runFixture('service-endpoints', ['service-endpoints/service-endpoints-bad.yaml']);
    const byResource = (name: string): string[] => endpoints.findings.filter((f) => f.resource.name === name).map((f) => f.message);
    expect(byResource('reviews-8xk2p')).toEqual([
      'EndpointSlice bookinfo/reviews-8xk2p lists 10.244.2.40 as a ready endpoint of Service bookinfo/reviews, but the pod it names (reviews-v3-5b9c8d7e6-zzzzz) no longer exists and no pod has this IP: stale EndpointSlice, proxies will send requests to it.',
    ]);
    expect(byResource('reviews')).toEqual([
      'Pod reviews-v3-5b9c8d7e6-lllll (10.244.2.45) is Running and Ready and matches Service bookinfo/reviews, but no EndpointSlice lists it as a ready endpoint: stale EndpointSlice, istiod will not route to it.',
    ]);
    expect(byResource('ratings-m2n3b')[0]).toContain('pod ratings-debug has this IP and no longer matches the selector');
    expect(byResource('mongodb-z9x8c')[0]).toContain('the pod it names (mongodb-0) now has IP 10.244.2.70');

    const injection = await runFixture('sidecar-injection', ['sidecar-injection/sidecar-injection-bad.yaml']);
    const busted = injection.findings.find((f) => f.code === 'IST0123' && f.resource.name === 'busted');
    expect(busted?.message).toBe(
      'The namespace has more than one type of injection labels [istio-injection=enabled istio.io/rev=canary], which may lead to undefined behavior. Make sure only one injection label exists.',
    );
    const cart = injection.findings.find((f) => f.code === 'IST0103' && f.resource.name === 'cart-7c9d8f6b5-xk2lp');
    expect(cart?.message).toBe('The pod shop/cart-7c9d8f6b5-xk2lp is missing the Istio proxy. This can often be resolved by restarting or redeploying the workload.');
    expect(cart?.remediation).toContain('kubectl -n shop rollout restart deployment/cart');
    const worker = injection.findings.find((f) => f.resource.name === 'worker-6f5e4d3c2-b8n4m');
    expect(worker?.remediation).toContain('deployment/worker');

    const plane = await runFixture('control-plane-health', ['control-plane-health/control-plane-health-degraded.yaml']);
    const oom = plane.findings.find((f) => f.code === 'MB0103');
    expect(oom?.evidence?.['status.containerStatuses[discovery].lastState.terminated.reason']).toBe('OOMKilled');
    expect(oom?.remediation).toContain('memory limit');
    const scaled = plane.findings.find((f) => f.resource.name === 'pilot');
    expect(scaled?.message).toBe('Control plane Deployment mesh-cp/pilot is scaled to zero replicas: no istiod is serving.');
    const canary = plane.findings.find((f) => f.code === 'MB0104');
    expect(canary?.message).toBe('Control plane istio-system/istiod-canary runs Istio 1.28.0 (revision canary) and is available.');
  });
});

// A run limited to one namespace (`-n`, like kubectl and istioctl) reports only on that namespace
// (and cluster-scoped resources); checks still see whatever the source read.
describe('namespace-limited runs', () => {
  const DEMO_DIR = join(import.meta.dirname, '..', 'runbooks', 'demo-cluster');
  const runIn = async (id: string, namespace: string, paths = [DEMO_DIR]) =>
    (await runChecks(CHECKS.filter((c) => c.id === id), new YamlSource(paths), { namespace })).checks[0]!;

  it.each([
    ['control-plane-health', 'istio-system', [['MB0104', 'Deployment istio-system/istiod'], ['MB0104', 'Deployment istio-system/istiod-canary']]],
    // istiod is seen in istio-system, so nothing is missing; its info finding is not about bookinfo.
    ['control-plane-health', 'bookinfo', []],
    ['sidecar-injection', 'shop', [['IST0103', 'Pod shop/cart-7c9d8f6b5-xk2lp']]],
    ['sidecar-injection', 'legacy', [['IST0102', 'Namespace legacy']]],
    ['service-endpoints', 'shop', [['MB0201', 'Service shop/recommendations']]],
  ] as const)('%s -n %s over the demo cluster', async (id, namespace, expected) => {
    const result = await runIn(id, namespace);
    expect(pairs(result)).toEqual(expected.map(([c, r]) => [c, r]).sort());
  });

  it('says so when a missing control plane may only be outside the namespace read', async () => {
    const result = await runIn('control-plane-health', 'bookinfo', [join(FIXTURE_DIR, 'control-plane-health/control-plane-health-namespace-only.yaml')]);
    expect(pairs(result)).toEqual([['MB0101', 'Namespace bookinfo']]);
    expect(result.findings[0]?.message).toBe(
      "No istiod Deployment (istiod, istiod-<revision>, or Istio 1.0's istio-pilot) was found in namespace bookinfo, the only one this run reads.",
    );
    expect(result.findings[0]?.remediation).toContain('Run again without a namespace limit');
  });

  it('charges restarts to the revision that owns the pod', async () => {
    const result = await runFixture('control-plane-health', ['control-plane-health/control-plane-health-shared-labels.yaml']);
    expect(result.findings.find((f) => f.code === 'MB0103')?.evidence?.deployment).toBe('istio-system/istiod-canary');
  });
});

// The demo cluster the site and the CLI fall back to. Its faults are deliberate: each check
// embedded on the guide's first pages has something to show, except control-plane-health, which
// passes (with its info finding naming the control plane), so a page shows a pass next to the
// findings. Any registered check not listed here must find nothing in the demo: a new check that
// does is either finding an unintended fault in the snapshot or has a bug; decide, then list it.
const DEMO = join(import.meta.dirname, '..', 'runbooks', 'demo-cluster');

const demoExpected: Record<string, { status: CheckStatus; findings: [string, string][] }> = {
  // network-layers.yaml adds a canary revision (istiod-canary, 1.29.0): ready, so it passes too.
  'control-plane-health': {
    status: 'pass',
    findings: [
      ['MB0104', 'Deployment istio-system/istiod'],
      ['MB0104', 'Deployment istio-system/istiod-canary'],
    ],
  },
  'sidecar-injection': {
    status: 'warn',
    findings: [
      ['IST0102', 'Namespace default'],
      ['IST0102', 'Namespace legacy'],
      ['IST0103', 'Pod shop/cart-7c9d8f6b5-xk2lp'],
    ],
  },
  'gateway-ports': { status: 'warn', findings: [['IST0162', 'Gateway shop/shop-gateway']] },
  // traffic-faults.yaml: cart's DestinationRule declares a canary subset before any canary pod exists.
  'destinationrule-subsets': { status: 'fail', findings: [['IST0173', 'DestinationRule shop/cart']] },
  // Live-only (needs probes): a snapshot cannot answer it.
  'istiod-permissions-live': { status: 'skipped', findings: [] },
  'service-endpoints': {
    status: 'fail',
    findings: [
      ['MB0201', 'Service shop/recommendations'],
      ['MB0202', 'Service bookinfo/reviews'],
      ['MB0203', 'EndpointSlice bookinfo/reviews-8xk2p'],
    ],
  },
  // ratings only admits reviews v2 (network-policies.yaml): R3 sees the blocked workloads, R4 the
  // route they are blocked on.
  'mesh-reachability': { status: 'warn', findings: [['MB0401', 'NetworkPolicy bookinfo/ratings-from-reviews-v2']] },
  'route-reachability': { status: 'pass', findings: [['MB0503', 'VirtualService bookinfo/ratings']] },
  // network-layers.yaml: the canary's hand-trimmed ClusterRole lacks create on tokenreviews (R2).
  'istiod-api-access': { status: 'fail', findings: [['MB0302', 'ServiceAccount istio-system/istiod-canary']] },
  // network-layers.yaml: the ingress gateway's egress lockdown leaves out istiod:15012 (R5).
  'control-ports': { status: 'fail', findings: [['MB0601', 'NetworkPolicy istio-system/ingressgateway-egress']] },
};
// Checks without designed findings find nothing: they pass, or are skipped when live-only.
const nothingFor = (id: string): { status: CheckStatus; findings: [string, string][] } => ({
  status: (CHECKS.find((c) => c.id === id)?.needs?.length ?? 0) > 0 ? 'skipped' : 'pass',
  findings: [],
});

describe('the demo cluster snapshot', () => {
  const run = async () => runChecks(CHECKS, new YamlSource([DEMO], 'demo cluster snapshot'));

  it('designs findings only for registered checks', () => {
    const ids = new Set(CHECKS.map((c) => c.id));
    expect(Object.keys(demoExpected).filter((id) => !ids.has(id))).toEqual([]);
  });

  it.each(CHECKS.map((c) => c.id))('%s reports exactly the designed findings', async (id) => {
    const report = await run();
    const result = report.checks.find((r) => r.id === id)!;
    const expected = demoExpected[id] ?? nothingFor(id);
    expect(pairs(result)).toEqual([...expected.findings].sort());
    expect(result.status, result.reason).toBe(expected.status);
  });

  it('shows a pass and findings side by side', async () => {
    const report = await run();
    const statusOf = (id: string) => report.checks.find((r) => r.id === id)?.status;
    expect(statusOf('control-plane-health')).toBe('pass');
    for (const id of ['sidecar-injection', 'gateway-ports', 'service-endpoints']) {
      expect(report.checks.find((r) => r.id === id)?.findings.length, id).toBeGreaterThan(0);
    }
  });

  it('locates every finding in its file', async () => {
    const report = await run();
    for (const f of report.checks.flatMap((r) => r.findings)) {
      expect(f.location?.file, `${f.code} ${f.resource.kind} ${f.resource.name}`).toMatch(/runbooks\/demo-cluster\/.+\.yaml$/);
    }
  });
});
