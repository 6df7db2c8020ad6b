// `istioctl analyze` (the analyzers we mirror) against `meshbook check` (the checks mirroring them),
// on the same files (--use-kube=false) and on the same live cluster.

import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CHECKS } from '../../runbooks/index.ts';
import type { TestCluster } from '../../tools/cluster/harness.ts';
import {
  BIN,
  TSX_ENV,
  fmt,
  load,
  measured,
  median,
  meshbookFindings,
  meshDir,
  table,
  type BenchSettings,
  type TableRow,
} from './shared.ts';

const MIRRORED = CHECKS.filter((c) => c.analyzer !== undefined);

// istioctl is built from Istio's source into the cache (optional: its rows are skipped without it).
export function findIstioctl(): string | undefined {
  if (process.env.ISTIOCTL_BIN) return existsSync(process.env.ISTIOCTL_BIN) ? process.env.ISTIOCTL_BIN : undefined;
  const dir = join(process.env.MESHBOOK_CACHE ?? join(homedir(), '.cache', 'meshbook'), 'istioctl');
  if (!existsSync(dir)) return undefined;
  return readdirSync(dir)
    .sort()
    .map((v) => join(dir, v, 'bin', 'istioctl'))
    .filter((f) => existsSync(f))
    .at(-1);
}

// istioctl may print log lines before its JSON array of messages.
function istioMessages(stdout: string): number {
  const start = stdout.startsWith('[') ? 0 : stdout.indexOf('\n[') + 1;
  const end = stdout.lastIndexOf(']');
  if (start <= 0 && !stdout.startsWith('[')) return 0;
  return (JSON.parse(stdout.slice(start, end + 1)) as unknown[]).length;
}

/** Prints istioctl against meshbook on the generated mesh files of each size. */
export async function istioctlFiles(sizes: number[], settings: BenchSettings): Promise<void> {
  const { runs } = settings;
  const istioctl = findIstioctl();
  if (istioctl === undefined)
    return void console.log('\n(istioctl part skipped: no istioctl under ~/.cache/meshbook/istioctl/*/bin or ISTIOCTL_BIN)');
  const analyzers = MIRRORED.flatMap((c) => ['--analyzer', c.analyzer!]);
  const rows: TableRow[] = [];
  for (const size of sizes) {
    const dir = await meshDir(size, settings);
    const theirs: number[] = [];
    const ours: number[] = [];
    let msgs = 0;
    let findings = 0;
    for (let i = 0; i < runs; i++) {
      // istioctl exits 79 when it finds something; its findings are on stdout either way.
      const a = await measured(istioctl, ['analyze', '--use-kube=false', '-o', 'json', ...analyzers, dir]);
      if (a.exitCode !== 0 && a.exitCode !== 79 && a.stdout.trim() === '')
        throw new Error(`${a.command} failed (${a.exitCode ?? a.signal}): ${a.stderr.slice(0, 1000)}`);
      theirs.push(a.ms);
      msgs = istioMessages(a.stdout);
      const b = await measured(process.execPath, [
        BIN,
        'check',
        '--snapshot',
        dir,
        '--format',
        'json',
        '--fail-on',
        'never',
        ...MIRRORED.flatMap((c) => ['--check', c.id]),
      ]);
      if (b.exitCode !== 0) throw new Error(`${b.command} failed (${b.exitCode ?? b.signal}): ${b.stderr.slice(0, 1000)}`);
      ours.push(b.ms);
      findings = meshbookFindings(b.stdout);
    }
    rows.push([
      fmt(size),
      fmt(median(theirs)),
      fmt(median(ours)),
      `${(median(ours) / median(theirs)).toFixed(2)}×`,
      fmt(msgs),
      fmt(findings),
      load(),
    ]);
  }
  table(
    `Files: istioctl analyze --use-kube=false (${MIRRORED.length} analyzers we mirror) vs meshbook check --snapshot (the ${MIRRORED.length} checks mirroring them), child processes, median of ${runs}`,
    ['objects', 'istioctl ms', 'meshbook ms', 'meshbook / istioctl', 'istioctl msgs', 'meshbook findings', 'load 1/5/15'],
    rows,
  );
}

/** The rows of istioctl against meshbook on a loaded test cluster (printed by the live benchmark); none without istioctl. */
export async function istioctlLive(cluster: TestCluster, runs: number, objects: number): Promise<TableRow[]> {
  const istioctl = findIstioctl();
  if (istioctl === undefined) return [];
  const analyzers = MIRRORED.flatMap((c) => ['--analyzer', c.analyzer!]);
  const theirs: number[] = [];
  const theirsCpu: number[] = [];
  const ours: number[] = [];
  const oursCpu: number[] = [];
  const viaTsx: number[] = [];
  const viaTsxCpu: number[] = [];
  const args = [
    '--kubeconfig',
    cluster.viewerKubeconfig,
    '--format',
    'json',
    '--fail-on',
    'never',
    ...MIRRORED.flatMap((c) => ['--check', c.id]),
  ];
  let msgs = 0;
  let findings = 0;
  for (let i = 0; i < runs; i++) {
    // istioctl reads as admin (it lists more kinds than the viewer role grants); meshbook as the viewer.
    const a = await measured(istioctl, ['--kubeconfig', cluster.adminKubeconfig, 'analyze', '-A', '-o', 'json', ...analyzers]);
    if (a.stdout.trim() === '') throw new Error(`${a.command} (live) failed (${a.exitCode ?? a.signal}): ${a.stderr.slice(0, 1000)}`);
    theirs.push(a.ms);
    theirsCpu.push(a.cpuMs ?? 0);
    msgs = istioMessages(a.stdout);
    const b = await measured(process.execPath, [BIN, 'check', ...args]);
    if (b.exitCode !== 0) throw new Error(`${b.command} (live) failed (${b.exitCode ?? b.signal}): ${b.stderr.slice(0, 1000)}`);
    ours.push(b.ms);
    oursCpu.push(b.cpuMs ?? 0);
    findings = meshbookFindings(b.stdout);
    // The same CLI through tsx (its fallback): what start-up costs when the TypeScript is transpiled at run time.
    const c = await measured(process.execPath, [BIN, 'check', ...args], TSX_ENV);
    if (c.exitCode !== 0) throw new Error(`${c.command} (live, tsx) failed (${c.exitCode ?? c.signal}): ${c.stderr.slice(0, 1000)}`);
    viaTsx.push(c.ms);
    viaTsxCpu.push(c.cpuMs ?? 0);
  }
  const ratio = (xs: number[]): string => `${(median(xs) / median(theirs)).toFixed(2)}×`;
  return [
    [
      fmt(objects),
      '`npx meshbook` (bin: the prebuilt bundle)',
      fmt(median(theirs)),
      fmt(median(theirsCpu)),
      fmt(median(ours)),
      fmt(median(oursCpu)),
      ratio(ours),
      fmt(msgs),
      fmt(findings),
      load(),
    ],
    [
      fmt(objects),
      'the same through tsx',
      fmt(median(theirs)),
      fmt(median(theirsCpu)),
      fmt(median(viaTsx)),
      fmt(median(viaTsxCpu)),
      ratio(viaTsx),
      fmt(msgs),
      fmt(findings),
      load(),
    ],
  ];
}
