// The dev-server run endpoint as an Astro integration. It exists only under `astro dev`:
// the static build gets no endpoint, no token and no runner script. The endpoint itself
// lives in src/server/; this module only wires it into Vite's connect stack and loads the
// page island.

import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AstroIntegration } from 'astro';
import { z } from 'astro/zod';
import { CHECKS } from '../../runbooks/index.ts';
import { createToken, isLoopbackAddress } from '../server/guard.ts';
import { createRunEndpoint, DEFAULT_LIMITS } from '../server/run-endpoint.ts';
import { RUN_ENDPOINT } from '../server/run-events.ts';
import { devTargets } from '../server/targets.ts';
import { setDevRunnerState } from '../server/dev-state.ts';
import { parseWithFriendlyErrors } from '../server/validation.ts';

const OptionsSchema = z
  .object({
    /** Runs allowed at once. @example 2 */
    maxConcurrentRuns: z.number().int().min(1).max(16).default(DEFAULT_LIMITS.maxConcurrentRuns),
    /** A run is stopped after this many ms. @example 60000 */
    runDeadlineMs: z.number().int().min(1_000).max(600_000).default(DEFAULT_LIMITS.runDeadlineMs),
  })
  .strict()
  .default({ maxConcurrentRuns: DEFAULT_LIMITS.maxConcurrentRuns, runDeadlineMs: DEFAULT_LIMITS.runDeadlineMs });

export type DevRunnerOptions = z.input<typeof OptionsSchema>;

const PREFIX = '/__meshbook';

/** The custom elements that run checks from the page, relative to the project root. */
const ISLAND = 'src/components/runbook-run.ts';

/** The integration that serves POST /__meshbook/run from `astro dev`. */
export function meshbookDevRunner(userOptions?: DevRunnerOptions): AstroIntegration {
  const parsed = parseWithFriendlyErrors(OptionsSchema, userOptions, 'meshbookDevRunner options');
  if (!parsed.ok) throw new Error(parsed.message);
  const options = parsed.value;
  let root = process.cwd();

  return {
    name: 'meshbook:dev-runner',
    hooks: {
      'astro:config:setup': ({ command, config, updateConfig, injectScript }) => {
        root = fileURLToPath(config.root);
        // A build must never carry a token, even if a dev server ran in this process before.
        if (command !== 'dev') {
          setDevRunnerState(undefined);
          return;
        }
        // The runbook island, on dev pages only: the static build ships no runner code at all.
        injectScript('page', `import ${JSON.stringify(join(root, ISLAND))};`);
        // Vite's default CORS policy lets any localhost origin read dev responses, pages
        // included, and pages carry the token. Same-origin is all this site needs.
        updateConfig({ vite: { server: { cors: false } } });
      },
      'astro:server:setup': ({ server, logger }) => {
        const token = createToken();
        const targets = devTargets({ root, env: process.env });
        // Snapshots are fixed for the server's life; kubeconfig contexts are read per page load.
        setDevRunnerState({ token, endpoint: RUN_ENDPOINT, targets: [], listTargets: async () => targets.list() });
        const endpoint = createRunEndpoint({
          token,
          checks: CHECKS,
          targets,
          limits: { maxConcurrentRuns: options.maxConcurrentRuns, runDeadlineMs: options.runDeadlineMs },
          log: logger,
        });
        const handle = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void): void => {
          const path = pathOf(req.url);
          if (path !== PREFIX && !path.startsWith(`${PREFIX}/`)) return next();
          if (path !== RUN_ENDPOINT) {
            res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' }).end('Not found\n');
            return;
          }
          endpoint(req, res).catch((error: unknown) => {
            logger.error(`run endpoint failed: ${(error as Error).stack ?? String(error)}`);
            if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
            res.end();
          });
        };
        // First in the stack, ahead of Vite's own middlewares (CORS, host check, transforms),
        // so nothing else ever answers or decorates a request to this path.
        server.middlewares.stack.unshift({ route: '', handle });
      },
      'astro:server:start': ({ address, logger }) => {
        if (!isLoopbackAddress(address.address)) {
          logger.warn(`The dev server listens on ${address.address}; the run endpoint still only answers loopback clients.`);
        }
      },
      'astro:server:done': () => {
        setDevRunnerState(undefined);
      },
    },
  };
}

// The request path without query string; '' when it cannot be parsed.
function pathOf(url: string | undefined): string {
  try {
    return new URL(url ?? '', 'http://localhost').pathname;
  } catch {
    return '';
  }
}
