// The in-process half of the snapshot benchmark: the phases of one `meshbook check --snapshot DIR`,
// measured in a process of their own (`bench.ts --phases DIR`). Imports only what a check run
// needs, so the peak RSS and heap it reports are the run's.

import { Snapshot } from '../../src/engine/snapshot.ts';
import { loadObjects as loadSnapshotFiles } from '../../src/cluster/yaml-source.ts';
import { manifestProblems } from '../../src/cluster/snapshot-files.ts';
import { inputsOf, runOne } from '../../src/engine/runner.ts';
import { CHECKS } from '../../runbooks/index.ts';

export interface PhaseResult {
  objects: number;
  parseMs: number;
  indexMs: number;
  checks: { id: string; ms: number; status: string; findings: number }[];
  maxRssBytes: number;
  heapUsedBytes: number;
}

/** The phases of `meshbook check --snapshot DIR` as the CLI does them: parse (read + YAML + validate), index, analyze per check. */
export async function phases(dir: string): Promise<PhaseResult> {
  let t = performance.now();
  const loaded = await loadSnapshotFiles([dir]);
  manifestProblems(loaded.objects, () => dir);
  const parseMs = performance.now() - t;
  const runnable = CHECKS.filter((c) => c.needs === undefined || c.needs.length === 0);
  t = performance.now();
  const snapshot = new Snapshot(loaded.objects, { kinds: inputsOf(runnable), locations: loaded.locations });
  const indexMs = performance.now() - t;
  const signal = new AbortController().signal;
  const checks: PhaseResult['checks'] = [];
  const shared = new Map(); // one run: the checks share their per-run state (ctx.shared), as in runChecks
  for (const check of runnable) {
    t = performance.now();
    const result = await runOne(check, snapshot, signal, { checkTimeoutMs: 600_000, maxFindingsPerCheck: 1_000, shared });
    checks.push({
      id: check.id,
      ms: performance.now() - t,
      status: result.status,
      findings: result.findings.length + (result.truncated ?? 0),
    });
  }
  return {
    objects: loaded.objects.length,
    parseMs,
    indexMs,
    checks,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    heapUsedBytes: process.memoryUsage().heapUsed,
  };
}
