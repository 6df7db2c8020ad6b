// A tiny, read-only Kubernetes API client. It can express exactly four things: GET a read
// path, LIST a known kind (one page), create a Self/SubjectAccessReview (asks, changes
// nothing), and GET through the service/pod proxy. There is no generic request method:
// the one place that sends HTTP is a private method, so no caller can PUT, PATCH or DELETE.
//
// Credentials and TLS come from client-node's KubeConfig (`applyToHTTPSOptions`, see
// kubeconfig.ts); the request itself is ours, so each one has a timeout, honours an
// AbortSignal, has a response-size bound, and fails with a classified, actionable message.

import http from 'node:http';
import https from 'node:https';
import { gunzip } from 'node:zlib';
import { KINDS, describeForbidden, resourceName, type KindId, type KindInfo } from '../k8s/kinds.ts';
import type { GatherProblem } from '../engine/snapshot.ts';
import type { ResolvedContext } from './kubeconfig.ts';
import type { KubeObject } from '../k8s/objects.ts';

export const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
const PROXY_MAX_RESPONSE_BYTES = 8 * 1024 * 1024;
/** What the API server is asked for when only metadata may be read (Secrets). */
export const METADATA_ONLY_ACCEPT = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';
const USER_AGENT = 'meshbook/0.1 (read-only)';
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** Why a request failed: a GatherProblem reason, a 404, an expired continue token, rejected credentials (401) or TLS. */
export type KubeFailure = GatherProblem['reason'] | 'not-found' | 'expired' | 'unauthorized' | 'tls';

/** What a server answered that was not what was asked for: enough to tell the user what is at the URL. */
export interface ServerAnswer {
  status: number;
  contentType: string;
  /** The start of the body, escaped for a terminal (quoted, non-printable characters as \uXXXX). */
  excerpt: string;
  /** Where a 3xx pointed (never followed). */
  location?: string;
}

/** A failed request, classified, with a message that says what to do. */
export class KubeRequestError extends Error {
  override readonly name = 'KubeRequestError';
  /** The answer received, when the server answered something unexpected. */
  readonly answer?: ServerAnswer;
  constructor(
    readonly reason: KubeFailure,
    message: string,
    readonly status?: number,
    options?: { cause?: unknown; answer?: ServerAnswer },
  ) {
    super(message, options);
    if (options?.answer !== undefined) this.answer = options.answer;
  }
}

/** Nesting deeper than any Kubernetes object: refused before parsing, so no later recursion can overflow the stack. */
export const MAX_JSON_DEPTH = 100;

export interface KubeReaderOptions {
  /** Per-request time budget (auth plugin + connect + whole response), ms. */
  timeoutMs?: number;
  /** Responses larger than this (after decompression) are refused, bytes. */
  maxResponseBytes?: number;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface ListOptions extends CallOptions {
  /** The served version to read (from discovery); defaults to the kind's preferred one. */
  version?: string;
  /** Limit a namespaced kind to one namespace. */
  namespace?: string;
  /** Page size (`limit`). */
  limit?: number;
  /** The continue token of the previous page. */
  continue?: string;
  /** Read a metadataOnly kind (Secrets) whole, payload included: only for `--read-secrets`. */
  contents?: boolean;
  /**
   * Called with the page's size before its JSON is parsed; throwing refuses the page. How the
   * live source keeps its byte and value budgets before the memory is spent.
   */
  admit?: (size: PageSize) => void;
}

/** The size of a page's JSON: bytes (after decompression) and values (objects, arrays and their elements). */
export interface PageSize {
  bytes: number;
  values: number;
}

export interface ListPage {
  /** Items with apiVersion and kind set (LIST items lack them); Secrets carry metadata only. */
  items: KubeObject[];
  /** The size of the page's JSON: what the live source budgets. */
  size: PageSize;
  continue?: string;
  resourceVersion?: string;
}

interface ResourceAttributes {
  namespace?: string;
  verb: string;
  group?: string;
  version?: string;
  resource: string;
  subresource?: string;
  name?: string;
}

interface NonResourceAttributes {
  path: string;
  verb: string;
}

interface ReviewSpec {
  resourceAttributes?: ResourceAttributes;
  nonResourceAttributes?: NonResourceAttributes;
}

/** The only writes the client can express: questions about permissions. */
export type AccessReview =
  | { kind: 'SelfSubjectAccessReview'; spec: ReviewSpec }
  | { kind: 'SubjectAccessReview'; spec: ReviewSpec & { user?: string; groups?: string[]; uid?: string } };

export interface AccessReviewStatus {
  allowed: boolean;
  denied?: boolean;
  reason?: string;
  evaluationError?: string;
}

/** A service or pod to reach through the API server's proxy subresource. */
export interface ProxyTarget {
  kind: 'service' | 'pod';
  namespace: string;
  name: string;
  /** Port number or name. */
  port?: number | string;
  scheme?: 'http' | 'https';
}

export interface ProxyResponse {
  status: number;
  contentType: string;
  body: string;
}

/** What a request was for: how the benchmarks split `requestCount` (docs/benchmarks.md). */
export type RequestPurpose = 'list' | 'get' | 'access-review' | 'proxy';

interface RequestSpec {
  method: 'GET' | 'POST';
  purpose: RequestPurpose;
  path: string;
  accept: string;
  body?: string;
  signal?: AbortSignal;
  maxBytes?: number;
  /** Turns a 403 into the sentence the user needs (e.g. the permission to ask for). */
  forbidden?: () => string;
}

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
// Read paths only: the API, discovery, version, health. Never a connect subresource.
const READ_ROOT = /^\/(api|apis|version|openapi|healthz|livez|readyz)(\/|$)/;
const CONNECT_SEGMENTS = new Set(['exec', 'attach', 'portforward', 'proxy']);

/** A read-only client for one resolved kubeconfig context. */
export class KubeReader {
  readonly context: ResolvedContext;
  readonly #timeoutMs: number;
  readonly #maxBytes: number;
  readonly #agent: http.Agent | undefined;
  #requests = 0;
  readonly #warned = new Set<KindId>();
  readonly #byPurpose: Record<RequestPurpose, number> = { list: 0, get: 0, 'access-review': 0, proxy: 0 };

  constructor(context: ResolvedContext, options: KubeReaderOptions = {}) {
    this.context = context;
    this.#timeoutMs = positive(options.timeoutMs, 'timeoutMs') ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.#maxBytes = positive(options.maxResponseBytes, 'maxResponseBytes') ?? DEFAULT_MAX_RESPONSE_BYTES;
    // Our own keep-alive agent (client-node's is not); a configured proxy-url keeps client-node's.
    this.#agent = context.auth.proxied
      ? undefined
      : context.server.startsWith('http:')
        ? new http.Agent({ keepAlive: true, maxSockets: 8 })
        : new https.Agent({ keepAlive: true, maxSockets: 8 });
  }

  /** The API server URL requests go to. */
  get server(): string {
    return this.context.server;
  }

  /** HTTP requests sent so far (retries included): the number benchmarks and tests watch. */
  get requestCount(): number {
    return this.#requests;
  }

  /** The same count split by what the requests were for: LIST pages, other GETs (discovery), access reviews, proxied GETs. */
  get requestCounts(): Readonly<Record<RequestPurpose, number>> {
    return { ...this.#byPurpose };
  }

  /** GET of a read path (`/api…`, `/apis…`, `/version`, health); returns the parsed JSON. */
  async get(path: string, options: CallOptions & { accept?: string } = {}): Promise<unknown> {
    checkReadPath(path);
    const res = await this.#request({
      method: 'GET',
      purpose: 'get',
      path,
      accept: options.accept ?? 'application/json',
      signal: options.signal,
    });
    return parseJson(res, `GET ${path}`);
  }

  /** One page of a LIST of a known kind; Secrets (metadataOnly kinds) are read as metadata only. */
  async list(kind: KindId, options: ListOptions = {}): Promise<ListPage> {
    const info: KindInfo = KINDS[kind];
    // Payloads are read only when the caller opted in (--read-secrets); otherwise metadata only.
    const metadataOnly = info.metadataOnly === true && options.contents !== true;
    const version = options.version ?? info.versions[0]!;
    if (!/^v[0-9]+((alpha|beta)[0-9]+)?$/.test(version)) throw new TypeError(`Not an API version: ${JSON.stringify(version)}`);
    const ns = info.namespaced ? options.namespace : undefined;
    if (ns !== undefined) checkName(ns, 'namespace', DNS_LABEL);
    const query = new URLSearchParams();
    if (options.limit !== undefined) query.set('limit', String(positive(options.limit, 'limit')));
    if (options.continue !== undefined && options.continue !== '') query.set('continue', options.continue);
    const base = info.group === '' ? `/api/${version}` : `/apis/${info.group}/${version}`;
    const path = `${base}${ns === undefined ? '' : `/namespaces/${ns}`}/${info.plural}${query.size > 0 ? `?${query}` : ''}`;
    const res = await this.#request({
      method: 'GET',
      purpose: 'list',
      path,
      accept: metadataOnly ? METADATA_ONLY_ACCEPT : 'application/json',
      signal: options.signal,
      forbidden: () =>
        describeForbidden(kind, ns) +
        (info.metadataOnly === true
          ? ' Secrets are granted only by the opt-in meshbook-viewer-secrets ClusterRole (docs/rbac/meshbook-viewer.yaml); without it, the checks that read them report this and the rest still run.'
          : ns === undefined
            ? ' Ask for the Meshbook viewer ClusterRole (docs/rbac/meshbook-viewer.yaml), or limit the run to a namespace you can read.'
            : ''),
    }).catch((error: unknown) => {
      if (error instanceof KubeRequestError && error.reason === 'not-found') {
        // Every Kubernetes API server serves the core kinds: a 404 there is not a missing CRD.
        if (info.group === '') {
          throw new KubeRequestError(
            'invalid',
            `GET ${path.split('?')[0]} answered 404 at ${this.server}: every Kubernetes API server serves ${resourceName(kind)}, so this server (or a proxy in front of it) is not answering as one.`,
            404,
            { cause: error, ...(error.answer === undefined ? {} : { answer: error.answer }) },
          );
        }
        throw new KubeRequestError(
          'not-installed',
          `${resourceName(kind)} is not served at ${info.group}/${version} by ${this.server} (404): the CRD is not installed.`,
          404,
          { cause: error },
        );
      }
      throw error;
    });
    const where = `GET ${path.split('?')[0]}`;
    let size: PageSize = { bytes: res.body.length, values: 0 };
    const body = parseJson(res, where, (scanned) => {
      size = scanned;
      options.admit?.(scanned);
    });
    // An empty PartialObjectMetadataList comes back with `items: null` (a nil Go slice), not [].
    const rawItems: unknown = isRecord(body) ? (body.items ?? []) : undefined;
    if (!isRecord(body) || !Array.isArray(rawItems))
      throw new KubeRequestError('invalid', `${where} did not return a list (no items array).`, res.status);
    // A list of another kind (a misrouting proxy, a different API at the same path) is not this kind's data.
    const listKinds = metadataOnly ? ['PartialObjectMetadataList', `${info.kind}List`] : [`${info.kind}List`, 'List'];
    if (!listKinds.includes(body.kind as string)) {
      throw new KubeRequestError(
        'invalid',
        `${where} at ${this.server} returned ${body.kind === undefined ? 'a list without a kind' : `kind ${escapeText(String(body.kind), 60)}`} instead of ${info.kind}List; nothing of ${resourceName(kind)} was used.`,
        res.status,
      );
    }
    if (metadataOnly && body.kind !== 'PartialObjectMetadataList' && !this.#warned.has(kind)) {
      // Payloads are stripped below regardless; this only tells the user (once per kind) the server ignored the Accept header.
      this.#warned.add(kind);
      process.emitWarning(`GET ${path} returned ${String(body.kind)} instead of PartialObjectMetadataList; payloads were dropped.`);
    }
    const apiVersion = info.group === '' ? version : `${info.group}/${version}`;
    const itemShape = {
      apiVersion,
      kind: info.kind,
      metadataOnly,
      contents: info.metadataOnly === true && !metadataOnly,
      path,
      namespaced: info.namespaced,
      namespace: ns,
    };
    const items = rawItems.map((item: unknown, i: number) => normalizeItem(item, i, itemShape));
    const meta = isRecord(body.metadata) ? body.metadata : {};
    const page: ListPage = { items, size };
    if (typeof meta.continue === 'string' && meta.continue !== '') page.continue = meta.continue;
    if (typeof meta.resourceVersion === 'string') page.resourceVersion = meta.resourceVersion;
    return page;
  }

  /** Asks the API server whether a user (or the caller) may do something; changes nothing. */
  async createAccessReview(review: AccessReview, options: CallOptions = {}): Promise<AccessReviewStatus> {
    const body = validateReview(review);
    const plural = review.kind === 'SelfSubjectAccessReview' ? 'selfsubjectaccessreviews' : 'subjectaccessreviews';
    const path = `/apis/authorization.k8s.io/v1/${plural}`;
    const res = await this.#request({
      method: 'POST',
      purpose: 'access-review',
      path,
      accept: 'application/json',
      body: JSON.stringify(body),
      signal: options.signal,
      forbidden: () =>
        `cannot create ${plural}.authorization.k8s.io: forbidden — needs create on ${plural} (apiGroup authorization.k8s.io).`,
    });
    const parsed = parseJson(res, `POST ${path}`);
    const status = isRecord(parsed) && isRecord(parsed.status) ? parsed.status : undefined;
    if (status === undefined || typeof status.allowed !== 'boolean')
      throw new KubeRequestError('invalid', `POST ${path} returned no status.allowed.`, res.status);
    const out: AccessReviewStatus = { allowed: status.allowed };
    if (typeof status.denied === 'boolean') out.denied = status.denied;
    if (typeof status.reason === 'string') out.reason = status.reason;
    if (typeof status.evaluationError === 'string') out.evaluationError = status.evaluationError;
    return out;
  }

  /** GET through the API server's service/pod proxy (e.g. istiod's debug endpoints). */
  async proxyGet(target: ProxyTarget, path: string, options: CallOptions = {}): Promise<ProxyResponse> {
    if (target.kind !== 'service' && target.kind !== 'pod')
      throw new TypeError(`Proxy target kind must be service or pod, received ${JSON.stringify(target.kind)}`);
    checkName(target.namespace, 'namespace', DNS_LABEL);
    checkName(target.name, `${target.kind} name`, DNS_SUBDOMAIN);
    if (
      target.port !== undefined &&
      !(typeof target.port === 'number'
        ? Number.isInteger(target.port) && target.port > 0 && target.port < 65536
        : DNS_LABEL.test(target.port))
    ) {
      throw new TypeError(`Proxy port must be a port number or name, received ${JSON.stringify(target.port)}`);
    }
    if (target.scheme !== undefined && target.scheme !== 'http' && target.scheme !== 'https')
      throw new TypeError(`Proxy scheme must be http or https, received ${JSON.stringify(target.scheme)}`);
    if (!path.startsWith('/') || rawSegments(path).some((s) => s === '..' || s === '.') || /[\u0000-\u001f#]/.test(path)) {
      throw new TypeError(`Proxy path must be an absolute path without dot segments, received ${JSON.stringify(path)}`);
    }
    const url = new URL(path, 'http://probe.invalid');
    const id = `${target.scheme === undefined ? '' : `${target.scheme}:`}${target.name}${target.port === undefined ? '' : `:${target.port}`}`;
    const full = `/api/v1/namespaces/${target.namespace}/${target.kind}s/${id}/proxy${url.pathname}${url.search}`;
    const res = await this.#request({
      method: 'GET',
      purpose: 'proxy',
      path: full,
      accept: '*/*',
      signal: options.signal,
      maxBytes: PROXY_MAX_RESPONSE_BYTES,
      forbidden: () => `cannot get ${target.kind}s/proxy in namespace ${target.namespace}: forbidden — needs get on ${target.kind}s/proxy.`,
    });
    return { status: res.status, contentType: String(res.headers['content-type'] ?? ''), body: res.body.toString('utf8') };
  }

  /** Closes idle keep-alive connections (call when the source is dropped). */
  close(): void {
    this.#agent?.destroy();
  }

  // The only method that sends anything. Private: callers cannot choose a verb or a path shape.
  async #request(spec: RequestSpec): Promise<RawResponse> {
    let attempt = 0;
    for (;;) {
      attempt++;
      try {
        const res = await this.#send(spec);
        if (res.status >= 200 && res.status < 300) return res;
        const retryIn = retryDelay(res, attempt);
        if (retryIn !== undefined && spec.method === 'GET') {
          await sleep(retryIn, spec.signal);
          continue;
        }
        throw this.#statusError(spec, res);
      } catch (error) {
        // A keep-alive socket the server closed just as we reused it: safe to resend a GET once (Node docs).
        if (error instanceof ReusedSocketReset && attempt === 1 && spec.method === 'GET') continue;
        if (error instanceof ReusedSocketReset) throw error.inner;
        throw error;
      }
    }
  }

  async #send(spec: RequestSpec): Promise<RawResponse> {
    spec.signal?.throwIfAborted();
    this.#requests++;
    this.#byPurpose[spec.purpose]++;
    const timeoutMs = this.#timeoutMs;
    const timer = new AbortController();
    const handle = setTimeout(() => timer.abort(), timeoutMs);
    const signal = spec.signal === undefined ? timer.signal : AbortSignal.any([spec.signal, timer.signal]);
    const what = `${spec.method} ${spec.path.split('?')[0]}`;
    try {
      const headers: Record<string, string> = { Accept: spec.accept, 'User-Agent': USER_AGENT, 'Accept-Encoding': 'gzip' };
      if (spec.body !== undefined) {
        headers['Content-Type'] = 'application/json';
        headers['Content-Length'] = String(Buffer.byteLength(spec.body));
      }
      const opts: https.RequestOptions = { method: spec.method, headers };
      // Exec credential plugins can hang (an interactive login nobody answers): bound them too.
      await raceSignal(this.context.auth.apply(opts), signal).catch((error: unknown) => {
        if (spec.signal?.aborted) throw spec.signal.reason;
        if (timer.signal.aborted)
          throw new KubeRequestError(
            'timeout',
            `Getting credentials for context "${this.context.name}" took longer than ${timeoutMs / 1000} s${this.context.exec === undefined ? '' : ` (exec plugin ${JSON.stringify(this.context.exec.command)})`}: log in again, then retry.`,
          );
        throw this.#authError(error);
      });
      if (this.#agent !== undefined) opts.agent = this.#agent;
      opts.signal = signal;
      const url = new URL(this.server + spec.path);
      return await new Promise<RawResponse>((resolve, reject) => {
        const transport = url.protocol === 'http:' ? http : https;
        let settled = false;
        const fail = (error: Error): void => {
          if (settled) return;
          settled = true;
          if (error instanceof KubeRequestError) return reject(error);
          if (spec.signal?.aborted) return reject(spec.signal.reason);
          if (timer.signal.aborted)
            return reject(
              new KubeRequestError(
                'timeout',
                `No complete answer from the API server at ${this.server} within ${timeoutMs / 1000} s (${what}): it is slow or overloaded — check its health, then retry.`,
                undefined,
                { cause: error },
              ),
            );
          const classified = this.#networkError(error, what);
          if (req.reusedSocket && (error as NodeJS.ErrnoException).code === 'ECONNRESET') return reject(new ReusedSocketReset(classified));
          reject(classified);
        };
        const req = transport.request(url, opts, (res) => {
          const limit = spec.maxBytes ?? this.#maxBytes;
          const tooLarge = (): KubeRequestError =>
            new KubeRequestError(
              'invalid',
              `The response to ${what} is larger than ${formatBytes(limit)}; limit the run to a namespace (--namespace) to read less.`,
              res.statusCode,
            );
          const gzipped = res.headers['content-encoding'] === 'gzip';
          // The body is collected as sent, then a gzipped one is inflated in one call: a Gunzip
          // stream in between costs a callback and a thread-pool round trip per chunk (~15% more
          // CPU for a whole gather, docs/benchmarks.md).
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            if (settled) return;
            size += chunk.length;
            // The wire bytes are bounded here; a gzipped body is bounded again once inflated.
            if (size > limit) {
              fail(tooLarge());
              // Destroyed without an error: the promise has already settled with the one above.
              req.destroy();
              return;
            }
            chunks.push(chunk);
          });
          res.on('end', () => {
            if (settled) return;
            const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
            if (!gzipped) {
              settled = true;
              resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
              return;
            }
            // Inflated on the thread pool, bounded like the wire bytes.
            gunzip(body, { maxOutputLength: limit }, (error, inflated) => {
              if (error !== null) {
                const code = (error as NodeJS.ErrnoException).code ?? '';
                if (code === 'ERR_BUFFER_TOO_LARGE') return fail(tooLarge());
                // A server answered, with bytes that are not what it declared: an answer, not a network failure.
                const answer: ServerAnswer = {
                  status: res.statusCode ?? 0,
                  contentType: String(res.headers['content-type'] ?? ''),
                  excerpt: '(a body declared gzip that is not valid gzip)',
                };
                return fail(
                  new KubeRequestError(
                    'invalid',
                    `The answer of ${this.server} to ${what} says it is gzip-compressed but is not valid gzip (${code || error.message}).`,
                    res.statusCode,
                    { cause: error, answer },
                  ),
                );
              }
              if (settled) return;
              settled = true;
              resolve({ status: res.statusCode ?? 0, headers: res.headers, body: inflated });
            });
          });
          res.on('error', fail);
          // A connection dropped mid-body ends the response without 'end'.
          res.on('close', () => {
            if (!res.complete) fail(Object.assign(new Error('connection closed mid-response'), { code: 'ECONNRESET' }));
          });
        });
        req.on('error', fail);
        if (spec.body !== undefined) req.write(spec.body);
        req.end();
      });
    } finally {
      clearTimeout(handle);
    }
  }

  #statusError(spec: RequestSpec, res: RawResponse): KubeRequestError {
    const what = `${spec.method} ${spec.path.split('?')[0]}`;
    const status = res.status;
    const detail = statusMessage(res);
    const suffix = detail === '' ? '' : `: ${detail}`;
    const answer = answerOf(res);
    const o = { answer };
    if (status === 401) {
      return new KubeRequestError(
        'unauthorized',
        `The API server at ${this.server} rejected the credentials of user "${this.context.user}" in context "${this.context.name}" (401 Unauthorized): log in again or refresh the credentials.`,
        status,
        o,
      );
    }
    if (status === 403) return new KubeRequestError('forbidden', spec.forbidden?.() ?? `${what}: forbidden${suffix}.`, status, o);
    if (status === 404) return new KubeRequestError('not-found', `${what}: not found (404)${suffix}.`, status, o);
    if (status === 410) return new KubeRequestError('expired', `${what}: the list's continue token expired (410)${suffix}.`, status, o);
    if (status === 429)
      return new KubeRequestError(
        'server-error',
        `The API server at ${this.server} is throttling requests (429 Too Many Requests) to ${what}${suffix}; retry in a minute.`,
        status,
        o,
      );
    if (status >= 500)
      return new KubeRequestError('server-error', `The API server at ${this.server} answered ${status} to ${what}${suffix}.`, status, o);
    if (status === 406)
      return new KubeRequestError(
        'invalid',
        `The API server at ${this.server} cannot answer ${what} in the format asked for (406 Not Acceptable${suffix}); Meshbook needs Kubernetes 1.15 or later.`,
        status,
        o,
      );
    // Redirects are never followed: credentials go to the configured server only.
    if (status >= 300 && status < 400)
      return new KubeRequestError(
        'invalid',
        `The server at ${this.server} answered ${status} to ${what}, a redirect${answer.location === undefined ? '' : ` to ${answer.location}`}; Meshbook does not follow redirects (it would send the credentials elsewhere) — put the API server's own URL in the kubeconfig.`,
        status,
        o,
      );
    return new KubeRequestError('invalid', `The API server at ${this.server} answered ${status} to ${what}${suffix}.`, status, o);
  }

  #networkError(error: Error, what: string): KubeRequestError {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    const server = this.server;
    const where = `is the cluster running, and is "${this.context.name}" the right context?`;
    const tls = tlsExplanation(code, error.message, this.context.cluster);
    if (tls !== undefined)
      return new KubeRequestError('tls', `TLS with the API server at ${server} failed (${code || error.message}): ${tls}`, undefined, {
        cause: error,
      });
    switch (code) {
      case 'ECONNREFUSED':
        return new KubeRequestError('unreachable', `Cannot reach the API server at ${server}: connection refused — ${where}`, undefined, {
          cause: error,
        });
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
        return new KubeRequestError(
          'unreachable',
          `Cannot reach the API server at ${server}: its host name does not resolve (${code}) — ${where} (VPN or DNS down?)`,
          undefined,
          { cause: error },
        );
      case 'EHOSTUNREACH':
      case 'ENETUNREACH':
      case 'ETIMEDOUT':
        return new KubeRequestError(
          'unreachable',
          `Cannot reach the API server at ${server}: no route to it (${code}) — ${where} (VPN, firewall or bastion needed?)`,
          undefined,
          { cause: error },
        );
      case 'ECONNRESET':
      case 'EPIPE':
        return new KubeRequestError(
          'unreachable',
          `The API server at ${server} closed the connection before answering ${what} (${code}) — it may be restarting, or a proxy in between dropped the request; retry.`,
          undefined,
          { cause: error },
        );
      default:
        return new KubeRequestError(
          'unreachable',
          `Request to the API server at ${server} failed (${what}): ${error.message}${code === '' ? '' : ` (${code})`} — ${where}`,
          undefined,
          { cause: error },
        );
    }
  }

  #authError(error: unknown): KubeRequestError {
    const message = error instanceof Error ? error.message.trim() : String(error);
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    const exec = this.context.exec;
    if (exec !== undefined && code === 'ENOENT') {
      return new KubeRequestError(
        'invalid',
        `The credential plugin ${JSON.stringify(exec.command)} of user "${this.context.user}" is not installed (not found on PATH).${exec.installHint === undefined ? '' : ` ${exec.installHint.trim()}`}`,
        undefined,
        { cause: error },
      );
    }
    if (exec !== undefined) {
      return new KubeRequestError(
        'invalid',
        `The credential plugin ${JSON.stringify(exec.command)} of user "${this.context.user}" failed: ${message || 'no output'} — log in again (run the plugin yourself to see why).`,
        undefined,
        { cause: error },
      );
    }
    return new KubeRequestError('invalid', `Cannot prepare credentials for context "${this.context.name}": ${message}`, undefined, {
      cause: error,
    });
  }
}

// Marks an ECONNRESET on a reused keep-alive socket, which is retried once.
class ReusedSocketReset extends Error {
  constructor(readonly inner: KubeRequestError) {
    super(inner.message);
  }
}

function tlsExplanation(code: string, message: string, cluster: string): string | undefined {
  const ca = `check certificate-authority(-data) of cluster "${cluster}" in the kubeconfig`;
  switch (code) {
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT':
      return `the server's certificate is not signed by a CA this client trusts — ${ca}.`;
    case 'CERT_HAS_EXPIRED':
      return "the server's certificate has expired — the cluster's certificates need rotating.";
    case 'CERT_NOT_YET_VALID':
      return "the server's certificate is not valid yet — check this machine's clock.";
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `the server's certificate does not name this host — the server URL does not match the certificate (set tls-server-name on cluster "${cluster}" if you reach it through another name).`;
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
    case 'EPROTO':
      return /wrong version number|packet length too long|http request/i.test(message)
        ? "the server does not speak TLS on this port — is the URL's scheme (https://) and port right?"
        : `the TLS handshake was refused (${message}) — ${ca}, and check the client certificate.`;
    default:
      if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) return `${message} — ${ca}, and check the client certificate.`;
      return undefined;
  }
}

// 429, and 503/504 with Retry-After (API Priority and Fairness), get up to two short retries.
function retryDelay(res: RawResponse, attempt: number): number | undefined {
  if (attempt > 2) return undefined;
  const after = Number(res.headers['retry-after']);
  if (res.status === 429 || ((res.status === 503 || res.status === 504) && Number.isFinite(after))) {
    return Math.min(Number.isFinite(after) && after >= 0 ? after * 1000 : 500, 2000);
  }
  return undefined;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

function raceSignal<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

function statusMessage(res: RawResponse): string {
  const text = res.body.toString('utf8', 0, Math.min(res.body.length, 4096));
  try {
    const parsed: unknown = JSON.parse(text);
    if (isRecord(parsed) && typeof parsed.message === 'string') return escapeText(parsed.message, 300, false);
  } catch {
    // Not a Status object: fall through to the raw text.
  }
  return escapeText(text.trim(), 300, false);
}

/** `text` cut to `max` characters with control, bidi and other non-ASCII-printable characters as \uXXXX; quoted unless `quote` is false. */
export function escapeText(text: string, max: number, quote = true): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  const escaped = cut.replace(/[^\x20-\x7e…]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return quote ? `"${escaped.replace(/"/g, '\\"')}"` : escaped;
}

function answerOf(res: RawResponse): ServerAnswer {
  const answer: ServerAnswer = {
    status: res.status,
    contentType: String(res.headers['content-type'] ?? ''),
    excerpt: escapeText(res.body.toString('utf8', 0, Math.min(res.body.length, 400)).replace(/\s+/g, ' ').trim(), 120),
  };
  if (typeof res.headers.location === 'string') answer.location = escapeText(res.headers.location, 200, false);
  return answer;
}

function parseJson(res: RawResponse, what: string, admit?: (size: PageSize) => void): unknown {
  const values = scanJson(res.body, MAX_JSON_DEPTH);
  if (values === undefined) {
    throw new KubeRequestError(
      'invalid',
      `${what} returned JSON nested deeper than ${MAX_JSON_DEPTH} levels, which no Kubernetes object is; it was not read.`,
      res.status,
      { answer: answerOf(res) },
    );
  }
  admit?.({ bytes: res.body.length, values });
  try {
    return JSON.parse(res.body.toString('utf8'));
  } catch (cause) {
    throw new KubeRequestError(
      'invalid',
      `${what} did not return JSON (content-type ${JSON.stringify(res.headers['content-type'] ?? '')}).`,
      res.status,
      { cause, answer: answerOf(res) },
    );
  }
}

// One pass over the bytes before parsing (strings skipped with a native search): the number of
// values ({, [ and commas outside strings: what parsed objects cost beyond their strings), or
// undefined when brackets nest deeper than `limit`.
function scanJson(buf: Buffer, limit: number): number | undefined {
  let depth = 0;
  let values = 0;
  const n = buf.length;
  for (let i = 0; i < n; i++) {
    const c = buf[i];
    if (c === 0x22) {
      for (;;) {
        const q = buf.indexOf(0x22, i + 1);
        if (q === -1) return values;
        let b = q - 1;
        let backslashes = 0;
        while (buf[b] === 0x5c) {
          backslashes++;
          b--;
        }
        i = q;
        if (backslashes % 2 === 0) break;
      }
    } else if (c === 0x7b || c === 0x5b) {
      values++;
      if (++depth > limit) return undefined;
    } else if (c === 0x7d || c === 0x5d) depth--;
    else if (c === 0x2c) values++;
  }
  return values;
}

function normalizeItem(
  item: unknown,
  index: number,
  o: {
    apiVersion: string;
    kind: string;
    metadataOnly: boolean;
    contents: boolean;
    path: string;
    namespaced: boolean;
    namespace: string | undefined;
  },
): KubeObject {
  const where = `GET ${o.path.split('?')[0]}`;
  if (!isRecord(item))
    throw new KubeRequestError(
      'invalid',
      `${where} returned an item that is not an object (items[${index}] is ${Array.isArray(item) ? 'a list' : item === null ? 'null' : typeof item}).`,
    );
  if (!isRecord(item.metadata) || typeof item.metadata.name !== 'string' || item.metadata.name === '') {
    throw new KubeRequestError('invalid', `${where} returned an item without metadata.name (items[${index}]).`);
  }
  const name = escapeText(item.metadata.name, 80, false);
  // LIST items usually carry no apiVersion/kind; when they do, they must be the kind asked for.
  const kinds = o.metadataOnly ? [o.kind, 'PartialObjectMetadata'] : [o.kind];
  if (item.kind !== undefined && !kinds.includes(item.kind as string)) {
    throw new KubeRequestError(
      'invalid',
      `${where} returned items[${index}] (${name}) of kind ${escapeText(String(item.kind), 60)}, not ${o.kind}: the list is not this kind's data.`,
    );
  }
  const apiVersions = o.metadataOnly ? [o.apiVersion, 'meta.k8s.io/v1'] : [o.apiVersion];
  if (item.apiVersion !== undefined && !apiVersions.includes(item.apiVersion as string)) {
    throw new KubeRequestError(
      'invalid',
      `${where} returned items[${index}] (${name}) at apiVersion ${escapeText(String(item.apiVersion), 60)}, not ${o.apiVersion}.`,
    );
  }
  const ns = item.metadata.namespace;
  if (
    o.namespaced ? typeof ns !== 'string' || ns === '' || (o.namespace !== undefined && ns !== o.namespace) : ns !== undefined && ns !== ''
  ) {
    const expected = !o.namespaced
      ? 'no namespace (the kind is cluster-scoped)'
      : o.namespace === undefined
        ? 'a namespace'
        : `namespace ${o.namespace}`;
    throw new KubeRequestError(
      'invalid',
      `${where} returned items[${index}] (${name}) with ${ns === undefined ? 'no namespace' : `namespace ${escapeText(String(ns), 80)}`}, expected ${expected}.`,
    );
  }
  // managedFields are bulky bookkeeping no check reads.
  const { managedFields: _managed, ...metadata } = item.metadata;
  if (o.metadataOnly || o.contents) {
    // `kubectl apply` copies a Secret's whole payload into this annotation: drop it with the payload.
    if (isRecord(metadata.annotations) && LAST_APPLIED in metadata.annotations) {
      const { [LAST_APPLIED]: _payload, ...rest } = metadata.annotations;
      metadata.annotations = rest;
    }
    if (o.metadataOnly) return { apiVersion: o.apiVersion, kind: o.kind, metadata: metadata as unknown as KubeObject['metadata'] };
  }
  return { ...item, apiVersion: o.apiVersion, kind: o.kind, metadata: metadata as unknown as KubeObject['metadata'] };
}

function validateReview(review: AccessReview): Record<string, unknown> {
  if (review.kind !== 'SelfSubjectAccessReview' && review.kind !== 'SubjectAccessReview') {
    throw new TypeError(
      `Access review kind must be SelfSubjectAccessReview or SubjectAccessReview, received ${JSON.stringify((review as { kind?: unknown }).kind)}`,
    );
  }
  const spec = review.spec;
  const hasResource = spec.resourceAttributes !== undefined;
  const hasNonResource = spec.nonResourceAttributes !== undefined;
  if (hasResource === hasNonResource)
    throw new TypeError('An access review needs exactly one of resourceAttributes and nonResourceAttributes');
  const out: Record<string, unknown> = {};
  if (spec.resourceAttributes !== undefined) {
    const ra = spec.resourceAttributes;
    for (const key of ['namespace', 'verb', 'group', 'version', 'resource', 'subresource', 'name'] as const) {
      if (ra[key] !== undefined && typeof ra[key] !== 'string')
        throw new TypeError(`resourceAttributes.${key} must be a string, received ${JSON.stringify(ra[key])}`);
    }
    if (ra.verb === '' || ra.resource === '') throw new TypeError('resourceAttributes needs a verb and a resource');
    out.resourceAttributes = { ...ra };
  }
  if (spec.nonResourceAttributes !== undefined) {
    const na = spec.nonResourceAttributes;
    if (typeof na.path !== 'string' || typeof na.verb !== 'string') throw new TypeError('nonResourceAttributes needs a path and a verb');
    out.nonResourceAttributes = { path: na.path, verb: na.verb };
  }
  if (review.kind === 'SubjectAccessReview') {
    const s = review.spec;
    if (s.user === undefined && (s.groups === undefined || s.groups.length === 0))
      throw new TypeError('A SubjectAccessReview needs a user or groups');
    if (s.user !== undefined) out.user = String(s.user);
    if (s.groups !== undefined) out.groups = s.groups.map(String);
    if (s.uid !== undefined) out.uid = String(s.uid);
  }
  return { apiVersion: 'authorization.k8s.io/v1', kind: review.kind, spec: out };
}

function checkReadPath(path: string): void {
  if (typeof path !== 'string' || !READ_ROOT.test(path) || /[\u0000-\u001f#]/.test(path)) {
    throw new TypeError(`Not a read path of the Kubernetes API: ${JSON.stringify(path)}`);
  }
  // Segments are checked before URL parsing, which would resolve `..` away.
  if (rawSegments(path).some((s) => s === '..' || s === '.' || CONNECT_SEGMENTS.has(s))) {
    throw new TypeError(
      `Read paths cannot name dot segments or connect subresources (exec, attach, portforward, proxy): ${JSON.stringify(path)}`,
    );
  }
  // Secret payloads are never read: Secrets come only through list(), as metadata.
  if (/^\/api\/v1\/(namespaces\/[^/]+\/)?secrets(\/|$)/.test(rawSegments(path).join('/'))) {
    throw new TypeError(`Secrets are read only as metadata, through list(): ${JSON.stringify(path)}`);
  }
  const url = new URL(path, 'http://read.invalid');
  if (url.searchParams.has('watch') || url.searchParams.has('follow'))
    throw new TypeError(`Streaming reads are not supported: ${JSON.stringify(path)}`);
}

// Path segments as the server would decode them (so `%2e%2e` and `%65xec` are seen for what they are).
function rawSegments(path: string): string[] {
  return path
    .split('?')[0]!
    .split('/')
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    });
}

function checkName(value: string, what: string, pattern: RegExp): void {
  if (typeof value !== 'string' || value.length > 253 || !pattern.test(value))
    throw new TypeError(`Not a valid ${what}: ${JSON.stringify(value)}`);
}

function positive(value: number | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value <= 0) throw new TypeError(`${what} must be a positive integer, received ${JSON.stringify(value)}`);
  return value;
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${Math.round(n / 1024 / 1024)} MiB` : `${Math.round(n / 1024)} KiB`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
