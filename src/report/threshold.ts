// --fail-on: which results make the run fail (exit 1, JUnit <failure>).

import type { CheckResult, RunReport, Severity } from '../engine/types.ts';

/** The thresholds `--fail-on` accepts, lowest first. */
export const FAIL_ON = ['error', 'warning', 'never'] as const;
export type FailOn = (typeof FAIL_ON)[number];

/** True when a finding of this severity fails the run at this threshold. */
export function severityFails(severity: Severity, failOn: FailOn): boolean {
  if (failOn === 'never') return false;
  if (severity === 'error') return true;
  return severity === 'warning' && failOn === 'warning';
}

/** True when a check fails the run: a check that could not run counts as an error. */
export function checkFails(result: CheckResult, failOn: FailOn): boolean {
  if (failOn === 'never') return false;
  if (result.status === 'error') return true;
  return result.findings.some((f) => severityFails(f.severity, failOn));
}

/** 1 when something reaches the threshold, else 0. */
export function exitCodeFor(report: RunReport, failOn: FailOn): 0 | 1 {
  return report.checks.some((c) => checkFails(c, failOn)) ? 1 : 0;
}
