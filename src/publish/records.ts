// The records the build embeds: every `*.json` in the records directory, newest per check.
// A page shows, for each of its runbooks, the result from the newest record that ran that
// check, so re-recording one page's checks does not hide another page's older results.

import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { JsonCheck } from '../report/report-schema.ts';
import { parseRecord, type RunRecord } from './record.ts';

/** One check's recorded result and the record it came from. */
export interface RecordedResult {
  check: JsonCheck;
  record: RunRecord;
  /** The record's file name (for provenance in the page). */
  file: string;
}

/** Every record in `dir`, validated; a missing directory is no records, a bad file is an error. */
export async function loadRecords(dir: string): Promise<{ file: string; record: RunRecord }[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new Error(`Cannot read the records directory ${JSON.stringify(dir)}: ${(cause as Error).message}`, { cause });
  }
  return Promise.all(names.map(async (file) => ({ file, record: parseRecord(await readFile(join(dir, file), 'utf8'), join(dir, file)) })));
}

/** Check id → its newest recorded result (ties: the later file name wins). */
export function latestByCheck(records: readonly { file: string; record: RunRecord }[]): Map<string, RecordedResult> {
  const latest = new Map<string, RecordedResult>();
  for (const { file, record } of records) {
    for (const check of record.report.checks) {
      const prev = latest.get(check.id);
      if (prev === undefined || Date.parse(record.recordedAt) >= Date.parse(prev.record.recordedAt)) latest.set(check.id, { check, record, file });
    }
  }
  return latest;
}
