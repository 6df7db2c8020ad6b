// The NetworkPolicy evaluator's index over a snapshot, with the mesh facts the reachability
// checks (R3–R5) need on top: which pod classes are meshed, which are gateways, and the workload
// each class belongs to (the name operators know, not a pod name that changes every rollout).

import type { IstioGateway, Namespace, NetworkPolicy, Pod } from '../engine/k8s-types.ts';
import { buildNetpolIndex, type NetpolIndex } from '../netpol/index.ts';
import type { PodClass } from '../netpol/types.ts';
import { matchesLabels } from '../engine/selectors.ts';
import { gatewaySelectors, isLivePod, isMeshedPod, isRouterProxy, meshNamespaceNames } from './meshed.ts';

export interface MeshNetwork {
  index: NetpolIndex;
  /** Namespaces whose labels put them in the mesh. */
  meshNamespaces: ReadonlySet<string>;
  /** Classes with at least one meshed pod (sidecars, gateways, and pods of mesh namespaces). */
  isMeshed(cls: PodClass): boolean;
  /** Classes of gateway proxies. */
  isGateway(cls: PodClass): boolean;
  /** `namespace/workload` of a class: its pods' Deployment (or other owner), else its app label. */
  workloadOf(cls: PodClass): string;
}

/**
 * The workload a pod belongs to: the Deployment behind its ReplicaSet (the pod-template-hash cut
 * off), its StatefulSet, DaemonSet or Job, else its app label, else the pod's own name.
 */
export function workloadName(pod: Pod): string {
  const owner = pod.metadata.ownerReferences?.find((o) => o.controller === true) ?? pod.metadata.ownerReferences?.[0];
  const hash = pod.metadata.labels?.['pod-template-hash'];
  if (owner?.name !== undefined && owner.name !== '') {
    if (owner.kind === 'ReplicaSet') {
      if (hash !== undefined && owner.name.endsWith(`-${hash}`)) return owner.name.slice(0, -hash.length - 1);
      const cut = owner.name.lastIndexOf('-');
      return cut > 0 ? owner.name.slice(0, cut) : owner.name;
    }
    return owner.name;
  }
  // No owner references (hand-written snapshots): `<deployment>-<hash>-<suffix>`.
  if (hash !== undefined) {
    const at = pod.metadata.name.indexOf(`-${hash}-`);
    if (at > 0) return pod.metadata.name.slice(0, at);
  }
  const labels = pod.metadata.labels ?? {};
  return labels['app.kubernetes.io/name'] ?? labels.app ?? pod.metadata.name;
}

// The reachability checks (R3, R4, R5) of one run read the same snapshot lists (a Snapshot hands
// out the same array per kind), so the network is built once per set of lists, not per check.
// Keyed by the lists' identity: callers must not change a list after passing it.
const NO_GATEWAYS: readonly IstioGateway[] = [];
const built = new WeakMap<readonly Pod[], { namespaces: readonly Namespace[]; policies: readonly NetworkPolicy[]; gateways: readonly IstioGateway[]; net: MeshNetwork }[]>();

/**
 * Builds the evaluator index over live pods (Succeeded and Failed pods hold no IP) and classifies
 * its classes; the same lists again give the same network (see above).
 */
export function buildMeshNetwork(input: {
  pods: readonly Pod[];
  namespaces: readonly Namespace[];
  policies: readonly NetworkPolicy[];
  gateways?: readonly IstioGateway[];
}): MeshNetwork {
  const gateways = input.gateways ?? NO_GATEWAYS;
  let entries = built.get(input.pods);
  const found = entries?.find((e) => e.namespaces === input.namespaces && e.policies === input.policies && e.gateways === gateways);
  if (found !== undefined) return found.net;
  // Same pods, namespaces and policies but other Gateways: the index is shared, only the classification differs.
  const sameIndex = entries?.find((e) => e.namespaces === input.namespaces && e.policies === input.policies);
  const net = classify(sameIndex?.net.index ?? buildNetpolIndex({ pods: input.pods.filter(isLivePod), namespaces: input.namespaces, policies: input.policies }), input.namespaces, gateways);
  if (entries === undefined) {
    entries = [];
    built.set(input.pods, entries);
  }
  entries.push({ namespaces: input.namespaces, policies: input.policies, gateways, net });
  return net;
}

function classify(index: NetpolIndex, namespaces: readonly Namespace[], gateways: readonly IstioGateway[]): MeshNetwork {
  const meshNamespaces = meshNamespaceNames(namespaces);
  const selectors = gatewaySelectors(gateways);
  const meshed = new Uint8Array(index.classes.length);
  const gateway = new Uint8Array(index.classes.length);
  const workloads: string[] = new Array<string>(index.classes.length);
  for (const cls of index.classes) {
    meshed[cls.id] = cls.pods.some((p) => isMeshedPod(p, meshNamespaces)) ? 1 : 0;
    // A class's pods share their labels: match the Gateways' selectors once per class.
    gateway[cls.id] = cls.pods.some(isRouterProxy) || selectors.some((selector) => matchesLabels(selector, cls.labels)) ? 1 : 0;
    const names = [...new Set(cls.pods.map(workloadName))].sort();
    workloads[cls.id] = `${cls.namespace}/${names.join('+')}`;
  }
  const known = (cls: PodClass): boolean => cls.id >= 0 && index.classes[cls.id] === cls;
  return {
    index,
    meshNamespaces,
    isMeshed: (cls) => known(cls) && meshed[cls.id] === 1,
    isGateway: (cls) => known(cls) && gateway[cls.id] === 1,
    workloadOf: (cls) => (known(cls) ? workloads[cls.id]! : `${cls.namespace}/${workloadName(cls.pods[0]!)}`),
  };
}
