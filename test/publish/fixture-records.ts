// The fixture records, copied for a build: the staging record is stamped with the current
// version of its checks (a record of an earlier version would not be shown, and the checks
// change more often than this fixture); the others stay as they are (2026-11-21-stale.json is
// stale on purpose).

import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { currentCheckVersions } from '../../src/publish/demo-record.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'records');
const CURRENT = '2026-11-20-staging.json';

/** Copies the fixture records into `recordsDir`, the staging one made current. */
export async function copyFixtureRecords(recordsDir: string, repoRoot: string): Promise<void> {
  await cp(FIXTURES, recordsDir, { recursive: true });
  const file = join(recordsDir, CURRENT);
  const record = JSON.parse(await readFile(file, 'utf8')) as { checkVersions: Record<string, string> };
  const current = await currentCheckVersions(repoRoot);
  for (const id of Object.keys(record.checkVersions)) record.checkVersions[id] = current.get(id)!;
  await writeFile(file, JSON.stringify(record, null, 2));
}
