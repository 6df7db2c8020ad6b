// The NDJSON events the run endpoint streams, one JSON object per line (see docs/team-brief.md).
// Shared by the endpoint and the page's island; types only, so the island ships none of it.

import type { GatheredEvent } from '../engine/runner.ts';
import type { CheckResult, CheckStatus, ExpiredSuppression, Finding, TargetInfo } from '../engine/types.ts';

export type RunStreamEvent =
  | { type: 'start'; target: TargetInfo; checks: { id: string; title: string }[] }
  // Said once per run: a `problem` is the page's one banner.
  | GatheredEvent<string>
  // `note`: what of the result was left out to fit the stream (findings cut are counted in `result.truncated`).
  // `fixHtml`: Expressive Code's HTML for each finding's fix blocks, by finding index (null: no blocks).
  | { type: 'result'; result: CheckResult; done: number; total: number; note?: string; fixHtml?: (string[] | null)[] }
  // A run with proposed YAML: the findings it adds and fixes against the target as it is; sent before `done`.
  | { type: 'what-if'; added: Finding[]; fixed: Finding[] }
  // `suppressed`: findings set aside by suppressions (listed in each result's `suppressed`);
  // `expiredSuppressions`: the project's rules past their last day, which suppressed nothing.
  | { type: 'done'; summary: Record<CheckStatus, number>; suppressed?: number; expiredSuppressions?: ExpiredSuppression[] }
  | { type: 'error'; message: string };

export const RUN_ENDPOINT = '/__meshbook/run';
