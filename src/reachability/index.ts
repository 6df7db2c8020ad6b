// The reachability engine's public surface (docs/netpol.md, "The reachability engine"): build the
// network model of a run once, then ask it questions.

export { meshNetwork, networkModel } from './context.ts';
export {
  buildMeshNetwork,
  buildNetworkModel,
  withGateways,
  workloadName,
  type MeshNetwork,
  type NetworkModel,
  type NetworkModelInput,
} from './network-model.ts';
export { DATA_PLANES, type ConnectionRequest, type DataPlane, type DataPlaneMode, type Hop, type HopPurpose } from './data-plane.ts';
export { explain, type Explanation, type HopExplanation, type SideExplanation } from './explain.ts';
export { meshServicePorts, servicePortReach, type PortBlock, type ServicePortColumn, type ServicePortReach } from './service-port-reach.ts';
export { RouteReach, type ClientReach } from './route-reach.ts';
export {
  addressSource,
  blockedControlTraffic,
  classSource,
  reachableFromOutside,
  type ControlFlow,
  type ControlSource,
} from './control-traffic.ts';
export { fixSentence, ruleText, type BlockedGroup, type GroupFix } from './blocked/index.ts';
