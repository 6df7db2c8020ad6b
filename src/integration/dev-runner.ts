// The dev-server run endpoint as an Astro integration. It exists only under `astro dev`:
// the static build gets no endpoint, no token and no runner script. The endpoint itself
// lives in src/server/; this module only wires it into Vite's connect stack, marks each
// request with whether its client is on this machine (pages decide from that whether they
// carry the token), sends the anti-framing headers, and loads the page island.

import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AstroIntegration } from 'astro';
import { z } from 'astro/zod';
import { CHECKS } from '../../runbooks/index.ts';
import { createToken, isLoopbackAddress } from '../server/guard.ts';
import { createRunEndpoint, DEFAULT_LIMITS, limitsFromEnv } from '../server/run-endpoint.ts';
import { RUN_ENDPOINT } from '../server/run-events.ts';
import { createExplainEndpoint, EXPLAIN_ENDPOINT } from '../server/explain-endpoint.ts';
import { devTargets } from '../server/targets.ts';
import { markClient, setDevRunnerState } from '../server/dev-state.ts';
import { parseWithFriendlyErrors } from '../site/validation.ts';
import { loadPolicy } from '../site/project-config.ts';

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

// No other site may frame a dev page: a framed page's "Run" buttons could be clicked by a
// user who thinks they click something else. Both headers, for browsers that predate CSP 2.
const FRAME_HEADERS = {
  'Content-Security-Policy': "frame-ancestors 'self'",
  'X-Frame-Options': 'DENY',
} as const;

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
        const targets = devTargets({ root, env: process.env, log: logger });
        // Snapshots are fixed for the server's life; kubeconfig contexts are read per page load.
        setDevRunnerState({
          token,
          endpoint: RUN_ENDPOINT,
          targets: [],
          listTargets: async () => targets.list(),
          surveyTargets: async () => (await targets.survey?.()) ?? { targets: await targets.list() },
        });
        // Read the kubeconfig once now, so a malformed one is reported in the terminal at startup.
        void targets.survey?.().catch((error: unknown) => logger.warn(`Reading the kubeconfig failed: ${(error as Error).message}`));
        const endpoint = createRunEndpoint({
          token,
          checks: CHECKS,
          targets,
          limits: { maxConcurrentRuns: options.maxConcurrentRuns, runDeadlineMs: options.runDeadlineMs, ...limitsFromEnv(process.env) },
          log: logger,
          // The project's meshbook.yaml, as `npx meshbook check` run from the root reads it.
          findingPolicy: () => loadPolicy({ cwd: root, suppress: [], today: new Date().toISOString().slice(0, 10) }),
        });
        const explain = createExplainEndpoint({ token, targets, log: logger });
        const handle = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void): void => {
          markClient(req);
          for (const [name, value] of Object.entries(FRAME_HEADERS)) res.setHeader(name, value);
          const path = pathOf(req.url);
          if (path !== PREFIX && !path.startsWith(`${PREFIX}/`)) return next();
          if (path === EXPLAIN_ENDPOINT) {
            explain(req, res).catch((error: unknown) => {
              logger.error(`explain endpoint failed: ${(error as Error).stack ?? String(error)}`);
              if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
              res.end();
            });
            return;
          }
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
        // First in the stack, ahead of Vite's own middlewares (CORS, host check, transforms) and
        // Astro's page rendering: every request is marked and gets the frame headers before
        // anything answers it, and nothing else ever answers or decorates a request to this path.
        server.middlewares.stack.unshift({ route: '', handle });
      },
      'astro:server:start': ({ address, logger }) => {
        if (!isLoopbackAddress(address.address)) {
          logger.warn(
            `The dev server listens on ${address.address}, beyond loopback. Runbooks run only for loopback clients (a browser on this machine): ` +
              'pages served to other machines carry no run token and no kubeconfig contexts, and the run endpoint refuses them (403).',
          );
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
