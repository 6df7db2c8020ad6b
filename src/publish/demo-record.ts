// The bundled demo's recorded results are a build product, not maintenance debt: the demo is a
// snapshot in the repository and its run takes well under a second, so `astro build` re-records
// it whenever a check's source changed (or a check was added or removed) since the committed
// record. An unchanged record is left byte for byte as it is, so builds do not churn the file.

import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { CHECKS } from '../../runbooks/index.ts';
import { DEMO_NAME, DEMO_RELATIVE_DIR } from '../cluster/demo.ts';
import { YamlSource } from '../cluster/yaml-source.ts';
import { runChecks } from '../engine/runner.ts';
import { checkSourceFiles, checkVersionOf, parseRecord, writeRecord, type RunRecord } from './record.ts';

/** The demo's record file name in a records directory. */
export const DEMO_RECORD = 'demo.json';

/** Check id → the version of its source now. */
export async function currentCheckVersions(repoRoot: string): Promise<Map<string, string>> {
  const versions = new Map<string, string>();
  for (const [id, file] of await checkSourceFiles(join(repoRoot, 'runbooks'))) versions.set(id, checkVersionOf(await readFile(file, 'utf8')));
  return versions;
}

/** The checks whose recorded version is not the current one (or that the record lacks). */
export function staleChecks(record: RunRecord, current: ReadonlyMap<string, string>, ids: readonly string[] = [...current.keys()]): string[] {
  return ids.filter((id) => current.has(id) && record.checkVersions[id] !== current.get(id));
}

export interface DemoRefresh {
  /** What happened: nothing to do, or re-recorded (and why). */
  status: 'current' | 'recorded';
  /** The checks that were out of date (or `all` when there was no usable record). */
  stale: string[];
  ms: number;
}

/**
 * Re-records `recordsDir/demo.json` against the bundled demo when any check changed since it was
 * recorded. A records directory without a demo record is left alone (a publish directory that
 * holds only other clusters' results has opted out).
 */
export async function refreshDemoRecord(recordsDir: string, repoRoot: string, meshbookVersion: string): Promise<DemoRefresh> {
  const started = performance.now();
  const file = join(recordsDir, DEMO_RECORD);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return { status: 'current', stale: [], ms: 0 };
    throw cause;
  }
  const current = await currentCheckVersions(repoRoot);
  let stale: string[];
  try {
    const record = parseRecord(text, file);
    const ids = CHECKS.map((c) => c.id);
    const recorded = new Set(record.report.checks.map((c) => c.id));
    stale = [...staleChecks(record, current, ids), ...[...recorded].filter((id) => !ids.includes(id))];
    if (record.against.name !== DEMO_NAME) stale = ['all'];
  } catch {
    stale = ['all'];
  }
  if (stale.length === 0) return { status: 'current', stale, ms: Math.round(performance.now() - started) };
  // Relative to the working directory, as the CLI records it: no checkout path in a published file.
  const source = new YamlSource([relative(process.cwd(), join(repoRoot, DEMO_RELATIVE_DIR)) || '.'], DEMO_NAME);
  const signal = new AbortController().signal;
  const report = await runChecks(CHECKS, source, { signal });
  await writeRecord(file, report, { source, signal, repoRoot, meshbookVersion });
  return { status: 'recorded', stale, ms: Math.round(performance.now() - started) };
}
