// A hostile "API server" on 127.0.0.1 for the live source's fault tests: one mode per way a
// server can mislead or exhaust a client. Some modes are not Kubernetes at all (a 404 page, a
// login page, JSON of another shape, a redirect, an error status everywhere, a server that
// never answers); the others prove to be Kubernetes (/version, /api, /apis serving the
// built-in groups but no CRDs) and then misbehave on every LIST (pagination that never ends, huge or gzip-bomb
// bodies, invalid or deeply nested JSON, objects of the wrong kind). Every request is recorded
// (method and URL), so a test can assert that only GETs and access-review POSTs were sent.

import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { KINDS, KIND_IDS } from '../../src/k8s/kinds.ts';

export const HOSTILE_MODES = [
  'not-found-text',
  'html-login',
  'json-other',
  'status-401',
  'status-403',
  'status-500',
  'hang',
  'redirect',
  'endless-continue',
  'repeated-continue',
  'huge-pages',
  'small-objects',
  'huge-body',
  'gzip-bomb',
  'invalid-json',
  'deep-json',
  'wrong-kind',
  'wrong-list-kind',
  'items-not-objects',
] as const;

export type HostileMode = (typeof HOSTILE_MODES)[number];

/** Modes that answer /version and /api as Kubernetes does and misbehave only on LISTs. */
export const LIST_MODES: ReadonlySet<HostileMode> = new Set([
  'endless-continue',
  'repeated-continue',
  'huge-pages',
  'small-objects',
  'huge-body',
  'gzip-bomb',
  'invalid-json',
  'deep-json',
  'wrong-kind',
  'wrong-list-kind',
  'items-not-objects',
]);

export interface HostileRequest {
  method: string;
  url: string;
  authorization: string;
}

export interface HostileServer {
  url: string;
  mode: HostileMode;
  requests: HostileRequest[];
  /** Requests that reached the origin a `redirect` points to (must stay empty: redirects are not followed). */
  redirectTargetRequests: HostileRequest[];
  /** Response bytes written, over all requests. */
  bytesSent: number;
  close(): Promise<void>;
}

const PAGE_ITEMS = 200;
// ~10 MB of JSON per `huge-pages` page: a few pages exhaust any per-kind byte budget.
const HUGE_PAGE_PAD = 'x'.repeat(50_000);
const SMALL_SPEC = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, [i, { v: i }]]));

/** Starts a hostile server in `mode` on an ephemeral loopback port. */
export async function startHostileApiServer(mode: HostileMode): Promise<HostileServer> {
  const requests: HostileRequest[] = [];
  const redirectTargetRequests: HostileRequest[] = [];
  const sockets = new Set<Socket>();
  const state = { bytesSent: 0, counter: 0 };

  const target = http.createServer((req, res) => {
    redirectTargetRequests.push({ method: req.method ?? '', url: req.url ?? '', authorization: String(req.headers.authorization ?? '') });
    res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"kind":"APIVersions","versions":["v1"]}');
  });
  await listen(target, sockets);
  const targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;

  const write = (
    res: http.ServerResponse,
    status: number,
    contentType: string,
    body: string | Buffer,
    headers: Record<string, string> = {},
  ): void => {
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    state.bytesSent += bytes.length;
    res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': String(bytes.length), ...headers });
    res.end(bytes);
  };
  const json = (res: http.ServerResponse, value: unknown, status = 200): void =>
    write(res, status, 'application/json', JSON.stringify(value));

  const server = http.createServer((req, res) => {
    // Drain any body (access reviews) before answering.
    req.resume();
    req.on('end', () => {
      const seen = { method: req.method ?? '', url: req.url ?? '', authorization: String(req.headers.authorization ?? '') };
      requests.push(seen);
      route(seen, req, res);
    });
  });

  const route = (seen: HostileRequest, req: http.IncomingMessage, res: http.ServerResponse): void => {
    const url = new URL(seen.url, 'http://hostile');
    const path = url.pathname;
    switch (mode) {
      case 'not-found-text':
        return write(res, 404, 'text/plain; charset=utf-8', '404 page not found\n');
      case 'html-login':
        return write(
          res,
          200,
          'text/html; charset=utf-8',
          '<!doctype html><html><head><title>Sign in</title></head><body><form action="/login"><input name="user"></form>\u202e</body></html>',
        );
      case 'json-other':
        return json(res, { status: 'ok', data: [{ id: 1, name: 'widget' }], version: 3 });
      case 'status-401':
        return json(
          res,
          { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 },
          401,
        );
      case 'status-403':
        return json(
          res,
          {
            kind: 'Status',
            apiVersion: 'v1',
            status: 'Failure',
            message: `forbidden: User "system:anonymous" cannot get path "${path}"`,
            reason: 'Forbidden',
            code: 403,
          },
          403,
        );
      case 'status-500':
        return write(res, 500, 'text/plain', 'Internal Server Error\n');
      case 'hang':
        return;
      case 'redirect':
        res.writeHead(302, { Location: `${targetUrl}${seen.url}`, 'Content-Length': '0' });
        res.end();
        return;
      default:
        break;
    }
    // The LIST modes: a Kubernetes-shaped server until a core kind is listed.
    if (path === '/version') return json(res, { major: '1', minor: '31', gitVersion: 'v1.31.0-hostile' });
    if (path === '/api') return json(res, { kind: 'APIVersions', versions: ['v1'] });
    // The built-in groups only: every CRD kind is "not installed" (a claim the proof above lets discovery make).
    if (path === '/apis') return json(res, DISCOVERY);
    if (seen.method === 'POST' && /^\/apis\/authorization\.k8s\.io\/v1\/(self)?subjectaccessreviews$/.test(path)) {
      return json(
        res,
        { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', status: { allowed: false, reason: 'hostile' } },
        201,
      );
    }
    const list = /^\/(?:api\/v1|apis\/([^/]+)\/v1)\/(?:namespaces\/([^/]+)\/)?([a-z]+)$/.exec(path);
    const info =
      list === null ? undefined : KIND_IDS.map((id) => KINDS[id]).find((k) => k.group === (list[1] ?? '') && k.plural === list[3]);
    if (list === null || info === undefined || seen.method !== 'GET')
      return json(res, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'not found' }, 404);
    const plural = info.plural;
    const kind = info.kind;
    const namespaced = info.namespaced;
    const item = (i: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
      metadata: { name: `${plural}-${state.counter}-${i}`, ...(namespaced ? { namespace: list[2] ?? 'default' } : {}) },
      ...extra,
    });
    // Metadata-only requests (Secrets) get the list kind they ask for, as an API server sends it.
    const asked = String(req.headers.accept ?? '').includes('as=PartialObjectMetadataList') ? 'PartialObjectMetadataList' : `${kind}List`;
    const page = (items: unknown[], cont?: string, listKind = asked): string =>
      JSON.stringify({
        kind: listKind,
        apiVersion: info.group === '' ? 'v1' : `${info.group}/v1`,
        metadata: { resourceVersion: '1', ...(cont === undefined ? {} : { continue: cont }) },
        items,
      });
    state.counter++;
    switch (mode) {
      case 'endless-continue':
        return write(
          res,
          200,
          'application/json',
          page(
            Array.from({ length: 2 }, (_, i) => item(i)),
            `token-${state.counter}`,
          ),
        );
      case 'repeated-continue':
        return write(
          res,
          200,
          'application/json',
          page(
            Array.from({ length: 2 }, (_, i) => item(i)),
            'same-token',
          ),
        );
      case 'huge-pages':
        return write(
          res,
          200,
          'application/json',
          page(
            Array.from({ length: PAGE_ITEMS }, (_, i) => item(i, { data: { pad: HUGE_PAGE_PAD } })),
            `token-${state.counter}`,
          ),
        );
      case 'small-objects':
        // ~10 MB pages of many small objects and fields: the most memory per byte of JSON once parsed.
        return write(
          res,
          200,
          'application/json',
          page(
            Array.from({ length: 20_000 }, (_, i) => item(i, { spec: SMALL_SPEC })),
            `token-${state.counter}`,
          ),
        );
      case 'huge-body':
        return streamForever(res, state, `{"kind":"${asked}","apiVersion":"v1","metadata":{},"items":[`, JSON.stringify(item(0)) + ',');
      case 'gzip-bomb':
        return write(res, 200, 'application/json', gzipBomb(), { 'Content-Encoding': 'gzip' });
      case 'invalid-json':
        return write(res, 200, 'application/json', `{"kind":"${asked}","apiVersion":"v1","items":[{"metadata":{"name":`);
      case 'deep-json':
        return write(
          res,
          200,
          'application/json',
          `{"kind":"${asked}","apiVersion":"v1","metadata":{},"items":[{"metadata":{"name":"deep","namespace":"default"},"spec":${'['.repeat(200_000)}${']'.repeat(200_000)}}]}`,
        );
      case 'wrong-kind':
        return write(res, 200, 'application/json', page([item(0), item(1, { apiVersion: 'example.com/v1', kind: 'Widget' })]));
      case 'wrong-list-kind':
        return write(res, 200, 'application/json', page([item(0)], undefined, 'WidgetList'));
      case 'items-not-objects':
        return write(res, 200, 'application/json', page([item(0), 42, 'pod', null, [item(1)]]));
      default:
        return json(res, {}, 500);
    }
  };

  await listen(server, sockets);
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    mode,
    requests,
    redirectTargetRequests,
    get bytesSent() {
      return state.bytesSent;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await Promise.all([server, target].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}

// Aggregated discovery of the built-in groups Meshbook reads (v1 of each), no CRD groups.
const DISCOVERY = (() => {
  const groups = new Map<string, { resource: string; scope: string }[]>();
  for (const id of KIND_IDS) {
    const k = KINDS[id];
    if (
      k.group === '' ||
      !(k.versions as readonly string[]).includes('v1') ||
      k.group.endsWith('istio.io') ||
      k.group.startsWith('gateway.')
    )
      continue;
    groups.set(k.group, [...(groups.get(k.group) ?? []), { resource: k.plural, scope: k.namespaced ? 'Namespaced' : 'Cluster' }]);
  }
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: 'apidiscovery.k8s.io/v2',
    metadata: {},
    items: [...groups].map(([name, resources]) => ({
      metadata: { name },
      versions: [{ version: 'v1', freshness: 'Current', resources: resources.map((r) => ({ ...r, verbs: ['get', 'list'] })) }],
    })),
  };
})();

// Writes `head`, then `chunk` again and again until the client goes away.
function streamForever(res: http.ServerResponse, state: { bytesSent: number }, head: string, chunk: string): void {
  res.writeHead(200, { 'Content-Type': 'application/json' });
  const block = Buffer.from(chunk.repeat(Math.ceil(65_536 / chunk.length)));
  let open = true;
  res.on('close', () => (open = false));
  res.write(head);
  const pump = (): void => {
    while (open && !res.destroyed) {
      state.bytesSent += block.length;
      if (!res.write(block)) {
        res.once('drain', pump);
        return;
      }
    }
  };
  pump();
}

let bomb: Buffer | undefined;
// ~1 MB on the wire that inflates to 1 GiB: gzip members concatenated are one valid stream.
function gzipBomb(): Buffer {
  bomb ??= Buffer.concat(Array.from({ length: 1024 }, () => MEMBER));
  return bomb;
}
const MEMBER = gzipSync(Buffer.alloc(1024 * 1024, 0x20), { level: 9 });

function listen(server: http.Server, sockets: Set<Socket>): Promise<void> {
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
}
