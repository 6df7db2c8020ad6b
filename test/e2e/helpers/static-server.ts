// A static host for the built site: node:http on a free loopback port, files served as a
// static host serves them (src/publish/static-files.ts), 404.html for anything else.

import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { serveStatic } from '../../../src/publish/static-files.ts';

export interface StaticServer {
  origin: string;
  close(): Promise<void>;
}

/** Serves `root` on 127.0.0.1 until closed. */
export async function startStaticServer(root: string): Promise<StaticServer> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    serveStatic(root, path, req, res)
      .then(async (served) => {
        if (served) return;
        const body = await readFile(join(root, '404.html')).catch(() => Buffer.from('Not found\n'));
        res.writeHead(404, { 'Content-Type': 'text/html; charset=utf-8' }).end(body);
      })
      .catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('static server has no address');
  return {
    origin: `http://127.0.0.1:${address.port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
