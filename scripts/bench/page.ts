// The page: `astro dev` start → first page; on the heaviest page, click → first result, → all
// results, against the demo; with --page-live-size N also against N generated objects in the test
// API server (viewer kubeconfig context selected in the page), cold (30 s cache waited out) and
// warm, with the gather, the NDJSON the page received and the slowest check.

import { generateMesh } from '../gen-mesh.ts';
import { loadMesh } from '../lib/live-mesh.ts';
import { assertNoDevServer, keepRunResponses, measureClick, openPage, waitForIsland } from '../lib/page-bench.ts';
import { launchBrowser } from '../../tools/site/browser.ts';
import { startDevServer } from '../../tools/site/dev-server.ts';
import { REPO, fmt, kib, load, median, table, withCluster, type BenchSettings, type TableRow } from './shared.ts';

const HEAVIEST_PAGE = '/concepts/traffic-management/';
// The dev server's per-kind cache (LIVE_DEFAULTS.cacheTtlMs): a "cold" click waits it out.
const LIVE_CACHE_TTL_MS = 30_000;

/** Prints `astro dev` start-up, the heaviest page's first load, and its clicks against the demo. */
export async function benchPage(settings: BenchSettings): Promise<void> {
  const { runs } = settings;
  await assertNoDevServer(REPO);
  let t = performance.now();
  const server = await startDevServer();
  const startMs = performance.now() - t;
  const rows: TableRow[] = [];
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
      rows.push([
        `${i + 1}${states}`,
        fmt(one.all, 1),
        fmt(all.first, 1),
        fmt(all.all, 1),
        `${kib(one.stream?.bytes ?? 0)} / ${kib(all.stream?.bytes ?? 0)}`,
        load(),
      ]);
    }
    console.log(
      `\nPage: astro dev start → /introduction/ served ${fmt(startMs)} ms; first load of ${HEAVIEST_PAGE} (${cards} runbooks) → interactive ${fmt(firstPageMs)} ms; "Run this check" is the first card's (${check})`,
    );
  } finally {
    await browser?.close();
    await server.stop();
  }
  table(
    `Page ${HEAVIEST_PAGE} against the demo cluster (timed in the page from the click)`,
    ['run', 'Run this check → result ms', 'Run all → first result ms', 'Run all → all results ms', 'NDJSON KiB one / all', 'load 1/5/15'],
    rows,
  );
}

type PageMeasured = Awaited<ReturnType<typeof measureClick>>;

/**
 * The page against a live cluster: the mesh loaded into the real test API server, `astro dev`
 * with KUBECONFIG = the least-privilege viewer's kubeconfig, its context selected in the page.
 * Per run: "Run this check" cold (the 30 s per-kind cache waited out) then warm, and the same
 * for "Run all checks". The very first click of the session also opens the context's source.
 */
export async function benchPageLive(size: number, settings: BenchSettings): Promise<void> {
  const { runs, seed, loadConcurrency } = settings;
  await assertNoDevServer(REPO);
  await withCluster(async (cluster) => {
    const mesh = await generateMesh(size, seed);
    const loaded = await loadMesh(cluster.admin, mesh.objects, loadConcurrency);
    console.log(
      `${fmt(mesh.objects.length)} objects loaded in ${fmt(loaded.ms / 1000, 1)} s (${fmt(loaded.requests)} requests, ${loadConcurrency} at a time, load ${load()})`,
    );
    let t = performance.now();
    const server = await startDevServer({ KUBECONFIG: cluster.viewerKubeconfig });
    const startMs = performance.now() - t;
    let browser: Awaited<ReturnType<typeof launchBrowser>> | undefined;
    const url = `${server.origin}${HEAVIEST_PAGE}`;
    interface Row {
      run: number;
      what: 'one' | 'all';
      cache: 'cold' | 'warm';
      m: PageMeasured;
      serverMs?: number;
      first: boolean;
      load: string;
    }
    const measured: Row[] = [];
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
      if (contextId === null || contextServer !== cluster.server)
        throw new Error(
          `the page does not offer the test cluster's context (got ${contextId} at ${contextServer}, expected ${cluster.server})`,
        );
      const startLine = `Page (live): astro dev start → /introduction/ served ${fmt(startMs)} ms; first load of ${HEAVIEST_PAGE} (${cards} runbooks) → interactive ${fmt(firstPageMs)} ms; target ${contextId} (${contextServer}, viewer)`;
      console.log(`\n${startLine}`);

      const open = async (): Promise<void> => {
        await openPage(page, url);
        await page.selectOption('#meshbook-target', contextId);
        if ((await page.locator('meshbook-runner').getAttribute('target-kind')) !== 'context')
          throw new Error(`selecting ${contextId} did not make the page's target a context`);
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
        const row: Row = {
          run,
          what,
          cache,
          m,
          first: measured.length === 0,
          load: load(),
          ...(finished.length > before ? { serverMs: finished.at(-1)! } : {}),
        };
        measured.push(row);
        const g = m.stream?.gathered;
        console.log(
          `  run ${run} ${what === 'one' ? `Run this check (${m.check})` : 'Run all checks'} ${cache}: ${m.state}, click → first ${fmt(m.first)} ms, → all ${fmt(m.all)} ms; server ${row.serverMs ?? '?'} ms; gather ${g?.durationMs ?? '?'} ms (${g?.kinds ?? '?'} kinds, ${g?.cachedKinds ?? '?'} cached, ${fmt(g?.objects ?? 0)} objects); NDJSON ${kib(m.stream?.bytes ?? 0)} KiB${m.stream?.error === undefined ? '' : `; error event: ${m.stream.error}`}; load ${load()}`,
        );
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
    const slowest = (r: Row): { id: string; ms: number } | undefined =>
      r.m.stream?.results.reduce<{ id: string; ms: number } | undefined>(
        (a, c) => (a === undefined || c.durationMs > a.ms ? { id: c.id, ms: c.durationMs } : a),
        undefined,
      );
    const summaryRows: TableRow[] = [];
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
    table(
      `Page ${HEAVIEST_PAGE} against a live cluster of ${fmt(mesh.objects.length)} generated objects (test API server, viewer context; timed in the page from the click; median of ${runs}; cold = the 30 s cache waited out, warm = right after)`,
      [
        'interaction',
        'cache',
        'state',
        'click → first result ms',
        'click → all results ms',
        'server run ms',
        'gather ms',
        'kinds / cached per run',
        'objects read',
        'NDJSON KiB',
        'slowest check ms',
      ],
      summaryRows,
    );
    for (const what of ['one', 'all'] as const) {
      const g = pick(what, 'cold')[0]?.m.stream?.gathered;
      if (g !== undefined)
        console.log(`  kinds gathered by ${what === 'one' ? '"Run this check"' : '"Run all checks"'}: ${g.kindNames.join(', ')}`);
    }
    table(
      "Every live click (run, interaction, cache): the first row is the session's first click (opens the context's source, discovery, TLS)",
      ['run', 'interaction', 'cache', 'state', 'first ms', 'all ms', 'server ms', 'gather ms', 'cached kinds', 'NDJSON KiB', 'load 1/5/15'],
      measured.map((r) => [
        r.run,
        r.what === 'one' ? 'one' : 'all',
        r.cache,
        r.m.state,
        fmt(r.m.first),
        fmt(r.m.all),
        r.serverMs === undefined ? '?' : fmt(r.serverMs),
        r.m.stream?.gathered === undefined ? '?' : fmt(r.m.stream.gathered.durationMs),
        r.m.stream?.gathered?.cachedKinds ?? '?',
        kib(r.m.stream?.bytes ?? 0),
        r.load,
      ]),
    );
    // Per check in "Run all" (warm: no gather in it), as the page received them.
    const warmAll = pick('all', 'warm');
    const coldAll = pick('all', 'cold');
    const ids = [...new Set([...coldAll, ...warmAll].flatMap((r) => r.m.stream?.results.map((c) => c.id) ?? []))];
    const per = (rows: Row[], id: string, f: (c: NonNullable<PageMeasured['stream']>['results'][number]) => number): number | undefined => {
      const xs = rows
        .map((r) => r.m.stream?.results.find((c) => c.id === id))
        .filter((c) => c !== undefined)
        .map(f);
      return xs.length === 0 ? undefined : median(xs);
    };
    const statusOf = (id: string): string =>
      [...coldAll, ...warmAll].map((r) => r.m.stream?.results.find((c) => c.id === id)?.status).find((s) => s !== undefined) ?? '?';
    const findingsOf = (id: string): string => {
      const c = [...coldAll, ...warmAll].map((r) => r.m.stream?.results.find((x) => x.id === id)).find((x) => x !== undefined);
      return c === undefined ? '?' : `${c.findings}${c.truncated > 0 ? ` (+${c.truncated} truncated)` : ''}`;
    };
    table(
      '"Run all checks" on the live cluster, per check as streamed to the page (median over the cold / warm runs; result line = that check\'s NDJSON line)',
      ['check', 'status', 'check ms cold', 'check ms warm', 'result line KiB', 'findings'],
      ids.map((id) => [
        id,
        statusOf(id),
        fmt(per(coldAll, id, (c) => c.durationMs) ?? 0),
        fmt(per(warmAll, id, (c) => c.durationMs) ?? 0),
        kib(per([...coldAll, ...warmAll], id, (c) => c.bytes) ?? 0),
        findingsOf(id),
      ]),
    );
    const errors = [...new Set(measured.map((r) => r.m.stream?.error).filter((e) => e !== undefined))];
    if (errors.length > 0) console.log(`\n  error events in the stream: ${errors.join(' | ')}`);
  });
}
