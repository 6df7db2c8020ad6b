import { describe, expect, it } from 'vitest';
import { exitCodeFor } from '../../src/report/threshold.ts';
import type { RunReport } from '../../src/engine/types.ts';
import { finding, mixedReport, unusualReport } from '../cli/helpers/sample-report.ts';

function only(status: 'pass' | 'warn' | 'fail' | 'error' | 'skipped', severities: ('error' | 'warning' | 'info')[]): RunReport {
  const report = mixedReport();
  report.checks = [{ id: 'x', title: 'X', status, durationMs: 0, findings: severities.map((s) => finding(s, 'n')) }];
  return report;
}

describe('exitCodeFor', () => {
  it.each([
    ['clean', only('pass', []), [0, 0, 0]],
    ['info only', only('pass', ['info']), [0, 0, 0]],
    ['a warning', only('warn', ['warning']), [0, 1, 0]],
    ['an error', only('fail', ['error', 'warning']), [1, 1, 0]],
    ['a check that could not run', only('error', []), [1, 1, 0]],
    ['a skipped check', only('skipped', []), [0, 0, 0]],
    ['the mixed report', mixedReport(), [1, 1, 0]],
    ['the unusual report', unusualReport(), [1, 1, 0]],
  ] as const)('%s → error/warning/never = %j', (_, report, [error, warning, never]) => {
    expect([exitCodeFor(report, 'error'), exitCodeFor(report, 'warning'), exitCodeFor(report, 'never')]).toEqual([error, warning, never]);
  });
});
