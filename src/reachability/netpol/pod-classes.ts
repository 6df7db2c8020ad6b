// Groups pods into equivalence classes: pods that every NetworkPolicy treats alike. The
// evaluator then works per class, so a sweep over "all workloads × all Service ports" costs
// classes × ports instead of pods × ports (replicas of one Deployment are one class).

import type { Labels, Pod } from '../../k8s/objects.ts';
import { cidrContains, parseIp, type IpAddress } from '../../k8s/cidr.ts';
import type { CompiledBlock, CompiledPolicy } from './compile-policy.ts';
import type { PodClass } from './types.ts';

/** A class plus what the evaluator precomputes for it. */
export interface ClassState extends PodClass {
  readonly pods: Pod[];
  /** Ids of the ipBlocks (cidr minus except) that contain one of the class's IPs; empty when ipBlock does not apply to these pods. */
  readonly blocks: ReadonlySet<number>;
  /** The node, for hostNetwork classes only (their traffic is that node's traffic). */
  readonly nodeName: string | undefined;
  /** Policies that select these pods and apply for ingress / egress, sorted by name. */
  readonly ingressPolicies: CompiledPolicy[];
  readonly egressPolicies: CompiledPolicy[];
}

/** The pod's IP addresses (status.podIPs, status.podIP; hostIP for hostNetwork pods), parsed; unparsable ones are skipped. */
export function podIps(pod: Pod): IpAddress[] {
  const texts = new Set<string>();
  for (const entry of pod.status?.podIPs ?? []) if (typeof entry?.ip === 'string') texts.add(entry.ip);
  if (typeof pod.status?.podIP === 'string') texts.add(pod.status.podIP);
  if (pod.spec?.hostNetwork === true && typeof pod.status?.hostIP === 'string') texts.add(pod.status.hostIP);
  const out: IpAddress[] = [];
  for (const text of texts) {
    const ip = parseIp(text);
    if (ip !== undefined) out.push(ip);
  }
  return out;
}

/** Whether an address is in the block: inside cidr and outside every except. */
export function blockContains(block: CompiledBlock, ip: IpAddress): boolean {
  return cidrContains(block.cidr, ip) && !block.except.some((e) => cidrContains(e, ip));
}

/** Named container ports of all containers (init containers too: restartable sidecars serve ports). */
function namedPortsOf(pod: Pod): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const container of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
    for (const port of container?.ports ?? []) {
      if (typeof port?.name !== 'string' || port.name === '' || typeof port.containerPort !== 'number') continue;
      const key = `${port.name}/${port.protocol ?? 'TCP'}`;
      const list = out.get(key) ?? [];
      if (!list.includes(port.containerPort)) list.push(port.containerPort);
      out.set(key, list);
    }
  }
  return out;
}

function sortedEntries<V>(record: Iterable<[string, V]>): [string, V][] {
  return [...record].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export interface PodFacts {
  key: string;
  namespace: string;
  labels: Labels;
  hostNetwork: boolean;
  nodeName: string | undefined;
  namedPorts: Map<string, number[]>;
  blocks: Set<number>;
}

/**
 * Everything about a pod that NetworkPolicy can observe, and a key equal for pods that are
 * indistinguishable. ipBlock membership is part of the key only when ipBlock applies to the pod,
 * so with typical policies (ipBlocks for external ranges) replicas still share a class.
 */
export function podFacts(pod: Pod, blocks: readonly CompiledBlock[], ipBlockMatchesPods: boolean): PodFacts {
  const namespace = pod.metadata.namespace ?? 'default';
  const labels: Labels = {};
  for (const [k, v] of Object.entries(pod.metadata.labels ?? {})) if (typeof v === 'string') labels[k] = v;
  const hostNetwork = pod.spec?.hostNetwork === true;
  const nodeName = hostNetwork ? (pod.spec?.nodeName ?? '') : undefined;
  const namedPorts = namedPortsOf(pod);
  const matched = new Set<number>();
  if (hostNetwork || ipBlockMatchesPods) {
    const ips = podIps(pod);
    if (ips.length > 0) {
      for (const block of blocks) if (ips.some((ip) => blockContains(block, ip))) matched.add(block.id);
    }
  }
  const key = JSON.stringify([
    namespace,
    sortedEntries(Object.entries(labels)),
    hostNetwork,
    nodeName ?? null,
    sortedEntries(namedPorts.entries()).map(([k, v]) => [k, [...v].sort((a, b) => a - b)]),
    [...matched].sort((a, b) => a - b),
  ]);
  return { key, namespace, labels, hostNetwork, nodeName, namedPorts, blocks: matched };
}

/** A new, empty class for the facts; the caller adds pods and policies. */
export function newClass(id: number, facts: PodFacts): ClassState {
  return {
    id,
    namespace: facts.namespace,
    labels: facts.labels,
    hostNetwork: facts.hostNetwork,
    namedPorts: facts.namedPorts,
    pods: [],
    blocks: facts.blocks,
    nodeName: facts.nodeName,
    ingressPolicies: [],
    egressPolicies: [],
  };
}
