// The bridge between the dev integration and the pages it serves. Astro loads the config
// (and so the integration) and the page components as separate module instances, so the
// token and target list travel through a global symbol. Only `astro dev` sets it: in a
// static build it is absent and components render the archive form, with no token.

import { isLoopbackHostname } from './guard.ts';
import type { TargetOption } from './targets.ts';

/** What pages need to run checks from this dev server. */
export interface DevRunnerState {
  /** The per-process token pages send back in the token header. */
  token: string;
  /** Site-relative path of the run endpoint. */
  endpoint: string;
  targets: TargetOption[];
  /** Every target as of now (kubeconfig contexts are re-read per page load); `targets` when absent. */
  listTargets?: () => Promise<TargetOption[]>;
}

const KEY = Symbol.for('meshbook.dev-runner');

type WithState = typeof globalThis & { [KEY]?: DevRunnerState };

/** Publishes the dev runner's state for pages rendered by this process. */
export function setDevRunnerState(state: DevRunnerState | undefined): void {
  (globalThis as WithState)[KEY] = state;
}

/** The dev runner's state, or undefined outside `astro dev`. */
export function getDevRunnerState(): DevRunnerState | undefined {
  return (globalThis as WithState)[KEY];
}

/**
 * The dev runner's state for a page requested at `url`, or undefined when the page was not
 * asked for by a loopback name (someone on the LAN of a `--host` dev server): the endpoint
 * would refuse them anyway, so they get neither the token nor run buttons.
 */
export function devRunnerStateFor(url: URL): DevRunnerState | undefined {
  const state = getDevRunnerState();
  return state !== undefined && isLoopbackHostname(url.hostname) ? state : undefined;
}
