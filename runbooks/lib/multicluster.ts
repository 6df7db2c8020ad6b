// What the multi-cluster checks share: the facts each gathers from every cluster of the run, the
// resource a finding on one cluster's object names, and how a list of clusters is said.

import type { ClusterView } from '../../src/engine/check.ts';
import type { ResourceRef } from '../../src/engine/types.ts';
import type { Deployment, Namespace, NetworkPolicy, Pod, Service } from '../../src/k8s/objects.ts';
import { ISTIO_NAMESPACE } from '../../src/istio/mesh-config.ts';
import {
  clusterIdentity,
  CONTROL_PLANE_CLUSTERS_ANNOTATION,
  eastWestGateways,
  type ClusterIdentity,
  type EastWestGateway,
} from '../../src/mesh/multicluster.ts';

/** The kinds clusterFacts reads: a check calling it declares them all as inputs. */
type FactKinds = 'apps/v1/Deployment' | 'v1/Pod' | 'v1/Service' | 'v1/Namespace' | 'v1/ConfigMap' | 'networking.k8s.io/v1/NetworkPolicy';

/** One cluster's objects and what they say about its place in the mesh. */
export interface ClusterFacts {
  name: string;
  deployments: readonly Deployment[];
  pods: readonly Pod[];
  services: readonly Service[];
  namespaces: readonly Namespace[];
  policies: readonly NetworkPolicy[];
  /** The control plane's namespace, where the cluster's network and control-plane clusters are set. */
  istioSystem: Namespace | undefined;
  identity: ClusterIdentity;
  gateways: EastWestGateway[];
}

/** The facts the gateway and primary-remote checks read from each cluster. */
export function clusterFacts(c: ClusterView<FactKinds>): ClusterFacts {
  const deployments = c.list('apps/v1/Deployment');
  const pods = c.list('v1/Pod');
  const services = c.list('v1/Service');
  const namespaces = c.list('v1/Namespace');
  return {
    name: c.name,
    deployments,
    pods,
    services,
    namespaces,
    policies: c.list('networking.k8s.io/v1/NetworkPolicy'),
    istioSystem: namespaces.find((n) => n.metadata.name === ISTIO_NAMESPACE),
    identity: clusterIdentity(deployments, c.list('v1/ConfigMap'), pods),
    gateways: eastWestGateways(deployments, services, pods),
  };
}

/** The cluster IDs a remote's namespace names in topology.istio.io/controlPlaneClusters (may hold `*`). */
export function controlPlaneClusters(istioSystem: Namespace | undefined): string[] {
  return (istioSystem?.metadata.annotations?.[CONTROL_PLANE_CLUSTERS_ANNOTATION] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** A resource in the named cluster of the run (no `cluster` in a one-cluster run, whose cluster is ''). */
export function inCluster(cluster: string, kind: string, namespace: string | undefined, name: string): ResourceRef {
  return { kind, ...(namespace === undefined ? {} : { namespace }), name, ...(cluster === '' ? {} : { cluster }) };
}

/** `a, b and c`. */
export function andList(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)!}`;
}
