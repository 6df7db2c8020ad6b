// The demo's recorded results cannot go stale: the committed record matches every check's
// current source, and the build's refresh re-records a stale demo record (and leaves a current
// one byte for byte alone).

import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CHECKS } from '../../runbooks/index.ts';
import { currentCheckVersions, refreshDemoRecord, staleChecks } from '../../src/publish/demo-record.ts';
import { parseRecord } from '../../src/publish/record.ts';
import { staleRecords } from '../../src/integration/publish.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const COMMITTED = join(ROOT, 'publish', 'records', 'demo.json');
const dirs: string[] = [];

afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('the demo record', () => {
  it('is committed current: every check, at the version of its source now', async () => {
    const record = parseRecord(await readFile(COMMITTED, 'utf8'), COMMITTED);
    const current = await currentCheckVersions(ROOT);
    expect(staleChecks(record, current, CHECKS.map((c) => c.id)), 'run `npm run build` (or `npx meshbook check --snapshot demo --record publish/records/demo.json`)').toEqual([]);
    expect(record.report.checks.map((c) => c.id).sort()).toEqual(CHECKS.map((c) => c.id).sort());
  });

  it('is re-recorded by the build when a check changed, and left alone when none did', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshbook-demo-record-'));
    dirs.push(dir);
    const file = join(dir, 'demo.json');
    const record = JSON.parse(await readFile(COMMITTED, 'utf8')) as { checkVersions: Record<string, string>; recordedAt: string };
    record.checkVersions['gateway-ports'] = 'sha256:000000000000';
    record.recordedAt = '2020-01-01T00:00:00.000Z';
    await writeFile(file, JSON.stringify(record));

    const first = await refreshDemoRecord(dir, ROOT, '0.0.0-test');
    expect(first.status).toBe('recorded');
    expect(first.stale).toEqual(['gateway-ports']);
    const written = parseRecord(await readFile(file, 'utf8'), file);
    expect(staleChecks(written, await currentCheckVersions(ROOT))).toEqual([]);
    expect(written.recordedAt).not.toBe('2020-01-01T00:00:00.000Z');
    expect(written.against.name).toBe('demo cluster snapshot');
    // Snapshot locations are relative: no checkout path in a published file.
    expect(await readFile(file, 'utf8')).not.toContain(ROOT);

    const before = await readFile(file, 'utf8');
    expect((await refreshDemoRecord(dir, ROOT, '0.0.0-test')).status).toBe('current');
    expect(await readFile(file, 'utf8')).toBe(before);
  });

  it('is not created where there was none (a publish directory of other clusters only)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshbook-demo-record-'));
    dirs.push(dir);
    expect((await refreshDemoRecord(dir, ROOT, '0.0.0-test')).status).toBe('current');
    await expect(readFile(join(dir, 'demo.json'))).rejects.toThrow();
  });

  it('names each stale record for the strict build', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshbook-records-'));
    dirs.push(dir);
    await cp(join(import.meta.dirname, 'fixtures', 'records'), dir, { recursive: true });
    expect(await staleRecords(dir, ROOT)).toEqual(['2026-11-01-demo.json: gateway-ports', '2026-11-20-staging.json: gateway-ports', '2026-11-21-stale.json: gateway-conflicts']);
  });
});
