// The benchmarks (results and commands in docs/benchmarks.md): reads the command line, prints the
// machine, and runs the benchmarks asked for, one module each under scripts/bench/. Prints tables;
// never a test.
//
// Each benchmark module is imported only when it runs: the snapshot benchmark's `--phases` child
// then loads what a check run loads and nothing else (its peak RSS is part of the results).

import { rm } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const USAGE = `usage: npm run bench -- [--only snapshot|live|istioctl|page|namespaces|fleet[,…]] [--sizes 1000,5000,20000,50000]
                      [--live-sizes 5000,20000] [--load-concurrency 48] [--seed 1] [--runs 3]
                      [--work DIR] [--page-live-size 20000] [--namespaces 800,2000]
                      [--fleet-size 5000] [--clusters 1,2,4,8]

snapshot  meshbook check --snapshot on generated meshes of --sizes objects: end to end, by phase, per check
live      the meshes of --live-sizes loaded into the test API server: full runs vs raw paginated LISTs
istioctl  istioctl analyze vs meshbook check on the same files (--sizes) and live cluster
page      astro dev start, first page, click → results in Chromium; --page-live-size N also live
namespaces  --namespaces bookinfo-like namespaces isolated from each other: meshbook vs istioctl, time and memory
fleet     --clusters copies of the --fleet-size mesh as named clusters of one run (--only fleet)
The first five run by default. Meshes are generated once under --work (default /tmp/meshbook-bench).`;

const PARTS = ['snapshot', 'live', 'istioctl', 'page', 'namespaces', 'fleet'] as const;
// The run over several clusters is asked for by name: it repeats what the snapshot part measures.
const DEFAULT_PARTS: readonly Part[] = ['snapshot', 'live', 'istioctl', 'page', 'namespaces'];
type Part = (typeof PARTS)[number];

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
    // The many-namespaces part: how many namespaces (scripts/gen-mesh.ts --namespaces).
    namespaces: { type: 'string', default: '800,2000' },
    // The fleet part: the mesh size each cluster copies, and the cluster counts.
    'fleet-size': { type: 'string', default: '5000' },
    clusters: { type: 'string', default: '1,2,4,8' },
    // Internal: the in-process phase measurement of one directory, in a fresh process.
    phases: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (values.help === true) {
  console.log(USAGE);
  process.exit(0);
}

if (values.phases !== undefined) {
  const { phases } = await import('./bench/phases.ts');
  process.stdout.write(`${JSON.stringify(await phases(values.phases))}\n`);
  process.exit(0);
}

function sizesOf(text: string, flag: string): number[] {
  const sizes = text.split(',').map((s) => Number(s.trim()));
  if (sizes.some((n) => !Number.isInteger(n) || n < 100))
    throw new Error(`${flag} must be comma-separated integers ≥ 100, received ${JSON.stringify(text)}`);
  return sizes;
}

function integerOf(text: string, flag: string, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new Error(`${flag} must be an integer ≥ ${min}, received ${JSON.stringify(text)}`);
  return n;
}

const only = new Set<Part>(
  (values.only ?? [...DEFAULT_PARTS])
    .flatMap((v) => v.split(','))
    .map((v) => {
      if (!(PARTS as readonly string[]).includes(v))
        throw new Error(`--only must be one of ${PARTS.join(', ')}, received ${JSON.stringify(v)}`);
      return v as Part;
    }),
);
const settings = {
  seed: integerOf(values.seed, '--seed', 0),
  runs: integerOf(values.runs, '--runs', 1),
  work: values.work,
  loadConcurrency: integerOf(values['load-concurrency'], '--load-concurrency', 1),
};
const pageLiveSize = Number(values['page-live-size']);
if (!Number.isInteger(pageLiveSize) || (pageLiveSize !== 0 && pageLiveSize < 100))
  throw new Error(`--page-live-size must be 0 or an integer ≥ 100, received ${JSON.stringify(values['page-live-size'])}`);

const { REPO, fmt, load } = await import('./bench/shared.ts');
console.log(
  `meshbook bench: node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${fmt(totalmem() / 2 ** 30, 1)} GiB, load ${load()}, seed ${settings.seed}`,
);
if (only.has('snapshot') || only.has('istioctl') || only.has('live') || only.has('namespaces') || only.has('fleet')) {
  // The CLI bundle fresh before anything is timed (bin/meshbook.mjs would otherwise build it in the first timed run).
  const { execa } = await import('execa');
  await execa(process.execPath, [join(REPO, 'bin', 'cli-bundle.mjs')], { cwd: REPO, stdin: 'ignore', timeout: 5 * 60_000 });
}
if (only.has('snapshot')) {
  const { benchSnapshot } = await import('./bench/snapshot.ts');
  await benchSnapshot(sizesOf(values.sizes, '--sizes'), settings);
}
if (only.has('istioctl')) {
  const { istioctlFiles } = await import('./bench/istioctl.ts');
  await istioctlFiles(sizesOf(values.sizes, '--sizes'), settings);
}
if (only.has('live') || only.has('istioctl')) {
  const { benchLive } = await import('./bench/live.ts');
  if (only.has('live')) await benchLive(sizesOf(values['live-sizes'], '--live-sizes'), settings, only.has('istioctl'));
  // istioctl on the live cluster needs one: the smallest live size, once.
  else await benchLive(sizesOf(values['live-sizes'], '--live-sizes').slice(0, 1), { ...settings, runs: 1 }, true);
}
if (only.has('namespaces')) {
  const { benchNamespaces } = await import('./bench/namespaces.ts');
  const counts = values.namespaces.split(',').map((s) => integerOf(s.trim(), '--namespaces', 1));
  await benchNamespaces(counts, settings);
}
if (only.has('fleet')) {
  const { benchFleet } = await import('./bench/fleet.ts');
  const counts = values.clusters.split(',').map((s) => integerOf(s.trim(), '--clusters', 1));
  await benchFleet(sizesOf(values['fleet-size'], '--fleet-size')[0]!, counts, settings);
}
if (only.has('page')) {
  const { benchPage, benchPageLive } = await import('./bench/page.ts');
  await benchPage(settings);
  if (pageLiveSize > 0) await benchPageLive(pageLiveSize, settings);
}
await rm(join(values.work, '.tmp'), { recursive: true, force: true });
