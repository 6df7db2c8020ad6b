// A run in numbers: what the JSON report's `summary` says and the text's last line counts.

import type { z } from 'astro/zod';
import type { runSummarySchema } from '../engine/result-schema.ts';
import { summarize, type RunReport, type Severity } from '../engine/types.ts';

export type RunSummary = z.infer<typeof runSummarySchema>;

/** Checks by status, findings by severity, what was read, and how many findings were suppressed. */
export function summarizeRun(report: Pick<RunReport, 'checks' | 'read'>): RunSummary {
  const findings: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  let total = 0;
  let suppressed = 0;
  for (const check of report.checks) {
    suppressed += check.suppressed?.length ?? 0;
    for (const f of check.findings) {
      findings[f.severity]++;
      total++;
    }
  }
  return {
    checks: { total: report.checks.length, ...summarize(report.checks) },
    findings: { total, ...findings },
    read: { kinds: report.read.kinds, objects: report.read.objects },
    suppressed,
  };
}
