import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CHECKS } from '../../runbooks/index.ts';
import { createRunEndpoint } from '../../src/server/run-endpoint.ts';
import type { TargetRegistry } from '../../src/server/targets.ts';

/** The token the page would send; long enough for the endpoint's own length rule. */
export const TOKEN = 'test-token-0123456789abcdefghijklmnopqrstuvwxyz';

export interface RunEndpointServer {
  port: number;
  close(): void;
}

/** Serves the run endpoint over every check and these targets on a free loopback port, logging nothing. */
export async function startRunEndpoint(targets: TargetRegistry): Promise<RunEndpointServer> {
  const handler = createRunEndpoint({ token: TOKEN, checks: CHECKS, targets, log: { info: () => {}, warn: () => {} } });
  const server: Server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, close: () => server.close() };
}
