// effective-mtls beyond its fixture cases: wording, evidence and the matrix it attaches.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { YamlSource } from '../../src/cluster/yaml-source.ts';
import { runChecks } from '../../src/engine/runner.ts';
import { getCheck } from '../../runbooks/index.ts';
import { runCase } from '../helpers/run-fixtures.ts';

describe('effective-mtls', () => {
  it('draws the mode of every meshed workload port', async () => {
    const result = await runCase('effective-mtls/mismatches.yaml');
    const matrix = result.attachments?.[0];
    expect(matrix?.title).toBe('Plaintext from outside the mesh, per workload port: blocked where mTLS is STRICT');
    expect(matrix?.rows.map((r) => r.label)).toEqual(['legacy/ledger', 'shop/reviews']);
    expect(matrix?.columns.map((c) => c.label)).toEqual(['5432', '9080', '15090']);
    const cell = (row: string, port: number) => matrix?.cells.find((c) => c.row === row && c.column === `port-${port}`);
    expect(cell('shop/reviews', 9080)).toMatchObject({
      state: 'blocked',
      detail: 'STRICT, from the mesh policy PeerAuthentication istio-system/default',
      blockedBy: [{ kind: 'PeerAuthentication', namespace: 'istio-system', name: 'default' }],
    });
    expect(cell('shop/reviews', 15090)).toMatchObject({
      state: 'allowed',
      detail: 'PERMISSIVE, from the port policy PeerAuthentication shop/metrics-plaintext',
    });
    expect(cell('legacy/ledger', 5432)?.detail).toBe(
      'DISABLE (plaintext only), from the namespace policy PeerAuthentication legacy/default',
    );
    // The batch pod opted out of injection: it is a caller, not a row.
    expect(cell('shop/batch', 9080)).toBeUndefined();
  });

  it('names the callers outside the mesh and the port to open', async () => {
    const result = await runCase('effective-mtls/mismatches.yaml');
    const callers = result.findings.find((f) => f.code === 'MB0830');
    expect(callers?.message).toBe(
      '1 pod(s) outside the mesh in namespace shop can call Service shop/reviews port 80, whose workloads accept only mTLS on target port 9080 (STRICT): their plaintext connections are reset.',
    );
    expect(callers?.evidence?.['pods outside the mesh']).toBe('1: batch');
    expect(callers?.remediation).toContain('portLevelMtls: {"9080": {mode: PERMISSIVE}}');
  });

  it('says which client namespaces use a rule the servers refuse', async () => {
    const result = await runCase('effective-mtls/mismatches.yaml');
    const dr = result.findings.find((f) => f.code === 'MB0831');
    expect(dr?.message).toBe(
      'DestinationRule shop/reviews makes clients send plaintext to Service shop/reviews port 80, whose workloads accept only Istio mTLS on target port 9080 (STRICT).',
    );
    expect(dr?.evidence?.['client namespaces using this rule']).toBe('shop, legacy');
    const weakened = result.findings.find((f) => f.code === 'MB0832');
    expect(weakened?.message).toBe(
      'PeerAuthentication shop/metrics-plaintext makes shop/reviews on port 15090 PERMISSIVE, although mesh policy PeerAuthentication istio-system/default requires mTLS (STRICT) there.',
    );
  });

  it('keeps the matrix of a large mesh to the workloads that differ from the rest', async () => {
    // 130 STRICT workloads, three of them with plaintext allowed on their port.
    const docs = ['apiVersion: v1\nkind: Namespace\nmetadata: { name: shop }'];
    docs.push(
      'apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: { name: default, namespace: shop }\nspec: { mtls: { mode: STRICT } }',
    );
    for (let i = 0; i < 130; i++) {
      const app = `app-${String(i).padStart(3, '0')}`;
      docs.push(
        `apiVersion: v1\nkind: Pod\nmetadata: { name: ${app}-5d8f9-abcde, namespace: shop, labels: { app: ${app}, pod-template-hash: 5d8f9 } }\n` +
          `spec: { containers: [{ name: app, image: example/app:1, ports: [{ containerPort: ${9000 + (i % 3)} }] }, { name: istio-proxy, image: istio/proxyv2 }] }\n` +
          'status: { phase: Running }',
      );
    }
    for (const i of [7, 64, 120])
      docs.push(
        `apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: { name: open-${i}, namespace: shop }\n` +
          `spec: { selector: { matchLabels: { app: app-${String(i).padStart(3, '0')} } }, mtls: { mode: PERMISSIVE } }`,
      );
    const dir = mkdtempSync(join(tmpdir(), 'effective-mtls-'));
    try {
      writeFileSync(join(dir, 'mesh.yaml'), docs.join('\n---\n'));
      const report = await runChecks([getCheck('effective-mtls')!], new YamlSource([join(dir, 'mesh.yaml')]));
      const matrix = report.checks[0]!.attachments?.[0];
      expect(matrix?.title).toBe(
        'Plaintext from outside the mesh, per workload port: blocked where mTLS is STRICT; the 100 of 130 workloads whose ports differ most from the usual mode, on 3 of 3 ports',
      );
      expect(matrix?.rows).toHaveLength(100);
      const rows = matrix?.rows.map((r) => r.id) ?? [];
      expect(rows).toEqual([...rows].sort());
      expect(rows).toEqual(expect.arrayContaining(['shop/app-007', 'shop/app-064', 'shop/app-120']));
      expect(matrix?.cells.filter((c) => c.state === 'allowed').map((c) => c.row)).toEqual([
        'shop/app-007',
        'shop/app-064',
        'shop/app-120',
      ]);
      expect(matrix?.cells.every((c) => rows.includes(c.row))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
