// "Why is this blocked?" asked by name: a pod (or a workload, as the matrix rows name them) and a
// Service port, resolved in a snapshot, explained for every pod class behind the Service port, and
// returned as plain JSON data (the `meshbook explain --format json` contract, docs/cli.md). The
// CLI and the dev server's explain endpoint both answer from here; renderers only format it.
// Names the user got wrong are answered with the nearby names that exist, never a guess.

import yaml from 'js-yaml';
import type { KindId } from '../k8s/kinds.ts';
import type { Snapshot } from '../engine/snapshot.ts';
import type { Namespace, NetworkPolicy, Pod, Service, ServicePort } from '../k8s/objects.ts';
import { isLivePod } from '../mesh/meshed.ts';
import { buildNetworkModel, workloadName, type NetworkModel } from './network-model.ts';
import type { Endpoint, PodClass, PolicyRef, Protocol, SuggestedFix } from './netpol/types.ts';
import type { SideExplanation } from './explain.ts';

/** What to explain: `from` names a pod or a workload in its namespace; `to` a Service and one of its ports (number or name). */
export interface ExplainQuery {
  from: { namespace: string; name: string };
  to: { namespace: string; service: string; port: string };
}

export interface ExplainInput {
  pods: readonly Pod[];
  namespaces: readonly Namespace[];
  policies: readonly NetworkPolicy[];
  services: readonly Service[];
}

/** The kinds an explanation reads. */
export const EXPLAIN_KINDS: readonly KindId[] = ['v1/Pod', 'v1/Namespace', 'v1/Service', 'networking.k8s.io/v1/NetworkPolicy'];

/** The explain input from a gathered snapshot; throws when a kind it needs could not be read (every answer would be wrong). */
export function explainInput(snapshot: Snapshot): ExplainInput {
  const unread = EXPLAIN_KINDS.filter((k) => snapshot.problems.has(k) && snapshot.problems.get(k)?.reason !== 'not-installed');
  if (unread.length > 0)
    throw new Error(`Cannot explain without ${unread.map((k) => `${k} (${snapshot.problems.get(k)!.message})`).join(', ')}.`);
  return {
    pods: snapshot.list('v1/Pod') as readonly Pod[],
    namespaces: snapshot.list('v1/Namespace') as readonly Namespace[],
    policies: snapshot.list('networking.k8s.io/v1/NetworkPolicy') as readonly NetworkPolicy[],
    services: snapshot.list('v1/Service') as readonly Service[],
  };
}

/** One end's verdict, by name (`namespace/name` policies): the JSON shape of SideExplanation. */
export interface SideReport {
  allowed: boolean;
  reason: SideExplanation['reason'];
  /** The policies selecting this end for the direction; empty: not isolated. */
  policies: string[];
  /** The rules that allow the connection (`spec.ingress[rule]` or `spec.egress[rule]` of `policy`). */
  allowedBy: { policy: string; rule: number }[];
  /** Every rule of those policies and whether its peers and its ports match. */
  rules: { policy: string; rule: number; peers: boolean; ports: boolean }[];
  /** When denied: the one rule to append, as YAML under the policy's spec list, and as a kubectl patch. */
  fix?: { policy: string; field: 'spec.ingress' | 'spec.egress'; rule: SuggestedFix['rule']; yaml: string; kubectl: string };
}

export interface ConnectionReport {
  /** The source workload (`namespace/workload`) and the pods the verdict stands for. */
  from: { workload: string; pods: string[] };
  to: { workload: string; pods: string[] };
  /** The port on the destination pods (the Service port's targetPort). */
  targetPort: { port: number; protocol: Protocol; name?: string };
  allowed: boolean;
  hops: { via: string; port: number; allowed: boolean; egress: SideReport; ingress: SideReport }[];
}

export interface ExplainReport {
  /** allowed: every connection gets through; blocked: none does; partial: some do. */
  verdict: 'allowed' | 'blocked' | 'partial';
  from: { namespace: string; name: string; kind: 'pod' | 'workload'; pods: string[] };
  to: { namespace: string; service: string; port: number; protocol: Protocol; name?: string };
  connections: ConnectionReport[];
  /** Pod classes behind the Service port whose named targetPort resolves to nothing. */
  unresolved: { workload: string; reason: string }[];
}

export type ExplainAnswer =
  | { ok: true; report: ExplainReport }
  | {
      ok: false;
      problem: 'unknown-namespace' | 'unknown-source' | 'unknown-service' | 'unknown-port' | 'no-endpoints';
      message: string;
      nearby: string[];
    };

// Enough to name a workload's versions and a Service's backends; a larger answer is cut and says so in the pods lists.
const MAX_CONNECTIONS = 20;
const MAX_NEARBY = 10;
const MAX_PODS_NAMED = 5;

/** Resolves `query` in the snapshot and explains it; reuses `model` when the caller already built one over the same pods. */
export function explainQuery(input: ExplainInput, query: ExplainQuery, model?: NetworkModel): ExplainAnswer {
  const namespaces = new Set([...input.namespaces.map((n) => n.metadata.name), ...input.pods.map(nsOf), ...input.services.map(nsOf)]);
  for (const ns of [query.from.namespace, query.to.namespace]) {
    if (!namespaces.has(ns))
      return miss('unknown-namespace', `No namespace ${JSON.stringify(ns)} in the cluster.`, nearest(ns, [...namespaces]));
  }
  const pods = input.pods.filter((p) => isLivePod(p) && nsOf(p) === query.from.namespace);
  const byName = pods.find((p) => p.metadata.name === query.from.name);
  const sourcePods = byName === undefined ? pods.filter((p) => workloadName(p) === query.from.name) : [byName];
  if (sourcePods.length === 0) {
    const names = [...new Set(pods.flatMap((p) => [workloadName(p), p.metadata.name]))];
    return miss(
      'unknown-source',
      `No running pod or workload ${JSON.stringify(query.from.name)} in namespace ${query.from.namespace}.`,
      nearest(query.from.name, names).map((n) => `${query.from.namespace}/${n}`),
    );
  }
  const services = input.services.filter((s) => nsOf(s) === query.to.namespace);
  const service = services.find((s) => s.metadata.name === query.to.service);
  if (service === undefined) {
    return miss(
      'unknown-service',
      `No Service ${JSON.stringify(query.to.service)} in namespace ${query.to.namespace}.`,
      nearest(
        query.to.service,
        services.map((s) => s.metadata.name),
      ).map((n) => `${query.to.namespace}/${n}`),
    );
  }
  const ports = service.spec?.ports ?? [];
  const servicePort = ports.find((p) => String(p.port) === query.to.port || p.name === query.to.port);
  const portNames = ports.map(
    (p) => `${query.to.namespace}/${service.metadata.name}:${p.port}${p.name === undefined ? '' : ` (${p.name})`}`,
  );
  if (servicePort === undefined)
    return miss(
      'unknown-port',
      `Service ${query.to.namespace}/${service.metadata.name} has no port ${JSON.stringify(query.to.port)}.`,
      portNames,
    );

  const net = model ?? buildNetworkModel({ pods: input.pods, namespaces: input.namespaces, policies: input.policies });
  const resolved = net.serviceTargets(service);
  const targets = resolved.targets.filter((t) => t.servicePort === servicePort);
  const unresolved = resolved.unresolved
    .filter((u) => u.servicePort === servicePort)
    .map((u) => ({ workload: net.workloadOf(u.podClass), reason: u.reason }));
  if (targets.length === 0) {
    const why =
      unresolved.length > 0 ? unresolved.map((u) => `${u.workload}: ${u.reason}`).join('; ') : `its selector matches no running pod`;
    return miss(
      'no-endpoints',
      `Service ${query.to.namespace}/${service.metadata.name} port ${servicePort.port} has no pods behind it (${why}): there is no connection to explain.`,
      portNames,
    );
  }

  // One source per pod class (a named pod is its own class): pods of a class get the same answer.
  const sources = new Map<PodClass, Pod[]>();
  for (const pod of sourcePods) {
    const cls = net.index.classOf(pod);
    sources.set(cls, [...(sources.get(cls) ?? []), pod]);
  }
  const connections: ConnectionReport[] = [];
  for (const [cls, members] of sources) {
    const source: Endpoint = byName === undefined ? { kind: 'class', podClass: cls } : { kind: 'pod', pod: byName };
    for (const t of targets) {
      if (connections.length >= MAX_CONNECTIONS) break;
      const e = net.explain(source, t.podClass, t.port, 'service', service);
      connections.push({
        from: { workload: net.workloadOf(cls), pods: podNames(members) },
        to: { workload: net.workloadOf(t.podClass), pods: podNames(t.podClass.pods) },
        targetPort: { port: t.port.port, protocol: t.port.protocol ?? 'TCP', ...(t.port.name === undefined ? {} : { name: t.port.name }) },
        allowed: e.allowed,
        hops: e.hops.map((h) => ({ via: h.via, port: h.port.port, allowed: h.allowed, egress: side(h.egress), ingress: side(h.ingress) })),
      });
    }
  }
  const allowed = connections.filter((c) => c.allowed).length;
  return {
    ok: true,
    report: {
      verdict: allowed === connections.length ? 'allowed' : allowed === 0 ? 'blocked' : 'partial',
      from: {
        namespace: query.from.namespace,
        name: query.from.name,
        kind: byName === undefined ? 'workload' : 'pod',
        pods: podNames(sourcePods),
      },
      to: {
        namespace: query.to.namespace,
        service: service.metadata.name,
        port: servicePort.port,
        protocol: protocolOf(servicePort),
        ...(servicePort.name === undefined ? {} : { name: servicePort.name }),
      },
      connections,
      unresolved,
    },
  };
}

const refName = (p: PolicyRef): string => `${p.namespace}/${p.name}`;

function side(s: SideExplanation): SideReport {
  return {
    allowed: s.allowed,
    reason: s.reason,
    policies: s.policies.map(refName),
    allowedBy: s.allowedBy.map((r) => ({ policy: refName(r), rule: r.rule })),
    rules: s.rules.map((r) => ({ policy: refName(r.policy), rule: r.rule, peers: r.peers, ports: r.ports })),
    ...(s.fix === undefined ? {} : { fix: fixReport(s.fix) }),
  };
}

// The rule as the YAML list item it becomes under spec.ingress (spec.egress): what a person pastes into the policy.
function fixReport(fix: SuggestedFix): NonNullable<SideReport['fix']> {
  const field = fix.direction === 'ingress' ? 'spec.ingress' : 'spec.egress';
  const shell = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  return {
    policy: refName(fix.policy),
    field,
    rule: fix.rule,
    yaml: yaml.dump([fix.rule], { noRefs: true, lineWidth: 120 }),
    kubectl: `kubectl -n ${fix.policy.namespace} patch networkpolicy ${fix.policy.name} --type=json -p ${shell(JSON.stringify(fix.patch))}`,
  };
}

function podNames(pods: readonly Pod[]): string[] {
  const names = pods.map((p) => p.metadata.name).sort();
  return names.length <= MAX_PODS_NAMED ? names : [...names.slice(0, MAX_PODS_NAMED), `… ${names.length - MAX_PODS_NAMED} more`];
}

const nsOf = (o: { metadata: { namespace?: string } }): string => o.metadata.namespace ?? 'default';
const protocolOf = (p: ServicePort): Protocol => (p.protocol ?? 'TCP') as Protocol;

function miss(problem: Extract<ExplainAnswer, { ok: false }>['problem'], message: string, nearby: string[]): ExplainAnswer {
  return { ok: false, problem, message, nearby };
}

/** The names closest to `wanted` (shared prefix, then edit distance), at most MAX_NEARBY, sorted by closeness. */
export function nearest(wanted: string, names: readonly string[]): string[] {
  const score = (name: string): number => {
    if (name.startsWith(wanted) || wanted.startsWith(name)) return 0;
    return distance(wanted, name);
  };
  return [...new Set(names)]
    .map((name) => ({ name, d: score(name) }))
    .sort((a, b) => a.d - b.d || (a.name < b.name ? -1 : 1))
    .slice(0, MAX_NEARBY)
    .map((x) => x.name);
}

// Levenshtein distance over at most 64 characters of each (names are DNS labels).
function distance(a: string, b: string): number {
  const s = a.slice(0, 64);
  const t = b.slice(0, 64);
  let prev = Array.from({ length: t.length + 1 }, (_, i) => i);
  for (let i = 1; i <= s.length; i++) {
    const next = [i];
    for (let j = 1; j <= t.length; j++) next[j] = Math.min(prev[j]! + 1, next[j - 1]! + 1, prev[j - 1]! + (s[i - 1] === t[j - 1] ? 0 : 1));
    prev = next;
  }
  return prev[t.length]!;
}
