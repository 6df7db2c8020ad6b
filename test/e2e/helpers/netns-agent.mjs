// Runs inside a test's network namespace and makes HTTP requests for the test process, which
// cannot reach into the namespace itself. One JSON request per stdin line, one JSON reply
// per stdout line: {id, host, port, path, method, headers, body, localAddress} →
// {id, status, headers, body} or {id, error}. node:http, so a forged Host header is sent as is.

import { request } from 'node:http';
import { createInterface } from 'node:readline';

const reply = (value) => process.stdout.write(`${JSON.stringify(value)}\n`);

createInterface({ input: process.stdin }).on('line', (line) => {
  let spec;
  try {
    spec = JSON.parse(line);
  } catch (error) {
    reply({ id: null, error: `not JSON: ${error.message}` });
    return;
  }
  const req = request(
    {
      host: spec.host,
      port: spec.port,
      path: spec.path,
      method: spec.method ?? 'GET',
      headers: spec.headers ?? {},
      ...(spec.localAddress === undefined ? {} : { localAddress: spec.localAddress }),
      timeout: 30_000,
    },
    (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => reply({ id: spec.id, status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', (error) => reply({ id: spec.id, error: error.message }));
    },
  );
  req.on('timeout', () => req.destroy(new Error('timed out')));
  req.on('error', (error) => reply({ id: spec.id, error: error.message }));
  req.end(spec.body ?? '');
});
// Ready: the namespace exists and its addresses are up.
reply({ id: 'ready' });
