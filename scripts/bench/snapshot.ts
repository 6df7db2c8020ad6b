// Snapshot scale: `meshbook check --snapshot DIR --format json` end to end as a child process (wall,
// peak RSS), and in a fresh process per size phase by phase: parse (read + YAML + validate), index
// (Snapshot), analyze per check; objects/second; peak RSS (resourceUsage().maxRSS).

import { join } from 'node:path';
import type { PhaseResult } from './phases.ts';
import { BIN, fmt, load, mb, measured, median, meshbookFindings, meshDir, table, type BenchSettings, type TableRow } from './shared.ts';

/** Prints the end-to-end, per-phase and per-check tables for each size. */
export async function benchSnapshot(sizes: number[], settings: BenchSettings): Promise<void> {
  const { runs } = settings;
  const e2e: TableRow[] = [];
  const phaseRows: TableRow[] = [];
  const perCheck = new Map<string, Map<number, number>>();
  for (const size of sizes) {
    const dir = await meshDir(size, settings);
    const walls: number[] = [];
    let rss = 0;
    let findings = 0;
    for (let i = 0; i < runs; i++) {
      const r = await measured(process.execPath, [BIN, 'check', '--snapshot', dir, '--format', 'json', '--fail-on', 'never']);
      if (r.exitCode !== 0) throw new Error(`${r.command} exited ${r.exitCode ?? r.signal}: ${r.stderr.slice(0, 2000)}`);
      walls.push(r.ms);
      rss = Math.max(rss, r.maxRssBytes ?? 0);
      findings = meshbookFindings(r.stdout);
    }
    // A fresh process per directory, so that its peak RSS is this directory's alone.
    const ph = await measured(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '..', 'bench.ts'), '--phases', dir]);
    if (ph.exitCode !== 0) throw new Error(`phases of ${dir} failed (${ph.command}): ${ph.stderr.slice(0, 2000)}`);
    const p = JSON.parse(ph.stdout) as PhaseResult;
    const objects = p.objects;
    const analyzeMs = p.checks.reduce((n, c) => n + c.ms, 0);
    const wall = median(walls);
    e2e.push([fmt(objects), fmt(wall), fmt(objects / (wall / 1000)), rss === 0 ? '?' : mb(rss), fmt(findings), load()]);
    phaseRows.push([
      fmt(objects),
      fmt(p.parseMs),
      fmt(p.indexMs, 1),
      fmt(analyzeMs),
      fmt(p.parseMs + p.indexMs + analyzeMs),
      fmt(objects / ((p.parseMs + p.indexMs + analyzeMs) / 1000)),
      mb(p.maxRssBytes),
      mb(p.heapUsedBytes),
    ]);
    for (const c of p.checks) {
      let row = perCheck.get(c.id);
      if (row === undefined) perCheck.set(c.id, (row = new Map()));
      row.set(size, c.ms);
    }
  }
  table(
    `Snapshot scale: meshbook check --snapshot DIR --format json (child process, median of ${runs}; peak RSS by GNU time)`,
    ['objects', 'wall ms', 'objects/s', 'peak RSS MB', 'findings', 'load 1/5/15'],
    e2e,
  );
  table(
    'Snapshot scale, in process by phase (fresh process per size)',
    ['objects', 'parse ms', 'index ms', 'analyze ms', 'total ms', 'objects/s', 'maxRSS MB', 'heap used MB'],
    phaseRows,
  );
  table(
    'Analyze ms per check',
    ['check', ...sizes.map((s) => fmt(s))],
    [...perCheck].map(([id, m]) => [id, ...sizes.map((s) => fmt(m.get(s) ?? 0, 1))]),
  );
}
