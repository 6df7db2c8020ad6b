// Runs one check over fixture files and returns (code, "Kind ns/name") pairs, the way
// istioctl's analyzer tests compare results.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { YamlSource, type YamlSourceOptions } from '../../src/cluster/yaml-source.ts';
import { runChecks } from '../../src/engine/runner.ts';
import { getCheck } from '../../runbooks/index.ts';
import type { CheckResult, CheckStatus } from '../../src/engine/types.ts';

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

export async function runFixture(checkId: string, fixtures: readonly string[], options: YamlSourceOptions = {}): Promise<CheckResult> {
  const check = getCheck(checkId);
  if (check === undefined) throw new Error(`no check ${checkId}`);
  const source = new YamlSource(fixtures.map((f) => join(FIXTURES, f)), undefined, options);
  const report = await runChecks([check], source);
  return report.checks[0]!;
}

/** `Kind ns/name` or `Kind name`, like istioctl's FriendlyName. */
export function friendly(r: { kind: string; namespace?: string; name: string }): string {
  return r.namespace === undefined ? `${r.kind} ${r.name}` : `${r.kind} ${r.namespace}/${r.name}`;
}

export function pairs(result: CheckResult): [string, string][] {
  return result.findings.map((f) => [f.code, friendly(f.resource)] as [string, string]).sort();
}

/** One row of a check's fixture table: the findings a check must report over some fixture files. */
export interface FixtureRow {
  check: string;
  fixtures: string[];
  expected: [code: string, resource: string][];
  /** The result status, when the row is about it; otherwise anything but error. */
  status?: CheckStatus;
  /** Run as `meshbook check --read-secrets` would (Secret contents kept). */
  readSecrets?: boolean;
}

/**
 * The fixture-table tests: each row reports exactly its (code, resource) pairs (and its status),
 * and every finding carries evidence, a remediation and a guide link (matching `docs` if given).
 */
export function describeFixtureRows(rows: readonly FixtureRow[], options: { docs?: RegExp } = {}): void {
  describe.each(rows)('$check over $fixtures', (row) => {
    const run = (): Promise<CheckResult> => runFixture(row.check, row.fixtures, { readSecrets: row.readSecrets === true });

    it('reports exactly the expected (code, resource) pairs', async () => {
      const result = await run();
      if (row.status === undefined) expect(result.status, result.reason).not.toBe('error');
      else expect(result.status, result.reason).toBe(row.status);
      expect(pairs(result)).toEqual([...row.expected].sort());
    });

    it('gives every finding evidence, a specific remediation and a guide link', async () => {
      const result = await run();
      for (const f of result.findings) {
        expect(Object.keys(f.evidence ?? {}).length, `${f.code} ${f.resource.name} has no evidence`).toBeGreaterThan(0);
        expect(f.remediation, `${f.code} ${f.resource.name} has no remediation`).toMatch(/\S/);
        expect(f.docs).toMatch(options.docs ?? /^\//);
      }
    });
  });
}
