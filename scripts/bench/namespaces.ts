// Many namespaces: N bookinfo-like namespaces isolated from each other
// (scripts/gen-mesh.ts --namespaces), where every cross-namespace pair is blocked. `meshbook
// check --snapshot DIR` (all checks) against `istioctl analyze --use-kube=false DIR` (all its
// analyzers) on the same files: wall time and peak RSS, and meshbook's time per check.

import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { generateNamespaces, writeMesh } from '../gen-mesh.ts';
import { findIstioctl } from './istioctl.ts';
import type { PhaseResult } from './phases.ts';
import { BIN, fmt, load, mb, measured, median, meshbookFindings, table, type BenchSettings, type TableRow } from './shared.ts';

/** The generated many-namespaces mesh on disk, written on first use. */
async function namespacesDir(namespaces: number, settings: BenchSettings): Promise<string> {
  const dir = join(settings.work, `namespaces-${namespaces}-s${settings.seed}`);
  if (existsSync(dir) && readdirSync(dir).length > 0) return dir;
  await writeMesh(await generateNamespaces(namespaces, settings.seed), dir);
  return dir;
}

/** Prints meshbook against istioctl (time, memory) and meshbook's slowest checks, per namespace count. */
export async function benchNamespaces(counts: number[], settings: BenchSettings): Promise<void> {
  const { runs } = settings;
  const istioctl = findIstioctl();
  if (istioctl === undefined) console.log('\n(istioctl columns empty: no istioctl under ~/.cache/meshbook/istioctl/*/bin or ISTIOCTL_BIN)');
  const rows: TableRow[] = [];
  const perCheck = new Map<string, Map<number, number>>();
  for (const n of counts) {
    const dir = await namespacesDir(n, settings);
    const theirs = { ms: [] as number[], rss: 0 };
    const ours = { ms: [] as number[], rss: 0, findings: 0 };
    // Alternating, so both see the same load.
    for (let i = 0; i < runs; i++) {
      if (istioctl !== undefined) {
        // istioctl exits 79 when it finds something; its messages are on stdout either way.
        const a = await measured(istioctl, ['analyze', '--use-kube=false', '-o', 'json', dir]);
        if (a.exitCode !== 0 && a.exitCode !== 79 && a.stdout.trim() === '')
          throw new Error(`${a.command} failed (${a.exitCode ?? a.signal}): ${a.stderr.slice(0, 1000)}`);
        theirs.ms.push(a.ms);
        theirs.rss = Math.max(theirs.rss, a.maxRssBytes ?? 0);
      }
      const b = await measured(process.execPath, [BIN, 'check', '--snapshot', dir, '--format', 'json', '--fail-on', 'never']);
      if (b.exitCode !== 0) throw new Error(`${b.command} failed (${b.exitCode ?? b.signal}): ${b.stderr.slice(0, 1000)}`);
      ours.ms.push(b.ms);
      ours.rss = Math.max(ours.rss, b.maxRssBytes ?? 0);
      ours.findings = meshbookFindings(b.stdout);
    }
    const ph = await measured(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '..', 'bench.ts'), '--phases', dir]);
    if (ph.exitCode !== 0) throw new Error(`phases of ${dir} failed (${ph.command}): ${ph.stderr.slice(0, 2000)}`);
    const p = JSON.parse(ph.stdout) as PhaseResult;
    const perCheckRow = new Map<string, number>([['(parse)', p.parseMs]]);
    for (const c of p.checks) perCheckRow.set(c.id, c.ms);
    for (const [id, ms] of perCheckRow) {
      let row = perCheck.get(id);
      if (row === undefined) perCheck.set(id, (row = new Map()));
      row.set(n, ms);
    }
    const t = theirs.ms.length === 0 ? undefined : median(theirs.ms);
    const ratio = (x: number, y: number | undefined): string => (y === undefined || y === 0 ? '?' : `${(x / y).toFixed(2)}×`);
    rows.push([
      fmt(n),
      fmt(p.objects),
      t === undefined ? '?' : fmt(t),
      theirs.rss === 0 ? '?' : mb(theirs.rss),
      fmt(median(ours.ms)),
      ours.rss === 0 ? '?' : mb(ours.rss),
      ratio(median(ours.ms), t),
      ratio(ours.rss, theirs.rss || undefined),
      fmt(ours.findings),
      load(),
    ]);
  }
  table(
    `Many namespaces: meshbook check --snapshot (all checks) vs istioctl analyze --use-kube=false (all analyzers), same files, child processes, median of ${runs}; peak RSS by GNU time`,
    [
      'namespaces',
      'objects',
      'istioctl ms',
      'istioctl MB',
      'meshbook ms',
      'meshbook MB',
      'time meshbook / istioctl',
      'memory meshbook / istioctl',
      'meshbook findings',
      'load 1/5/15',
    ],
    rows,
  );
  // The checks above 20 ms at some size, slowest first (in process, fresh process per size).
  const slow = [...perCheck]
    .filter(([, m]) => [...m.values()].some((ms) => ms > 20))
    .sort((a, b) => Math.max(...b[1].values()) - Math.max(...a[1].values()));
  table(
    'Many namespaces, analyze ms per check (in process; "(parse)" = read + YAML + validation)',
    ['check', ...counts.map((n) => `${fmt(n)} ns`)],
    slow.map(([id, m]) => [id, ...counts.map((n) => fmt(m.get(n) ?? 0, 1))]),
  );
}
