// One request to a dev-server endpoint as the page sends it (loopback, Host and Origin of the
// dev server, the run token). node:http, not fetch: fetch will not set the Host and Origin
// headers the guard checks.

import { request, type IncomingHttpHeaders } from 'node:http';
import type { RunStreamEvent } from '../../../src/server/run-events.ts';

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface PostOptions {
  token: string;
  /** Headers added to (or replacing) the page's. */
  headers?: Record<string, string>;
  method?: string;
  signal?: AbortSignal;
}

/** Sends `body` to `path` on 127.0.0.1:`port` and returns the whole answer. */
export function postLocal(port: number, path: string, body: string, options: PostOptions): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'POST',
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        headers: {
          Host: `localhost:${port}`,
          Origin: `http://localhost:${port}`,
          'X-Meshbook-Token': options.token,
          'Content-Type': 'application/json',
          ...options.headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The NDJSON events of a run's answer. */
export function streamEvents(body: string): RunStreamEvent[] {
  return body
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as RunStreamEvent);
}
