// The page's one island: two custom elements over server-rendered HTML.
// <meshbook-runner> holds the token, the endpoint and the target selector, and runs checks;
// <runbook-run check="id"> is one runbook's button and results region.
// State lives in attributes (state, done, total) so CSS and tests can read it.

import type { CheckResult, CheckStatus } from '../engine/types.ts';
import type { RunStreamEvent } from '../server/run-events.ts';
import { renderFailure, renderNote, renderResult } from './render-result.ts';

// Worst first, as an operator reads a summary.
const SUMMARY_WORDS: Record<CheckStatus, string> = { fail: 'failed', error: 'errored', warn: 'warned', pass: 'passed', skipped: 'skipped' };

type RunState = 'idle' | 'running' | 'done' | 'error';

class RunbookRun extends HTMLElement {
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
    this.#set('running', renderNote(`Running against ${targetName}…`, 'running'));
  }

  /** Draws a finished result. */
  show(result: CheckResult, targetName: string): void {
    this.setAttribute('status', result.status);
    this.#set('done', renderResult(result, targetName));
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
  /** Aborts the run in progress (the server then cancels it and its API requests). */
  #controller: AbortController | undefined;

  connectedCallback(): void {
    this.querySelector<HTMLButtonElement>('button[data-run-all]')?.addEventListener('click', () => {
      void this.run([...document.querySelectorAll<RunbookRun>('runbook-run')], true);
    });
    this.querySelector<HTMLButtonElement>('button[data-cancel]')?.addEventListener('click', () => {
      this.#controller?.abort();
    });
    // Refresh: run the page's checks again, reading the cluster instead of the 30 s cache.
    this.querySelector<HTMLButtonElement>('button[data-refresh]')?.addEventListener('click', () => {
      void this.run([...document.querySelectorAll<RunbookRun>('runbook-run')], true, true);
    });
    this.#select()?.addEventListener('change', () => {
      this.#showTarget();
      const freshness = this.querySelector<HTMLElement>('[data-freshness]');
      if (freshness !== null) freshness.hidden = true;
    });
    this.#showTarget();
  }

  #select(): HTMLSelectElement | null {
    return this.querySelector('select');
  }

  #option(): HTMLOptionElement | undefined {
    return this.#select()?.selectedOptions[0];
  }

  /** What a result is labelled with: a context says which one and which cluster. */
  #targetName(): string {
    const option = this.#option();
    if (option === undefined) return '';
    const context = option.dataset.context;
    return context === undefined ? (option.textContent?.trim() ?? option.value) : `context ${context} (cluster ${option.dataset.cluster ?? '?'})`;
  }

  // The chosen cluster and context, spelled out under the selector (text only).
  #showTarget(): void {
    const info = this.querySelector<HTMLElement>('[data-target-info]');
    const option = this.#option();
    if (info === null || option === undefined) return;
    const d = option.dataset;
    info.textContent = d.context === undefined
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

  #progress(text: string): void {
    const p = this.querySelector('[data-progress]');
    if (p !== null) p.textContent = text;
  }

  /**
   * Runs the checks of `runbooks` in one request and fills each as its result streams in.
   * With `pageLevel`, the page's progress line follows the run.
   */
  async run(runbooks: RunbookRun[], pageLevel: boolean, refresh = false): Promise<void> {
    const select = this.#select();
    const target = select?.value ?? '';
    const targetName = this.#targetName() || target;
    const fingerprint = this.#option()?.dataset.fingerprint;
    const ids = [...new Set(runbooks.map((r) => r.check))];
    if (ids.length === 0) return;
    // One run at a time from a page: a new one replaces (cancels) the one in progress.
    this.#controller?.abort();
    const controller = new AbortController();
    this.#controller = controller;
    const cancelButton = this.querySelector<HTMLButtonElement>('button[data-cancel]');
    if (cancelButton !== null) cancelButton.hidden = false;
    const allButton = this.querySelector<HTMLButtonElement>('button[data-run-all]');
    if (pageLevel) {
      this.setAttribute('state', 'running');
      this.setAttribute('done', '0');
      this.setAttribute('total', String(ids.length));
      if (allButton !== null) allButton.disabled = true;
      this.#progress(`Running ${ids.length} checks against ${targetName}… 0 of ${ids.length} checks done`);
    }
    for (const r of runbooks) r.pending(targetName);

    const finish = (state: RunState, text: string): void => {
      if (this.#controller === controller) {
        this.#controller = undefined;
        if (cancelButton !== null) cancelButton.hidden = true;
      }
      for (const r of runbooks) if (r.running) r.fail(text);
      if (!pageLevel) return;
      this.setAttribute('state', state);
      if (allButton !== null) allButton.disabled = false;
    };

    let response: Response;
    try {
      response = await fetch(this.getAttribute('endpoint') ?? '', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Meshbook-Token': this.getAttribute('token') ?? '' },
        body: JSON.stringify({ checks: ids, target, ...(fingerprint === undefined ? {} : { fingerprint }), ...(refresh ? { refresh: true } : {}) }),
        credentials: 'same-origin',
        cache: 'no-store',
        signal: controller.signal,
      });
    } catch {
      const text = controller.signal.aborted ? 'Cancelled before the run started.' : 'Cannot reach the dev server. Is `npm run dev` still running?';
      if (pageLevel) this.#progress(text);
      finish('error', text);
      return;
    }
    if (!response.ok || response.body === null) {
      const reason = (await response.text().catch(() => '')).trim();
      const text = `The dev server refused the run (${response.status}): ${reason || response.statusText}`;
      if (pageLevel) this.#progress(text);
      finish('error', text);
      return;
    }

    const counts = new Map<string, number>();
    let total = ids.length;
    let failure: string | undefined;
    try {
      for await (const event of readEvents(response.body)) {
        if (event.type === 'start') {
          total = event.checks.length;
        } else if (event.type === 'gathered') {
          this.#showFreshness(event.gatheredAt, event.cachedKinds);
        } else if (event.type === 'result') {
          for (const r of runbooks) if (r.check === event.result.id) r.show(event.result, targetName);
          counts.set(event.result.status, (counts.get(event.result.status) ?? 0) + 1);
          if (pageLevel) {
            this.setAttribute('done', String(event.done));
            this.#progress(`${event.done} of ${event.total} checks done`);
          }
        } else if (event.type === 'error') {
          failure = event.message;
        }
      }
    } catch (error) {
      failure = controller.signal.aborted ? 'Cancelled: the run was stopped.' : `The result stream broke off: ${(error as Error).message}`;
    }
    if (failure !== undefined) {
      if (pageLevel) this.#progress(`Stopped: ${failure}`);
      finish('error', failure);
      return;
    }
    if (pageLevel) {
      const summary = (Object.keys(SUMMARY_WORDS) as CheckStatus[])
        .filter((status) => (counts.get(status) ?? 0) > 0)
        .map((status) => `${counts.get(status)} ${SUMMARY_WORDS[status]}`)
        .join(', ');
      this.#progress(`${total} of ${total} checks done against ${targetName}: ${summary}.`);
    }
    finish('done', 'The run ended without a result for this check.');
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
