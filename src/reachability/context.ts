// The network model of a run, built by the first reachability check that asks and shared with the
// others through the run's shared state (ctx.shared): R3, R4 and R5 read the same snapshot.

import { sharedKey, type CheckContext } from '../engine/check.ts';
import { buildNetworkModel, withGateways, type MeshNetwork, type NetworkModel } from './network-model.ts';

type ModelKinds = 'v1/Pod' | 'v1/Namespace' | 'networking.k8s.io/v1/NetworkPolicy';

const MODEL = sharedKey<NetworkModel>('reachability/network-model');
const MESH = sharedKey<MeshNetwork>('reachability/mesh-network');

/** The run's network model (pods, namespaces, NetworkPolicies). */
export function networkModel(ctx: CheckContext<ModelKinds>): NetworkModel {
  return ctx.shared(MODEL, () =>
    buildNetworkModel({
      pods: ctx.list('v1/Pod'),
      namespaces: ctx.list('v1/Namespace'),
      policies: ctx.list('networking.k8s.io/v1/NetworkPolicy'),
    }),
  );
}

/** The run's network model with its gateway proxies known (checks that read Gateways). */
export function meshNetwork(ctx: CheckContext<ModelKinds | 'networking.istio.io/v1/Gateway'>): MeshNetwork {
  return ctx.shared(MESH, () => withGateways(networkModel(ctx), ctx.list('networking.istio.io/v1/Gateway')));
}
