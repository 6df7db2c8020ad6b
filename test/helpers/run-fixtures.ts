// Runs one check over fixture files and returns (code, "Kind ns/name") pairs, the way
// istioctl's analyzer tests compare results.

import { join } from 'node:path';
import { YamlSource, type YamlSourceOptions } from '../../src/cluster/yaml-source.ts';
import { runChecks } from '../../src/engine/runner.ts';
import { runFleet } from '../../src/engine/fleet.ts';
import { getCheck } from '../../runbooks/index.ts';
import type { CheckResult } from '../../src/engine/types.ts';
import { casesOf, FIXTURES, type FixtureCluster } from './fixture-cases.ts';

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

/** Runs one check over several clusters, each read from its fixture files, as `--snapshot east=… --snapshot west=…` would. */
export async function runFleetFixture(
  checkId: string,
  clusters: readonly FixtureCluster[],
  options: YamlSourceOptions = {},
): Promise<CheckResult> {
  const check = getCheck(checkId);
  if (check === undefined) throw new Error(`no check ${checkId}`);
  const fleet = clusters.map((c) => ({
    name: c.name,
    source: new YamlSource(
      c.files.map((f) => join(FIXTURES, f)),
      c.name,
      options,
    ),
  }));
  const report = await runFleet([check], fleet);
  return report.checks[0]!;
}

/** Runs a case file or a case folder (its clusters) the way the grid does. */
export function runFixtureCase(c: {
  check: string;
  files: readonly string[];
  clusters?: readonly FixtureCluster[];
  options: readonly string[];
}): Promise<CheckResult> {
  const options = { readSecrets: c.options.includes('read-secrets') };
  return c.clusters === undefined ? runFixture(c.check, c.files, options) : runFleetFixture(c.check, c.clusters, options);
}

/**
 * Runs a fixture case as the grid does: the check of its folder, over its `with` preambles and
 * itself, with its options. `name` picks a further case of the file (`# case: <name>`).
 */
export async function runCase(file: string, name?: string): Promise<CheckResult> {
  const found = casesOf(file).find((c) => c.name === (name === undefined ? file : `${file} [${name}]`));
  if (found === undefined) throw new Error(`test/fixtures/${file} has no case ${name ?? '(the file itself)'}`);
  return runFixtureCase(found);
}

/** `Kind ns/name` or `Kind name`, like istioctl's FriendlyName; `Kind east:ns/name` for an object of a named cluster. */
export function friendly(r: { kind: string; namespace?: string; name: string; cluster?: string }): string {
  const at = r.cluster === undefined ? '' : `${r.cluster}:`;
  return r.namespace === undefined ? `${r.kind} ${at}${r.name}` : `${r.kind} ${at}${r.namespace}/${r.name}`;
}

export function pairs(result: CheckResult): [string, string][] {
  return result.findings.map((f) => [f.code, friendly(f.resource)] as [string, string]).sort();
}
