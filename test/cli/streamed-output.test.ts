// Issue 7: a report is written as it is rendered (a reachability matrix on a big mesh is
// hundreds of megabytes of JSON), and the streamed text is byte for byte the text the
// one-string renderer produced.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatJson, formatJsonChunks, toJsonReport } from '../../src/report/format-json.ts';
import { renderChunks } from '../../src/report/formats.ts';
import { batched, main } from '../../src/cli/main.ts';
import type { MatrixCell, RunReport } from '../../src/engine/types.ts';
import { hostileReport, mixedReport, unusualReport } from './helpers/sample-report.ts';

const oneString = (report: RunReport): string => `${JSON.stringify(toJsonReport(report), null, 2)}\n`;

/** A report whose check attached a rows × columns matrix, every other cell blocked. */
function matrixReport(rows: number, columns: number): RunReport {
  const report = mixedReport();
  const ids = (n: number, p: string): { id: string; label: string }[] =>
    Array.from({ length: n }, (_, i) => ({ id: `${p}-${i}`, label: `${p} ${i} "quoted" \u0007` }));
  const rowList = ids(rows, 'ns');
  const columnList = ids(columns, 'svc');
  const cells: MatrixCell[] = [];
  for (const r of rowList) {
    for (const c of columnList) {
      cells.push(
        cells.length % 2 === 0
          ? {
              row: r.id,
              column: c.id,
              state: 'blocked',
              blockedBy: [
                { kind: 'NetworkPolicy', namespace: c.id, name: 'deny' },
                { kind: 'NetworkPolicy', name: 'x' },
              ],
              detail: '3 of 3 connections blocked\non port 80',
            }
          : { row: r.id, column: c.id, state: 'allowed' },
      );
    }
  }
  report.checks[2]!.attachments = [
    { type: 'reachability-matrix', title: 'Namespaces → Services', rows: rowList, columns: columnList, cells },
  ];
  report.checks[3]!.attachments = [{ type: 'reachability-matrix', title: 'empty', rows: [], columns: [], cells: [] }];
  return report;
}

describe('formatJsonChunks', () => {
  it.each([
    ['mixed', mixedReport()],
    ['unusual', unusualReport()],
    ['hostile', hostileReport()],
    ['matrix', matrixReport(30, 40)],
    ['no checks', { ...mixedReport(), checks: [] }],
  ])('renders the %s report exactly as JSON.stringify of the contract object', (_, report) => {
    expect([...formatJsonChunks(report)].join('')).toBe(oneString(report));
    expect(formatJson(report)).toBe(oneString(report));
  });

  it('never holds a matrix as one piece', () => {
    const report = matrixReport(200, 200);
    const pieces = [...formatJsonChunks(report)];
    expect(pieces.join('')).toBe(oneString(report));
    expect(pieces.join('').length).toBeGreaterThan(4_000_000);
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(1_000);
  });

  it('is what renderChunks gives for json; text and junit stay one piece', () => {
    const report = mixedReport();
    const options = { color: false, failOn: 'error' as const };
    expect([...renderChunks('json', report, options)].join('')).toBe(formatJson(report));
    expect([...renderChunks('text', report, options)]).toHaveLength(1);
    expect([...renderChunks('junit', report, options)]).toHaveLength(1);
  });
});

describe('batched writes', () => {
  it('joins pieces into writes of about 1 MiB, losing nothing', () => {
    const pieces = Array.from({ length: 5000 }, (_, i) => `${i}`.padEnd(1000, 'x'));
    const writes = [...batched(pieces)];
    expect(writes.join('')).toBe(pieces.join(''));
    expect(writes.length).toBeGreaterThan(3);
    expect(writes.every((w) => w.length < (1 << 20) + 1000)).toBe(true);
  });

  it('writes an empty or short report once', () => {
    expect([...batched([])]).toEqual(['']);
    expect([...batched(['a', 'b'])]).toEqual(['ab']);
  });
});

describe('check --format json through main', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'meshbook-stream-'));
  });
  afterAll(() => rm(tmp, { recursive: true, force: true }));
  const stable = (text: string): string =>
    text.replace(/"durationMs": \d+/g, '"durationMs": 0').replace(/"startedAt": "[^"]*"/, '"startedAt": ""');

  it('writes the same report to stdout and to --output', async () => {
    const run = async (extra: string[]): Promise<string> => {
      const out: string[] = [];
      const code = await main(
        ['check', '--snapshot', 'demo', '--format', 'json', '--fail-on', 'never', ...extra],
        { env: {}, stdoutIsTTY: false, out: (t) => out.push(t), err: () => {} },
        new AbortController().signal,
      );
      expect(code).toBe(0);
      return out.join('');
    };
    const stdout = await run([]);
    const file = join(tmp, 'out', 'report.json');
    expect(await run(['--output', file])).toBe('');
    const written = await readFile(file, 'utf8');
    expect(stable(written)).toBe(stable(stdout));
    expect(JSON.parse(written)).toHaveProperty('checks');
  });
});
