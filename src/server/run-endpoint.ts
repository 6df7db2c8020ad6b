// The dev server's run endpoint: guarded, bounded, streaming. A request that fails a guard
// is answered with a status and a one-line reason and runs nothing. An accepted request runs
// registered checks by id against a registered target and streams NDJSON events as each
// check finishes. Runs are cancelled when the client goes away or the deadline passes.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Check } from '../engine/check.ts';
import type { RunOptions } from '../engine/runner.ts';
import { FleetSource, runSource } from '../engine/fleet.ts';
import { runWhatIf, type Overlay } from '../engine/what-if.ts';
import { overlayFromText } from '../cluster/what-if-files.ts';
import { summarize, type CheckResult, type ExpiredSuppression } from '../engine/types.ts';
import { makeSuppressor, type FindingPolicy } from '../engine/suppress.ts';
import { fitResult } from './fit-result.ts';
import { guardRunRequest, TOKEN_HEADER, type GuardInput } from './guard.ts';
import { MAX_WITH_YAML, parseRunRequest } from './run-request.ts';
import type { RunStreamEvent } from './run-events.ts';
import { TargetConflict, contextsOf, type TargetRegistry } from './targets.ts';
import { fixBlockRenderer, type FixBlockRenderer } from './dev-state.ts';
import { InputError, type ClusterSource } from '../engine/source.ts';

export interface RunEndpointLimits {
  /** Largest request body, bytes. */
  maxBodyBytes: number;
  /** Runs allowed at once; more are refused with 429. */
  maxConcurrentRuns: number;
  /** A run is stopped after this long, ms. */
  runDeadlineMs: number;
  /** Findings kept per check; the rest are counted as truncated. */
  maxFindingsPerCheck: number;
  /** Bytes streamed per run: a larger result is cut to fit; a run that still overflows is stopped. */
  maxResponseBytes: number;
}

export const DEFAULT_LIMITS: RunEndpointLimits = {
  // Room for what-if YAML: its characters, up to 3 UTF-8 bytes each, and JSON's escapes.
  maxBodyBytes: 16 * 1024 + 4 * MAX_WITH_YAML,
  maxConcurrentRuns: 2,
  runDeadlineMs: 60_000,
  maxFindingsPerCheck: 200,
  maxResponseBytes: 4 * 1024 * 1024,
};

/**
 * Limits set from the environment: MESHBOOK_MAX_RESPONSE_BYTES (an integer, at least 1024) lets
 * the end-to-end tests make a result overflow the stream without a 20,000-object cluster.
 */
export function limitsFromEnv(env: Record<string, string | undefined>): Partial<RunEndpointLimits> {
  const raw = env.MESHBOOK_MAX_RESPONSE_BYTES;
  if (raw === undefined || raw.trim() === '') return {};
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1024)
    throw new Error(`MESHBOOK_MAX_RESPONSE_BYTES must be an integer of at least 1024, received ${JSON.stringify(raw)}`);
  return { maxResponseBytes: n };
}

export interface RunEndpointOptions {
  token: string;
  checks: readonly Check[];
  targets: TargetRegistry;
  limits?: Partial<RunEndpointLimits>;
  log: { info(message: string): void; warn(message: string): void };
  /**
   * The project's suppressions and severity overrides (meshbook.yaml), read per run as the CLI
   * reads them; without it only the resources' suppress annotations apply.
   */
  findingPolicy?: () => Promise<{ policy: FindingPolicy; expired: ExpiredSuppression[] }>;
  /** Draws fix blocks as HTML; the renderer a dev page offered when absent (dev-state.ts). */
  fixBlocks?: () => FixBlockRenderer | undefined;
}

/** Builds the request handler for POST /__meshbook/run. */
export function createRunEndpoint(options: RunEndpointOptions): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const byId = new Map(options.checks.map((c) => [c.id, c]));
  let active = 0;

  return async (req, res) => {
    const verdict = guardRunRequest(guardInput(req), { token: options.token, maxBodyBytes: limits.maxBodyBytes });
    if (!verdict.ok) {
      refuse(res, verdict.status, verdict.reason, verdict.headers);
      options.log.warn(`refused ${req.method ?? '?'} ${req.url ?? ''}: ${verdict.status} ${verdict.reason}`);
      drain(req);
      return;
    }

    let raw: string;
    try {
      raw = await readBody(req, limits.maxBodyBytes);
    } catch (error) {
      refuse(res, 413, (error as Error).message);
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch (error) {
      refuse(res, 400, `body is not JSON: ${(error as Error).message}`);
      return;
    }
    const listed = await options.targets.list();
    const targetIds = new Set(listed.map((t) => t.id));
    // Any two or more usable contexts may be checked together, not only the combination listed.
    const asked = (body as { target?: unknown } | null)?.target;
    if (typeof asked === 'string' && contextsOf(asked, listed) !== undefined) targetIds.add(asked);
    const parsed = parseRunRequest(body, { checks: new Set(byId.keys()), targets: targetIds });
    if (!parsed.ok) {
      refuse(res, 400, parsed.message);
      return;
    }
    // Proposed YAML is read before anything runs: a problem in it is the run's one error line.
    let overlay: Overlay | undefined;
    if (parsed.value.withYaml !== undefined) {
      try {
        overlay = overlayFromText(parsed.value.withYaml, WHAT_IF_NAME);
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        res.writeHead(200, { ...SAFE_HEADERS, 'Content-Type': 'application/x-ndjson; charset=utf-8' });
        res.end(
          `${JSON.stringify({ type: 'error', message: `The what-if YAML cannot be applied: ${error.message}` } satisfies RunStreamEvent)}\n`,
        );
        return;
      }
    }
    // So is the project's config file: a page run suppresses what the CLI would, and says so.
    let policy: { policy: FindingPolicy; expired: ExpiredSuppression[] } = { policy: { suppress: makeSuppressor([]) }, expired: [] };
    if (options.findingPolicy !== undefined) {
      try {
        policy = await options.findingPolicy();
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        res.writeHead(200, { ...SAFE_HEADERS, 'Content-Type': 'application/x-ndjson; charset=utf-8' });
        res.end(`${JSON.stringify({ type: 'error', message: error.message } satisfies RunStreamEvent)}\n`);
        return;
      }
    }
    if (active >= limits.maxConcurrentRuns) {
      refuse(res, 429, `${limits.maxConcurrentRuns} runs are already in progress; try again when one finishes`, { 'Retry-After': '5' });
      return;
    }
    // Counted from here: opening a live target takes a moment, and concurrent requests must not slip past the limit.
    active++;
    let source: ClusterSource | undefined;
    try {
      const request = {
        ...(parsed.value.fingerprint === undefined ? {} : { fingerprint: parsed.value.fingerprint }),
        ...(parsed.value.refresh === true ? { refresh: true } : {}),
      };
      source = await options.targets.open(parsed.value.target, request);
    } catch (error) {
      // The page's context is out of date (409), or the context cannot be used (400): nothing runs.
      if (error instanceof TargetConflict) refuse(res, 409, error.message);
      else if (error instanceof InputError) refuse(res, 400, error.message);
      else refuse(res, 500, `Opening the target failed: ${(error as Error).message}`);
      active--;
      return;
    }
    if (source === undefined) {
      refuse(res, 400, `Unknown target ${JSON.stringify(parsed.value.target)}`);
      active--;
      return;
    }

    const checks = parsed.value.checks.map((id) => byId.get(id)!);
    const disconnected = new AbortController();
    // 'close' before the response ended means the client went away (tab closed, fetch aborted).
    res.on('close', () => {
      if (!res.writableEnded) disconnected.abort(new Error('client disconnected'));
    });
    const deadline = AbortSignal.timeout(limits.runDeadlineMs);
    const overflow = new AbortController();
    const signal = AbortSignal.any([disconnected.signal, deadline, overflow.signal]);

    res.writeHead(200, {
      ...SAFE_HEADERS,
      'Content-Type': 'application/x-ndjson; charset=utf-8',
    });
    let written = 0;
    const write = (event: RunStreamEvent): number => {
      if (res.writableEnded || res.destroyed) return 0;
      const line = `${JSON.stringify(event)}\n`;
      res.write(line);
      return Buffer.byteLength(line);
    };
    const fits = (event: RunStreamEvent): boolean =>
      written + Buffer.byteLength(`${JSON.stringify(event)}\n`) <= limits.maxResponseBytes - END_RESERVE;
    const sendNow = async (event: RunStreamEvent): Promise<void> => {
      let fitted = event.type === 'result' ? fitResultEvent(event, limits.maxResponseBytes - written, limits.maxResponseBytes) : event;
      if (fitted.type === 'result') {
        // The fix blocks as the site draws code; a result they would push over the limit goes without them.
        const withHtml = await withFixHtml(fitted, (options.fixBlocks ?? fixBlockRenderer)(), options.log);
        if (fits(withHtml)) fitted = withHtml;
      }
      if (!fits(fitted)) {
        overflow.abort(new Error('output limit'));
        return;
      }
      written += write(fitted);
    };
    // Events leave in the order the runner reports them, each once its code blocks are drawn.
    let queue = Promise.resolve();
    const send = (event: RunStreamEvent): void => {
      queue = queue.then(() => sendNow(event));
    };

    options.log.info(`run started: ${checks.map((c) => c.id).join(', ')} against ${JSON.stringify(source.target.name)}`);
    const started = performance.now();
    send({ type: 'start', target: source.target, checks: checks.map((c) => ({ id: c.id, title: c.title })) });
    const results: CheckResult[] = [];
    try {
      const runOptions: RunOptions = {
        signal,
        maxFindingsPerCheck: limits.maxFindingsPerCheck,
        policy: policy.policy,
        onEvent: (event) => {
          if (event.type === 'result') results.push(event.result);
          send(event);
        },
      };
      if (overlay === undefined) await runSource(checks, source, runOptions);
      else if (source instanceof FleetSource) throw new Error('what-if YAML applies to one cluster; pick a single target to try it');
      else {
        const report = await runWhatIf(checks, source, overlay, runOptions);
        if (report.whatIf !== undefined) send({ type: 'what-if', added: report.whatIf.added, fixed: report.whatIf.fixed });
      }
      await queue;
      // The last result can overflow without the runner noticing: that run did not arrive whole.
      signal.throwIfAborted();
      // The last line is always written: END_RESERVE kept room for it.
      const suppressed = results.reduce((n, r) => n + (r.suppressed?.length ?? 0), 0);
      write({
        type: 'done',
        summary: summarize(results),
        ...(suppressed === 0 ? {} : { suppressed }),
        ...(policy.expired.length === 0 ? {} : { expiredSuppressions: policy.expired }),
      });
      options.log.info(`run finished in ${Math.round(performance.now() - started)} ms`);
    } catch (error) {
      const message = disconnected.signal.aborted
        ? 'The page went away; the run was cancelled.'
        : deadline.aborted
          ? `The run took longer than ${duration(limits.runDeadlineMs)} and was stopped.`
          : overflow.signal.aborted
            ? `The run produced more than ${bytesText(limits.maxResponseBytes)} of results and was stopped.`
            : `The run failed: ${(error as Error).message}`;
      options.log.warn(message);
      write({ type: 'error', message });
    } finally {
      active--;
      res.end();
    }
  };
}

// What the pasted YAML is called in messages, where a file's name would be: "pasted YAML:7: …".
const WHAT_IF_NAME = 'pasted YAML';

// Bytes kept back for the stream's last line (done or error), so it always gets out.
const END_RESERVE = 1024;
// Bytes kept back per result still to come, so one huge result cannot crowd out the rest of the run.
const RESULT_RESERVE = 2048;

/**
 * A result event that fits the bytes left (`available`), leaving RESULT_RESERVE for each check still
 * to report and END_RESERVE for the last line. Findings cut are counted in `truncated`; pictures
 * left out are said in `note`.
 */
function fitResultEvent(
  event: Extract<RunStreamEvent, { type: 'result' }>,
  available: number,
  limit: number,
): Extract<RunStreamEvent, { type: 'result' }> {
  const budget = available - END_RESERVE - Math.max(0, event.total - event.done) * RESULT_RESERVE;
  const measure = (result: CheckResult, note: string | undefined): number =>
    Buffer.byteLength(`${JSON.stringify({ ...event, result, ...(note === undefined ? {} : { note }) })}\n`);
  const fitted = fitResult(event.result, budget, measure, bytesText(limit));
  if (fitted.result === event.result) return event;
  return { ...event, result: fitted.result, ...(fitted.note === undefined ? {} : { note: fitted.note }) };
}

/** The result event with Expressive Code's HTML for its findings' fix blocks, when there are any and a renderer. */
async function withFixHtml(
  event: Extract<RunStreamEvent, { type: 'result' }>,
  render: FixBlockRenderer | undefined,
  log: RunEndpointOptions['log'],
): Promise<Extract<RunStreamEvent, { type: 'result' }>> {
  const findings = event.result.findings;
  if (render === undefined || !findings.some((f) => f.fixCode !== undefined)) return event;
  try {
    const fixHtml = await Promise.all(findings.map((f) => (f.fixCode === undefined ? null : render(f.fixCode.blocks))));
    return { ...event, fixHtml };
  } catch (error) {
    // Drawn as plain blocks instead: the result itself is what matters.
    log.warn(`drawing fix code blocks failed: ${(error as Error).message}`);
    return event;
  }
}

// "4 MiB" for whole mebibytes, "64 KiB" for whole kibibytes, "1500 bytes" otherwise.
function bytesText(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

/** Headers on every response. Never any Access-Control-* header: no other origin may read this. */
export const SAFE_HEADERS = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
} as const;

// "60 s" for whole seconds, "300 ms" otherwise.
function duration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/** The request facts the guards look at, shared with the explain endpoint. */
export function guardInput(req: IncomingMessage): GuardInput {
  const header = (name: string): string | undefined => {
    const v = req.headers[name];
    return Array.isArray(v) ? v.join(', ') : v;
  };
  return {
    method: req.method,
    remoteAddress: req.socket.remoteAddress,
    localPort: req.socket.localPort,
    encrypted: (req.socket as Partial<TLSSocket>).encrypted === true,
    host: header('host'),
    origin: header('origin'),
    token: header(TOKEN_HEADER),
    contentType: header('content-type'),
    contentLength: header('content-length'),
  };
}

export function refuse(res: ServerResponse, status: number, reason: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const body = `${reason}\n`;
  res.writeHead(status, {
    ...SAFE_HEADERS,
    ...headers,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
    Connection: 'close',
  });
  res.end(body);
}

// Reads a refused request's body into the void so the connection can close cleanly.
export function drain(req: IncomingMessage): void {
  req.resume();
}

/** Reads the body as UTF-8, failing once it exceeds `limit` bytes (chunked bodies included). */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        // Stop collecting but keep reading, so the 413 reaches the client before the socket closes.
        req.removeAllListeners('data');
        req.resume();
        reject(new Error(`body exceeds the ${limit}-byte limit`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
