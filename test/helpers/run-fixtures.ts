// Runs one check over fixture files and returns (code, "Kind ns/name") pairs, the way
// istioctl's analyzer tests compare results.

import { join } from 'node:path';
import { YamlSource, type YamlSourceOptions } from '../../src/cluster/yaml-source.ts';
import { runChecks } from '../../src/engine/runner.ts';
import { getCheck } from '../../runbooks/index.ts';
import type { CheckResult } from '../../src/engine/types.ts';
import { casesOf, FIXTURES } from './fixture-cases.ts';

export { FIXTURES };

export async function runFixture(checkId: string, fixtures: readonly string[], options: YamlSourceOptions = {}): Promise<CheckResult> {
  const check = getCheck(checkId);
  if (check === undefined) throw new Error(`no check ${checkId}`);
  const source = new YamlSource(
    fixtures.map((f) => join(FIXTURES, f)),
    undefined,
    options,
  );
  const report = await runChecks([check], source);
  return report.checks[0]!;
}

/**
 * Runs a fixture case as the grid does: the check of its folder, over its `with` preambles and
 * itself, with its options. `name` picks a further case of the file (`# case: <name>`).
 */
export async function runCase(file: string, name?: string): Promise<CheckResult> {
  const found = casesOf(file).find((c) => c.name === (name === undefined ? file : `${file} [${name}]`));
  if (found === undefined) throw new Error(`test/fixtures/${file} has no case ${name ?? '(the file itself)'}`);
  return runFixture(found.check, found.files, { readSecrets: found.options.includes('read-secrets') });
}

/** `Kind ns/name` or `Kind name`, like istioctl's FriendlyName. */
export function friendly(r: { kind: string; namespace?: string; name: string }): string {
  return r.namespace === undefined ? `${r.kind} ${r.name}` : `${r.kind} ${r.namespace}/${r.name}`;
}

export function pairs(result: CheckResult): [string, string][] {
  return result.findings.map((f) => [f.code, friendly(f.resource)] as [string, string]).sort();
}
