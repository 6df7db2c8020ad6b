// The registry of checks. Every file under runbooks/<area>/ is listed here once;
// test/meta.test.ts fails when a file is missing from this list.

import type { Check } from '../src/engine/check.ts';
import gatewayPorts from './gateways/gateway-ports.ts';

export const CHECKS: readonly Check[] = [gatewayPorts];

const byId = new Map(CHECKS.map((c) => [c.id, c]));

/** A check by id, or undefined. */
export function getCheck(id: string): Check | undefined {
  return byId.get(id);
}
