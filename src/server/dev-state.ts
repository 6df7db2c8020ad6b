// The bridge between the dev integration and the pages it serves. Astro loads the config
// (and so the integration) and the page components as separate module instances, so the
// token and target list travel through a global symbol. Only `astro dev` sets it: in a
// static build it is absent and components render the archive form, with no token.
//
// Who gets the token and the kubeconfig's contexts is decided by the socket the page was
// requested over, never by the Host header alone: a dev server started with `--host` is
// reachable from the network, and any client can send `Host: localhost`. The integration's
// middleware sees the Node request and records the verdict in the request's Astro locals;
// pages are prerendered, so `Astro.clientAddress` is not available to them.

import type { IncomingMessage } from 'node:http';
import { isLoopbackAddress, isLoopbackHostname } from './guard.ts';
import type { TargetOption, TargetSurvey } from './targets.ts';
import type { FixBlock } from '../engine/types.ts';

/** What pages need to run checks from this dev server. */
export interface DevRunnerState {
  /** The per-process token pages send back in the token header. */
  token: string;
  /** Site-relative path of the run endpoint. */
  endpoint: string;
  targets: TargetOption[];
  /** Every target as of now (kubeconfig contexts are re-read per page load); `targets` when absent. */
  listTargets?: () => Promise<TargetOption[]>;
  /** Every target as of now plus the kubeconfig's problem, if any; preferred over `listTargets`. */
  surveyTargets?: () => Promise<TargetSurvey>;
}

/** What a page may offer the client it is rendered for. */
export type DevRunnerAccess =
  /** A static build, or a page not served by `astro dev`: the archive form. */
  | { kind: 'static' }
  /** `astro dev`, but the client is not on this machine: a readable guide, no token, no targets. */
  | { kind: 'remote' }
  /** `astro dev` and a loopback client: run controls with the token and the targets. */
  | { kind: 'local'; state: DevRunnerState };

const KEY = Symbol.for('meshbook.dev-runner');
// Astro's own hand-off of per-request locals from a Node request to the render (adapters use it too).
const ASTRO_LOCALS = Symbol.for('astro.locals');
const CLIENT_IS_LOOPBACK = Symbol.for('meshbook.client-is-loopback');

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
 * Records on a dev-server request whether its socket comes from loopback, where the page
 * rendering it can read it (`Astro.locals`). Must run before Astro's own middleware.
 */
export function markClient(req: IncomingMessage): void {
  const existing: unknown = Reflect.get(req, ASTRO_LOCALS);
  const locals = typeof existing === 'object' && existing !== null ? existing : {};
  Reflect.set(locals, CLIENT_IS_LOOPBACK, isLoopbackAddress(req.socket.remoteAddress));
  Reflect.set(req, ASTRO_LOCALS, locals);
}

/**
 * What the page rendered for this request may carry. Local only when the socket is loopback
 * (recorded by markClient; an unmarked request counts as remote) and the page was asked for
 * by a loopback name: a DNS-rebound page (evil.example resolving to 127.0.0.1) comes over
 * loopback but must not read the token or the contexts either.
 */
export function devRunnerAccess(page: { url: URL; locals: object }): DevRunnerAccess {
  const state = getDevRunnerState();
  if (state === undefined) return { kind: 'static' };
  const loopbackSocket = Reflect.get(page.locals, CLIENT_IS_LOOPBACK) === true;
  return loopbackSocket && isLoopbackHostname(page.url.hostname) ? { kind: 'local', state } : { kind: 'remote' };
}

/** Draws one finding's fix blocks as HTML (Expressive Code, with the site's configuration). */
export type FixBlockRenderer = (blocks: readonly FixBlock[]) => Promise<string[]>;

const RENDERER = Symbol.for('meshbook.fix-block-renderer');

type WithRenderer = typeof globalThis & { [RENDERER]?: FixBlockRenderer };

/**
 * Offers the run endpoint the pages' code-block renderer. Expressive Code's configuration is a
 * Vite module, which the pages can load and the integration (plain Node) cannot, so the first
 * dev page with a runbook hands its renderer over; any run starts from such a page.
 */
export function offerFixBlockRenderer(render: FixBlockRenderer): void {
  if (getDevRunnerState() === undefined) return;
  (globalThis as WithRenderer)[RENDERER] = render;
}

/** The renderer a dev page offered, or undefined before any did (fix blocks are then drawn as plain text). */
export function fixBlockRenderer(): FixBlockRenderer | undefined {
  return (globalThis as WithRenderer)[RENDERER];
}
