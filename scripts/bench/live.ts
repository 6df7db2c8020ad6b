// Live scale: a generated mesh loaded into the real test API server (scripts/lib/live-mesh.ts,
// --load-concurrency creates in flight); full runs as the viewer against the floor: the same kinds'
// paginated LISTs by a minimal client, same run; also without the reachability checks (R3/R4), and
// the run's requests by purpose (LIST pages vs kinds × pages, the /version + /api proof and
// discovery, access reviews, proxy).

import { readFileSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';
import { KINDS, type KindId } from '../../src/k8s/kinds.ts';
import { GatherCache, LiveSource } from '../../src/cluster/live-source.ts';
import { inputsOf, runChecks } from '../../src/engine/runner.ts';
import { CHECKS } from '../../runbooks/index.ts';
import type { TestCluster } from '../../tools/cluster/harness.ts';
import { generateMesh } from '../gen-mesh.ts';
import { loadMesh } from '../lib/live-mesh.ts';
import { istioctlLive } from './istioctl.ts';
import { fmt, load, median, table, withCluster, type BenchSettings, type TableRow } from './shared.ts';

// The reachability checks (R3/R4) are most of a run's analysis and can only start once the Pods
// are listed: the run is also shown without them, to compare the rest with the floor.
const REACHABILITY = new Set(['mesh-reachability', 'route-reachability']);

/** The floor: the same kinds' paginated LISTs (limit 500 + continue), parsed, by a bare https client; 4 kinds at a time like LiveSource. */
async function rawLists(
  cluster: TestCluster,
  kinds: readonly KindId[],
): Promise<{ ms: number; requests: number; objects: number; cpuMs: number }> {
  const agent = new https.Agent({
    keepAlive: true,
    ca: readFileSync(join(cluster.dir, 'ca.crt')),
    cert: readFileSync(join(cluster.dir, 'viewer.crt')),
    key: readFileSync(join(cluster.dir, 'viewer.key')),
  });
  const get = (path: string): Promise<{ status: number; body: string }> =>
    new Promise((resolve, reject) => {
      https
        .get(`${cluster.server}${path}`, { agent, headers: { Accept: 'application/json' } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        })
        .on('error', reject);
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

/** Prints the live-scale and request tables (and istioctl's live rows when asked) for each size. */
export async function benchLive(sizes: number[], settings: BenchSettings, alsoIstioctl: boolean): Promise<void> {
  const { runs, seed, loadConcurrency } = settings;
  const rows: TableRow[] = [];
  const requestRows: TableRow[] = [];
  const istioRows: TableRow[] = [];
  for (const size of sizes) {
    await withCluster(async (cluster) => {
      const mesh = await generateMesh(size, seed);
      const loaded = await loadMesh(cluster.admin, mesh.objects, loadConcurrency);
      console.log(
        `${fmt(mesh.objects.length)} objects loaded in ${fmt(loaded.ms / 1000, 1)} s (${fmt(loaded.requests)} requests, ${loadConcurrency} at a time, load ${load()})`,
      );
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
      if (errorsSeen.size > 0)
        console.log(
          `  checks in error (expected on the test cluster: its proxied GETs to istiod are answered 403, nothing serves them):\n    ${[...errorsSeen].join('\n    ')}`,
        );
      // kinds × pages: per kind, one LIST request per started 500 items (at least one), from what the floor read.
      const pages = floorRequests;
      const floor = median(floors);
      rows.push([
        fmt(objects),
        fmt(kinds.length),
        fmt(median(gathers)),
        fmt(median(ours)),
        fmt(median(oursWithout)),
        fmt(median(oursCpu)),
        fmt(floor),
        fmt(median(floorsCpu)),
        `${(median(gathers) / floor).toFixed(2)}×`,
        `${(median(ours) / floor).toFixed(2)}×`,
        `${(median(oursWithout) / floor).toFixed(2)}×`,
        load(),
      ]);
      const listCount = counts.list ?? 0;
      requestRows.push([
        fmt(objects),
        fmt(requests),
        fmt(listCount),
        fmt(pages),
        listCount === pages ? 'yes' : `**no** (${listCount - pages > 0 ? '+' : ''}${listCount - pages})`,
        fmt(counts.get ?? 0),
        fmt(counts['access-review'] ?? 0),
        fmt(counts.proxy ?? 0),
      ]);
      if (floorObjects === 0) console.log('  (the floor read no objects?)');
      if (alsoIstioctl) istioRows.push(...(await istioctlLive(cluster, runs, objects)));
    });
  }
  table(
    `Live scale (viewer; median of ${runs} after one warm-up; floor = raw paginated LISTs of the same kinds, 4 at a time, parsed; CPU = this process's user+sys during the run)`,
    [
      'objects read',
      'kinds',
      'our gather ms',
      'our full run ms',
      'run w/o R3/R4 ms',
      'our run CPU ms',
      'floor ms',
      'floor CPU ms',
      'gather / floor',
      'run / floor',
      'run w/o R3/R4 / floor',
      'load 1/5/15',
    ],
    rows,
  );
  table(
    "Requests of one full run by purpose (kinds × pages = the floor's LIST requests: one per kind, plus one per further 500 items)",
    [
      'objects read',
      'all requests',
      'LIST pages',
      'kinds × pages',
      'LISTs = kinds × pages',
      'other GETs (2 proof: /version, /api; discovery)',
      'access reviews',
      'proxied GETs',
    ],
    requestRows,
  );
  if (istioRows.length > 0)
    table(
      `istioctl analyze vs meshbook check on the live cluster (child processes, median of ${runs}; CPU = the child's user+sys, GNU time)`,
      [
        'objects',
        'meshbook run as',
        'istioctl ms',
        'istioctl CPU ms',
        'meshbook ms',
        'meshbook CPU ms',
        'meshbook / istioctl',
        'istioctl msgs',
        'meshbook findings',
        'load 1/5/15',
      ],
      istioRows,
    );
}
