// A fake Kubernetes API server on 127.0.0.1 for the live source's tests: discovery
// (aggregated or legacy), paginated LISTs, PartialObjectMetadataList for metadata-only
// requests, /version, access reviews, a service proxy, and faults per resource (403, 404,
// 500, hang, connection close, slow, expired continue token). It records every request.

import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';
import { gzipSync } from 'node:zlib';

export type Fault = 'forbidden' | 'notfound' | 'error' | 'hang' | 'close' | 'unauthorized' | 'expire-once' | { slowMs: number };

export interface FakeResource {
  group: string;
  /** Versions served, preferred first. */
  versions: string[];
  plural: string;
  kind: string;
  namespaced: boolean;
  items: Record<string, unknown>[];
}

export interface FakeOptions {
  resources: FakeResource[];
  /** Serve aggregated discovery (default) or only the legacy APIGroupList. */
  discovery?: 'aggregated' | 'legacy';
  /** Faults by plural (applies to LISTs of that resource), by 'discovery' (/api, /apis and /version), 'version' (/version only) or 'apis' (/apis only). */
  faults?: Record<string, Fault>;
  /** Answer metadata-only requests with full objects, as a misbehaving proxy might. */
  ignoreMetadataAccept?: boolean;
  /** TLS key and certificate: serve https. */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /**
   * What a proxied backend answers, by `<services|pods>/<ns>/<name[:port]><path>` (e.g.
   * `pods/istio-system/istiod-1:15014/debug/syncz`); unlisted paths get the default echo; 'hang' never answers.
   */
  proxyAnswers?: Record<string, { status: number; body: string } | 'hang'>;
  /** Gzip JSON answers to clients that accept it, as kube-apiserver does; 'corrupt' sends bytes that are not gzip. */
  gzip?: boolean | 'corrupt';
}

export interface SeenRequest {
  method: string;
  url: string;
  accept: string;
  authorization: string;
  userAgent: string;
  body: string;
}

export interface FakeApiServer {
  url: string;
  port: number;
  requests: SeenRequest[];
  faults: Record<string, Fault>;
  /** Requests whose connection the client closed before an answer. */
  abandoned: number;
  kubeconfig(extra?: { user?: Record<string, unknown>; cluster?: Record<string, unknown>; context?: string }): string;
  close(): Promise<void>;
}

/** Starts the fake server on an ephemeral loopback port. */
export async function startFakeApiServer(options: FakeOptions): Promise<FakeApiServer> {
  const faults: Record<string, Fault> = { ...(options.faults ?? {}) };
  const requests: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  const expired = new Set<string>();
  const state = { abandoned: 0 };

  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const seen: SeenRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        accept: String(req.headers.accept ?? ''),
        authorization: String(req.headers.authorization ?? ''),
        userAgent: String(req.headers['user-agent'] ?? ''),
        body,
      };
      requests.push(seen);
      res.on('close', () => {
        if (!res.writableFinished) state.abandoned++;
      });
      route(seen, req, res);
    });
  };

  const send = (res: http.ServerResponse, status: number, value: unknown): void => {
    const text = JSON.stringify(value);
    if (options.gzip !== undefined && options.gzip !== false && /\bgzip\b/.test(String(res.req.headers['accept-encoding'] ?? ''))) {
      const bytes = options.gzip === 'corrupt' ? Buffer.from('not gzip at all') : gzipSync(text);
      res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip', 'Content-Length': bytes.length });
      res.end(bytes);
      return;
    }
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  };
  const status = (res: http.ServerResponse, code: number, reason: string, message: string): void =>
    send(res, code, { kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason, code });

  const applyFault = (fault: Fault | undefined, res: http.ServerResponse, req: http.IncomingMessage, what: string): boolean => {
    if (fault === undefined) return false;
    if (fault === 'forbidden') status(res, 403, 'Forbidden', `${what} is forbidden: User "viewer" cannot list resource`);
    else if (fault === 'unauthorized') status(res, 401, 'Unauthorized', 'Unauthorized');
    else if (fault === 'notfound') status(res, 404, 'NotFound', 'the server could not find the requested resource');
    else if (fault === 'error') status(res, 500, 'InternalError', `etcdserver: request timed out while listing ${what}`);
    else if (fault === 'hang') return true;
    else if (fault === 'close') req.socket.destroy();
    else if (fault === 'expire-once') return false;
    else return false;
    return true;
  };

  const route = (seen: SeenRequest, req: http.IncomingMessage, res: http.ServerResponse): void => {
    const url = new URL(seen.url, 'http://fake');
    const path = url.pathname;
    if (path === '/version') {
      if (applyFault(faults.version ?? faults.discovery, res, req, 'version')) return;
      send(res, 200, { major: '1', minor: '31', gitVersion: 'v1.31.0-fake', platform: 'linux/amd64' });
      return;
    }
    if (path === '/apis' || path === '/api') {
      if (applyFault((path === '/apis' ? faults.apis : undefined) ?? faults.discovery, res, req, 'discovery')) return;
      const slow = faults.discovery;
      const answer = (): void =>
        path === '/api' ? send(res, 200, { kind: 'APIVersions', versions: ['v1'] }) : discovery(res, seen.accept);
      if (typeof slow === 'object') setTimeout(answer, slow.slowMs);
      else answer();
      return;
    }
    if (seen.method === 'POST' && /^\/apis\/authorization\.k8s\.io\/v1\/(self)?subjectaccessreviews$/.test(path)) {
      const review = JSON.parse(seen.body) as { kind: string; spec: { resourceAttributes?: { resource?: string } } };
      const allowed = review.spec.resourceAttributes?.resource !== 'secrets';
      send(res, 201, { ...review, status: { allowed, reason: allowed ? 'fake allows' : 'fake denies secrets' } });
      return;
    }
    const proxy = /^\/api\/v1\/namespaces\/([^/]+)\/(services|pods)\/([^/]+)\/proxy(\/.*)$/.exec(path);
    if (proxy !== null && seen.method === 'GET') {
      const configured = options.proxyAnswers?.[`${proxy[2]}/${proxy[1]}/${proxy[3]}${proxy[4]}`];
      // A backend that never answers (a firewall dropping the API server's packets): hold the request open.
      if (configured === 'hang') return;
      if (configured !== undefined) {
        res.writeHead(configured.status, { 'Content-Type': 'application/json' });
        res.end(configured.body);
        return;
      }
      proxy.splice(2, 1);
      if (proxy[3] === '/missing') return status(res, 404, 'NotFound', 'backend 404');
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end(`proxied ${proxy[1]}/${proxy[2]} ${proxy[3]}${url.search}`);
      return;
    }
    const gv = /^\/apis\/([^/]+)\/([^/]+)$/.exec(path);
    if (gv !== null && seen.method === 'GET') {
      const [, group, version] = gv;
      const served = options.resources.filter((r) => r.group === group && r.versions.includes(version!));
      if (served.length === 0) return status(res, 404, 'NotFound', 'the server could not find the requested resource');
      send(res, 200, {
        kind: 'APIResourceList',
        groupVersion: `${group}/${version}`,
        resources: served.map((r) => ({ name: r.plural, kind: r.kind, namespaced: r.namespaced, verbs: ['get', 'list', 'watch'] })),
      });
      return;
    }
    const list = /^\/(?:api\/([^/]+)|apis\/([^/]+)\/([^/]+))(?:\/namespaces\/([^/]+))?\/([^/]+)$/.exec(path);
    if (list !== null && seen.method === 'GET') {
      const group = list[1] !== undefined ? '' : list[2]!;
      const version = list[1] ?? list[3]!;
      const ns = list[4];
      const plural = list[5]!;
      const resource = options.resources.find((r) => r.group === group && r.plural === plural && r.versions.includes(version));
      if (resource === undefined) return status(res, 404, 'NotFound', 'the server could not find the requested resource');
      const fault = faults[plural];
      if (applyFault(fault, res, req, `${plural}${group === '' ? '' : `.${group}`}`)) return;
      const cont = url.searchParams.get('continue');
      if (fault === 'expire-once' && cont !== null && !expired.has(plural)) {
        expired.add(plural);
        return status(res, 410, 'Expired', 'The provided continue parameter is too old to display a consistent list result.');
      }
      const answer = (): void => {
        const all = resource.items.filter((i) => ns === undefined || (i.metadata as { namespace?: string }).namespace === ns);
        const limit = Number(url.searchParams.get('limit') ?? '0');
        const offset = cont === null ? 0 : Number(Buffer.from(cont, 'base64url').toString());
        const page = limit > 0 ? all.slice(offset, offset + limit) : all.slice(offset);
        const more = limit > 0 && offset + limit < all.length;
        const meta: Record<string, unknown> = { resourceVersion: '42' };
        if (more) meta.continue = Buffer.from(String(offset + limit)).toString('base64url');
        const partial = seen.accept.includes('as=PartialObjectMetadataList') && options.ignoreMetadataAccept !== true;
        if (partial) {
          send(res, 200, {
            kind: 'PartialObjectMetadataList',
            apiVersion: 'meta.k8s.io/v1',
            metadata: meta,
            // A real API server sends a nil slice (null) for an empty PartialObjectMetadataList.
            items:
              page.length === 0
                ? null
                : page.map((i) => ({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: i.metadata })),
          });
        } else {
          // LIST items carry no apiVersion/kind, as on a real API server.
          send(res, 200, {
            kind: `${resource.kind}List`,
            apiVersion: group === '' ? version : `${group}/${version}`,
            metadata: meta,
            items: page.map(({ apiVersion: _a, kind: _k, ...rest }) => rest),
          });
        }
      };
      if (typeof fault === 'object') setTimeout(answer, fault.slowMs);
      else answer();
      return;
    }
    status(res, 404, 'NotFound', `fake: no route for ${seen.method} ${path}`);
  };

  const discovery = (res: http.ServerResponse, accept: string): void => {
    const groups = new Map<string, FakeResource[]>();
    for (const r of options.resources) if (r.group !== '') groups.set(r.group, [...(groups.get(r.group) ?? []), r]);
    if (options.discovery !== 'legacy' && accept.includes('as=APIGroupDiscoveryList')) {
      send(res, 200, {
        kind: 'APIGroupDiscoveryList',
        apiVersion: 'apidiscovery.k8s.io/v2',
        metadata: {},
        items: [...groups].map(([name, rs]) => ({
          metadata: { name },
          versions: [...new Set(rs.flatMap((r) => r.versions))].map((version) => ({
            version,
            freshness: 'Current',
            resources: rs
              .filter((r) => r.versions.includes(version))
              .map((r) => ({
                resource: r.plural,
                responseKind: { group: name, version, kind: r.kind },
                scope: r.namespaced ? 'Namespaced' : 'Cluster',
                verbs: ['get', 'list'],
              })),
          })),
        })),
      });
      return;
    }
    send(res, 200, {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: [...groups].map(([name, rs]) => {
        const versions = [...new Set(rs.flatMap((r) => r.versions))];
        return {
          name,
          versions: versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v })),
          preferredVersion: { groupVersion: `${name}/${versions[0]}`, version: versions[0] },
        };
      }),
    });
  };

  const server =
    options.tls === undefined ? http.createServer(handler) : https.createServer({ key: options.tls.key, cert: options.tls.cert }, handler);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('secureConnection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('tlsClientError', () => {
    // A client that refuses our certificate: expected in the TLS test.
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const scheme = options.tls === undefined ? 'http' : 'https';
  const url = `${scheme}://127.0.0.1:${port}`;

  return {
    url,
    port,
    requests,
    faults,
    get abandoned() {
      return state.abandoned;
    },
    kubeconfig(extra = {}) {
      const cluster = { server: url, ...(scheme === 'http' ? { 'insecure-skip-tls-verify': true } : {}), ...(extra.cluster ?? {}) };
      const context = extra.context ?? 'fake';
      return JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'fake-cluster', cluster }],
        users: [{ name: 'fake-user', user: extra.user ?? { token: 'fake-token' } }],
        contexts: [{ name: context, context: { cluster: 'fake-cluster', user: 'fake-user' } }],
        'current-context': context,
      });
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** `n` objects of a kind in a namespace, named `${prefix}-${i}`. */
export function makeItems(
  apiVersion: string,
  kind: string,
  n: number,
  namespace?: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => ({
    apiVersion,
    kind,
    metadata: {
      name: `${kind.toLowerCase()}-${i}`,
      ...(namespace === undefined ? {} : { namespace }),
      uid: `uid-${kind}-${i}`,
      managedFields: [{ manager: 'kubectl' }],
    },
    ...extra,
  }));
}
