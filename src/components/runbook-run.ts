// The page's one island: two custom elements over server-rendered HTML.
// <meshbook-runner> holds the token, the endpoint and the target selector, and runs checks;
// <runbook-run check="id"> is one runbook's button and results region.
// State lives in attributes (state, done, total) so CSS and tests can read it.

import type { CheckResult, CheckStatus, ReadCount, RunProblem } from '../engine/types.ts';
import type { RunStreamEvent } from '../server/run-events.ts';
import {
  findingKey,
  readText,
  renderFailure,
  renderNote,
  renderNotRun,
  renderClusterProblem,
  renderProblem,
  renderResult,
  renderWhatIf,
} from './render-result.ts';
import { applySeverityFilter, renderScoreboard, type BoardEntry, type SeverityFilter } from './scoreboard.ts';
import type { Explainer } from './matrix-tool.ts';
import type { ExplainAnswer } from '../reachability/explain-query.ts';

// Worst first, as an operator reads a summary.
const SUMMARY_WORDS: Record<CheckStatus, string> = { fail: 'failed', error: 'errored', warn: 'warned', pass: 'passed', skipped: 'skipped' };

type RunState = 'idle' | 'running' | 'done' | 'error';

// Runs the page sends at once: the dev server's own limit (maxConcurrentRuns); more wait here
// in turn instead of being refused with 429.
const MAX_RUNS = 2;
// Waiting for a server that is busy with runs from other tabs: at most this many tries.
const BUSY_RETRIES = 24;
// The target this browser last picked, by id (ids never name a path or hold a secret).
const TARGET_KEY = 'meshbook.target';

/** One request's run: the runbooks it still speaks for (a newer run of a runbook takes it over). */
interface Run {
  controller: AbortController;
  runbooks: Set<RunbookRun>;
  pageLevel: boolean;
}

class RunbookRun extends HTMLElement {
  /** The run that fills this runbook: only it may draw here. */
  owner: Run | undefined;

  get check(): string {
    return this.getAttribute('check') ?? '';
  }

  #button(): HTMLButtonElement | null {
    return this.querySelector('button');
  }

  #results(): HTMLElement | null {
    return this.querySelector('.runbook-results');
  }

  connectedCallback(): void {
    this.#button()?.addEventListener('click', () => {
      void runner()?.run([this], false);
    });
  }

  #set(state: RunState, ...content: Node[]): void {
    this.setAttribute('state', state);
    const button = this.#button();
    if (button !== null) button.disabled = state === 'running';
    const results = this.#results();
    if (results === null) return;
    results.setAttribute('aria-busy', String(state === 'running'));
    results.replaceChildren(...content);
  }

  /** Marks the runbook as waiting for its result. */
  pending(targetName: string): void {
    this.removeAttribute('not-run');
    this.#set('running', renderNote(`Running against ${targetName}…`, 'running'));
  }

  /** Marks the runbook as queued behind other runs of the page. */
  waiting(text: string): void {
    this.#set('running', renderNote(text, 'waiting'));
  }

  /** The runbook's title, as the page shows it. */
  get runbookTitle(): string {
    return this.closest('section.runbook')?.querySelector('.runbook-title')?.textContent?.trim() || this.check;
  }

  /**
   * Draws a finished result; `note` says what was left out to fit the stream. The live result
   * takes the recorded one's place: the recording folds to its one-line summary, which says how
   * this run differs from it.
   */
  show(result: CheckResult, targetName: string, note?: string, fixHtml?: (string[] | null)[]): void {
    this.setAttribute('status', result.status);
    const explain = runner()?.explainer();
    const label = document.createElement('p');
    label.className = 'rb-live-label';
    label.textContent = 'Live result · this run';
    this.#set(
      'done',
      label,
      renderResult(result, targetName, {
        ...(note === undefined ? {} : { note }),
        ...(explain === undefined ? {} : { explain }),
        ...(fixHtml === undefined ? {} : { fixHtml }),
      }),
    );
    this.#foldRecorded(result);
  }

  #foldRecorded(result: CheckResult): void {
    const recorded = this.closest('section.runbook')?.querySelector<HTMLDetailsElement>('details.mb-recorded');
    if (recorded === null || recorded === undefined) return;
    recorded.open = false;
    recorded.dataset.superseded = '';
    const diff = recorded.querySelector('[data-recorded-diff]');
    if (diff === null) return;
    if (recorded.dataset.stale !== undefined) {
      diff.textContent = ' · made with an earlier version of this check';
      return;
    }
    // Findings are matched by code and resource, as many times as each occurs.
    const before = new Map<string, number>();
    for (const li of recorded.querySelectorAll<HTMLElement>('li.rb-finding[data-key]'))
      before.set(li.dataset.key ?? '', (before.get(li.dataset.key ?? '') ?? 0) + 1);
    let added = 0;
    for (const f of Array.isArray(result.findings) ? result.findings : []) {
      const key = findingKey(f);
      const left = before.get(key) ?? 0;
      if (left > 0) before.set(key, left - 1);
      else added++;
    }
    const gone = [...before.values()].reduce((a, b) => a + b, 0);
    diff.textContent = added === 0 && gone === 0 ? ' · same findings as this run' : ` · differs from this run: ${added} new, ${gone} gone`;
    recorded.dataset.added = String(added);
    recorded.dataset.gone = String(gone);
  }

  /**
   * The check did not run because the cluster could not be read: the problem itself when this
   * runbook's run is the only one to say it, else a short line pointing at the page's banner.
   */
  notRun(problem: RunProblem | undefined, targetName: string): void {
    this.setAttribute('status', 'error');
    this.setAttribute('not-run', '');
    this.#set('done', problem === undefined ? renderNotRun() : renderProblem(problem, targetName));
  }

  /** Draws why no result came. */
  fail(message: string): void {
    this.removeAttribute('status');
    this.#set('error', renderFailure(message));
  }

  get running(): boolean {
    return this.getAttribute('state') === 'running';
  }
}

class MeshbookRunner extends HTMLElement {
  /** The runs in progress (aborting one makes the server cancel it and its API requests). */
  #runs = new Set<Run>();
  /** The "Run all" in progress: only it drives the page's progress line. */
  #pageRun: Run | undefined;
  #active = 0;
  #waiting = new Set<() => void>();
  /** The page run's scoreboard: one entry per runbook, in page order. */
  #board = new Map<string, BoardEntry>();
  #filter: SeverityFilter = 'all';

  connectedCallback(): void {
    this.querySelector<HTMLButtonElement>('button[data-run-all]')?.addEventListener('click', () => {
      void this.run([...document.querySelectorAll<RunbookRun>('runbook-run')], true);
    });
    this.querySelector<HTMLButtonElement>('button[data-cancel]')?.addEventListener('click', () => {
      for (const run of this.#runs) run.controller.abort();
    });
    // Refresh: run the page's checks again, reading the cluster instead of the 30 s cache.
    this.querySelector<HTMLButtonElement>('button[data-refresh]')?.addEventListener('click', () => {
      void this.run([...document.querySelectorAll<RunbookRun>('runbook-run')], true, true);
    });
    this.#acceptDroppedYaml();
    this.#pickContexts();
    this.#restoreTarget();
    this.#select()?.addEventListener('change', () => {
      rememberTarget(this.#select()?.value);
      this.#showProblem(undefined);
      this.#showTarget();
      const freshness = this.querySelector<HTMLElement>('[data-freshness]');
      if (freshness !== null) freshness.hidden = true;
    });
    this.#showTarget();
  }

  // "Check several contexts together": the ticked contexts become one target, `contexts:a+b`,
  // whose fingerprint is each context's in turn (the server refuses the run if one changed).
  #pickContexts(): void {
    const picker = this.querySelector<HTMLElement>('[data-context-picker]');
    picker?.querySelector<HTMLButtonElement>('button[data-use-contexts]')?.addEventListener('click', () => {
      const ticked = [...picker.querySelectorAll<HTMLInputElement>('input[type=checkbox]')].filter((i) => i.checked);
      const select = this.#select();
      if (select === null) return;
      if (ticked.length < 2) {
        this.#progress('Tick two or more contexts to check them together.');
        return;
      }
      const id = `contexts:${ticked.map((i) => i.value).join('+')}`;
      let option = [...select.options].find((o) => o.value === id);
      if (option === undefined) {
        option = document.createElement('option');
        option.value = id;
        option.textContent = ticked.map((i) => i.value).join(' + ');
        option.dataset.fleet = 'true';
        option.dataset.clusters = ticked.map((i) => i.value).join(' + ');
        option.dataset.fingerprint = ticked.map((i) => i.dataset.fingerprint ?? '').join(' ');
        let group = select.querySelector<HTMLOptGroupElement>('optgroup[data-fleets]');
        if (group === null) {
          group = document.createElement('optgroup');
          group.label = 'Several clusters';
          group.dataset.fleets = '';
          select.append(group);
        }
        group.append(option);
      }
      select.value = id;
      select.dispatchEvent(new Event('change'));
      picker.removeAttribute('open');
    });
  }

  #yamlBox(): HTMLTextAreaElement | null {
    return this.querySelector('textarea[data-with-yaml]');
  }

  // A YAML file dropped on the what-if box becomes its text (read here; nothing is uploaded until a run).
  #acceptDroppedYaml(): void {
    const box = this.#yamlBox();
    if (box === null) return;
    box.addEventListener('dragover', (event) => event.preventDefault());
    box.addEventListener('drop', (event) => {
      const file = event.dataTransfer?.files[0];
      if (file === undefined) return;
      event.preventDefault();
      void file.text().then((text) => {
        box.value = text;
      });
    });
  }

  // The what-if comparison under the progress line (undefined removes it).
  #showWhatIf(event: Extract<RunStreamEvent, { type: 'what-if' }> | undefined): void {
    this.querySelector('[data-what-if]')?.remove();
    if (event === undefined) return;
    this.querySelector('[data-progress]')?.after(renderWhatIf(event.added, event.fixed));
  }

  #select(): HTMLSelectElement | null {
    return this.querySelector('select');
  }

  // The target this browser picked last, when the page still offers it and it can be used;
  // else the server's default stays selected (the current context, or the demo).
  #restoreTarget(): void {
    const select = this.#select();
    const remembered = rememberedTarget();
    if (select === null || remembered === undefined) return;
    const option = [...select.options].find((o) => o.value === remembered);
    if (option !== undefined && !option.disabled) select.value = option.value;
  }

  #option(): HTMLOptionElement | undefined {
    return this.#select()?.selectedOptions[0];
  }

  /**
   * Asks the dev server's explain endpoint about a matrix cell, against the target chosen now
   * (the one the result being drawn was read from), with the page's token.
   */
  explainer(): Explainer | undefined {
    const endpoint = this.getAttribute('endpoint');
    if (endpoint === null || endpoint === '') return undefined;
    const url = new URL('explain', new URL(endpoint, location.href)).pathname;
    const target = this.#select()?.value ?? '';
    const fingerprint = this.#option()?.dataset.fingerprint;
    const token = this.getAttribute('token') ?? '';
    return async (from, to, signal) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Meshbook-Token': token },
        body: JSON.stringify({ target, from, to, ...(fingerprint === undefined ? {} : { fingerprint }) }),
        signal,
      });
      if (!response.ok) throw new Error(`the dev server answered ${response.status}: ${(await response.text()).trim()}`);
      return (await response.json()) as ExplainAnswer;
    };
  }

  /** What a result is labelled with: a context says which one and which cluster. */
  #targetName(): string {
    const option = this.#option();
    if (option === undefined) return '';
    if (option.dataset.fleet === 'true') return `clusters ${option.dataset.clusters ?? option.value}`;
    const context = option.dataset.context;
    return context === undefined
      ? (option.textContent?.trim() ?? option.value)
      : `context ${context} (cluster ${option.dataset.cluster ?? '?'})`;
  }

  // The chosen cluster and context, spelled out under the selector (text only).
  #showTarget(): void {
    const info = this.querySelector<HTMLElement>('[data-target-info]');
    const option = this.#option();
    if (info === null || option === undefined) return;
    const d = option.dataset;
    if (d.fleet === 'true') {
      info.textContent = `Several clusters: ${d.clusters ?? option.value}, checked in one run (each finding names its cluster).`;
      this.setAttribute('target-kind', 'fleet');
      return;
    }
    info.textContent =
      d.context === undefined
        ? `Snapshot: ${option.textContent?.trim() ?? option.value} (files; nothing live is read).`
        : `Live cluster ${d.cluster ?? '?'} at ${d.server ?? '?'}, kubeconfig context ${d.context}${d.current === 'true' ? ' (the current context)' : ''}. Checks only read.`;
    this.setAttribute('target-kind', d.context === undefined ? 'snapshot' : 'context');
  }

  // "Data from 14:03:07 (6 kinds from the 30 s cache)": how old a live run's data is.
  #showFreshness(gatheredAt: string | undefined, cachedKinds: number | undefined): void {
    const freshness = this.querySelector<HTMLElement>('[data-freshness]');
    const text = this.querySelector<HTMLElement>('[data-freshness-text]');
    if (freshness === null || text === null) return;
    if (gatheredAt === undefined) {
      freshness.hidden = true;
      return;
    }
    const time = new Date(gatheredAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
    text.textContent = `Data from ${time}${cachedKinds !== undefined && cachedKinds > 0 ? ` (${cachedKinds} kind${cachedKinds === 1 ? '' : 's'} from the 30 s cache)` : ''} ·`;
    freshness.hidden = false;
  }

  // The scoreboard under the progress line, redrawn as results arrive.
  #drawBoard(): void {
    this.querySelector('[data-scoreboard]')?.remove();
    const entries = [...this.#board.values()].filter((e) => e.status !== undefined);
    if (entries.length === 0) return;
    this.querySelector('[data-progress]')?.after(
      renderScoreboard(entries, this.#filter, (filter) => {
        this.#filter = filter;
        applySeverityFilter(filter);
      }),
    );
  }

  #score(id: string, title: string, status: BoardEntry['status'], result?: CheckResult): void {
    const bySeverity: BoardEntry['bySeverity'] = {};
    for (const f of Array.isArray(result?.findings) ? result.findings : []) bySeverity[f.severity] = (bySeverity[f.severity] ?? 0) + 1;
    const suppressed = Array.isArray(result?.suppressed) ? result.suppressed.length : 0;
    this.#board.set(id, { id, title, status, bySeverity, ...(suppressed === 0 ? {} : { suppressed }) });
    this.#drawBoard();
  }

  #progress(text: string): void {
    const p = this.querySelector('[data-progress]');
    if (p !== null) p.textContent = text;
  }

  // A cluster of a run over several that could not be read: one banner per cluster, beside the run's.
  #showClusterProblem(cluster: string, problem: RunProblem): void {
    const banner = renderClusterProblem(cluster, problem);
    banner.dataset.runProblem = '';
    this.append(banner);
  }

  // The run's "could not be read" banners, under the progress line (undefined removes them).
  #showProblem(problem: RunProblem | undefined, targetName = ''): void {
    for (const old of this.querySelectorAll('[data-run-problem]')) old.remove();
    if (problem === undefined) return;
    const banner = renderProblem(problem, targetName);
    banner.dataset.runProblem = '';
    this.append(banner);
  }

  // A turn to send a run: at most MAX_RUNS at once from this page, the others wait in order.
  async #turn(signal: AbortSignal): Promise<() => void> {
    while (this.#active >= MAX_RUNS) {
      await new Promise<void>((resolve, reject) => {
        const wake = (): void => {
          signal.removeEventListener('abort', stop);
          resolve();
        };
        const stop = (): void => {
          this.#waiting.delete(wake);
          reject(signal.reason as Error);
        };
        if (signal.aborted) return stop();
        this.#waiting.add(wake);
        signal.addEventListener('abort', stop, { once: true });
      });
    }
    this.#active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#active--;
      const next = this.#waiting.values().next();
      if (next.done !== true) {
        this.#waiting.delete(next.value);
        next.value();
      }
    };
  }

  /**
   * Runs the checks of `runbooks` in one request and fills each as its result streams in.
   * With `pageLevel`, the page's progress line follows the run. Runs of other runbooks go on
   * side by side (or wait their turn); a runbook run again is taken over by the new run.
   */
  async run(runbooks: RunbookRun[], pageLevel: boolean, refresh = false): Promise<void> {
    const select = this.#select();
    const target = select?.value ?? '';
    const targetName = this.#targetName() || target;
    const fingerprint = this.#option()?.dataset.fingerprint;
    const ids = [...new Set(runbooks.map((r) => r.check))];
    if (ids.length === 0) return;
    // What-if applies to the page's run only: one runbook run alone shows the target as it is.
    const withYaml = pageLevel ? (this.#yamlBox()?.value ?? '') : '';
    const run: Run = { controller: new AbortController(), runbooks: new Set(runbooks), pageLevel };
    const { signal } = run.controller;
    // Each runbook now belongs to this run; a run left speaking for none is stopped.
    for (const r of runbooks) {
      const previous = r.owner;
      r.owner = run;
      if (previous === undefined || previous === run) continue;
      previous.runbooks.delete(r);
      if (previous.runbooks.size === 0) previous.controller.abort();
    }
    const mine = (): RunbookRun[] => [...run.runbooks].filter((r) => r.owner === run);
    this.#runs.add(run);
    const cancelButton = this.querySelector<HTMLButtonElement>('button[data-cancel]');
    if (cancelButton !== null) cancelButton.hidden = false;
    const allButton = this.querySelector<HTMLButtonElement>('button[data-run-all]');
    // Only the newest "Run all" drives the page's progress line and banner.
    const drivesPage = (): boolean => pageLevel && this.#pageRun === run;
    if (pageLevel) {
      this.#pageRun = run;
      this.#showProblem(undefined);
      this.#showWhatIf(undefined);
      this.setAttribute('state', 'running');
      this.setAttribute('done', '0');
      this.setAttribute('total', String(ids.length));
      if (allButton !== null) allButton.disabled = true;
      this.#board.clear();
      this.#drawBoard();
      this.#progress(`Running ${ids.length} checks against ${targetName}… 0 of ${ids.length} checks done`);
    }
    for (const r of runbooks) r.pending(targetName);

    let release: (() => void) | undefined;
    const finish = (state: RunState, text: string): void => {
      release?.();
      this.#runs.delete(run);
      if (this.#runs.size === 0 && cancelButton !== null) cancelButton.hidden = true;
      for (const r of mine()) {
        if (r.running) r.fail(text);
        r.owner = undefined;
      }
      if (!drivesPage()) return;
      this.#pageRun = undefined;
      this.setAttribute('state', state);
      if (allButton !== null) allButton.disabled = false;
    };
    const stopped = (text: string, progress = text): void => {
      if (drivesPage()) this.#progress(progress);
      finish('error', text);
    };

    if (this.#active >= MAX_RUNS)
      for (const r of mine()) r.waiting(`Waiting for another run to finish, then running against ${targetName}…`);
    try {
      release = await this.#turn(signal);
    } catch {
      stopped('Cancelled before the run started.');
      return;
    }
    for (const r of mine()) r.pending(targetName);

    let response: Response | undefined;
    for (let attempt = 0; response === undefined; attempt++) {
      try {
        response = await fetch(this.getAttribute('endpoint') ?? '', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-Meshbook-Token': this.getAttribute('token') ?? '' },
          body: JSON.stringify({
            checks: ids,
            target,
            ...(fingerprint === undefined ? {} : { fingerprint }),
            ...(refresh ? { refresh: true } : {}),
            ...(withYaml.trim() === '' ? {} : { withYaml }),
          }),
          credentials: 'same-origin',
          cache: 'no-store',
          signal,
        });
      } catch {
        stopped(signal.aborted ? 'Cancelled before the run started.' : 'Cannot reach the dev server. Is `npm run dev` still running?');
        return;
      }
      // The server is busy with runs from other tabs: wait as it asks, rather than fail.
      if (response.status === 429 && attempt < BUSY_RETRIES) {
        const seconds = Math.min(10, Math.max(1, Number(response.headers.get('Retry-After')) || 5));
        await response.body?.cancel().catch(() => {});
        response = undefined;
        for (const r of mine()) r.waiting(`The dev server is busy with other runs; trying again in ${seconds} s…`);
        const slept = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(true), seconds * 1000);
          signal.addEventListener('abort', () => (clearTimeout(timer), resolve(false)), { once: true });
        });
        if (!slept) {
          stopped('Cancelled before the run started.');
          return;
        }
        for (const r of mine()) r.pending(targetName);
      }
    }
    if (!response.ok || response.body === null) {
      const reason = (await response.text().catch(() => '')).trim();
      stopped(`The dev server refused the run (${response.status}): ${reason || response.statusText}`);
      return;
    }

    const counts = new Map<string, number>();
    let total = ids.length;
    let failure: string | undefined;
    let problem: RunProblem | undefined;
    let read: ReadCount | undefined;
    try {
      for await (const event of readEvents(response.body)) {
        if (event.type === 'start') {
          total = event.checks.length;
        } else if (event.type === 'gathered' && event.cluster !== undefined) {
          // One cluster of several: one that could not be read is said, and the others still report.
          read = { kinds: Math.min(read?.kinds ?? event.read.kinds, event.read.kinds), objects: (read?.objects ?? 0) + event.read.objects };
          if (event.problem !== undefined && drivesPage()) this.#showClusterProblem(event.cluster, event.problem);
        } else if (event.type === 'gathered') {
          problem = event.problem;
          read = event.read;
          // Nothing read, nothing to date: no "Data from …" then.
          this.#showFreshness(problem === undefined && read?.kinds !== 0 ? event.gatheredAt : undefined, event.cachedKinds);
          if (problem !== undefined && drivesPage()) this.#showProblem(problem, targetName);
        } else if (event.type === 'result') {
          const notRun = problem !== undefined && event.result.status === 'error' && event.result.read === undefined;
          for (const r of mine()) {
            if (r.check !== event.result.id) continue;
            // The problem is said once: in the page's banner for a "Run all", else in the one runbook.
            if (notRun) r.notRun(drivesPage() ? undefined : problem, targetName);
            else r.show(event.result, targetName, event.note, event.fixHtml);
            if (drivesPage()) this.#score(r.check, r.runbookTitle, notRun ? 'not-run' : event.result.status, event.result);
          }
          counts.set(event.result.status, (counts.get(event.result.status) ?? 0) + 1);
          if (drivesPage()) {
            this.setAttribute('done', String(event.done));
            this.#progress(`${event.done} of ${event.total} checks done`);
          }
        } else if (event.type === 'what-if') {
          if (drivesPage()) this.#showWhatIf(event);
        } else if (event.type === 'error') {
          failure = event.message;
        }
      }
    } catch (error) {
      failure = signal.aborted ? 'Cancelled: the run was stopped.' : `The result stream broke off: ${(error as Error).message}`;
    }
    if (failure !== undefined) {
      stopped(failure, `Stopped: ${failure}`);
      return;
    }
    if (problem !== undefined) {
      if (drivesPage()) this.#progress(`Not run against ${targetName}: the cluster could not be read.`);
      finish('error', 'The run ended without a result for this check.');
      return;
    }
    if (drivesPage()) {
      const summary = (Object.keys(SUMMARY_WORDS) as CheckStatus[])
        .filter((status) => (counts.get(status) ?? 0) > 0)
        .map((status) => `${counts.get(status)} ${SUMMARY_WORDS[status]}`)
        .join(', ');
      this.#progress(
        `${total} of ${total} checks done against ${targetName}${withYaml.trim() === '' ? '' : ' with the pasted YAML applied'}: ${summary}.${read === undefined ? '' : ` ${readText(read)}.`}`,
      );
    }
    finish('done', 'The run ended without a result for this check.');
  }
}

// Storage can be off or full (private windows, policies): the choice is then just not kept.
function rememberedTarget(): string | undefined {
  try {
    return localStorage.getItem(TARGET_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

function rememberTarget(id: string | undefined): void {
  try {
    if (id !== undefined && id !== '') localStorage.setItem(TARGET_KEY, id);
  } catch {
    // not kept: the default is selected next time
  }
}

// The page's runner; there is one per page that embeds runbooks.
function runner(): MeshbookRunner | null {
  return document.querySelector<MeshbookRunner>('meshbook-runner');
}

/** Parses an NDJSON body into events, line by line, as they arrive. */
async function* readEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<RunStreamEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  for (;;) {
    const { value, done } = await reader.read();
    buffered += decoder.decode(value, { stream: !done });
    let newline: number;
    while ((newline = buffered.indexOf('\n')) !== -1) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (line === '') continue;
      const event = JSON.parse(line) as RunStreamEvent;
      if (typeof event === 'object' && event !== null && typeof event.type === 'string') yield event;
    }
    if (done) return;
  }
}

customElements.define('runbook-run', RunbookRun);
customElements.define('meshbook-runner', MeshbookRunner);
