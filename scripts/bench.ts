// The benchmarks of issue 7 (results and commands in docs/benchmarks.md). Prints tables; never a test.
//
//   node --import tsx scripts/bench.ts [--only snapshot|live|istioctl|page] [--sizes 1000,5000,20000,50000]
//                                      [--live-sizes 5000,20000] [--load-concurrency 48] [--seed 1] [--runs 3] [--work DIR]
//
// snapshot  `meshbook check --snapshot DIR --format json` end to end as a child process (wall, peak
//           RSS), and in a fresh process per size phase by phase: parse (read + YAML + validate),
//           index (Snapshot), analyze per check; objects/second; peak RSS (resourceUsage().maxRSS).
// live      the mesh loaded into the real test API server (scripts/lib/live-mesh.ts, --load-concurrency
//           creates in flight); full runs as the viewer against the floor: the same kinds' paginated
//           LISTs by a minimal client, same run; also without the reachability checks (R3/R4), and
//           the run's requests by purpose (LIST pages vs kinds × pages, discovery, access reviews, proxy).
// istioctl  `istioctl analyze` (analyzers we mirror) against `meshbook check` (the checks mirroring
//           them) on the same files (--use-kube=false) and on the same live cluster.
// page      `astro dev` start → first page; on the heaviest page, click → first result, → all results.
//
// Meshes come from scripts/gen-mesh.ts (seeded), written once under --work (default /tmp/meshbook-bench).

import { spawn } from 'node:child_process';
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
const CLI = join(REPO, 'src', 'cli', 'main.ts');

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
      const r = await timedNode([CLI, 'check', '--snapshot', dir, '--format', 'json', '--fail-on', 'never']);
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
  table('Requests of one full run by purpose (kinds × pages = the floor\'s LIST requests: one per kind, plus one per further 500 items)', ['objects read', 'all requests', 'LIST pages', 'kinds × pages', 'LISTs = kinds × pages', 'discovery GETs', 'access reviews', 'proxied GETs'], requestRows);
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
      const b = await timedNode([CLI, 'check', '--snapshot', dir, '--format', 'json', '--fail-on', 'never', ...MIRRORED.flatMap((c) => ['--check', c.id])]);
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
  const bundled: number[] = [];
  const bundledCpu: number[] = [];
  const bundle = await bundleCli();
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
    const b = await timedNode([CLI, 'check', ...args]);
    if (b.code !== 0) throw new Error(`meshbook check (live) failed: ${b.stderr.slice(0, 1000)}`);
    ours.push(b.ms);
    oursCpu.push(b.cpuMs ?? 0);
    findings = meshbookFindings(b.stdout);
    // The same CLI without tsx: what start-up costs when the TypeScript is not transpiled at run time.
    const c = await timedChild(process.execPath, [bundle, 'check', ...args]);
    if (c.code !== 0) throw new Error(`meshbook check (live, bundled) failed: ${c.stderr.slice(0, 1000)}`);
    bundled.push(c.ms);
    bundledCpu.push(c.cpuMs ?? 0);
  }
  const ratio = (xs: number[]): string => `${(median(xs) / median(theirs)).toFixed(2)}×`;
  return [
    [fmt(objects), '`node --import tsx src/cli/main.ts`', fmt(median(theirs)), fmt(median(theirsCpu)), fmt(median(ours)), fmt(median(oursCpu)), ratio(ours), fmt(msgs), fmt(findings), load()],
    [fmt(objects), 'the same CLI as one esbuild bundle', fmt(median(theirs)), fmt(median(theirsCpu)), fmt(median(bundled)), fmt(median(bundledCpu)), ratio(bundled), fmt(msgs), fmt(findings), load()],
  ];
}

/** src/cli/main.ts as one ESM file (packages external), under node_modules/.cache so that they resolve; REPO_ROOT is not used by a live run. */
async function bundleCli(): Promise<string> {
  const { build } = await import('esbuild');
  const outfile = join(REPO, 'node_modules', '.cache', 'meshbook-bench', 'cli.mjs');
  // main.ts runs the CLI itself when it is the file node was started with: in the bundle, it is.
  await build({ stdin: { contents: `import ${JSON.stringify(CLI)};\n`, resolveDir: REPO, loader: 'js' }, bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile, logLevel: 'warning' });
  return outfile;
}

// ── (d) the page ────────────────────────────────────────────────────────────────────────────

const HEAVIEST_PAGE = '/concepts/traffic-management/';

async function benchPage(runs: number): Promise<void> {
  const { startDevServer } = await import('../test/e2e/helpers/dev-server.ts');
  const { launchBrowser } = await import('../test/e2e/helpers/browser.ts');
  let t = performance.now();
  const server = await startDevServer();
  const startMs = performance.now() - t;
  const browser = await launchBrowser();
  const rows: (string | number)[][] = [];
  try {
    const page = await browser.context.newPage();
    t = performance.now();
    await page.goto(`${server.origin}${HEAVIEST_PAGE}`);
    await page.waitForFunction(() => customElements.get('runbook-run') !== undefined && customElements.get('meshbook-runner') !== undefined);
    const firstPageMs = performance.now() - t;
    const cards = await page.locator('section.runbook').count();
    for (let i = 0; i < runs; i++) {
      await page.reload();
      await page.waitForFunction(() => customElements.get('runbook-run') !== undefined && customElements.get('meshbook-runner') !== undefined);
      // Timed inside the page: from the click to the first card reaching state=done.
      const one = await page.evaluate(() => new Promise<number>((resolve) => {
        const button = [...document.querySelectorAll('section.runbook button')].find((b) => b.textContent?.trim() === 'Run this check') as HTMLButtonElement;
        const card = button.closest('section.runbook')!;
        const t0 = performance.now();
        const obs = new MutationObserver(() => {
          if (card.querySelector('runbook-run[state="done"]') !== null) {
            obs.disconnect();
            resolve(performance.now() - t0);
          }
        });
        obs.observe(card, { subtree: true, attributes: true, childList: true });
        button.click();
      }));
      await page.reload();
      await page.waitForFunction(() => customElements.get('runbook-run') !== undefined && customElements.get('meshbook-runner') !== undefined);
      const all = await page.evaluate(() => new Promise<{ first: number; all: number }>((resolve) => {
        const button = [...document.querySelectorAll('button')].find((b) => b.textContent?.trim() === 'Run all checks') as HTMLButtonElement;
        let first: number | undefined;
        const t0 = performance.now();
        const obs = new MutationObserver(() => {
          if (first === undefined && document.querySelector('runbook-run[state="done"]') !== null) first = performance.now() - t0;
          if (document.querySelector('meshbook-runner[state="done"]') !== null) {
            obs.disconnect();
            resolve({ first: first ?? performance.now() - t0, all: performance.now() - t0 });
          }
        });
        obs.observe(document.body, { subtree: true, attributes: true, childList: true });
        button.click();
      }));
      rows.push([i + 1, fmt(one, 1), fmt(all.first, 1), fmt(all.all, 1), load()]);
    }
    console.log(`\nPage: astro dev start → /introduction/ served ${fmt(startMs)} ms; first load of ${HEAVIEST_PAGE} (${cards} runbooks) → interactive ${fmt(firstPageMs)} ms`);
  } finally {
    await browser.close();
    await server.stop();
  }
  table(`Page ${HEAVIEST_PAGE} against the demo cluster (timed in the page from the click)`, ['run', 'Run this check → result ms', 'Run all → first result ms', 'Run all → all results ms', 'load 1/5/15'], rows);
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
console.log(`meshbook bench: node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${fmt(totalmem() / 2 ** 30, 1)} GiB, load ${load()}, seed ${seed}`);
if (only.has('snapshot')) await benchSnapshot(sizesOf(values.sizes, '--sizes'), seed, runs);
if (only.has('istioctl')) await istioctlFiles(sizesOf(values.sizes, '--sizes'), seed, runs);
if (only.has('live')) await benchLive(sizesOf(values['live-sizes'], '--live-sizes'), seed, runs, only.has('istioctl'));
else if (only.has('istioctl')) {
  // istioctl on the live cluster needs one: the smallest live size.
  await benchLive(sizesOf(values['live-sizes'], '--live-sizes').slice(0, 1), seed, 1, true);
}
if (only.has('page')) await benchPage(runs);
await rm(join(values.work, '.tmp'), { recursive: true, force: true });
