// Every check over the demo cluster snapshot (runbooks/demo-cluster): its findings pinned, over
// the whole snapshot and limited to one namespace.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { YamlSource } from '../../src/cluster/yaml-source.ts';
import { runChecks } from '../../src/engine/runner.ts';
import type { CheckStatus } from '../../src/engine/types.ts';
import { CHECKS } from '../../runbooks/index.ts';
import { pairs } from '../helpers/run-fixtures.ts';

const DEMO = join(import.meta.dirname, '..', '..', 'runbooks', 'demo-cluster');

// The demo cluster the site and the CLI fall back to. Its faults are deliberate: each check
// embedded on the guide's first pages has something to show, except control-plane-health, which
// passes (with its info finding naming the control plane), so a page shows a pass next to the
// findings. Any registered check not listed here must find nothing in the demo: a new check that
// does is either finding an unintended fault in the snapshot or has a bug; decide, then list it.
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
  // ambient.yaml: Istio's waypoint template writes the alpha traffic-distribution annotation on the
  // waypoint Service; istioctl's AlphaAnalyzer reports it too (info, so the check passes).
  'alpha-annotations': { status: 'pass', findings: [['IST0136', 'Service orders/waypoint']] },
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
  // route they are blocked on. ambient.yaml: payments admits orders on 8080 but not on HBONE (15008).
  'mesh-reachability': {
    status: 'warn',
    findings: [
      ['MB0401', 'NetworkPolicy bookinfo/ratings-from-reviews-v2'],
      ['MB0401', 'NetworkPolicy orders/payments-ingress'],
    ],
  },
  'route-reachability': { status: 'pass', findings: [['MB0503', 'VirtualService bookinfo/ratings']] },
  // network-layers.yaml: the canary's hand-trimmed ClusterRole lacks create on tokenreviews (R2).
  'istiod-api-access': { status: 'fail', findings: [['MB0302', 'ServiceAccount istio-system/istiod-canary']] },
  // network-layers.yaml: the ingress gateway's egress lockdown leaves out istiod:15012 (R5).
  'control-ports': { status: 'fail', findings: [['MB0601', 'NetworkPolicy istio-system/ingressgateway-egress']] },
  // security.yaml: shop's rule for details sends plaintext; bookinfo is STRICT.
  'effective-mtls': { status: 'fail', findings: [['MB0831', 'DestinationRule shop/details-plaintext']] },
  // Kiali's KIA1301 as information: the demo has no AuthorizationPolicy, so every namespace's workloads are listed.
  'authorization-policy-coverage': {
    status: 'pass',
    findings: ['bookinfo', 'istio-system', 'legacy', 'monitoring', 'orders', 'shop'].map(
      (ns) => ['MB0855', `Namespace ${ns}`] as [string, string],
    ),
  },
  // The multi-cluster checks compare clusters: over this one cluster they are skipped, except the
  // east-west gateway check, which also judges one cluster's gateways (the demo has none).
  ...Object.fromEntries(
    ['mesh-trust', 'mesh-identity', 'remote-secrets', 'mesh-networks-topology', 'multicluster-services', 'primary-remote'].map((id) => [
      id,
      { status: 'skipped' as const, findings: [] as [string, string][] },
    ]),
  ),
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

// A run limited to one namespace (`-n`, like kubectl and istioctl) reports only on that namespace
// (and cluster-scoped resources); checks still see whatever the source read.
describe('namespace-limited runs over the demo cluster', () => {
  const runIn = async (id: string, namespace: string) =>
    (
      await runChecks(
        CHECKS.filter((c) => c.id === id),
        new YamlSource([DEMO]),
        { namespace },
      )
    ).checks[0]!;

  it.each([
    [
      'control-plane-health',
      'istio-system',
      [
        ['MB0104', 'Deployment istio-system/istiod'],
        ['MB0104', 'Deployment istio-system/istiod-canary'],
      ],
    ],
    // istiod is seen in istio-system, so nothing is missing; its info finding is not about bookinfo.
    ['control-plane-health', 'bookinfo', []],
    ['sidecar-injection', 'shop', [['IST0103', 'Pod shop/cart-7c9d8f6b5-xk2lp']]],
    ['sidecar-injection', 'legacy', [['IST0102', 'Namespace legacy']]],
    ['service-endpoints', 'shop', [['MB0201', 'Service shop/recommendations']]],
  ] as const)('%s -n %s over the demo cluster', async (id, namespace, expected) => {
    const result = await runIn(id, namespace);
    expect(pairs(result)).toEqual(expected.map(([c, r]) => [c, r]).sort());
  });
});
