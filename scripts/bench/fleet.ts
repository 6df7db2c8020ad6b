// A run over several clusters: `meshbook check --snapshot c1=DIR --snapshot c2=DIR …` with 1, 2,
// 4, 8 copies of one generated mesh as named clusters (each cluster parsed and gathered on its
// own, cluster-scoped checks once per cluster, mesh-scoped ones once over all), as a child
// process: wall time and peak RSS per count, and how both grow against one cluster.

import { YamlSource } from '../../src/cluster/yaml-source.ts';
import { runFleet } from '../../src/engine/fleet.ts';
import { CHECKS } from '../../runbooks/index.ts';
import { BIN, fmt, load, mb, measured, median, meshbookFindings, meshDir, table, type BenchSettings, type TableRow } from './shared.ts';

/** Prints one row per cluster count: wall ms, ms per cluster, peak RSS, findings; then where the time went, in process. */
export async function benchFleet(size: number, counts: readonly number[], settings: BenchSettings): Promise<void> {
  const dir = await meshDir(size, settings);
  const rows: TableRow[] = [];
  let base: { ms: number; rss: number } | undefined;
  for (const count of counts) {
    const clusters = Array.from({ length: count }, (_, i) => ['--snapshot', `c${i + 1}=${dir}`]).flat();
    const walls: number[] = [];
    let rss = 0;
    let findings = 0;
    for (let i = 0; i < settings.runs; i++) {
      const r = await measured(process.execPath, [BIN, 'check', ...clusters, '--format', 'json', '--fail-on', 'never']);
      if (r.exitCode !== 0) throw new Error(`${r.command} exited ${r.exitCode ?? r.signal}: ${r.stderr.slice(0, 2000)}`);
      walls.push(r.ms);
      rss = Math.max(rss, r.maxRssBytes ?? 0);
      findings = meshbookFindings(r.stdout);
    }
    const ms = median(walls);
    base ??= { ms, rss };
    rows.push([
      count,
      fmt(size * count),
      fmt(ms),
      fmt(ms / count),
      `${fmt(ms / base.ms, 2)}×`,
      rss === 0 ? '?' : mb(rss),
      rss === 0 || base.rss === 0 ? '?' : `${fmt(rss / base.rss, 2)}×`,
      fmt(findings),
      load(),
    ]);
  }
  table(
    `Several clusters: meshbook check --snapshot c1=DIR … (copies of the ${fmt(size)}-object mesh; child process, median of ${settings.runs}; peak RSS by GNU time)`,
    ['clusters', 'objects', 'wall ms', 'ms/cluster', 'wall vs 1', 'peak RSS MB', 'RSS vs 1', 'findings', 'load 1/5/15'],
    rows,
  );
  // In this process: reading (every cluster at once) against analyzing, the mesh-scoped checks
  // (the only part that sees every cluster) and the slowest check, so growth can be placed.
  const phases: TableRow[] = [];
  for (const count of counts) {
    const clusters = Array.from({ length: count }, (_, i) => ({ name: `c${i + 1}`, source: new YamlSource([dir]) }));
    const start = performance.now();
    const report = await runFleet(CHECKS, clusters, { checkTimeoutMs: 30 * 60_000 });
    const ms = performance.now() - start;
    const meshIds = new Set(CHECKS.filter((c) => c.scope === 'mesh').map((c) => c.id));
    const meshMs = report.checks.filter((c) => meshIds.has(c.id)).reduce((n, c) => n + c.durationMs, 0);
    const slowest = [...report.checks].sort((a, b) => b.durationMs - a.durationMs)[0]!;
    phases.push([
      count,
      fmt(ms),
      fmt(report.gatherMs),
      fmt(ms - report.gatherMs),
      fmt(meshMs),
      `${slowest.id} ${fmt(slowest.durationMs)}`,
      load(),
    ]);
  }
  table(
    'Several clusters, in process (runFleet, every check): gather (all clusters at once) and analyze',
    ['clusters', 'total ms', 'gather ms', 'analyze ms', 'mesh-scoped checks ms', 'slowest check ms', 'load 1/5/15'],
    phases,
  );
}
