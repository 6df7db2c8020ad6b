// Which L4 connections a request turns into, by the data plane of its ends: NetworkPolicies judge
// packets (pod IP and port), not requests, so the port on each hop is what the checks evaluate.
// A data plane is chosen by the destination's pods; a new one (ambient: ztunnel's HBONE on 15008,
// waypoints) is one more entry in DATA_PLANES, and the checks that ask for hops do not change.

import type { Endpoint, PodClass, PortQuery } from './netpol/types.ts';

/** How a pod's traffic is carried: through its sidecar, or plainly (no proxy). Ambient comes later. */
export type DataPlaneMode = 'sidecar' | 'none';

/** What a hop is for: a request to a Service (its targetPort), or control-plane traffic. */
export type HopPurpose = 'service' | 'control';

/** A connection an application or a control component asks for: to a pod class, on the port it addresses there. */
export interface ConnectionRequest {
  /** How the source sends: a data plane's mode, or `outside` for an address outside the pod network (the API server, a load balancer). */
  from: DataPlaneMode | 'outside';
  to: PodClass;
  /** The port addressed on the destination pods (a Service's resolved targetPort, or a control port). */
  port: PortQuery;
  purpose: HopPurpose;
}

/** One L4 connection as NetworkPolicies see it: from the request's source to `to`, on `port`. */
export interface Hop {
  to: Endpoint;
  port: PortQuery;
  /** Why the packets go there, for explanations (`sidecar → pod targetPort`). */
  via: string;
}

export interface DataPlane {
  readonly mode: DataPlaneMode;
  /** The hops of a request to a pod of this data plane, in order. */
  hops(request: ConnectionRequest): readonly Hop[];
}

// Sidecars redirect inbound packets to Envoy inside the pod's network namespace after the CNI has
// admitted them, and the client's Envoy dials the endpoint's pod IP and targetPort itself: the
// policy sees the destination's target port, as without a mesh.
const direct = (mode: DataPlaneMode, via: string): DataPlane => ({
  mode,
  hops: (r) => [
    {
      to: { kind: 'class', podClass: r.to },
      port: r.port,
      via: r.from === 'sidecar' && mode === 'sidecar' ? `sidecar → sidecar, ${via}` : via,
    },
  ],
});

export const DATA_PLANES: Readonly<Record<DataPlaneMode, DataPlane>> = {
  sidecar: direct('sidecar', 'pod IP and target port'),
  none: direct('none', 'pod IP and target port'),
};
