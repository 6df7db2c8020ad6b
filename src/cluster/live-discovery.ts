// API discovery for the live source: which version of each kind the cluster serves (Istio
// at v1, v1beta1 or v1alpha3; Gateway API present or not). One request when the server
// supports aggregated discovery (Kubernetes 1.26+, GA in 1.30); otherwise the group list
// plus one request per CRD group-version a run needs. Core (v1) kinds need no discovery.
// Before any of it, the server proves it is a Kubernetes API server (/version and /api):
// "not installed" is a claim only a real API server's discovery can make.

import { KINDS, resourceName, type KindId, type KindInfo } from '../k8s/kinds.ts';
import type { GatherProblem } from '../engine/snapshot.ts';
import { KubeRequestError, escapeText, type KubeReader } from './kube-http.ts';
import { SourceUnavailableError, type SourceProblemReason } from '../engine/source.ts';

/** What GET /version said: the proof (with /api) that the server is a Kubernetes API server. */
export interface ServerVersion {
  major: string;
  minor: string;
  gitVersion: string;
}

/**
 * Proves the server is a Kubernetes API server before anything is read from it: GET /version
 * answers JSON with string major/minor/gitVersion, and GET /api an APIVersions whose versions
 * include v1. Throws SourceUnavailableError (not-kubernetes, unreachable, unauthorized, …).
 * A 403 on /version alone is tolerated (it is readable by every user through
 * system:public-info-viewer unless a cluster removed that binding); /api must still answer.
 */
export async function proveKubernetes(reader: KubeReader, signal: AbortSignal, contextName: string): Promise<ServerVersion | undefined> {
  const [version, api] = await Promise.allSettled([reader.get('/version', { signal }), reader.get('/api', { signal })]);
  signal.throwIfAborted();
  const failures = [version, api].flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  for (const f of failures) if (!(f instanceof KubeRequestError)) throw f;
  const errors = failures as KubeRequestError[];
  // The transport and the credentials first: they explain everything else.
  for (const reason of ['tls', 'unreachable', 'timeout', 'unauthorized'] as const) {
    const e = errors.find((x) => x.reason === reason);
    if (e !== undefined) throw new SourceUnavailableError(reason, e.message, { cause: e });
  }
  // Credentials that could not even be prepared (an exec plugin missing or failing): nothing was asked of the server.
  const credentials = errors.find((x) => x.reason === 'invalid' && x.status === undefined && x.answer === undefined);
  if (credentials !== undefined) throw new SourceUnavailableError('invalid', credentials.message, { cause: credentials });
  const server = reader.server;
  const notK8s: string[] = [];
  let proven: ServerVersion | undefined;
  if (version.status === 'fulfilled') {
    const v = version.value;
    if (isRecord(v) && typeof v.major === 'string' && typeof v.minor === 'string' && typeof v.gitVersion === 'string')
      proven = { major: v.major, minor: v.minor, gitVersion: v.gitVersion };
    else notK8s.push(`GET /version answered JSON of another shape (${shapeOf(v)}), not a version with major, minor and gitVersion`);
  } else if (!(version.reason instanceof KubeRequestError && version.reason.reason === 'forbidden')) {
    notK8s.push(describeAnswer('/version', version.reason as KubeRequestError));
  }
  let apiForbidden: KubeRequestError | undefined;
  if (api.status === 'fulfilled') {
    const a = api.value;
    const ok = isRecord(a) && (a.kind === undefined || a.kind === 'APIVersions') && Array.isArray(a.versions) && a.versions.includes('v1');
    if (!ok) notK8s.push(`GET /api answered JSON of another shape (${shapeOf(a)}), not an APIVersions listing v1`);
  } else if (api.reason instanceof KubeRequestError && api.reason.reason === 'forbidden' && notK8s.length === 0) {
    apiForbidden = api.reason;
  } else {
    notK8s.push(describeAnswer('/api', api.reason as KubeRequestError));
  }
  const serverErrors = errors.filter((e) => e.reason === 'server-error');
  if (notK8s.length > 0 && serverErrors.length === errors.length && errors.length > 0) {
    throw new SourceUnavailableError('server-error', serverErrors[0]!.message, { cause: serverErrors[0] });
  }
  if (notK8s.length > 0) {
    throw new SourceUnavailableError(
      'not-kubernetes',
      `The server at ${server} (context "${contextName}") is not a Kubernetes API server: ${notK8s.join('; ')}. Check the server URL (scheme, host and port) of the context's cluster in the kubeconfig; nothing was read.`,
    );
  }
  if (apiForbidden !== undefined) {
    throw new SourceUnavailableError(
      'forbidden',
      `The API server at ${server} refused to list its API versions to user "${reader.context.user}" (GET /api: 403 Forbidden): the user cannot read discovery (normally granted to every authenticated user by system:discovery); nothing was read.`,
      { cause: apiForbidden },
    );
  }
  return proven;
}

/** What a failed discovery request says about the whole source. */
export function sourceProblemOf(error: KubeRequestError, path: string, server: string): SourceUnavailableError {
  const reason: SourceProblemReason =
    error.reason === 'not-found' || error.reason === 'invalid' || error.reason === 'not-installed'
      ? 'not-kubernetes'
      : error.reason === 'expired'
        ? 'server-error'
        : error.reason;
  const message =
    reason === 'not-kubernetes'
      ? `The server at ${server} does not answer API discovery as a Kubernetes API server does: ${describeAnswer(path, error)}; nothing was read.`
      : error.message;
  return new SourceUnavailableError(reason, message, { cause: error });
}

function describeAnswer(path: string, error: KubeRequestError): string {
  const a = error.answer;
  if (a === undefined) return `GET ${path} failed: ${error.message}`;
  const redirect = a.location === undefined ? '' : `, a redirect to ${a.location} (not followed)`;
  const type = a.contentType === '' ? 'no content-type' : escapeText(a.contentType, 60, false);
  return `GET ${path} answered ${a.status} (${type}${redirect}): ${a.excerpt === '""' ? 'an empty body' : a.excerpt}`;
}

// A bounded description of a JSON value: its type, or an object's first keys.
function shapeOf(value: unknown): string {
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (!isRecord(value)) return value === null ? 'null' : `a ${typeof value}`;
  const keys = Object.keys(value);
  if (keys.length === 0) return 'an empty object';
  return `an object with keys ${keys
    .slice(0, 5)
    .map((k) => escapeText(k, 40))
    .join(', ')}${keys.length > 5 ? ', …' : ''}`;
}

// Aggregated discovery (v2, then v2beta1), falling back to the legacy APIGroupList.
const AGGREGATED_ACCEPT = [
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
  'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList',
  'application/json',
].join(',');

// Built-in groups: a served group-version always has our resources, no per-version request needed.
const BUILTIN_GROUPS = new Set([
  '',
  'apps',
  'discovery.k8s.io',
  'networking.k8s.io',
  'rbac.authorization.k8s.io',
  'admissionregistration.k8s.io',
  'apiextensions.k8s.io',
]);

/** What to read for a kind: the version to LIST, or why it cannot be read. */
export type KindPlan = { version: string } | { problem: GatherProblem };

/** What the API server serves: per group, its versions (preferred first) and, where known, each version's resources. */
export class DiscoveryState {
  readonly #groups: Map<string, string[]>;
  /** `group/version` → resource plurals served (only for group-versions we know the resources of). */
  readonly #resources: Map<string, Set<string>>;
  readonly #failed = new Map<string, KubeRequestError>();
  readonly aggregated: boolean;

  constructor(groups: Map<string, string[]>, resources: Map<string, Set<string>>, aggregated: boolean) {
    this.#groups = groups;
    this.#resources = resources;
    this.aggregated = aggregated;
  }

  /** Chooses each kind's version, fetching a CRD group-version's resources when not known yet. */
  async plan(kinds: readonly KindId[], reader: KubeReader, signal: AbortSignal): Promise<Map<KindId, KindPlan>> {
    const plans = new Map<KindId, KindPlan>();
    for (const kind of kinds) plans.set(kind, await this.#planOne(kind, reader, signal));
    return plans;
  }

  async #planOne(id: KindId, reader: KubeReader, signal: AbortSignal): Promise<KindPlan> {
    const info: KindInfo = KINDS[id];
    if (info.group === '') return { version: info.versions[0]! };
    const served = this.#groups.get(info.group);
    if (served === undefined) {
      return notInstalled(
        id,
        `${resourceName(id)} is not installed: the API server at ${reader.server} serves no ${info.group} API group.`,
      );
    }
    for (const version of info.versions) {
      if (!served.includes(version)) continue;
      const gv = `${info.group}/${version}`;
      if (!this.#resources.has(gv) && BUILTIN_GROUPS.has(info.group)) return { version };
      const resources = await this.#resourcesOf(gv, reader, signal);
      if (resources instanceof KubeRequestError) {
        if (resources.reason === 'not-found') continue;
        return { problem: { kind: id, reason: toProblemReason(resources.reason), message: resources.message } };
      }
      if (resources.has(info.plural)) return { version };
    }
    return notInstalled(
      id,
      `${resourceName(id)} is not installed: the ${info.group} API group is served (${served.join(', ')}) but not this resource at ${info.versions.join(', ')}.`,
    );
  }

  async #resourcesOf(gv: string, reader: KubeReader, signal: AbortSignal): Promise<Set<string> | KubeRequestError> {
    const known = this.#resources.get(gv) ?? this.#failed.get(gv);
    if (known !== undefined) return known;
    try {
      const body = await reader.get(`/apis/${gv}`, { signal });
      const set = new Set<string>();
      const list = isRecord(body) && Array.isArray(body.resources) ? body.resources : [];
      for (const r of list) if (isRecord(r) && typeof r.name === 'string' && !r.name.includes('/')) set.add(r.name);
      this.#resources.set(gv, set);
      return set;
    } catch (error) {
      if (!(error instanceof KubeRequestError)) throw error;
      this.#failed.set(gv, error);
      return error;
    }
  }
}

/** Reads the API server's group list (aggregated when supported). */
export async function discover(reader: KubeReader, signal: AbortSignal): Promise<DiscoveryState> {
  const body = await reader.get('/apis', { signal, accept: AGGREGATED_ACCEPT });
  if (!isRecord(body)) throw new KubeRequestError('invalid', `GET /apis on ${reader.server} did not return an object.`);
  const groups = new Map<string, string[]>();
  const resources = new Map<string, Set<string>>();
  if (body.kind === 'APIGroupDiscoveryList' && Array.isArray(body.items)) {
    for (const item of body.items) {
      if (!isRecord(item) || !isRecord(item.metadata) || typeof item.metadata.name !== 'string' || !Array.isArray(item.versions)) continue;
      const versions: string[] = [];
      for (const v of item.versions) {
        if (!isRecord(v) || typeof v.version !== 'string') continue;
        // A Stale aggregated API may be down; its resources are still listed, so the LIST will say.
        versions.push(v.version);
        const set = new Set<string>();
        for (const r of Array.isArray(v.resources) ? v.resources : [])
          if (isRecord(r) && typeof r.resource === 'string') set.add(r.resource);
        resources.set(`${item.metadata.name}/${v.version}`, set);
      }
      groups.set(item.metadata.name, versions);
    }
    return new DiscoveryState(groups, resources, true);
  }
  if (!Array.isArray(body.groups))
    throw new KubeRequestError('invalid', `GET /apis on ${reader.server} returned neither an APIGroupDiscoveryList nor an APIGroupList.`);
  for (const g of body.groups) {
    if (!isRecord(g) || typeof g.name !== 'string' || !Array.isArray(g.versions)) continue;
    const versions = g.versions
      .filter(isRecord)
      .map((v) => v.version)
      .filter((v): v is string => typeof v === 'string');
    groups.set(g.name, versions);
  }
  return new DiscoveryState(groups, resources, false);
}

/**
 * Maps a request failure onto the reasons a GatherProblem can carry. A bare 404 is not
 * "not installed": only discovery (and a LIST of a group kind, kube-http) says that.
 */
export function toProblemReason(reason: KubeRequestError['reason']): GatherProblem['reason'] {
  if (reason === 'not-found') return 'invalid';
  if (reason === 'expired') return 'server-error';
  if (reason === 'tls') return 'unreachable';
  if (reason === 'unauthorized') return 'forbidden';
  return reason;
}

function notInstalled(kind: KindId, message: string): KindPlan {
  return { problem: { kind, reason: 'not-installed', message } };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
