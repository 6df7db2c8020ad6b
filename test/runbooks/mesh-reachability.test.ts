// mesh-reachability beyond its fixture cases: the attached reachability matrix, and one merged rule
// per policy to change.

import { describe, expect, it } from 'vitest';
import type { ReachabilityMatrix } from '../../src/engine/types.ts';
import { runCase } from '../helpers/run-fixtures.ts';

describe('mesh-reachability', () => {
  it('attaches a reachability matrix whose blocked cells name the blocking policies', async () => {
    const result = await runCase('mesh-reachability/mesh-reachability-bad.yaml');
    expect(result.attachments).toHaveLength(1);
    const matrix = result.attachments![0] as ReachabilityMatrix;
    expect(matrix.type).toBe('reachability-matrix');
    expect(matrix.rows.map((r) => r.id)).toEqual(['ops/cron', 'payments/ledger-v1', 'payments/ledger-v2', 'store/api', 'store/web']);
    expect(matrix.columns.map((c) => c.id)).toEqual([
      'istio-system/istio-ingressgateway:80',
      'payments/ledger:9000',
      'store/api:8080',
      'store/web:80',
    ]);
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
    const result = await runCase('mesh-reachability/mesh-reachability-bad.yaml');
    const api = result.findings.find((f) => f.resource.name === 'api-from-web')!;
    expect(api.message).toBe(
      '3 meshed workload(s) cannot reach Service store/api port 8080: no ingress rule on its pods allows them (the narrowest policy to change is NetworkPolicy store/api-from-web).',
    );
    expect(JSON.parse(api.evidence!['rule that would allow it']!)).toEqual({
      from: [
        {
          podSelector: { matchLabels: { app: 'ledger' } },
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'payments' } },
        },
        { podSelector: { matchLabels: { app: 'cron' } }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ops' } } },
      ],
      // The named targetPort `http` resolves to the pod's 8081.
      ports: [{ protocol: 'TCP', port: 8081 }],
    });
    expect(api.remediation).toContain(
      'kubectl -n store patch networkpolicy api-from-web --type=json -p \'[{"op":"add","path":"/spec/ingress/-"',
    );
  });

  it('draws an all-allowed matrix when nothing is blocked', async () => {
    const result = await runCase('mesh-reachability/mesh-reachability-ok.yaml');
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

describe('mesh-reachability in ambient mode', () => {
  it('evaluates the HBONE hop on 15008 and offers a NetworkPolicy that admits it', async () => {
    const result = await runCase('mesh-reachability/ambient-app-port-only.yaml');
    const [f] = result.findings;
    expect(result.findings).toHaveLength(1);
    expect(f!.evidence?.destination).toBe(
      'Service shop/api port 8080/TCP → HBONE port 15008 (the targetPort travels inside the tunnel) on pods app=api',
    );
    expect(f!.evidence?.['ambient hops']).toBe('ambient → ztunnel HBONE 15008 → ambient pod (target port 8080 inside the tunnel)');
    expect(f!.evidence?.blockedSources).toBe('1: shop/web');
    expect(f!.remediation).toContain(
      '`{apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {name: api-allow-web-allow-hbone, namespace: shop}, spec: {podSelector: {matchLabels: {app: api}}, policyTypes: [Ingress], ingress: [{from: [{podSelector: {matchLabels: {app: web}}}], ports: [{protocol: TCP, port: 15008}]}]}}`',
    );
    // ztunnel and istio-cni are infrastructure: neither rows nor columns.
    const matrix = result.attachments?.find((a) => a.type === 'reachability-matrix');
    expect(matrix?.type === 'reachability-matrix' ? matrix.rows.map((r) => r.id) : []).toEqual(['shop/api', 'shop/web']);
  });

  it("reports a waypoint's hop on to the pods with the clients whose requests it drops", async () => {
    const result = await runCase('mesh-reachability/ambient-waypoint.yaml');
    expect(result.findings).toHaveLength(1);
    const f = result.findings[0]!;
    expect(f.message).toMatch(/^2 meshed workload\(s\) cannot reach Service shop\/api port 8080/);
    expect(f.evidence?.blockedSources).toBe('2: shop/api, shop/web');
    expect(f.evidence?.['dropped on the hop']).toBe(
      "waypoint shop/waypoint → pods app=api on TCP 15008 (HBONE), by NetworkPolicy shop/api-allow-web; the clients' own hop to the waypoint gets through",
    );
    expect(f.evidence?.['ambient hops']).toBe(
      'ambient → ztunnel HBONE 15008 → waypoint shop/waypoint; waypoint shop/waypoint HBONE 15008 → ambient pod (target port 8080 inside the tunnel)',
    );
    expect(f.evidence?.['rule that would allow it']).toBe(
      '{"from":[{"podSelector":{"matchLabels":{"gateway.networking.k8s.io/gateway-name":"waypoint"}}}],"ports":[{"protocol":"TCP","port":15008}]}',
    );
    const matrix = result.attachments?.find((a) => a.type === 'reachability-matrix');
    const cell = matrix?.type === 'reachability-matrix' ? matrix.cells.find((c) => c.row === 'shop/web') : undefined;
    expect(cell).toMatchObject({
      state: 'blocked',
      blockedBy: [{ kind: 'NetworkPolicy', namespace: 'shop', name: 'api-allow-web' }],
      detail: '1 of 1 connections blocked on port 15008',
    });
  });

  it('lists each client at the first hop that drops its request', async () => {
    const result = await runCase('mesh-reachability/ambient-waypoint-hop-blocked.yaml');
    const byPolicy = new Map(result.findings.map((f) => [f.resource.name, f]));
    expect(byPolicy.get('waypoint-from-web')?.evidence?.blockedSources).toBe('1: shop/cart');
    expect(byPolicy.get('waypoint-from-web')?.evidence?.['dropped on the hop']).toBeUndefined();
    expect(byPolicy.get('api-from-clients')?.evidence?.blockedSources).toBe('2: shop/api, shop/web');
    expect(byPolicy.get('api-from-clients')?.evidence?.['reachingSources']).toBe('0: (none)');
    const matrix = result.attachments?.find((a) => a.type === 'reachability-matrix');
    const cells = matrix?.type === 'reachability-matrix' ? matrix.cells.filter((c) => c.column === 'shop/api:8080') : [];
    expect(cells.map((c) => [c.row, c.state])).toEqual([
      ['shop/api', 'blocked'],
      ['shop/cart', 'blocked'],
      ['shop/web', 'blocked'],
    ]);
    expect(cells.find((c) => c.row === 'shop/cart')?.blockedBy?.map((p) => p.name)).toEqual(['api-from-clients', 'waypoint-from-web']);
  });
});
