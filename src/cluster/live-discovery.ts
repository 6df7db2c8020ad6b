// API discovery for the live source: which version of each kind the cluster serves (Istio
// at v1, v1beta1 or v1alpha3; Gateway API present or not). One request when the server
// supports aggregated discovery (Kubernetes 1.26+, GA in 1.30); otherwise the group list
// plus one request per CRD group-version a run needs. Core (v1) kinds need no discovery.

import { KINDS, resourceName, type KindId, type KindInfo } from './kinds.ts';
import type { GatherProblem } from './snapshot.ts';
import { KubeRequestError, type KubeReader } from './kube-http.ts';

// Aggregated discovery (v2, then v2beta1), falling back to the legacy APIGroupList.
const AGGREGATED_ACCEPT = [
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
  'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList',
  'application/json',
].join(',');

// Built-in groups: a served group-version always has our resources, no per-version request needed.
const BUILTIN_GROUPS = new Set(['', 'apps', 'discovery.k8s.io', 'networking.k8s.io', 'rbac.authorization.k8s.io', 'admissionregistration.k8s.io', 'apiextensions.k8s.io']);

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
      return notInstalled(id, `${resourceName(id)} is not installed: the API server at ${reader.server} serves no ${info.group} API group.`);
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
    return notInstalled(id, `${resourceName(id)} is not installed: the ${info.group} API group is served (${served.join(', ')}) but not this resource at ${info.versions.join(', ')}.`);
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
        for (const r of Array.isArray(v.resources) ? v.resources : []) if (isRecord(r) && typeof r.resource === 'string') set.add(r.resource);
        resources.set(`${item.metadata.name}/${v.version}`, set);
      }
      groups.set(item.metadata.name, versions);
    }
    return new DiscoveryState(groups, resources, true);
  }
  if (!Array.isArray(body.groups)) throw new KubeRequestError('invalid', `GET /apis on ${reader.server} returned neither an APIGroupDiscoveryList nor an APIGroupList.`);
  for (const g of body.groups) {
    if (!isRecord(g) || typeof g.name !== 'string' || !Array.isArray(g.versions)) continue;
    const versions = g.versions.filter(isRecord).map((v) => v.version).filter((v): v is string => typeof v === 'string');
    groups.set(g.name, versions);
  }
  return new DiscoveryState(groups, resources, false);
}

/** Maps a request failure onto the reasons a GatherProblem can carry. */
export function toProblemReason(reason: KubeRequestError['reason']): GatherProblem['reason'] {
  if (reason === 'not-found') return 'not-installed';
  if (reason === 'expired') return 'server-error';
  return reason;
}

function notInstalled(kind: KindId, message: string): KindPlan {
  return { problem: { kind, reason: 'not-installed', message } };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
