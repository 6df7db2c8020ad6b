// The dev server's explain endpoint: POST /__meshbook/explain with {target, fingerprint?, from,
// to} answers "why is this matrix cell blocked?" for the page, from the same target a run reads.
// Same guards as the run endpoint (loopback, Host, Origin, token, JSON, size); one explanation
// is a small JSON answer, computed on demand, so the run's results stay as they are.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'astro/zod';
import { InputError } from '../engine/source.ts';
import { EXPLAIN_KINDS, explainInput, explainQuery, type ExplainAnswer } from '../reachability/explain-query.ts';
import { guardRunRequest } from './guard.ts';
import { drain, guardInput, readBody, refuse, SAFE_HEADERS } from './run-endpoint.ts';
import { TargetConflict, type TargetRegistry } from './targets.ts';
import { parseWithFriendlyErrors } from '../site/validation.ts';

export const EXPLAIN_ENDPOINT = '/__meshbook/explain';

// The names as the matrix labels them: `namespace/workload` and `namespace/service:port`.
const ExplainRequestSchema = z
  .object({
    target: z.string().min(1).max(300),
    fingerprint: z.string().min(1).max(200).optional(),
    from: z.string().regex(/^[a-z0-9][-a-z0-9]{0,62}\/[a-z0-9][-a-z0-9.]{0,252}$/, 'NAMESPACE/WORKLOAD'),
    to: z.string().regex(/^[a-z0-9][-a-z0-9]{0,62}\/[a-z0-9][-a-z0-9]{0,62}:[a-z0-9][-a-z0-9]{0,14}$/, 'NAMESPACE/SERVICE:PORT'),
  })
  .strict();

/** What the page receives: the explanation, or why there is none (with the names that exist nearby). */
export type ExplainResponse = ExplainAnswer;

export interface ExplainEndpointOptions {
  token: string;
  targets: TargetRegistry;
  log: { warn(message: string): void };
  /** An explanation is stopped after this long, ms. */
  deadlineMs?: number;
}

const MAX_BODY = 4 * 1024;

/** Builds the request handler for POST /__meshbook/explain. */
export function createExplainEndpoint(options: ExplainEndpointOptions): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const verdict = guardRunRequest(guardInput(req), { token: options.token, maxBodyBytes: MAX_BODY });
    if (!verdict.ok) {
      refuse(res, verdict.status, verdict.reason, verdict.headers);
      options.log.warn(`refused ${req.method ?? '?'} ${req.url ?? ''}: ${verdict.status} ${verdict.reason}`);
      drain(req);
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(await readBody(req, MAX_BODY));
    } catch (error) {
      refuse(res, 400, `body is not JSON of at most ${MAX_BODY} bytes: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    const parsed = parseWithFriendlyErrors(ExplainRequestSchema, body, 'explain request');
    if (!parsed.ok) {
      refuse(res, 400, parsed.message);
      return;
    }
    const { target, fingerprint, from, to } = parsed.value;
    const known = new Set((await options.targets.list()).map((t) => t.id));
    if (!known.has(target)) {
      refuse(res, 400, `Unknown target ${JSON.stringify(target)}`);
      return;
    }
    let answer: ExplainAnswer;
    try {
      const source = await options.targets.open(target, fingerprint === undefined ? {} : { fingerprint });
      if (source === undefined) {
        refuse(res, 400, `Unknown target ${JSON.stringify(target)}`);
        return;
      }
      const snapshot = await source.gather(EXPLAIN_KINDS, { signal: AbortSignal.timeout(options.deadlineMs ?? 30_000) });
      const [fromNs, fromName] = from.split('/') as [string, string];
      const [toNs, rest] = to.split('/') as [string, string];
      const [service, port] = rest.split(':') as [string, string];
      answer = explainQuery(explainInput(snapshot), {
        from: { namespace: fromNs, name: fromName },
        to: { namespace: toNs, service, port },
      });
    } catch (error) {
      if (error instanceof TargetConflict) refuse(res, 409, error.message);
      else if (error instanceof InputError) refuse(res, 400, error.message);
      else refuse(res, 500, `The explanation failed: ${(error as Error).message}`);
      return;
    }
    const json = JSON.stringify(answer satisfies ExplainResponse);
    res.writeHead(200, {
      ...SAFE_HEADERS,
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': String(Buffer.byteLength(json)),
    });
    res.end(json);
  };
}
