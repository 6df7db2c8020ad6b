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
