// Reading istiod's debug endpoints (/debug/syncz, /debug/registryz, …) live: a GET on istiod's
// monitoring port (15014) through the API server's proxy, to a ready istiod pod (or the Service
// when no pod is visible). Shared by the checks that ask istiod what it knows, so they choose
// their targets and treat istiod's refusals the same way.
//
// Authentication, honestly: istiod serves /debug/* to localhost, or to callers it can
// authenticate (a Kubernetes token or an Istio client certificate). A request relayed by the API
// server's proxy comes from the API server and carries neither (the API server does not forward
// the user's credentials), so most istiod installations answer 401. That is reported as an error
// with what to run instead, never as a pass.

import { ProbeError, type ProxyRequest, type Probes } from '../engine/check.ts';
import type { Deployment, Pod } from '../k8s/objects.ts';
import { ISTIO_NAMESPACE } from '../istio/mesh-config.ts';
import { isControlPlane, podsOfDeployment, revisionOf } from './control-plane.ts';
import { namespaceOf } from '../k8s/names.ts';

export const MONITORING_PORT = 15014;

/** One debug endpoint, and how a user reads it without Meshbook. */
export interface DebugEndpoint {
  /** e.g. `/debug/syncz`. */
  path: string;
  /** What it holds, for sentences: "proxy sync status". */
  what: string;
  /** The istioctl command that reads the same, e.g. `istioctl proxy-status`. */
  instead: string;
  /** What each JSON list entry is, plural: "proxies". */
  items: string;
}

/** One istiod to ask. */
export interface IstiodTarget {
  request: ProxyRequest;
  /** `istio-system/istiod-7b69d4f8c9-aaaaa`, or `Service istio-system/istiod`. */
  label: string;
  /** The revision the control plane serves (`default` when asked through the Service). */
  revision: string;
}

const ready = (pod: Pod): boolean =>
  pod.metadata.deletionTimestamp === undefined &&
  pod.status?.phase === 'Running' &&
  (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/**
 * The istiod pods to ask for `path`: every ready replica (`replicas: 'all'`) or the first ready
 * one of each control plane (`'one'`); the istiod Service when no ready pod is visible.
 */
export function istiodTargets(
  deployments: readonly Deployment[],
  pods: readonly Pod[],
  path: string,
  replicas: 'all' | 'one',
): { targets: IstiodTarget[]; viaService: boolean; revisions: Set<string> } {
  const planes = deployments.filter(isControlPlane);
  const targets: IstiodTarget[] = [];
  const revisions = new Set<string>();
  for (const d of planes) {
    const revision = revisionOf(d);
    revisions.add(revision);
    const readyPods = podsOfDeployment(d, pods).filter(ready);
    for (const pod of replicas === 'all' ? readyPods : readyPods.slice(0, 1)) {
      const ns = namespaceOf(pod);
      targets.push({
        request: { kind: 'pod', namespace: ns, name: pod.metadata.name, port: MONITORING_PORT, path },
        label: `${ns}/${pod.metadata.name}`,
        revision,
      });
    }
  }
  if (targets.length > 0) return { targets, viaService: false, revisions };
  // No ready istiod pod visible: ask the Service, which reaches one replica.
  const d = planes[0];
  const ns = d === undefined ? ISTIO_NAMESPACE : namespaceOf(d);
  const name = d === undefined || d.metadata.name === 'istio-pilot' ? 'istiod' : d.metadata.name;
  const revision = d === undefined ? 'default' : revisionOf(d);
  targets.push({
    request: { kind: 'service', namespace: ns, name, port: MONITORING_PORT, path },
    label: `Service ${ns}/${name}`,
    revision,
  });
  return { targets, viaService: true, revisions };
}

/** The HTTP status a failed probe carried, when the failure was an answer (401, 403). */
function statusOfProbeFailure(error: unknown): number | undefined {
  const cause = (error as { cause?: unknown }).cause;
  const status = (cause as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' ? status : undefined;
}

function authExplanation(endpoint: DebugEndpoint, target: string, status: number, namespace: string): string {
  const deployment = `deploy/${target.startsWith('Service ') ? target.slice(target.indexOf('/') + 1) : 'istiod'}`;
  return (
    `${target} answered ${status} to GET ${endpoint.path} through the API server's proxy. ` +
    (status === 403
      ? `Either your user may not use the proxy (it needs get on pods/proxy and services/proxy in ${namespace}), or istiod refused the request. `
      : 'The API server accepted your credentials (the cluster was read with them); it is istiod that refused. ') +
    `istiod serves its debug endpoints only to localhost or to callers it can authenticate with a Kubernetes token or an Istio client certificate, and a request relayed by the API server carries neither, so Meshbook cannot read ${endpoint.what} this way on this cluster. ` +
    `Run \`${endpoint.instead}\` instead (it port-forwards to istiod and authenticates), or read it inside the pod: ` +
    `\`kubectl -n ${namespace} exec ${deployment} -- pilot-discovery request GET ${endpoint.path}\`.`
  );
}

/** GETs a debug endpoint from one istiod; the body on a 2xx, else a ProbeError that says what to do. */
export async function getIstiodDebug(probes: Probes, endpoint: DebugEndpoint, target: IstiodTarget): Promise<string> {
  const { request, label } = target;
  let answer;
  try {
    answer = await probes.proxyGet(request);
  } catch (error) {
    const status = statusOfProbeFailure(error);
    if (error instanceof ProbeError && (status === 401 || status === 403))
      throw new ProbeError(authExplanation(endpoint, label, status, request.namespace), { cause: error });
    throw error;
  }
  if (answer.status === 401 || answer.status === 403)
    throw new ProbeError(authExplanation(endpoint, label, answer.status, request.namespace));
  if (answer.status < 200 || answer.status > 299) {
    throw new ProbeError(
      `${label} answered ${answer.status} to GET ${endpoint.path} on port ${MONITORING_PORT} (${JSON.stringify(answer.body.slice(0, 120))}). ` +
        `Istio 1.0's Pilot served it on port 8080 only; otherwise check that istiod is running. \`${endpoint.instead}\` reads the same ${endpoint.what}.`,
    );
  }
  if (answer.truncated)
    throw new ProbeError(
      `${label}'s ${endpoint.path} answer is larger than Meshbook reads (${answer.body.length} characters kept): use \`${endpoint.instead}\` on a mesh this size.`,
    );
  return answer.body;
}

/** A debug endpoint's body as the JSON list istiod writes; throws ProbeError when it is not one. */
export function parseDebugList(endpoint: DebugEndpoint, body: string, istiod: string): unknown[] {
  // An empty answer lists nothing (istiod itself always writes at least `[]`).
  if (body.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw new ProbeError(
      `${istiod} answered ${endpoint.path} with something that is not JSON (${JSON.stringify(body.slice(0, 80))}…): is port ${MONITORING_PORT} istiod's monitoring port?`,
      { cause: error },
    );
  }
  // istiod writes `null` for an empty list on some versions.
  if (parsed === null) return [];
  if (!Array.isArray(parsed))
    throw new ProbeError(
      `${istiod} answered ${endpoint.path} with JSON that is not a list of ${endpoint.items} (received ${JSON.stringify(body.slice(0, 80))}).`,
    );
  return parsed as unknown[];
}
