// The network-layer checks (R2–R5) over their fixtures: the exact multiset of (code, resource)
// out, as in test/checks.test.ts, plus what these checks add on top: the detected Istio
// generation in evidence, the attached reachability matrix, and fixes that name the exact peer.

import { describe, expect, it } from 'vitest';
import type { ReachabilityMatrix } from '../src/engine/types.ts';
import { describeFixtureRows, runFixture, type FixtureRow } from './helpers/run-fixtures.ts';


const times = (n: number, pair: [string, string]): [string, string][] => Array.from({ length: n }, () => pair);

const ROUTES = 'route-reachability/route-reachability-common.yaml';
const ISTIOD = 'control-ports/control-ports-istiod.yaml';
const API_SERVER = 'control-ports/control-ports-apiserver.yaml';

const rows: FixtureRow[] = [
  // istiod-api-access (R2)
  { check: 'istiod-api-access', fixtures: ['istiod-api-access/istiod-api-access-ok.yaml'], expected: [], status: 'pass' },
  { check: 'istiod-api-access', fixtures: ['istiod-api-access/istiod-api-access-aggregated.yaml'], expected: [], status: 'pass' },
  { check: 'istiod-api-access', fixtures: ['istiod-api-access/istiod-api-access-istio-1-0.yaml'], expected: [], status: 'pass' },
  {
    check: 'istiod-api-access',
    fixtures: ['istiod-api-access/istiod-api-access-bad.yaml'],
    expected: [['MB0301', 'Deployment istio-system/istiod-canary'], ...times(6, ['MB0302', 'ServiceAccount istio-system/istiod'])],
    status: 'fail',
  },
  { check: 'istiod-api-access', fixtures: ['istiod-api-access/istiod-api-access-missing.yaml'], expected: [['MB0101', 'Namespace istio-system']], status: 'fail' },
  { check: 'istiod-api-access', fixtures: ['istiod-api-access/istiod-api-access-no-rbac.yaml'], expected: [['MB0303', 'ServiceAccount istio-system/istiod']], status: 'pass' },

  // mesh-reachability (R3)
  { check: 'mesh-reachability', fixtures: ['mesh-reachability/mesh-reachability-ok.yaml'], expected: [], status: 'pass' },
  {
    check: 'mesh-reachability',
    fixtures: ['mesh-reachability/mesh-reachability-bad.yaml'],
    expected: [
      ['MB0401', 'NetworkPolicy store/web-from-gateway'],
      ['MB0401', 'NetworkPolicy store/api-from-web'],
      ['MB0401', 'NetworkPolicy payments/ledger'],
      ['MB0402', 'NetworkPolicy ops/default-deny-egress'],
    ],
    status: 'warn',
  },

  // route-reachability (R4)
  { check: 'route-reachability', fixtures: [ROUTES, 'route-reachability/route-reachability-ok.yaml'], expected: [], status: 'pass' },
  {
    check: 'route-reachability',
    fixtures: [ROUTES, 'route-reachability/route-reachability-bad.yaml'],
    expected: [
      ['MB0501', 'VirtualService shop/shop'],
      ['MB0501', 'VirtualService istio-system/internal'],
      ['MB0502', 'VirtualService shop/legacy-inventory'],
      ['MB0502', 'VirtualService shop/frontend-everywhere'],
      ...times(2, ['MB0503', 'VirtualService bookinfo/reviews']),
    ],
    status: 'fail',
  },

  // control-ports (R5)
  { check: 'control-ports', fixtures: [ISTIOD, API_SERVER, 'control-ports/control-ports-ok.yaml'], expected: [], status: 'pass' },
  {
    check: 'control-ports',
    fixtures: [ISTIOD, API_SERVER, 'control-ports/control-ports-bad.yaml'],
    expected: [
      ['MB0601', 'NetworkPolicy istio-system/istiod-lockdown'],
      ['MB0602', 'NetworkPolicy istio-system/istiod-lockdown'],
      ['MB0603', 'NetworkPolicy istio-system/istiod-lockdown'],
      ['MB0601', 'NetworkPolicy payments/default-deny-egress'],
      ['MB0603', 'NetworkPolicy shop/prometheus-15020'],
    ],
    status: 'fail',
  },
  {
    check: 'control-ports',
    fixtures: [ISTIOD, API_SERVER, 'control-ports/control-ports-revisions.yaml'],
    expected: [['MB0601', 'NetworkPolicy istio-system/istiod-canary']],
    status: 'fail',
  },
  {
    check: 'control-ports',
    fixtures: [ISTIOD, 'control-ports/control-ports-plaintext-ipblock.yaml'],
    expected: [['MB0601', 'NetworkPolicy istio-system/istiod-xds']],
    status: 'fail',
  },
  {
    check: 'control-ports',
    fixtures: [ISTIOD, 'control-ports/control-ports-webhook-pods-only.yaml'],
    expected: [['MB0602', 'NetworkPolicy istio-system/istiod-from-pods']],
    status: 'fail',
  },
  {
    check: 'control-ports',
    fixtures: ['control-ports/control-ports-istio-1-0.yaml'],
    expected: times(3, ['MB0601', 'NetworkPolicy istio-system/control-plane']),
    status: 'fail',
  },
];

describeFixtureRows(rows, { docs: /^\/network-layers\/r[2-5]-[a-z0-9-]+\/#[a-z-]+$/ });

describe('istiod-api-access', () => {
  it('names each missing permission, the verbs, and the rule to add to the bound ClusterRole', async () => {
    const result = await runFixture('istiod-api-access', ['istiod-api-access/istiod-api-access-bad.yaml']);
    const missing = result.findings.filter((f) => f.code === 'MB0302').map((f) => `${f.params.verbs} ${f.params.resource}`);
    expect(missing.sort()).toEqual([
      'create subjectaccessreviews.authorization.k8s.io',
      'create tokenreviews.authentication.k8s.io',
      'get, list, watch endpointslices.discovery.k8s.io',
      'get, list, watch peerauthentications.security.istio.io',
      'get, list, watch requestauthentications.security.istio.io',
      'watch services',
    ]);
    const slices = result.findings.find((f) => f.params.resource === 'endpointslices.discovery.k8s.io')!;
    expect(slices.message).toBe(
      'ServiceAccount istio-system/istiod may not get, list, watch endpointslices.discovery.k8s.io across the cluster, which istiod needs to map each Service to its workload IPs (R1).',
    );
    expect(slices.evidence?.['granted only in namespaces (RoleBinding; istiod watches all namespaces)']).toBe('shop');
    expect(slices.evidence?.['roles bound to it']).toContain('ClusterRole istiod-extras (not found)');
    expect(slices.remediation).toContain('kubectl patch clusterrole istiod-trimmed --type=json');
    expect(slices.remediation).toContain('{"apiGroups":["discovery.k8s.io"],"resources":["endpointslices"],"verbs":["get","list","watch"]}');
    const services = result.findings.find((f) => f.params.resource === 'services')!;
    expect(services.evidence?.['granted verbs']).toBe('get (ClusterRole istiod-trimmed rules[1]), list (ClusterRole istiod-trimmed rules[1])');
  });
});

describe('mesh-reachability', () => {
  it('attaches a reachability matrix whose blocked cells name the blocking policies', async () => {
    const result = await runFixture('mesh-reachability', ['mesh-reachability/mesh-reachability-bad.yaml']);
    expect(result.attachments).toHaveLength(1);
    const matrix = result.attachments![0] as ReachabilityMatrix;
    expect(matrix.type).toBe('reachability-matrix');
    expect(matrix.rows.map((r) => r.id)).toEqual(['ops/cron', 'payments/ledger-v1', 'payments/ledger-v2', 'store/api', 'store/web']);
    expect(matrix.columns.map((c) => c.id)).toEqual(['istio-system/istio-ingressgateway:80', 'payments/ledger:9000', 'store/api:8080', 'store/web:80']);
    expect(matrix.cells).toHaveLength(matrix.rows.length * matrix.columns.length);
    const cell = (row: string, column: string) => matrix.cells.find((c) => c.row === row && c.column === column)!;
    expect(cell('store/web', 'store/api:8080').state).toBe('allowed');
    expect(cell('payments/ledger-v1', 'store/api:8080')).toMatchObject({
      state: 'blocked',
      blockedBy: [
        { kind: 'NetworkPolicy', namespace: 'store', name: 'api-from-web' },
        { kind: 'NetworkPolicy', namespace: 'store', name: 'default-deny' },
      ],
    });
    expect(cell('ops/cron', 'payments/ledger:9000').blockedBy?.map((p) => p.name)).toEqual(['default-deny-egress', 'ledger']);
  });

  it('merges the blocked sources into one rule, each named as narrowly as a workload label allows', async () => {
    const result = await runFixture('mesh-reachability', ['mesh-reachability/mesh-reachability-bad.yaml']);
    const api = result.findings.find((f) => f.resource.name === 'api-from-web')!;
    expect(api.message).toBe(
      '3 meshed workload(s) cannot reach Service store/api port 8080: no ingress rule on its pods allows them (the narrowest policy to change is NetworkPolicy store/api-from-web).',
    );
    expect(JSON.parse(api.evidence!['rule that would allow it']!)).toEqual({
      from: [
        { podSelector: { matchLabels: { app: 'ledger' } }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'payments' } } },
        { podSelector: { matchLabels: { app: 'cron' } }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ops' } } },
      ],
      // The named targetPort `http` resolves to the pod's 8081.
      ports: [{ protocol: 'TCP', port: 8081 }],
    });
    expect(api.remediation).toContain("kubectl -n store patch networkpolicy api-from-web --type=json -p '[{\"op\":\"add\",\"path\":\"/spec/ingress/-\"");
  });

  it('draws an all-allowed matrix when nothing is blocked', async () => {
    const result = await runFixture('mesh-reachability', ['mesh-reachability/mesh-reachability-ok.yaml']);
    const matrix = result.attachments![0] as ReachabilityMatrix;
    expect(new Set(matrix.cells.map((c) => c.state))).toEqual(new Set(['allowed', 'not-applicable']));
    // The only cells without a connection: a one-pod workload calling its own Service.
    const self = 'a single pod calling its own Service: a pod cannot block access to itself';
    expect(matrix.cells.filter((c) => c.state === 'not-applicable')).toEqual([
      { row: 'payments/ledger', column: 'payments/ledger:9000', state: 'not-applicable', detail: self },
      { row: 'store/api', column: 'store/api:8080', state: 'not-applicable', detail: self },
    ]);
    // legacy is not meshed: neither a row nor a column.
    expect(matrix.rows.some((r) => r.id.startsWith('legacy/'))).toBe(false);
    expect(matrix.columns.some((c) => c.id.startsWith('legacy/'))).toBe(false);
  });
});

describe('route-reachability', () => {
  it('says where a gateway route is dropped and which rule lets it through', async () => {
    const result = await runFixture('route-reachability', [ROUTES, 'route-reachability/route-reachability-bad.yaml']);
    const shop = result.findings.find((f) => f.resource.name === 'shop')!;
    expect(shop.message).toBe(
      'VirtualService shop/shop routes traffic from gateway shop/shop-gateway to checkout port 8080, but NetworkPolicy shop/checkout-from-frontend drops it (no ingress rule on the destination pods allows the gateway).',
    );
    expect(shop.evidence?.route).toBe('spec.http[0].route[0].destination');
    const internal = result.findings.find((f) => f.resource.name === 'internal')!;
    expect(internal.params.direction).toBe('egress');
    expect(internal.evidence?.['blocked at']).toBe('egress of the gateway pods, towards bookinfo/details-v1');
    const reviews = result.findings.filter((f) => f.resource.name === 'reviews');
    expect(reviews.map((f) => f.params.port).sort()).toEqual([9080, 9090]);
    expect(reviews[0]!.remediation).toContain('set exportTo on VirtualService bookinfo/reviews to ["."]');
  });
});

describe('control-ports', () => {
  it('checks each proxy against the istiod of its own revision', async () => {
    const result = await runFixture('control-ports', [ISTIOD, API_SERVER, 'control-ports/control-ports-revisions.yaml']);
    expect(result.findings.map((f) => [f.params.component, f.evidence?.['blocked proxy workloads (1)']])).toEqual([
      ['istiod (Deployment istio-system/istiod-canary)', 'shop/checkout-canary'],
    ]);
  });

  it('says which Istio generation it detected and checks that generation\'s ports', async () => {
    const today = await runFixture('control-ports', [ISTIOD, API_SERVER, 'control-ports/control-ports-bad.yaml']);
    for (const f of today.findings) expect(f.evidence?.['Istio detected']).toMatch(/^istiod \(Istio 1\.5 and later\): Deployment istio-system\/istiod \(Istio 1\.28\.0/);
    expect(today.findings[0]!.evidence?.['control ports checked']).toContain('plaintext xDS 15010 not checked');

    const old = await runFixture('control-ports', ['control-ports/control-ports-istio-1-0.yaml']);
    expect(old.findings.map((f) => `${f.params.component} ${f.params.port}`).sort()).toEqual([
      'Mixer (policy) (Deployment istio-system/istio-policy) 15004',
      'Mixer (telemetry) (Deployment istio-system/istio-telemetry) 15004',
      'Pilot (Deployment istio-system/istio-pilot) 15011',
    ]);
    for (const f of old.findings) {
      expect(f.evidence?.['Istio detected']).toContain('Istio 1.0-era split control plane (Istio 1.0.6)');
      expect(f.evidence?.meshConfig).toContain('controlPlaneAuthPolicy MUTUAL_TLS');
      // The control plane's own sidecars are not counted as proxies that need it.
      expect(f.evidence?.['blocked proxy workloads (2)']).toBe('istio-system/istio-ingressgateway, shop/web');
    }
  });

  it('treats the API server as an address outside the pod network', async () => {
    const known = await runFixture('control-ports', [ISTIOD, API_SERVER, 'control-ports/control-ports-bad.yaml']);
    const webhook = known.findings.find((f) => f.code === 'MB0602')!;
    expect(webhook.message).toBe(
      "NetworkPolicy istio-system/istiod-lockdown drops the API server's webhook calls to istiod via Service istio-system/istiod (Service port 443 → pod port 15017): no ingress rule allows that port from outside the pod network.",
    );
    expect(JSON.parse(webhook.evidence!['rule that would allow it']!)).toEqual({ from: [{ ipBlock: { cidr: '172.18.0.2/32' } }], ports: [{ protocol: 'TCP', port: 15017 }] });

    const unknown = await runFixture('control-ports', [ISTIOD, 'control-ports/control-ports-webhook-pods-only.yaml']);
    const open = unknown.findings.find((f) => f.code === 'MB0602')!;
    expect(open.evidence?.['API server address']).toMatch(/^unknown/);
    expect(JSON.parse(open.evidence!['rule that would allow it']!)).toEqual({ ports: [{ protocol: 'TCP', port: 15017 }] });
  });
});
