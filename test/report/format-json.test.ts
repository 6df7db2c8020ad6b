import { describe, expect, it } from 'vitest';
import { formatJson } from '../../src/report/format-json.ts';
import { assertJsonContract } from '../cli/helpers/json-contract.ts';
import { HOSTILE, hostileReport, mixedReport, unusualReport } from '../cli/helpers/sample-report.ts';

describe('formatJson', () => {
  it.each([
    ['mixed', mixedReport],
    ['unusual', unusualReport],
    ['hostile', hostileReport],
  ])('renders the %s report with exactly the contract keys', (_, make) => {
    const out = formatJson(make());
    expect(out.endsWith('}\n')).toBe(true);
    assertJsonContract(out);
  });

  it('keeps the engine-only fields (params, codeDocs, gatherMs) out of the contract', () => {
    const out = formatJson(mixedReport());
    for (const key of ['"params"', '"codeDocs"', '"gatherMs"']) expect(out).not.toContain(key);
  });

  it('orders keys as the contract lists them and omits absent optionals', () => {
    const doc = assertJsonContract(formatJson(mixedReport()));
    const delta = doc.checks[3]!;
    expect(Object.keys(delta)).toEqual(['id', 'title', 'status', 'analyzer', 'durationMs', 'findings']);
    expect(Object.keys(doc.checks[1]!)).toEqual(['id', 'title', 'status', 'durationMs', 'findings']);
    expect(Object.keys(delta.findings[0]!)).toEqual(['code', 'severity', 'message', 'resource', 'evidence', 'remediation', 'docs']);
    expect(doc.checks[4]!.findings[1]!.location).toEqual({ file: 'snap/gw.yaml', line: 7 });
  });

  it('sums the run up before the checks: checks by status, findings by severity, what was read', () => {
    const doc = assertJsonContract(formatJson(mixedReport()));
    expect(Object.keys(doc)).toEqual(['target', 'startedAt', 'read', 'summary', 'checks']);
    expect(doc.summary).toEqual({
      checks: { total: 5, pass: 2, warn: 1, fail: 2, error: 0, skipped: 0 },
      findings: { total: 7, error: 3, warning: 4, info: 0 },
      read: { kinds: 3, objects: 12 },
      suppressed: 0,
    });
    expect(assertJsonContract(formatJson(unusualReport())).summary).toMatchObject({
      checks: { total: 3, pass: 1, error: 1, skipped: 1 },
      findings: { total: 2, error: 1, warning: 0, info: 1 },
    });
  });

  it('carries reason and truncated for checks that have them', () => {
    const doc = assertJsonContract(formatJson(unusualReport()));
    expect(doc.checks.map((c) => [c.id, c.status, c.reason, c.truncated])).toEqual([
      ['needs-probes', 'skipped', 'Skipped: needs a live cluster.', undefined],
      ['throws', 'error', 'The check failed: boom', undefined],
      ['informs', 'pass', undefined, 3],
    ]);
    expect(doc.target).toEqual({ type: 'live', name: 'kind-mesh', context: 'kind-mesh', server: 'https://127.0.0.1:6443' });
  });

  it('carries a reachability matrix attachment key by key, and only where a check attached one', () => {
    const report = mixedReport();
    report.checks[2]!.attachments = [
      {
        type: 'reachability-matrix',
        title: 'Workloads (1) → Service ports (2)',
        rows: [{ id: 'shop/web', label: 'shop/web' }],
        columns: [
          { id: 'shop/db:5432', label: 'shop/db:5432' },
          { id: 'shop/api:80', label: 'shop/api:80' },
        ],
        cells: [
          {
            row: 'shop/web',
            column: 'shop/db:5432',
            state: 'blocked',
            blockedBy: [{ kind: 'NetworkPolicy', namespace: 'shop', name: 'deny' }],
            detail: '1 of 1 connections blocked on port 5432',
          },
          { row: 'shop/web', column: 'shop/api:80', state: 'allowed' },
        ],
      },
    ];
    const doc = assertJsonContract(formatJson(report));
    expect(Object.keys(doc.checks[2]!)).toEqual(['id', 'title', 'status', 'analyzer', 'durationMs', 'findings', 'attachments']);
    expect(doc.checks[2]!.attachments).toEqual(report.checks[2]!.attachments);
    expect(doc.checks.filter((c) => c.attachments !== undefined)).toHaveLength(1);
  });

  it('keeps markup and control characters as data (JSON escapes, no HTML escaping)', () => {
    const out = formatJson(hostileReport());
    const doc = assertJsonContract(out);
    const f = doc.checks[0]!.findings[0]!;
    expect(f.resource).toEqual({ kind: 'Gateway', namespace: '<script>alert(1)</script>', name: HOSTILE });
    expect(f.message).toBe(`Referenced selector not found: "${HOSTILE}"`);
    expect(out).toContain('<script>alert(1)</script>');
    expect(out).not.toContain('&lt;');
    expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/); // raw controls only as \uXXXX escapes
  });
});
