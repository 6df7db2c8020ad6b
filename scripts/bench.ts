// The benchmarks of issue 7 (results and commands in docs/benchmarks.md). Prints tables; never a test.
//
//   node --import tsx scripts/bench.ts [--only snapshot|live|istioctl|page] [--sizes 1000,5000,20000,50000]
//                                      [--live-sizes 5000,20000] [--load-concurrency 48] [--seed 1] [--runs 3] [--work DIR]
//                                      [--page-live-size 20000]
//
// snapshot  `meshbook check --snapshot DIR --format json` end to end as a child process (wall, peak
//           RSS), and in a fresh process per size phase by phase: parse (read + YAML + validate),
//           index (Snapshot), analyze per check; objects/second; peak RSS (resourceUsage().maxRSS).
// live      the mesh loaded into the real test API server (scripts/lib/live-mesh.ts, --load-concurrency
//           creates in flight); full runs as the viewer against the floor: the same kinds' paginated
//           LISTs by a minimal client, same run; also without the reachability checks (R3/R4), and
//           the run's requests by purpose (LIST pages vs kinds × pages, the /version + /api proof and
//           discovery, access reviews, proxy).
// istioctl  `istioctl analyze` (analyzers we mirror) against `meshbook check` (the checks mirroring
//           them) on the same files (--use-kube=false) and on the same live cluster.
// page      `astro dev` start → first page; on the heaviest page, click → first result, → all results,
//           against the demo; with --page-live-size N also against N generated objects in the test
//           API server (viewer kubeconfig context selected in the page), cold (30 s cache waited
//           out) and warm, with the gather, the NDJSON the page received and the slowest check.
//
// Meshes come from scripts/gen-mesh.ts (seeded), written once under --work (default /tmp/meshbook-bench).

import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import https from 'node:https';
import { cpus, homedir, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { KINDS, type KindId } from '../src/cluster/kinds.ts';
import { Snapshot } from '../src/cluster/snapshot.ts';
import { loadObjects as loadSnapshotFiles } from '../src/cluster/yaml-source.ts';
import { manifestProblems } from '../src/cluster/snapshot-files.ts';
import { inputsOf, runOne } from '../src/engine/runner.ts';
import type { KubeObject } from '../src/engine/k8s-types.ts';
import { CHECKS } from '../runbooks/index.ts';
import { generateMesh, writeMesh } from './gen-mesh.ts';
import { loadMesh } from './lib/live-mesh.ts';

const REPO = join(import.meta.dirname, '..');
// What `npx meshbook` runs: bin/meshbook.mjs (the prebuilt bundle of the CLI; MESHBOOK_CLI_TSX=1 for tsx).
const BIN = join(REPO, 'bin', 'meshbook.mjs');
const TSX_ENV: NodeJS.ProcessEnv = { ...process.env, MESHBOOK_CLI_TSX: '1' };

const { values } = parseArgs({
  options: {
    only: { type: 'string', multiple: true },
    sizes: { type: 'string', default: '1000,5000,20000,50000' },
    'live-sizes': { type: 'string', default: '5000' },
    seed: { type: 'string', default: '1' },
    runs: { type: 'string', default: '3' },
    work: { type: 'string', default: '/tmp/meshbook-bench' },
    // Creates in flight while loading a mesh into the test API server (live part).
    'load-concurrency': { type: 'string', default: '48' },
    // The page part also against a live cluster of this many generated objects (0: demo only).
    'page-live-size': { type: 'string', default: '0' },
    // Internal: the in-process phase measurement of one directory, in a fresh process.
    phases: { type: 'string' },
  },
});

const PARTS = ['snapshot', 'live', 'istioctl', 'page'] as const;
type Part = (typeof PARTS)[number];

function sizesOf(text: string, flag: string): number[] {
  const sizes = text.split(',').map((s) => Number(s.trim()));
  if (sizes.some((n) => !Number.isInteger(n) || n < 100)) throw new Error(`${flag} must be comma-separated integers ≥ 100, received ${JSON.stringify(text)}`);
  return sizes;
}

// ── Output helpers ──────────────────────────────────────────────────────────────────────────

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const mb = (bytes: number): string => fmt(bytes / 2 ** 20);

function table(title: string, head: string[], rows: (string | number)[][]): void {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const width = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  console.log(`\n${title}\n`);
  const line = (r: string[]): string => `| ${r.map((c, i) => (i === 0 ? c.padEnd(width[i]!) : c.padStart(width[i]!))).join(' | ')} |`;
  console.log(line(head));
  console.log(`|${width.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  for (const r of cells.slice(1)) console.log(line(r));
}

function load(): string {
  return loadavg().map((l) => l.toFixed(2)).join(' ');
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function meshDir(size: number, seed: number): Promise<string> {
  const dir = join(values.work, `mesh-${size}-s${seed}`);
  if (existsSync(dir) && readdirSync(dir).length > 0) return dir;
  const mesh = await generateMesh(size, seed);
  await writeMesh(mesh, dir);
  return dir;
}

// ── (a) snapshot scale ──────────────────────────────────────────────────────────────────────

interface PhaseResult {
  objects: number;
  parseMs: number;
  indexMs: number;
  checks: { id: string; ms: number; status: string; findings: number }[];
  maxRssBytes: number;
  heapUsedBytes: number;
}

// Runs in a fresh process: the phases of `meshbook check --snapshot DIR` as the CLI does them.
async function phases(dir: string): Promise<PhaseResult> {
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
  for (const check of runnable) {
    t = performance.now();
    const result = await runOne(check, snapshot, signal, { checkTimeoutMs: 600_000, maxFindingsPerCheck: 1_000 });
    checks.push({ id: check.id, ms: performance.now() - t, status: result.status, findings: result.findings.length + (result.truncated ?? 0) });
  }
  return { objects: loaded.objects.length, parseMs, indexMs, checks, maxRssBytes: process.resourceUsage().maxRSS * 1024, heapUsedBytes: process.memoryUsage().heapUsed };
}

/** Runs `node --import tsx ARGS` and returns wall time, exit code, stdout and the child's peak RSS (GNU time). */
async function timedNode(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Timed & { maxRssBytes?: number }> {
  return await timedChild(process.execPath, ['--import', 'tsx', ...args], env);
}

interface Timed {
  ms: number;
  code: number;
  stdout: string;
  stderr: string;
  /** The child's user + system CPU time (GNU time), ms. */
  cpuMs?: number;
}

/** Runs CMD ARGS; wall time, exit code, output, and the child's peak RSS and CPU time (GNU time, when present). */
async function timedChild(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Timed & { maxRssBytes?: number }> {
  const useTime = existsSync('/usr/bin/time');
  const cmd = useTime ? '/usr/bin/time' : command;
  const argv = useTime ? ['-f', 'MAXRSS_KB=%M CPU_S=%U+%S', command, ...args] : args;
  return await new Promise((resolve, reject) => {
    const t = performance.now();
    const child = spawn(cmd, argv, { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - t;
      const m = /MAXRSS_KB=(\d+) CPU_S=([\d.]+)\+([\d.]+)\n?/.exec(stderr);
      // GNU time prefixes "Command exited with non-zero status N" when the child fails.
      const rest = stderr.replace(/(Command exited with non-zero status \d+\n)?MAXRSS_KB=\d+ CPU_S=[\d.]+\+[\d.]+\n?/, '');
      resolve({ ms, code: code ?? -1, stdout, stderr: rest, ...(m === null ? {} : { maxRssBytes: Number(m[1]) * 1024, cpuMs: (Number(m[2]) + Number(m[3])) * 1000 }) });
    });
  });
}

async function benchSnapshot(sizes: number[], seed: number, runs: number): Promise<void> {
  const e2e: (string | number)[][] = [];
  const phaseRows: (string | number)[][] = [];
  const perCheck = new Map<string, Map<number, number>>();
  for (const size of sizes) {
    const dir = await meshDir(size, seed);
    const walls: number[] = [];
    let rss = 0;
    let objects = 0;
    let findings = 0;
    for (let i = 0; i < runs; i++) {
      const r = await timedChild(process.execPath, [BIN, 'check', '--snapshot', dir, '--format', 'json', '--fail-on', 'never']);
      if (r.code !== 0) throw new Error(`meshbook check on ${dir} exited ${r.code}: ${r.stderr.slice(0, 2000)}`);
      walls.push(r.ms);
      rss = Math.max(rss, r.maxRssBytes ?? 0);
      const report = JSON.parse(r.stdout) as { checks: { findings: unknown[]; truncated?: number }[] };
      findings = report.checks.reduce((n, c) => n + c.findings.length + (c.truncated ?? 0), 0);
    }
    const ph = await timedNode([join(import.meta.dirname, 'bench.ts'), '--phases', dir]);
    if (ph.code !== 0) throw new Error(`phases of ${dir} failed: ${ph.stderr.slice(0, 2000)}`);
    const p = JSON.parse(ph.stdout) as PhaseResult;
    objects = p.objects;
    const analyzeMs = p.checks.reduce((n, c) => n + c.ms, 0);
    const wall = median(walls);
    e2e.push([fmt(objects), fmt(wall), fmt(objects / (wall / 1000)), rss === 0 ? '?' : mb(rss), fmt(findings), load()]);
    phaseRows.push([fmt(objects), fmt(p.parseMs), fmt(p.indexMs, 1), fmt(analyzeMs), fmt(p.parseMs + p.indexMs + analyzeMs), fmt(objects / ((p.parseMs + p.indexMs + analyzeMs) / 1000)), mb(p.maxRssBytes), mb(p.heapUsedBytes)]);
    for (const c of p.checks) {
      let row = perCheck.get(c.id);
      if (row === undefined) perCheck.set(c.id, (row = new Map()));
      row.set(size, c.ms);
    }
  }
  table(`Snapshot scale: meshbook check --snapshot DIR --format json (child process, median of ${runs}; peak RSS by GNU time)`, ['objects', 'wall ms', 'objects/s', 'peak RSS MB', 'findings', 'load 1/5/15'], e2e);
  table('Snapshot scale, in process by phase (fresh process per size)', ['objects', 'parse ms', 'index ms', 'analyze ms', 'total ms', 'objects/s', 'maxRSS MB', 'heap used MB'], phaseRows);
  table('Analyze ms per check', ['check', ...sizes.map((s) => fmt(s))], [...perCheck].map(([id, m]) => [id, ...sizes.map((s) => fmt(m.get(s) ?? 0, 1))]));
}

// ── (b) live scale ──────────────────────────────────────────────────────────────────────────

type Harness = typeof import('../test/cluster/harness.ts');
type Cluster = Awaited<ReturnType<Harness['startCluster']>>;

/** The floor: the same kinds' paginated LISTs (limit 500 + continue), parsed, by a bare https client; 4 kinds at a time like LiveSource. */
async function rawLists(cluster: Cluster, kinds: readonly KindId[]): Promise<{ ms: number; requests: number; objects: number; cpuMs: number }> {
  const { readFileSync } = await import('node:fs');
  const agent = new https.Agent({ keepAlive: true, ca: readFileSync(join(cluster.dir, 'ca.crt')), cert: readFileSync(join(cluster.dir, 'viewer.crt')), key: readFileSync(join(cluster.dir, 'viewer.key')) });
  const get = (path: string): Promise<{ status: number; body: string }> =>
    new Promise((resolve, reject) => {
      https.get(`${cluster.server}${path}`, { agent, headers: { Accept: 'application/json' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      }).on('error', reject);
    });
  let requests = 0;
  let objects = 0;
  const t = performance.now();
  const cpu = process.cpuUsage();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < kinds.length) {
      const info = KINDS[kinds[next++]!];
      const base = info.group === '' ? `/api/${info.versions[0]}/${info.plural}` : `/apis/${info.group}/${info.versions[0]}/${info.plural}`;
      let token: string | undefined;
      do {
        const res = await get(`${base}?limit=500${token === undefined ? '' : `&continue=${encodeURIComponent(token)}`}`);
        requests++;
        if (res.status !== 200) break; // not installed / not allowed: one request, as for the real run
        const list = JSON.parse(res.body) as { items: unknown[]; metadata?: { continue?: string } };
        objects += list.items.length;
        token = list.metadata?.continue || undefined;
      } while (token !== undefined);
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  const ms = performance.now() - t;
  const used = process.cpuUsage(cpu);
  agent.destroy();
  return { ms, requests, objects, cpuMs: (used.user + used.system) / 1000 };
}

async function withCluster<T>(work: (cluster: Cluster, harness: Harness) => Promise<T>): Promise<T | undefined> {
  const harness = await import('../test/cluster/harness.ts');
  const binaries = harness.findClusterBinaries();
  if (binaries === undefined) {
    console.log('\n(live parts skipped: kube-apiserver and etcd are not built — tools/cluster/build-all.sh)');
    return undefined;
  }
  const cluster = await harness.startCluster({ binaries });
  try {
    console.log(`\ntest cluster up in ${fmt(cluster.timings.totalMs)} ms (${cluster.crdOrigin})`);
    return await work(cluster, harness);
  } finally {
    await cluster.stop();
  }
}

// Checks being rewritten elsewhere (R3/R4): the run is also shown without them.
const REACHABILITY = new Set(['mesh-reachability', 'route-reachability']);

async function benchLive(sizes: number[], seed: number, runs: number, alsoIstioctl: boolean): Promise<void> {
  const { GatherCache, LiveSource } = await import('../src/cluster/live-source.ts');
  const { runChecks } = await import('../src/engine/runner.ts');
  const rows: (string | number)[][] = [];
  const requestRows: (string | number)[][] = [];
  const istioRows: (string | number)[][] = [];
  for (const size of sizes) {
    await withCluster(async (cluster) => {
      const mesh = await generateMesh(size, seed);
      const loaded = await loadMesh(cluster.admin, mesh.objects, loadConcurrency);
      console.log(`${fmt(mesh.objects.length)} objects loaded in ${fmt(loaded.ms / 1000, 1)} s (${fmt(loaded.requests)} requests, ${loadConcurrency} at a time, load ${load()})`);
      const checks = [...CHECKS];
      const kinds = inputsOf(checks.filter((c) => c.needs === undefined || c.needs.length === 0));
      const ours: number[] = [];
      const oursCpu: number[] = [];
      const oursWithout: number[] = [];
      const gathers: number[] = [];
      const floors: number[] = [];
      const floorsCpu: number[] = [];
      let counts: Record<string, number> = {};
      let requests = 0;
      let floorRequests = 0;
      let floorObjects = 0;
      let objects = 0;
      const errorsSeen = new Set<string>();
      for (let i = 0; i <= runs; i++) {
        // Alternate which goes first, so neither always meets a warmer server.
        const order = i % 2 === 0 ? ['ours', 'floor'] : ['floor', 'ours'];
        for (const what of order) {
          if (what === 'floor') {
            const f = await rawLists(cluster, kinds);
            if (i > 0) {
              floors.push(f.ms);
              floorsCpu.push(f.cpuMs);
            }
            floorRequests = f.requests;
            floorObjects = f.objects;
          } else {
            const source = await LiveSource.open({ kubeconfig: cluster.viewerKubeconfig }, { cache: new GatherCache(), cacheTtlMs: 0 });
            const t = performance.now();
            const cpu = process.cpuUsage();
            const report = await runChecks(checks, source, { onEvent: (e) => void (e.type === 'gathered' ? (objects = e.objects) : 0) });
            const ms = performance.now() - t;
            const used = process.cpuUsage(cpu);
            for (const c of report.checks) if (c.status === 'error') errorsSeen.add(`${c.id}: ${(c.reason ?? '').slice(0, 160)}`);
            // The first of each is a warm-up (connections, JIT, the server's caches).
            if (i > 0) {
              ours.push(ms);
              oursCpu.push((used.user + used.system) / 1000);
              oursWithout.push(ms - report.checks.filter((c) => REACHABILITY.has(c.id)).reduce((n, c) => n + c.durationMs, 0));
              gathers.push(report.gatherMs);
            }
            requests = source.requestCount;
            counts = { ...source.requestCounts };
            source.close();
          }
        }
      }
      if (errorsSeen.size > 0) console.log(`  checks in error (expected on the test cluster: its proxied GETs to istiod are answered 403, nothing serves them):\n    ${[...errorsSeen].join('\n    ')}`);
      // kinds × pages: per kind, one LIST request per started 500 items (at least one), from what the floor read.
      const pages = floorRequests;
      const floor = median(floors);
      rows.push([fmt(objects), fmt(kinds.length), fmt(median(gathers)), fmt(median(ours)), fmt(median(oursWithout)), fmt(median(oursCpu)), fmt(floor), fmt(median(floorsCpu)), `${(median(gathers) / floor).toFixed(2)}×`, `${(median(ours) / floor).toFixed(2)}×`, `${(median(oursWithout) / floor).toFixed(2)}×`, load()]);
      const listCount = counts.list ?? 0;
      requestRows.push([fmt(objects), fmt(requests), fmt(listCount), fmt(pages), listCount === pages ? 'yes' : `**no** (${listCount - pages > 0 ? '+' : ''}${listCount - pages})`, fmt(counts.get ?? 0), fmt(counts['access-review'] ?? 0), fmt(counts.proxy ?? 0)]);
      if (floorObjects === 0) console.log('  (the floor read no objects?)');
      if (alsoIstioctl) istioRows.push(...(await istioctlLive(cluster, runs, objects)));
    });
  }
  table(`Live scale (viewer; median of ${runs} after one warm-up; floor = raw paginated LISTs of the same kinds, 4 at a time, parsed; CPU = this process's user+sys during the run)`, ['objects read', 'kinds', 'our gather ms', 'our full run ms', 'run w/o R3/R4 ms', 'our run CPU ms', 'floor ms', 'floor CPU ms', 'gather / floor', 'run / floor', 'run w/o R3/R4 / floor', 'load 1/5/15'], rows);
  table('Requests of one full run by purpose (kinds × pages = the floor\'s LIST requests: one per kind, plus one per further 500 items)', ['objects read', 'all requests', 'LIST pages', 'kinds × pages', 'LISTs = kinds × pages', 'other GETs (2 proof: /version, /api; discovery)', 'access reviews', 'proxied GETs'], requestRows);
  if (istioRows.length > 0) table(`istioctl analyze vs meshbook check on the live cluster (child processes, median of ${runs}; CPU = the child's user+sys, GNU time)`, ['objects', 'meshbook run as', 'istioctl ms', 'istioctl CPU ms', 'meshbook ms', 'meshbook CPU ms', 'meshbook / istioctl', 'istioctl msgs', 'meshbook findings', 'load 1/5/15'], istioRows);
}

// ── (c) istioctl analyze ────────────────────────────────────────────────────────────────────

const MIRRORED = CHECKS.filter((c) => c.analyzer !== undefined);

function findIstioctl(): string | undefined {
  if (process.env.ISTIOCTL_BIN) return existsSync(process.env.ISTIOCTL_BIN) ? process.env.ISTIOCTL_BIN : undefined;
  const dir = join(process.env.MESHBOOK_CACHE ?? join(homedir(), '.cache', 'meshbook'), 'istioctl');
  if (!existsSync(dir)) return undefined;
  return readdirSync(dir).sort().map((v) => join(dir, v, 'bin', 'istioctl')).filter((f) => existsSync(f)).at(-1);
}

async function timed(cmd: string, args: string[]): Promise<Timed> {
  return await timedChild(cmd, args);
}

function istioMessages(stdout: string): number {
  const start = stdout.startsWith('[') ? 0 : stdout.indexOf('\n[') + 1;
  const end = stdout.lastIndexOf(']');
  if (start <= 0 && !stdout.startsWith('[')) return 0;
  return (JSON.parse(stdout.slice(start, end + 1)) as unknown[]).length;
}

function meshbookFindings(stdout: string): number {
  const report = JSON.parse(stdout) as { checks: { findings: unknown[]; truncated?: number }[] };
  return report.checks.reduce((n, c) => n + c.findings.length + (c.truncated ?? 0), 0);
}

async function istioctlFiles(sizes: number[], seed: number, runs: number): Promise<void> {
  const istioctl = findIstioctl();
  if (istioctl === undefined) return void console.log('\n(istioctl part skipped: no istioctl under ~/.cache/meshbook/istioctl/*/bin or ISTIOCTL_BIN)');
  const analyzers = MIRRORED.flatMap((c) => ['--analyzer', c.analyzer!]);
  const rows: (string | number)[][] = [];
  for (const size of sizes) {
    const dir = await meshDir(size, seed);
    const theirs: number[] = [];
    const ours: number[] = [];
    let msgs = 0;
    let findings = 0;
    for (let i = 0; i < runs; i++) {
      const a = await timed(istioctl, ['analyze', '--use-kube=false', '-o', 'json', ...analyzers, dir]);
      if (a.code !== 0 && a.code !== 79 && a.stdout.trim() === '') throw new Error(`istioctl analyze failed (${a.code}): ${a.stderr.slice(0, 1000)}`);
      theirs.push(a.ms);
      msgs = istioMessages(a.stdout);
      const b = await timedChild(process.execPath, [BIN, 'check', '--snapshot', dir, '--format', 'json', '--fail-on', 'never', ...MIRRORED.flatMap((c) => ['--check', c.id])]);
      if (b.code !== 0) throw new Error(`meshbook check failed: ${b.stderr.slice(0, 1000)}`);
      ours.push(b.ms);
      findings = meshbookFindings(b.stdout);
    }
    rows.push([fmt(size), fmt(median(theirs)), fmt(median(ours)), `${(median(ours) / median(theirs)).toFixed(2)}×`, fmt(msgs), fmt(findings), load()]);
  }
  table(`Files: istioctl analyze --use-kube=false (${MIRRORED.length} analyzers we mirror) vs meshbook check --snapshot (the ${MIRRORED.length} checks mirroring them), child processes, median of ${runs}`, ['objects', 'istioctl ms', 'meshbook ms', 'meshbook / istioctl', 'istioctl msgs', 'meshbook findings', 'load 1/5/15'], rows);
}

async function istioctlLive(cluster: Cluster, runs: number, objects: number): Promise<(string | number)[][]> {
  const istioctl = findIstioctl();
  if (istioctl === undefined) return [];
  const analyzers = MIRRORED.flatMap((c) => ['--analyzer', c.analyzer!]);
  const theirs: number[] = [];
  const theirsCpu: number[] = [];
  const ours: number[] = [];
  const oursCpu: number[] = [];
  const viaTsx: number[] = [];
  const viaTsxCpu: number[] = [];
  const args = ['--kubeconfig', cluster.viewerKubeconfig, '--format', 'json', '--fail-on', 'never', ...MIRRORED.flatMap((c) => ['--check', c.id])];
  let msgs = 0;
  let findings = 0;
  for (let i = 0; i < runs; i++) {
    // istioctl reads as admin (it lists more kinds than the viewer role grants); meshbook as the viewer.
    const a = await timed(istioctl, ['--kubeconfig', cluster.adminKubeconfig, 'analyze', '-A', '-o', 'json', ...analyzers]);
    if (a.stdout.trim() === '') throw new Error(`istioctl analyze (live) failed (${a.code}): ${a.stderr.slice(0, 1000)}`);
    theirs.push(a.ms);
    theirsCpu.push(a.cpuMs ?? 0);
    msgs = istioMessages(a.stdout);
    const b = await timedChild(process.execPath, [BIN, 'check', ...args]);
    if (b.code !== 0) throw new Error(`meshbook check (live) failed: ${b.stderr.slice(0, 1000)}`);
    ours.push(b.ms);
    oursCpu.push(b.cpuMs ?? 0);
    findings = meshbookFindings(b.stdout);
    // The same CLI through tsx (its fallback): what start-up costs when the TypeScript is transpiled at run time.
    const c = await timedChild(process.execPath, [BIN, 'check', ...args], TSX_ENV);
    if (c.code !== 0) throw new Error(`meshbook check (live, tsx) failed: ${c.stderr.slice(0, 1000)}`);
    viaTsx.push(c.ms);
    viaTsxCpu.push(c.cpuMs ?? 0);
  }
  const ratio = (xs: number[]): string => `${(median(xs) / median(theirs)).toFixed(2)}×`;
  return [
    [fmt(objects), '`npx meshbook` (bin: the prebuilt bundle)', fmt(median(theirs)), fmt(median(theirsCpu)), fmt(median(ours)), fmt(median(oursCpu)), ratio(ours), fmt(msgs), fmt(findings), load()],
    [fmt(objects), 'the same through tsx', fmt(median(theirs)), fmt(median(theirsCpu)), fmt(median(viaTsx)), fmt(median(viaTsxCpu)), ratio(viaTsx), fmt(msgs), fmt(findings), load()],
  ];
}

// ── (d) the page ────────────────────────────────────────────────────────────────────────────

const HEAVIEST_PAGE = '/concepts/traffic-management/';
// The dev server's per-kind cache (LIVE_DEFAULTS.cacheTtlMs): a "cold" click waits it out.
const LIVE_CACHE_TTL_MS = 30_000;

const kib = (bytes: number): string => fmt(bytes / 1024, bytes < 10 * 1024 ? 1 : 0);

async function benchPage(runs: number): Promise<void> {
  const { startDevServer } = await import('../test/e2e/helpers/dev-server.ts');
  const { launchBrowser } = await import('../test/e2e/helpers/browser.ts');
  const { assertNoDevServer, keepRunResponses, measureClick, openPage, waitForIsland } = await import('./lib/page-bench.ts');
  await assertNoDevServer(REPO);
  let t = performance.now();
  const server = await startDevServer();
  const startMs = performance.now() - t;
  const rows: (string | number)[][] = [];
  let browser: Awaited<ReturnType<typeof launchBrowser>> | undefined;
  try {
    browser = await launchBrowser();
    const page = await browser.context.newPage();
    await keepRunResponses(page);
    t = performance.now();
    await page.goto(`${server.origin}${HEAVIEST_PAGE}`);
    await waitForIsland(page);
    const firstPageMs = performance.now() - t;
    const cards = await page.locator('section.runbook').count();
    let check = '?';
    for (let i = 0; i < runs; i++) {
      await openPage(page, `${server.origin}${HEAVIEST_PAGE}`);
      // Timed inside the page: from the click to the first card reaching state=done.
      const one = await measureClick(page, 'one', 60_000);
      check = one.check ?? check;
      await openPage(page, `${server.origin}${HEAVIEST_PAGE}`);
      const all = await measureClick(page, 'all', 60_000);
      const states = one.state === 'done' && all.state === 'done' ? '' : ` (${one.state}/${all.state})`;
      rows.push([`${i + 1}${states}`, fmt(one.all, 1), fmt(all.first, 1), fmt(all.all, 1), `${kib(one.stream?.bytes ?? 0)} / ${kib(all.stream?.bytes ?? 0)}`, load()]);
    }
    console.log(`\nPage: astro dev start → /introduction/ served ${fmt(startMs)} ms; first load of ${HEAVIEST_PAGE} (${cards} runbooks) → interactive ${fmt(firstPageMs)} ms; "Run this check" is the first card's (${check})`);
  } finally {
    await browser?.close();
    await server.stop();
  }
  table(`Page ${HEAVIEST_PAGE} against the demo cluster (timed in the page from the click)`, ['run', 'Run this check → result ms', 'Run all → first result ms', 'Run all → all results ms', 'NDJSON KiB one / all', 'load 1/5/15'], rows);
}

type PageMeasured = Awaited<ReturnType<typeof import('./lib/page-bench.ts')['measureClick']>>;

/**
 * The page against a live cluster: the mesh loaded into the real test API server, `astro dev`
 * with KUBECONFIG = the least-privilege viewer's kubeconfig, its context selected in the page.
 * Per run: "Run this check" cold (the 30 s per-kind cache waited out) then warm, and the same
 * for "Run all checks". The very first click of the session also opens the context's source.
 */
async function benchPageLive(size: number, seed: number, runs: number): Promise<void> {
  const { startDevServer } = await import('../test/e2e/helpers/dev-server.ts');
  const { launchBrowser } = await import('../test/e2e/helpers/browser.ts');
  const { assertNoDevServer, keepRunResponses, measureClick, openPage, waitForIsland } = await import('./lib/page-bench.ts');
  await assertNoDevServer(REPO);
  await withCluster(async (cluster) => {
    const mesh = await generateMesh(size, seed);
    const loaded = await loadMesh(cluster.admin, mesh.objects, loadConcurrency);
    console.log(`${fmt(mesh.objects.length)} objects loaded in ${fmt(loaded.ms / 1000, 1)} s (${fmt(loaded.requests)} requests, ${loadConcurrency} at a time, load ${load()})`);
    let t = performance.now();
    const server = await startDevServer({ KUBECONFIG: cluster.viewerKubeconfig });
    const startMs = performance.now() - t;
    let browser: Awaited<ReturnType<typeof launchBrowser>> | undefined;
    const url = `${server.origin}${HEAVIEST_PAGE}`;
    interface Row { run: number; what: 'one' | 'all'; cache: 'cold' | 'warm'; m: PageMeasured; serverMs?: number; first: boolean; load: string }
    const measured: Row[] = [];
    let startLine = '';
    try {
      browser = await launchBrowser();
      const page = await browser.context.newPage();
      await keepRunResponses(page);
      t = performance.now();
      await page.goto(url);
      await waitForIsland(page);
      const firstPageMs = performance.now() - t;
      const cards = await page.locator('section.runbook').count();
      // A fresh dev server may re-optimize a client dependency after the first load and reload the page: let it settle.
      await server.settled();
      // The viewer's context: the kubeconfig's current one, pointing at the test cluster.
      const option = page.locator('#meshbook-target optgroup[label="Kubeconfig contexts"] option[data-current="true"]');
      const contextId = await option.getAttribute('value');
      const contextServer = await option.getAttribute('data-server');
      if (contextId === null || contextServer !== cluster.server) throw new Error(`the page does not offer the test cluster's context (got ${contextId} at ${contextServer}, expected ${cluster.server})`);
      startLine = `Page (live): astro dev start → /introduction/ served ${fmt(startMs)} ms; first load of ${HEAVIEST_PAGE} (${cards} runbooks) → interactive ${fmt(firstPageMs)} ms; target ${contextId} (${contextServer}, viewer)`;
      console.log(`\n${startLine}`);

      const open = async (): Promise<void> => {
        await openPage(page, url);
        await page.selectOption('#meshbook-target', contextId);
        if ((await page.locator('meshbook-runner').getAttribute('target-kind')) !== 'context') throw new Error(`selecting ${contextId} did not make the page's target a context`);
      };
      let lastRun = 0;
      const runFinished = (): number[] => [...server.log().matchAll(/run finished in (\d+) ms/g)].map((m) => Number(m[1]));
      const once = async (run: number, what: 'one' | 'all', cache: 'cold' | 'warm'): Promise<void> => {
        if (cache === 'cold') {
          const wait = lastRun + LIVE_CACHE_TTL_MS + 1_000 - Date.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        }
        await open();
        const before = runFinished().length;
        const m = await measureClick(page, what, 180_000);
        lastRun = Date.now();
        // The server logs "run finished in N ms" just before it ends the response.
        for (let i = 0; i < 20 && runFinished().length === before && m.state === 'done'; i++) await new Promise((r) => setTimeout(r, 100));
        const finished = runFinished();
        const row: Row = { run, what, cache, m, first: measured.length === 0, load: load(), ...(finished.length > before ? { serverMs: finished.at(-1)! } : {}) };
        measured.push(row);
        const g = m.stream?.gathered;
        console.log(`  run ${run} ${what === 'one' ? `Run this check (${m.check})` : 'Run all checks'} ${cache}: ${m.state}, click → first ${fmt(m.first)} ms, → all ${fmt(m.all)} ms; server ${row.serverMs ?? '?'} ms; gather ${g?.durationMs ?? '?'} ms (${g?.kinds ?? '?'} kinds, ${g?.cachedKinds ?? '?'} cached, ${fmt(g?.objects ?? 0)} objects); NDJSON ${kib(m.stream?.bytes ?? 0)} KiB${m.stream?.error === undefined ? '' : `; error event: ${m.stream.error}`}; load ${load()}`);
      };
      for (let i = 1; i <= runs; i++) {
        for (const what of ['one', 'all'] as const) {
          await once(i, what, 'cold');
          await once(i, what, 'warm');
        }
      }
    } finally {
      await browser?.close();
      await server.stop();
    }

    const pick = (what: 'one' | 'all', cache: 'cold' | 'warm'): Row[] => measured.filter((r) => r.what === what && r.cache === cache);
    const med = (rows: Row[], f: (r: Row) => number | undefined): string => {
      const xs = rows.map(f).filter((x): x is number => x !== undefined);
      return xs.length === 0 ? '?' : fmt(median(xs));
    };
    const slowest = (r: Row): { id: string; ms: number } | undefined => r.m.stream?.results.reduce<{ id: string; ms: number } | undefined>((a, c) => (a === undefined || c.durationMs > a.ms ? { id: c.id, ms: c.durationMs } : a), undefined);
    const summaryRows: (string | number)[][] = [];
    for (const what of ['one', 'all'] as const) {
      for (const cache of ['cold', 'warm'] as const) {
        const rows = pick(what, cache);
        if (rows.length === 0) continue;
        const states = [...new Set(rows.map((r) => r.m.state))].join('/');
        const g = rows.map((r) => r.m.stream?.gathered);
        const slow = rows.map(slowest).filter((s) => s !== undefined);
        const slowIds = [...new Set(slow.map((s) => s.id))].join(', ');
        summaryRows.push([
          what === 'one' ? `Run this check (${rows[0]!.m.check ?? '?'})` : 'Run all checks',
          cache,
          states,
          med(rows, (r) => r.m.first),
          med(rows, (r) => r.m.all),
          med(rows, (r) => r.serverMs),
          med(rows, (r) => r.m.stream?.gathered?.durationMs),
          `${g[0]?.kinds ?? '?'} / ${g.map((x) => x?.cachedKinds ?? '?').join(',')}`,
          fmt(g[0]?.objects ?? 0),
          kib(median(rows.map((r) => r.m.stream?.bytes ?? 0))),
          slow.length === 0 ? '?' : `${fmt(median(slow.map((s) => s.ms)))} (${slowIds})`,
        ]);
      }
    }
    table(`Page ${HEAVIEST_PAGE} against a live cluster of ${fmt(mesh.objects.length)} generated objects (test API server, viewer context; timed in the page from the click; median of ${runs}; cold = the 30 s cache waited out, warm = right after)`,
      ['interaction', 'cache', 'state', 'click → first result ms', 'click → all results ms', 'server run ms', 'gather ms', 'kinds / cached per run', 'objects read', 'NDJSON KiB', 'slowest check ms'], summaryRows);
    for (const what of ['one', 'all'] as const) {
      const g = pick(what, 'cold')[0]?.m.stream?.gathered;
      if (g !== undefined) console.log(`  kinds gathered by ${what === 'one' ? '"Run this check"' : '"Run all checks"'}: ${g.kindNames.join(', ')}`);
    }
    table('Every live click (run, interaction, cache): the first row is the session\'s first click (opens the context\'s source, discovery, TLS)',
      ['run', 'interaction', 'cache', 'state', 'first ms', 'all ms', 'server ms', 'gather ms', 'cached kinds', 'NDJSON KiB', 'load 1/5/15'],
      measured.map((r) => [r.run, r.what === 'one' ? 'one' : 'all', r.cache, r.m.state, fmt(r.m.first), fmt(r.m.all), r.serverMs === undefined ? '?' : fmt(r.serverMs), r.m.stream?.gathered === undefined ? '?' : fmt(r.m.stream.gathered.durationMs), r.m.stream?.gathered?.cachedKinds ?? '?', kib(r.m.stream?.bytes ?? 0), r.load]));
    // Per check in "Run all" (warm: no gather in it), as the page received them.
    const warmAll = pick('all', 'warm');
    const coldAll = pick('all', 'cold');
    const ids = [...new Set([...coldAll, ...warmAll].flatMap((r) => r.m.stream?.results.map((c) => c.id) ?? []))];
    const per = (rows: Row[], id: string, f: (c: NonNullable<PageMeasured['stream']>['results'][number]) => number): number | undefined => {
      const xs = rows.map((r) => r.m.stream?.results.find((c) => c.id === id)).filter((c) => c !== undefined).map(f);
      return xs.length === 0 ? undefined : median(xs);
    };
    const statusOf = (id: string): string => [...coldAll, ...warmAll].map((r) => r.m.stream?.results.find((c) => c.id === id)?.status).find((s) => s !== undefined) ?? '?';
    const findingsOf = (id: string): string => {
      const c = [...coldAll, ...warmAll].map((r) => r.m.stream?.results.find((x) => x.id === id)).find((x) => x !== undefined);
      return c === undefined ? '?' : `${c.findings}${c.truncated > 0 ? ` (+${c.truncated} truncated)` : ''}`;
    };
    table('"Run all checks" on the live cluster, per check as streamed to the page (median over the cold / warm runs; result line = that check\'s NDJSON line)',
      ['check', 'status', 'check ms cold', 'check ms warm', 'result line KiB', 'findings'],
      ids.map((id) => [id, statusOf(id), fmt(per(coldAll, id, (c) => c.durationMs) ?? 0), fmt(per(warmAll, id, (c) => c.durationMs) ?? 0), kib(per([...coldAll, ...warmAll], id, (c) => c.bytes) ?? 0), findingsOf(id)]));
    const errors = [...new Set(measured.map((r) => r.m.stream?.error).filter((e) => e !== undefined))];
    if (errors.length > 0) console.log(`\n  error events in the stream: ${errors.join(' | ')}`);
  });
}

// ── Entry ───────────────────────────────────────────────────────────────────────────────────

if (values.phases !== undefined) {
  process.stdout.write(`${JSON.stringify(await phases(values.phases))}\n`);
  process.exit(0);
}

const only = new Set<Part>((values.only ?? [...PARTS]).flatMap((v) => v.split(',')).map((v) => {
  if (!(PARTS as readonly string[]).includes(v)) throw new Error(`--only must be one of ${PARTS.join(', ')}, received ${JSON.stringify(v)}`);
  return v as Part;
}));
const seed = Number(values.seed);
const runs = Number(values.runs);
const loadConcurrency = Number(values['load-concurrency']);
if (!Number.isInteger(loadConcurrency) || loadConcurrency < 1) throw new Error(`--load-concurrency must be a positive integer, received ${JSON.stringify(values['load-concurrency'])}`);
const pageLiveSize = Number(values['page-live-size']);
if (!Number.isInteger(pageLiveSize) || (pageLiveSize !== 0 && pageLiveSize < 100)) throw new Error(`--page-live-size must be 0 or an integer ≥ 100, received ${JSON.stringify(values['page-live-size'])}`);
console.log(`meshbook bench: node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${fmt(totalmem() / 2 ** 30, 1)} GiB, load ${load()}, seed ${seed}`);
// The CLI bundle fresh before anything is timed (bin/meshbook.mjs would otherwise build it in the first timed run).
if (only.has('snapshot') || only.has('istioctl') || only.has('live')) execFileSync(process.execPath, [join(REPO, 'bin', 'cli-bundle.mjs')], { cwd: REPO, stdio: 'ignore' });
if (only.has('snapshot')) await benchSnapshot(sizesOf(values.sizes, '--sizes'), seed, runs);
if (only.has('istioctl')) await istioctlFiles(sizesOf(values.sizes, '--sizes'), seed, runs);
if (only.has('live')) await benchLive(sizesOf(values['live-sizes'], '--live-sizes'), seed, runs, only.has('istioctl'));
else if (only.has('istioctl')) {
  // istioctl on the live cluster needs one: the smallest live size.
  await benchLive(sizesOf(values['live-sizes'], '--live-sizes').slice(0, 1), seed, 1, true);
}
if (only.has('page')) {
  await benchPage(runs);
  if (pageLiveSize > 0) await benchPageLive(pageLiveSize, seed, runs);
}
await rm(join(values.work, '.tmp'), { recursive: true, force: true });
