// The NDJSON events the run endpoint streams, one JSON object per line (see docs/team-brief.md).
// Shared by the endpoint and the page's island; types only, so the island ships none of it.

import type { CheckResult, CheckStatus, TargetInfo } from '../engine/types.ts';

export type RunStreamEvent =
  | { type: 'start'; target: TargetInfo; checks: { id: string; title: string }[] }
  | { type: 'gathered'; kinds: string[]; objects: number; durationMs: number; gatheredAt?: string; cachedKinds?: number }
  | { type: 'result'; result: CheckResult; done: number; total: number }
  | { type: 'done'; summary: Record<CheckStatus, number> }
  | { type: 'error'; message: string };

export const RUN_ENDPOINT = '/__meshbook/run';
