// The page benchmark's measurements (scripts/bench/page.ts): a click on "Run this check"
// or "Run all checks", timed inside the page with a MutationObserver from button.click(), and
// the run's NDJSON stream as the page received it (read by Playwright from the network, so the
// page does no extra work while it is timed).

import type { Page } from 'playwright-core';

export const RUN_PATH = '/__meshbook/run';

/** Waits until the page's island has defined its custom elements. */
export async function waitForIsland(page: Page, timeout = 60_000): Promise<void> {
  await page.waitForFunction(
    () => customElements.get('runbook-run') !== undefined && customElements.get('meshbook-runner') !== undefined,
    undefined,
    { timeout },
  );
}

export interface ClickTiming {
  /** ms from button.click() to the first runbook reaching state done (or error). */
  first: number;
  /** ms from button.click() to the card (one) or the runner (all) reaching state done (or error). */
  all: number;
  /** The final state: done, error, or timeout. */
  state: string;
  /** The check of the card clicked (one). */
  check?: string;
  /** The runner's progress line at the end (all). */
  progress?: string;
}

/**
 * Clicks "Run this check" on the page's first card (`one`) or "Run all checks" (`all`) and
 * resolves with the times measured in the page. Resolves on state="error" too, and after
 * `timeoutMs` with state "timeout", so a failing run never hangs the benchmark.
 */
export async function timedClick(page: Page, what: 'one' | 'all', timeoutMs = 180_000): Promise<ClickTiming> {
  // A string, not a function: tsx (esbuild keepNames) wraps named inner functions in __name(),
  // which does not exist in the page.
  return (await page.evaluate(`(${IN_PAGE})(${JSON.stringify(what)}, ${Number(timeoutMs)})`)) as ClickTiming;
}

const IN_PAGE = String.raw`(what, timeoutMs) => new Promise((resolve) => {
  function finished(el) {
    const s = el === null || el === undefined ? null : el.getAttribute('state');
    return s === 'done' || s === 'error' ? s : undefined;
  }
  function progress() {
    const p = document.querySelector('[data-progress]');
    return p === null ? '' : (p.textContent || '');
  }
  const t0 = performance.now();
  let first;
  let timer;
  let obs;
  function end(state, extra) {
    if (obs !== undefined) obs.disconnect();
    if (timer !== undefined) clearTimeout(timer);
    const now = performance.now() - t0;
    resolve(Object.assign({ first: first === undefined ? now : first, all: now, state }, extra));
  }
  if (what === 'one') {
    const button = [...document.querySelectorAll('section.runbook button')].find((b) => (b.textContent || '').trim() === 'Run this check');
    const card = button.closest('section.runbook');
    const run = card.querySelector('runbook-run');
    const check = card.getAttribute('data-check') || (run === null ? '?' : run.getAttribute('check'));
    obs = new MutationObserver(() => {
      const s = finished(card.querySelector('runbook-run'));
      if (s !== undefined) end(s, { check });
    });
    obs.observe(card, { subtree: true, attributes: true, childList: true });
    timer = setTimeout(() => end('timeout', { check }), timeoutMs);
    button.click();
  } else {
    const button = [...document.querySelectorAll('button')].find((b) => (b.textContent || '').trim() === 'Run all checks');
    const runner = document.querySelector('meshbook-runner');
    obs = new MutationObserver(() => {
      if (first === undefined && [...document.querySelectorAll('runbook-run')].some((r) => finished(r) !== undefined)) first = performance.now() - t0;
      const s = finished(runner);
      if (s !== undefined) end(s, { progress: progress() });
    });
    obs.observe(document.body, { subtree: true, attributes: true, childList: true });
    timer = setTimeout(() => end('timeout', { progress: progress() }), timeoutMs);
    button.click();
  }
})`;

export interface StreamSummary {
  /** Bytes of the NDJSON body. */
  bytes: number;
  lines: number;
  gathered?: { kinds: number; kindNames: string[]; objects: number; durationMs: number; cachedKinds?: number };
  results: { id: string; status: string; durationMs: number; bytes: number; findings: number; truncated: number }[];
  error?: string;
}

/** Parses the run endpoint's NDJSON body into what the benchmark reports. */
export function parseRunStream(body: Buffer): StreamSummary {
  const summary: StreamSummary = { bytes: body.length, lines: 0, results: [] };
  for (const line of body.toString('utf8').split('\n')) {
    if (line.trim() === '') continue;
    summary.lines++;
    const event = JSON.parse(line) as { type: string; [k: string]: unknown };
    if (event.type === 'gathered') {
      const e = event as unknown as { kinds: string[]; objects: number; durationMs: number; cachedKinds?: number };
      summary.gathered = {
        kinds: e.kinds.length,
        kindNames: e.kinds,
        objects: e.objects,
        durationMs: e.durationMs,
        ...(e.cachedKinds === undefined ? {} : { cachedKinds: e.cachedKinds }),
      };
    } else if (event.type === 'result') {
      const r = (
        event as unknown as { result: { id: string; status: string; durationMs: number; findings: unknown[]; truncated?: number } }
      ).result;
      summary.results.push({
        id: r.id,
        status: r.status,
        durationMs: r.durationMs,
        bytes: Buffer.byteLength(line) + 1,
        findings: r.findings.length,
        truncated: r.truncated ?? 0,
      });
    } else if (event.type === 'error') {
      summary.error = String(event.message);
    }
  }
  return summary;
}

export interface Measured extends ClickTiming {
  stream?: StreamSummary;
  /** HTTP status of the run request. */
  status?: number;
}

// Installed before any page script runs: keeps a clone of each run response. Cloning tees the
// stream; the copy is only read after the timing ends, so the page does no extra parsing while
// it is timed. (Playwright's response.body() loses streamed fetch bodies: "No data found".)
const KEEP_RUN_RESPONSES = `(() => {
  const original = window.fetch;
  window.__meshbookRuns = [];
  window.fetch = async function (input, init) {
    const res = await original.call(this, input, init);
    try {
      const url = new URL(typeof input === 'string' ? input : (input.url || String(input)), location.href);
      if (url.pathname === ${JSON.stringify(RUN_PATH)} && res.body !== null) window.__meshbookRuns.push(res.clone());
    } catch {}
    return res;
  };
})()`;

const TAKE_RUN_RESPONSE = `(async () => {
  const runs = window.__meshbookRuns || [];
  const r = runs.pop();
  runs.length = 0;
  return r === undefined ? null : { status: r.status, text: await r.text() };
})()`;

/** Makes `page` keep its run responses for measureClick (once per page, before loading it). */
export async function keepRunResponses(page: Page): Promise<void> {
  await page.addInitScript(KEEP_RUN_RESPONSES);
}

/** timedClick plus the run request's response body, parsed (needs keepRunResponses on the page). */
export async function measureClick(page: Page, what: 'one' | 'all', timeoutMs = 180_000): Promise<Measured> {
  const timing = await timedClick(page, what, timeoutMs);
  const taken = (await page.evaluate(TAKE_RUN_RESPONSE)) as { status: number; text: string } | null;
  if (taken === null) return timing;
  return { ...timing, status: taken.status, stream: parseRunStream(Buffer.from(taken.text, 'utf8')) };
}

/** Loads (or reloads) `url` and waits for the island; retried, since a page load racing the dev server's dependency re-optimization never defines the elements. */
export async function openPage(page: Page, url: string, attempts = 3): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await page.goto(url);
    try {
      await waitForIsland(page, 20_000);
      return;
    } catch (error) {
      if (attempt === attempts) throw error;
    }
  }
}

/** Refuses to start a second `astro dev` in this project directory (one per directory at a time). */
export async function assertNoDevServer(repo: string): Promise<void> {
  const { execa } = await import('execa');
  // pgrep exits 1 when nothing matches; anything else (no pgrep, a crash) is execa's error.
  const found = await execa('pgrep', ['-af', 'astro'], { stdin: 'ignore', reject: false, timeout: 10_000 });
  if (found.exitCode === 1) return;
  if (found.failed) throw found;
  const out = found.stdout;
  const running = out.split('\n').filter((l) => /astro(\.mjs)?\s+dev\b/.test(l) && (l.includes(repo) || !l.includes('/node_modules/')));
  if (running.length > 0)
    throw new Error(`an astro dev server is already running; stop it first (one per project directory):\n  ${running.join('\n  ')}`);
}
