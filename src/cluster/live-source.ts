// The live source: reads the declared kinds from a kubeconfig context's API server.
// First the server proves it is a Kubernetes API server (/version, /api); then discovery
// (which version of each kind is served), then one paginated LIST per kind (limit +
// continue), a few kinds at a time. A kind that fails becomes a GatherProblem and the others
// are still read; a source that cannot be read at all (not Kubernetes, unreachable,
// credentials refused) throws SourceUnavailableError instead. Pages and bytes are bounded
// per kind and per gather, whatever the server sends. A whole-gather deadline turns
// whatever is unfinished into timeouts. Results are cached per (context, kind) for a short,
// visible time.

import { KINDS, type KindId, type KindInfo } from '../k8s/kinds.ts';
import { Snapshot, type GatherProblem } from '../engine/snapshot.ts';
import { InputError, SourceUnavailableError, type ClusterSource, type GatherOptions, type SourceProblemReason } from '../engine/source.ts';
import { resolveContext, type KubeconfigSelection, type ResolvedContext } from './kubeconfig.ts';
import { validateObject } from './validate-object.ts';
import { KubeReader, KubeRequestError, escapeText, type KubeReaderOptions, type PageSize, type RequestPurpose } from './kube-http.ts';
import { withSecretContents } from './secret-contents.ts';
import {
  discover,
  proveKubernetes,
  sourceProblemOf,
  toProblemReason,
  type DiscoveryState,
  type KindPlan,
  type ServerVersion,
} from './live-discovery.ts';
import type { KubeObject } from '../k8s/objects.ts';
import type { TargetInfo } from '../engine/types.ts';
import { PROBE_BODY_LIMIT, ProbeError, type Probes } from '../engine/check.ts';

export interface LiveSourceOptions extends KubeReaderOptions {
  /** Kinds listed at the same time. */
  concurrency?: number;
  /** Items per LIST page (`limit`). */
  pageSize?: number;
  /** Budget for a whole gather, ms; unfinished kinds then report a timeout. */
  deadlineMs?: number;
  /** How long a gathered kind is reused, ms (0: never). */
  cacheTtlMs?: number;
  /** Where cached kinds live; defaults to one cache shared by every LiveSource of the process. */
  cache?: GatherCache;
  /** Read Secret payloads (a plain LIST of secrets) instead of metadata only: `--read-secrets`. */
  readSecrets?: boolean;
  /** Pages one kind's LIST may take; more is a pagination that does not end. */
  maxPagesPerKind?: number;
  /** Bytes of JSON (after decompression) one kind's pages may add up to. */
  maxBytesPerKind?: number;
  /** Bytes of JSON (after decompression) one gather may read over all kinds. */
  maxBytesPerGather?: number;
  /** JSON values (objects, arrays, elements) one gather may parse: what bounds memory for many small objects. */
  maxValuesPerGather?: number;
}

export interface LiveGatherOptions extends GatherOptions {
  /** Ignore cached kinds and read everything again. */
  refresh?: boolean;
}

// The budgets keep a gather's memory well under 1 GB whatever the server sends: parsed JSON
// costs about its bytes (strings) plus ~25 bytes per value (objects, arrays, elements), so
// bytes and values are both bounded, before each page is parsed. A 20k-object mesh is ~80 MB
// and ~5M values of JSON (docs/benchmarks.md); larger clusters raise them (LIVE_ENV).
export const LIVE_DEFAULTS = {
  concurrency: 4,
  pageSize: 500,
  deadlineMs: 45_000,
  cacheTtlMs: 30_000,
  maxPagesPerKind: 1_000,
  maxBytesPerKind: 192 * 1024 * 1024,
  maxBytesPerGather: 256 * 1024 * 1024,
  maxValuesPerGather: 12_000_000,
} as const;
// Far above any real cluster's count of one kind; stops a server that keeps paging forever.
const MAX_ITEMS_PER_KIND = 500_000;

/** The environment variables that set LiveSource options for the CLI (limits are named in the messages that hit them). */
export const LIVE_ENV = {
  timeoutMs: 'MESHBOOK_REQUEST_TIMEOUT_MS',
  deadlineMs: 'MESHBOOK_GATHER_DEADLINE_MS',
  pageSize: 'MESHBOOK_PAGE_SIZE',
  maxResponseBytes: 'MESHBOOK_MAX_RESPONSE_BYTES',
  maxPagesPerKind: 'MESHBOOK_MAX_PAGES_PER_KIND',
  maxBytesPerKind: 'MESHBOOK_MAX_BYTES_PER_KIND',
  maxBytesPerGather: 'MESHBOOK_MAX_BYTES_PER_GATHER',
  maxValuesPerGather: 'MESHBOOK_MAX_VALUES_PER_GATHER',
} as const satisfies Partial<Record<keyof LiveSourceOptions, string>>;

/** LiveSource options from the environment (LIVE_ENV); an invalid value is an InputError naming the variable. */
export function liveOptionsFromEnv(env: Readonly<Record<string, string | undefined>>): LiveSourceOptions {
  const out: Record<string, number> = {};
  for (const [key, name] of Object.entries(LIVE_ENV)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const n = Number(raw);
    if (!/^[0-9]+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n <= 0)
      throw new InputError(`${name} must be a positive whole number, received ${JSON.stringify(raw)}.`);
    out[key] = n;
  }
  return out as LiveSourceOptions;
}

interface CacheEntry<T> {
  at: number;
  value: T;
}

/** Gathered kinds and discovery, per context, for a short time. */
export class GatherCache {
  readonly #entries = new Map<string, CacheEntry<unknown>>();

  /** A value stored under `key` no longer than `ttlMs` ago. */
  get<T>(key: string, ttlMs: number, now = Date.now()): CacheEntry<T> | undefined {
    const entry = this.#entries.get(key) as CacheEntry<T> | undefined;
    if (entry === undefined) return undefined;
    if (now - entry.at >= ttlMs) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  set<T>(key: string, value: T, at = Date.now()): void {
    this.#entries.set(key, { at, value });
  }

  /** Forgets every entry whose key starts with `prefix` (all of them without one). */
  clear(prefix = ''): void {
    for (const key of [...this.#entries.keys()]) if (key.startsWith(prefix)) this.#entries.delete(key);
  }
}

/** The cache every LiveSource uses unless given its own (the dev server makes one source per run). */
export const sharedGatherCache = new GatherCache();

/** A snapshot read from a live cluster, with when and how it was read. */
export class LiveSnapshot extends Snapshot {
  /** When the oldest data in it was read from the API server (ISO time). */
  readonly gatheredAt: string;
  /** Kinds served from the cache instead of the API server. */
  readonly fromCache: ReadonlySet<KindId>;
  /** HTTP requests this gather sent. */
  readonly requests: number;
  /** The version each kind was read at. */
  readonly versions: ReadonlyMap<KindId, string>;

  constructor(
    objects: Iterable<KubeObject>,
    options: {
      kinds: Iterable<KindId>;
      problems: Iterable<GatherProblem>;
      gatheredAt: number;
      fromCache: Iterable<KindId>;
      requests: number;
      versions: Map<KindId, string>;
    },
  ) {
    super(objects, { kinds: options.kinds, problems: options.problems });
    this.gatheredAt = new Date(options.gatheredAt).toISOString();
    this.fromCache = new Set(options.fromCache);
    this.requests = options.requests;
    this.versions = options.versions;
  }
}

interface KindData {
  objects: KubeObject[];
  version: string;
}

type Outcome = { data: KindData; at: number; cached: boolean } | { problem: GatherProblem };

/** A ClusterSource over one kubeconfig context; read-only by construction (see kube-http.ts). */
export class LiveSource implements ClusterSource {
  readonly live = true;
  readonly target: TargetInfo;
  readonly context: ResolvedContext;
  /** The read-only client: also what live-only probes use. */
  readonly reader: KubeReader;
  /** Live-only probes for checks that declare `needs: ['probes']`, over the read-only client. */
  readonly probes: Probes;
  readonly #opts: Required<Omit<LiveSourceOptions, keyof KubeReaderOptions | 'cache' | 'readSecrets'>>;
  /** What /version said when the server last proved to be Kubernetes (undefined before, or when /version was forbidden). */
  serverVersion: ServerVersion | undefined;
  /** Whether Secrets are read with their payloads (opt-in). */
  readonly readSecrets: boolean;
  readonly #cache: GatherCache;

  /** Resolves a kubeconfig selection (`--kubeconfig`, `--context`) and opens a source on it; LIVE_ENV variables set options not given. */
  static async open(selection: KubeconfigSelection = {}, options: LiveSourceOptions = {}): Promise<LiveSource> {
    const fromEnv = liveOptionsFromEnv(selection.env ?? process.env);
    return new LiveSource(await resolveContext(selection), { ...fromEnv, ...options });
  }

  constructor(context: ResolvedContext, options: LiveSourceOptions = {}) {
    this.context = context;
    this.reader = new KubeReader(context, options);
    this.#opts = {
      concurrency: options.concurrency ?? LIVE_DEFAULTS.concurrency,
      pageSize: options.pageSize ?? LIVE_DEFAULTS.pageSize,
      deadlineMs: options.deadlineMs ?? LIVE_DEFAULTS.deadlineMs,
      cacheTtlMs: options.cacheTtlMs ?? LIVE_DEFAULTS.cacheTtlMs,
      maxPagesPerKind: options.maxPagesPerKind ?? LIVE_DEFAULTS.maxPagesPerKind,
      maxBytesPerKind: options.maxBytesPerKind ?? LIVE_DEFAULTS.maxBytesPerKind,
      maxBytesPerGather: options.maxBytesPerGather ?? LIVE_DEFAULTS.maxBytesPerGather,
      maxValuesPerGather: options.maxValuesPerGather ?? LIVE_DEFAULTS.maxValuesPerGather,
    };
    for (const [key, value] of Object.entries(this.#opts)) {
      const min = key === 'cacheTtlMs' ? 0 : 1;
      if (!Number.isInteger(value) || value < min)
        throw new TypeError(`LiveSource ${key} must be an integer ≥ ${min}, received ${JSON.stringify(value)}`);
    }
    this.#cache = options.cache ?? sharedGatherCache;
    this.readSecrets = options.readSecrets === true;
    this.target = { type: 'live', name: context.name, context: context.name, cluster: context.cluster, server: context.server };
    this.probes = liveProbes(this.reader);
  }

  /** HTTP requests this source has sent (every gather, retries included). */
  get requestCount(): number {
    return this.reader.requestCount;
  }

  /** `requestCount` split by purpose: LIST pages, other GETs (discovery), access reviews, proxied GETs. */
  get requestCounts(): Readonly<Record<RequestPurpose, number>> {
    return this.reader.requestCounts;
  }

  /** Forgets this context's cached kinds and discovery, so the next gather reads everything. */
  invalidate(): void {
    this.#cache.clear(`${this.context.cacheKey}|`);
  }

  /** Closes idle connections. */
  close(): void {
    this.reader.close();
  }

  async gather(kinds: readonly KindId[], options: LiveGatherOptions): Promise<LiveSnapshot> {
    const runSignal = options.signal;
    runSignal.throwIfAborted();
    if (options.namespace !== undefined && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(options.namespace)) {
      throw new InputError(
        `Namespace ${JSON.stringify(options.namespace)} is not a valid namespace name (lower-case letters, digits and '-').`,
      );
    }
    if (options.refresh === true) this.invalidate();
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.#opts.deadlineMs);
    const signal = AbortSignal.any([runSignal, deadline.signal]);
    const startRequests = this.reader.requestCount;
    const outcomes = new Map<KindId, Outcome>();
    const run: RunState = { bytes: 0, values: 0 };
    try {
      const todo = this.#fromCache(kinds, options.namespace, outcomes);
      if (todo.length > 0) await this.#prove(signal, runSignal);
      const plans = await this.#plan(todo, signal, runSignal);
      const work: { kind: KindId; version: string }[] = [];
      for (const kind of todo) {
        const plan = plans.get(kind)!;
        if ('problem' in plan) outcomes.set(kind, { problem: plan.problem });
        else work.push({ kind, version: plan.version });
      }
      await this.#listAll(work, options.namespace, signal, runSignal, outcomes, run);
    } finally {
      clearTimeout(timer);
    }
    runSignal.throwIfAborted();
    // Nothing read at all, for a reason that is the source's (not one kind's): said once, as the run's problem.
    if (run.failure !== undefined && ![...outcomes.values()].some((o) => 'data' in o)) {
      throw new SourceUnavailableError(run.failure.reason, run.failure.message);
    }
    return this.#snapshot(kinds, outcomes, this.reader.requestCount - startRequests);
  }

  // The /version + /api proof, once per context per cache TTL.
  async #prove(signal: AbortSignal, runSignal: AbortSignal): Promise<void> {
    const key = `${this.context.cacheKey}|proof`;
    const cached = this.#cache.get<ServerVersion | undefined>(key, this.#opts.cacheTtlMs);
    if (cached !== undefined) {
      this.serverVersion = cached.value;
      return;
    }
    try {
      this.serverVersion = await proveKubernetes(this.reader, signal, this.context.name);
    } catch (error) {
      runSignal.throwIfAborted();
      if (signal.aborted) throw new SourceUnavailableError('timeout', this.#deadlineMessage(), { cause: error });
      throw error;
    }
    this.#cache.set(key, this.serverVersion);
  }

  // Serves fresh cached kinds (a cluster-wide entry also serves a namespace); returns the rest.
  #fromCache(kinds: readonly KindId[], namespace: string | undefined, outcomes: Map<KindId, Outcome>): KindId[] {
    const todo: KindId[] = [];
    for (const kind of kinds) {
      const scoped = KINDS[kind].namespaced ? namespace : undefined;
      const exact = this.#cache.get<KindData>(this.#key(kind, scoped), this.#opts.cacheTtlMs);
      const wide =
        exact ?? (scoped === undefined ? undefined : this.#cache.get<KindData>(this.#key(kind, undefined), this.#opts.cacheTtlMs));
      if (wide === undefined) {
        todo.push(kind);
        continue;
      }
      const objects =
        exact !== undefined || scoped === undefined
          ? wide.value.objects
          : wide.value.objects.filter((o) => o.metadata.namespace === scoped);
      outcomes.set(kind, { data: { objects, version: wide.value.version }, at: wide.at, cached: true });
    }
    return todo;
  }

  async #plan(kinds: readonly KindId[], signal: AbortSignal, runSignal: AbortSignal): Promise<Map<KindId, KindPlan>> {
    const plans = new Map<KindId, KindPlan>();
    const needsDiscovery = kinds.filter((k) => KINDS[k].group !== '');
    for (const k of kinds) if (KINDS[k].group === '') plans.set(k, { version: KINDS[k].versions[0] });
    if (needsDiscovery.length === 0) return plans;
    try {
      const key = `${this.context.cacheKey}|discovery`;
      let state = this.#cache.get<DiscoveryState>(key, this.#opts.cacheTtlMs)?.value;
      if (state === undefined) {
        state = await discover(this.reader, signal);
        this.#cache.set(key, state);
      }
      for (const [k, plan] of await state.plan(needsDiscovery, this.reader, signal)) plans.set(k, plan);
    } catch (error) {
      runSignal.throwIfAborted();
      // Without discovery nothing else is worth trying, and "not installed" cannot be said: the whole source fails.
      if (signal.aborted) throw new SourceUnavailableError('timeout', this.#deadlineMessage(), { cause: error });
      if (error instanceof KubeRequestError) throw sourceProblemOf(error, '/apis', this.context.server);
      throw error;
    }
    return plans;
  }

  async #listAll(
    work: { kind: KindId; version: string }[],
    namespace: string | undefined,
    signal: AbortSignal,
    runSignal: AbortSignal,
    outcomes: Map<KindId, Outcome>,
    run: RunState,
  ): Promise<void> {
    let next = 0;
    // Once the server is unreachable or not answering, the kinds not started yet say so without trying.
    let broken: GatherProblem | undefined;
    const worker = async (): Promise<void> => {
      while (next < work.length) {
        const { kind, version } = work[next++]!;
        if (broken !== undefined) {
          outcomes.set(kind, { problem: { ...broken, kind } });
          continue;
        }
        const scoped = KINDS[kind].namespaced ? namespace : undefined;
        try {
          const at = Date.now();
          const objects = await this.#listKind(kind, version, scoped, signal, run);
          const data = { objects, version };
          this.#cache.set(this.#key(kind, scoped), data, at);
          outcomes.set(kind, { data, at, cached: false });
        } catch (error) {
          runSignal.throwIfAborted();
          const problem = { ...this.#problemOf(error, signal), kind };
          outcomes.set(kind, { problem });
          const whole = sourceReasonOf(error, signal);
          if (whole !== undefined) {
            run.failure ??= { reason: whole, message: problem.message };
            broken ??= problem;
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#opts.concurrency, work.length) }, worker));
  }

  // Every page of one kind; a continue token that expires mid-way restarts the list once (as client-go's pager falls back).
  // Pages, bytes and repeated continue tokens are bounded: a server that pages forever ends as this kind's problem.
  async #listKind(kind: KindId, version: string, namespace: string | undefined, signal: AbortSignal, run: RunState): Promise<KubeObject[]> {
    const plural = KINDS[kind].plural;
    const o = this.#opts;
    const limitHit = (what: string, option: keyof typeof LIVE_ENV): KubeRequestError =>
      new KubeRequestError(
        'invalid',
        `Reading ${plural} stopped: ${what}. Nothing of ${plural} was used; limit the run to a namespace (--namespace), or raise the limit with ${LIVE_ENV[option]} if the cluster really is that large.`,
      );
    for (let attempt = 1; ; attempt++) {
      const items: KubeObject[] = [];
      const seen = new Set<string>();
      let token: string | undefined;
      let pages = 0;
      let bytes = 0;
      try {
        do {
          if (run.exhausted !== undefined) throw limitHit(run.exhausted.what, run.exhausted.option);
          if (pages >= o.maxPagesPerKind)
            throw limitHit(
              `the API server at ${this.context.server} was still paging after ${o.maxPagesPerKind} pages of ${o.pageSize} (the per-kind page limit; its pagination may never end)`,
              'maxPagesPerKind',
            );
          const contents = this.#contents(kind);
          // Budgets are spent before a page is parsed, so an oversized run never holds the objects.
          const admit = (size: PageSize): void => {
            pages++;
            bytes += size.bytes;
            run.bytes += size.bytes;
            run.values += size.values;
            if (run.bytes > o.maxBytesPerGather)
              run.exhausted ??= {
                what: `this run read more than ${formatMiB(o.maxBytesPerGather)} of JSON from ${this.context.server} (the per-run byte limit)`,
                option: 'maxBytesPerGather',
              };
            if (run.values > o.maxValuesPerGather)
              run.exhausted ??= {
                what: `this run read more than ${o.maxValuesPerGather.toLocaleString('en-US')} JSON values from ${this.context.server} (the per-run value limit)`,
                option: 'maxValuesPerGather',
              };
            if (run.exhausted !== undefined) throw limitHit(run.exhausted.what, run.exhausted.option);
            if (bytes > o.maxBytesPerKind)
              throw limitHit(
                `more than ${formatMiB(o.maxBytesPerKind)} of JSON in ${pages} pages (the per-kind byte limit)`,
                'maxBytesPerKind',
              );
          };
          const page = await this.reader.list(kind, {
            version,
            namespace,
            limit: o.pageSize,
            continue: token,
            signal,
            admit,
            ...(contents ? { contents } : {}),
          });
          for (const item of page.items) {
            // Checks must not run on partial data: one object with a wrong-typed field makes the whole kind a problem.
            const bad = validateObject(kind, item);
            if (bad.length > 0) {
              const name = escapeText(
                `${item.metadata.namespace === undefined ? '' : `${item.metadata.namespace}/`}${item.metadata.name}`,
                120,
                false,
              );
              throw new KubeRequestError(
                'invalid',
                `The API server at ${this.context.server} returned ${KINDS[kind].kind} ${name}: ${bad[0]}${bad.length > 1 ? ` (and ${bad.length - 1} more)` : ''}. Nothing of ${plural} was used.`,
              );
            }
            items.push(
              contents
                ? withSecretContents(item, (m) => {
                    throw new KubeRequestError('invalid', m);
                  })
                : item,
            );
          }
          if (items.length > MAX_ITEMS_PER_KIND)
            throw new KubeRequestError(
              'invalid',
              `More than ${MAX_ITEMS_PER_KIND} ${plural} were returned; limit the run to a namespace (--namespace).`,
            );
          token = page.continue;
          if (token !== undefined) {
            if (seen.has(token)) {
              throw new KubeRequestError(
                'invalid',
                `Reading ${plural} stopped: the API server at ${this.context.server} sent the same continue token again after ${pages} pages, so its pagination would never end. Nothing of ${plural} was used.`,
              );
            }
            seen.add(token);
          }
        } while (token !== undefined);
        return items;
      } catch (error) {
        if (error instanceof KubeRequestError && error.reason === 'expired' && attempt === 1) continue;
        throw error;
      }
    }
  }

  #deadlineMessage(): string {
    return `Reading the cluster did not finish within ${this.#opts.deadlineMs / 1000} s (context "${this.context.name}", ${this.context.server}); the API server is slow — retry, or limit the run to a namespace.`;
  }

  #problemOf(error: unknown, signal: AbortSignal): Omit<GatherProblem, 'kind'> {
    if (signal.aborted) return { reason: 'timeout', message: this.#deadlineMessage() };
    if (error instanceof KubeRequestError) return { reason: toProblemReason(error.reason), message: error.message };
    // A bug or an unexpected failure: still one kind's problem, never a crash of the whole gather.
    return {
      reason: 'invalid',
      message: `Reading the cluster failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`,
    };
  }

  #snapshot(kinds: readonly KindId[], outcomes: Map<KindId, Outcome>, requests: number): LiveSnapshot {
    const objects: KubeObject[] = [];
    const held: KindId[] = [];
    const problems: GatherProblem[] = [];
    const fromCache: KindId[] = [];
    const versions = new Map<KindId, string>();
    let oldest = Date.now();
    for (const kind of kinds) {
      const outcome = outcomes.get(kind);
      if (outcome === undefined) continue;
      if ('problem' in outcome) {
        problems.push(outcome.problem);
        // A kind that is not installed has no objects: checks see an empty list.
        if (outcome.problem.reason === 'not-installed') held.push(kind);
        continue;
      }
      held.push(kind);
      versions.set(kind, outcome.data.version);
      if (outcome.cached) fromCache.push(kind);
      oldest = Math.min(oldest, outcome.at);
      for (const o of outcome.data.objects) objects.push(o);
    }
    return new LiveSnapshot(objects, { kinds: held, problems, gatheredAt: oldest, fromCache, requests, versions });
  }

  // Only metadataOnly kinds (Secrets) change with --read-secrets.
  #contents(kind: KindId): boolean {
    return this.readSecrets && (KINDS[kind] as KindInfo).metadataOnly === true;
  }

  // Secrets read whole are cached apart, so a metadata-only run never sees a payload (nor the reverse).
  #key(kind: KindId, namespace: string | undefined): string {
    return `${this.context.cacheKey}|${kind}|${namespace ?? '*'}${this.#contents(kind) ? '|contents' : ''}`;
  }
}

/** Byte use of one gather, shared by its kinds; `failure` is the first failure that is the whole source's. */
interface RunState {
  bytes: number;
  values: number;
  /** The gather-wide budget that ran out: every kind still reading stops with it. */
  exhausted?: { what: string; option: keyof typeof LIVE_ENV };
  failure?: { reason: SourceProblemReason; message: string };
}

// A LIST failure that no other kind would escape either: the connection, TLS, the credentials, the deadline.
function sourceReasonOf(error: unknown, signal: AbortSignal): SourceProblemReason | undefined {
  if (signal.aborted) return 'timeout';
  if (!(error instanceof KubeRequestError)) return undefined;
  if (error.reason === 'unreachable' || error.reason === 'tls' || error.reason === 'timeout' || error.reason === 'unauthorized')
    return error.reason;
  return undefined;
}

function formatMiB(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round((bytes / 1024 / 1024) * 10) / 10} MiB` : `${Math.round(bytes / 1024)} KiB`;
}

/** Probes over a KubeReader: SubjectAccessReview and GET-only proxying; failures become ProbeErrors. */
export function liveProbes(reader: KubeReader): Probes {
  const fail = (error: unknown): never => {
    if (error instanceof KubeRequestError) throw new ProbeError(error.message, { cause: error });
    throw error;
  };
  return {
    async accessReview(q, options = {}) {
      const resourceAttributes: { verb: string; resource: string; group?: string; namespace?: string; subresource?: string } = {
        verb: q.verb,
        resource: q.resource,
      };
      if (q.group !== undefined && q.group !== '') resourceAttributes.group = q.group;
      if (q.namespace !== undefined) resourceAttributes.namespace = q.namespace;
      if (q.subresource !== undefined) resourceAttributes.subresource = q.subresource;
      const status = await reader
        .createAccessReview(
          {
            kind: 'SubjectAccessReview',
            spec: { user: q.user, ...(q.groups === undefined ? {} : { groups: [...q.groups] }), resourceAttributes },
          },
          options,
        )
        .catch(fail);
      return { allowed: status.allowed, reason: status.reason ?? status.evaluationError ?? '' };
    },
    async proxyGet(r, options = {}) {
      try {
        const res = await reader.proxyGet(
          {
            kind: r.kind,
            namespace: r.namespace,
            name: r.name,
            ...(r.port === undefined ? {} : { port: r.port }),
            ...(r.scheme === undefined ? {} : { scheme: r.scheme }),
          },
          r.path,
          options,
        );
        const truncated = res.body.length > PROBE_BODY_LIMIT;
        return { status: res.status, body: truncated ? res.body.slice(0, PROBE_BODY_LIMIT) : res.body, truncated };
      } catch (error) {
        // The backend answered, just not 2xx (through the proxy): that is an answer, not a failure to ask.
        if (
          error instanceof KubeRequestError &&
          error.status !== undefined &&
          error.status !== 401 &&
          error.status !== 403 &&
          error.reason !== 'unreachable'
        ) {
          return { status: error.status, body: error.message.slice(0, PROBE_BODY_LIMIT), truncated: false };
        }
        return fail(error);
      }
    },
  };
}
