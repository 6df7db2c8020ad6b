// What the benchmarks share: the settings from the command line, table output, the generated
// meshes, the test cluster, and measured child processes.

import { existsSync, readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { timedRun, type TimedRun } from '../../tools/timed-run.ts';
import type { TestCluster } from '../../tools/cluster/harness.ts';
import { generateMesh, writeMesh } from '../gen-mesh.ts';

export const REPO = join(import.meta.dirname, '..', '..');
// What `npx meshbook` runs: bin/meshbook.mjs (the prebuilt bundle of the CLI; MESHBOOK_CLI_TSX=1 for tsx).
export const BIN = join(REPO, 'bin', 'meshbook.mjs');
export const TSX_ENV: NodeJS.ProcessEnv = { ...process.env, MESHBOOK_CLI_TSX: '1' };

/** The command line's settings every benchmark reads. */
export interface BenchSettings {
  seed: number;
  /** Measured runs per size (medians are taken over them). */
  runs: number;
  /** Where generated meshes are written once and reused. */
  work: string;
  /** Creates in flight while loading a mesh into the test API server. */
  loadConcurrency: number;
}

export type TableRow = (string | number)[];

export const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
export const mb = (bytes: number): string => fmt(bytes / 2 ** 20);
export const kib = (bytes: number): string => fmt(bytes / 1024, bytes < 10 * 1024 ? 1 : 0);

/** Prints a Markdown table (first column left-aligned, the others right-aligned), as pasted into docs/benchmarks.md. */
export function table(title: string, head: string[], rows: TableRow[]): void {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const width = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  console.log(`\n${title}\n`);
  const line = (r: string[]): string => `| ${r.map((c, i) => (i === 0 ? c.padEnd(width[i]!) : c.padStart(width[i]!))).join(' | ')} |`;
  console.log(line(head));
  console.log(`|${width.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  for (const r of cells.slice(1)) console.log(line(r));
}

/** The 1/5/15-minute load averages: every row carries them, the machine is shared. */
export function load(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** The generated mesh of `size` objects on disk, written on first use (scripts/gen-mesh.ts, seeded). */
export async function meshDir(size: number, settings: BenchSettings): Promise<string> {
  const dir = join(settings.work, `mesh-${size}-s${settings.seed}`);
  if (existsSync(dir) && readdirSync(dir).length > 0) return dir;
  const mesh = await generateMesh(size, settings.seed);
  await writeMesh(mesh, dir);
  return dir;
}

/** Runs `work` against a fresh test cluster, stopped afterwards; undefined (with a note) when its binaries are not built. */
export async function withCluster<T>(work: (cluster: TestCluster) => Promise<T>): Promise<T | undefined> {
  const harness = await import('../../tools/cluster/harness.ts');
  const binaries = harness.findClusterBinaries();
  if (binaries === undefined) {
    console.log('\n(live parts skipped: kube-apiserver and etcd are not built — tools/cluster/build-all.sh)');
    return undefined;
  }
  const cluster = await harness.startCluster({ binaries });
  try {
    console.log(`\ntest cluster up in ${fmt(cluster.timings.totalMs)} ms (${cluster.crdOrigin})`);
    return await work(cluster);
  } finally {
    await cluster.stop();
  }
}

// A 50k-object run takes tens of seconds on 2 loaded cores; a child still running after this hangs.
const CHILD_TIMEOUT_MS = 30 * 60_000;

/** Runs CMD ARGS from the repository: wall time, exit code, output, and the child's peak RSS and CPU time (GNU time, when present). */
export function measured(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<TimedRun> {
  return timedRun(command, args, { cwd: REPO, env, timeoutMs: CHILD_TIMEOUT_MS });
}

/** Total findings (listed + truncated) of a `meshbook check --format json` report. */
export function meshbookFindings(stdout: string): number {
  const report = JSON.parse(stdout) as { checks: { findings: unknown[]; truncated?: number }[] };
  return report.checks.reduce((n, c) => n + c.findings.length + (c.truncated ?? 0), 0);
}
