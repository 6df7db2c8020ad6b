// Guards for the dev server's run endpoint. The dev server acts with the user's cluster
// credentials, so a request must prove it comes from a page this process served, over
// loopback: Host and Origin defeat DNS rebinding and cross-site requests, the token proves
// the page was served by us, and POST + application/json keeps HTML forms and "simple"
// cross-site requests out (they cannot set a JSON content type or a custom header).
// Everything here is pure so it can be tested without a server.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** The request facts the guards look at. */
export interface GuardInput {
  method: string | undefined;
  /** The socket's remote address, as Node reports it (`::ffff:127.0.0.1` on dual-stack). */
  remoteAddress: string | undefined;
  /** The port this server accepted the request on. */
  localPort: number | undefined;
  /** True when the request came over TLS (dev server with `https`). */
  encrypted: boolean;
  host: string | undefined;
  origin: string | undefined;
  token: string | undefined;
  contentType: string | undefined;
  contentLength: string | undefined;
}

export type GuardVerdict =
  { ok: true } | { ok: false; status: 400 | 403 | 405 | 413 | 415; reason: string; headers?: Record<string, string> };

export interface GuardOptions {
  /** The per-process token the pages carry. */
  token: string;
  /** Largest accepted body, bytes. */
  maxBodyBytes: number;
}

/** The header a page sends its token in. Custom, so a cross-site request needs a preflight we never grant. */
export const TOKEN_HEADER = 'x-meshbook-token';

/** A fresh per-process token: 256 random bits, URL-safe. */
export function createToken(): string {
  return randomBytes(32).toString('base64url');
}

/** True for loopback socket addresses: 127.0.0.0/8, ::1, and their IPv4-mapped forms. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const a = address.toLowerCase();
  if (a === '::1' || a === '0:0:0:0:0:0:0:1') return true;
  const v4 = a.startsWith('::ffff:') ? a.slice('::ffff:'.length) : a;
  const parts = v4.split('.');
  if (parts.length !== 4 || parts[0] !== '127') return false;
  return parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/** True for the loopback names a page may be served under (`URL.hostname` form, IPv6 bracketed). */
export function isLoopbackHostname(hostname: string): boolean {
  return LOOPBACK_NAMES.includes(hostname.toLowerCase());
}

/**
 * True when a Host header names this server by a loopback name and the port it listens on.
 * A DNS-rebound page (evil.example resolving to 127.0.0.1) sends its own name as Host.
 */
export function isLoopbackHost(host: string | undefined, port: number | undefined, encrypted = false): boolean {
  if (host === undefined || port === undefined) return false;
  const h = host.toLowerCase();
  const defaultPort = encrypted ? 443 : 80;
  return LOOPBACK_NAMES.some((name) => h === `${name}:${port}` || (port === defaultPort && h === name));
}

/** The origin a page served under `host` has; the only Origin a run request may carry. */
export function servedOrigin(host: string, encrypted: boolean): string {
  return `${encrypted ? 'https' : 'http'}://${host.toLowerCase()}`;
}

/** Compares two tokens in constant time (hashed first, so lengths leak nothing either). */
export function tokensEqual(received: string | undefined, expected: string): boolean {
  if (received === undefined || received === '') return false;
  const a = createHash('sha256').update(received).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** True for `application/json`, with or without parameters such as charset. */
export function isJsonContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const [type] = contentType.split(';');
  return type?.trim().toLowerCase() === 'application/json';
}

/**
 * Decides whether a run request may proceed, in a fixed order: where it comes from
 * (socket, Host), the method, who sent it (Origin, token), then its shape (type, size).
 * The first failing guard answers; a refused request never reaches the runner.
 */
export function guardRunRequest(req: GuardInput, options: GuardOptions): GuardVerdict {
  if (!isLoopbackAddress(req.remoteAddress)) {
    return {
      ok: false,
      status: 403,
      reason: `requests are accepted from loopback only, not from ${JSON.stringify(req.remoteAddress ?? '')}`,
    };
  }
  if (req.host === undefined || !isLoopbackHost(req.host, req.localPort, req.encrypted)) {
    return {
      ok: false,
      status: 403,
      reason: `Host must name this server on loopback (localhost, 127.0.0.1 or [::1] with port ${req.localPort ?? '?'}), received ${JSON.stringify(req.host ?? '')}`,
    };
  }
  if (req.method !== 'POST') {
    return {
      ok: false,
      status: 405,
      reason: `only POST is allowed, received ${JSON.stringify(req.method ?? '')}`,
      headers: { Allow: 'POST' },
    };
  }
  const expectedOrigin = servedOrigin(req.host, req.encrypted);
  if (req.origin === undefined || req.origin !== expectedOrigin) {
    return { ok: false, status: 403, reason: `Origin must be ${expectedOrigin}, received ${JSON.stringify(req.origin ?? '')}` };
  }
  if (!tokensEqual(req.token, options.token)) {
    return {
      ok: false,
      status: 403,
      reason:
        req.token === undefined
          ? `missing ${TOKEN_HEADER} header`
          : `wrong ${TOKEN_HEADER}; reload the page (the dev server may have restarted)`,
    };
  }
  if (!isJsonContentType(req.contentType)) {
    return { ok: false, status: 415, reason: `Content-Type must be application/json, received ${JSON.stringify(req.contentType ?? '')}` };
  }
  if (req.contentLength !== undefined) {
    const length = Number(req.contentLength);
    if (!Number.isSafeInteger(length) || length < 0) {
      return { ok: false, status: 400, reason: `invalid Content-Length ${JSON.stringify(req.contentLength)}` };
    }
    if (length > options.maxBodyBytes) {
      return { ok: false, status: 413, reason: `body of ${length} bytes exceeds the ${options.maxBodyBytes}-byte limit` };
    }
  }
  return { ok: true };
}
