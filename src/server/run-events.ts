// The NDJSON events the run endpoint streams, one JSON object per line (see docs/team-brief.md).
// Shared by the endpoint and the page's island; types only, so the island ships none of it.

import type { CheckResult, CheckStatus, ReadCount, RunProblem, TargetInfo } from '../engine/types.ts';

export type RunStreamEvent =
  | { type: 'start'; target: TargetInfo; checks: { id: string; title: string }[] }
  // `problem`: the source could not be read at all (say it once, as a banner); `gatheredAt` is then absent.
  | {
      type: 'gathered';
      kinds: string[];
      objects: number;
      durationMs: number;
      read: ReadCount;
      problem?: RunProblem;
      gatheredAt?: string;
      cachedKinds?: number;
    }
  // `note`: what of the result was left out to fit the stream (findings cut are counted in `result.truncated`).
  | { type: 'result'; result: CheckResult; done: number; total: number; note?: string }
  | { type: 'done'; summary: Record<CheckStatus, number> }
  | { type: 'error'; message: string };

export const RUN_ENDPOINT = '/__meshbook/run';
