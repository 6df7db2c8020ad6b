// Which L4 connections a request turns into, by the data plane of its ends: NetworkPolicies judge
// packets (pod IP and port), not requests, so the port on each hop is what the checks evaluate.
// A data plane is chosen by the destination's pods; the checks that ask for hops do not know
// which one answered.

import { HBONE_PORT, TUNNEL_LABEL } from '../mesh/ambient.ts';
import type { Endpoint, PodClass, PortQuery } from './netpol/types.ts';

/** How a pod's traffic is carried: through its sidecar, through its node's ztunnel (ambient), or plainly (no proxy). */
export type DataPlaneMode = 'sidecar' | 'ambient' | 'none';

/** What a hop is for: a request to a Service (its targetPort), or control-plane traffic. */
export type HopPurpose = 'service' | 'control';

/** A waypoint a destination is bound to: its `namespace/name` and the pod classes of its deployment. */
export interface Waypoint {
  name: string;
  classes: readonly PodClass[];
}

/** A connection an application or a control component asks for: to a pod class, on the port it addresses there. */
export interface ConnectionRequest {
  /** How the source sends: a data plane's mode, or `outside` for an address outside the pod network (the API server, a load balancer). */
  from: DataPlaneMode | 'outside';
  to: PodClass;
  /** The port addressed on the destination pods (a Service's resolved targetPort, or a control port). */
  port: PortQuery;
  purpose: HopPurpose;
  /**
   * The waypoint the request goes through (the network model resolves it from the Service's,
   * namespace's or pod's binding); only HBONE senders use it.
   */
  waypoint?: Waypoint;
}

/** One L4 connection as NetworkPolicies see it: from the request's source (or `from`) to `to`, on `port`. */
export interface Hop {
  /** The source of this hop when it is not the request's: a waypoint forwarding the request. */
  from?: { endpoint: Endpoint; label: string };
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

const HBONE: PortQuery = Object.freeze({ protocol: 'TCP', port: HBONE_PORT });

const classEndpoint = (podClass: PodClass): Endpoint => ({ kind: 'class', podClass });

// ztunnel opens its tunnels from inside the client pod's network namespace (istio-cni's in-pod
// redirection), so the CNI sees the client pod's IP as the source, and the destination pod's IP
// on 15008: that pair is what both policies must admit (istio.io, ambient/usage/networkpolicy).
const senderText: Record<'sidecar' | 'ambient', string> = { sidecar: 'sidecar', ambient: 'ambient → ztunnel' };

/** The HBONE hops of a request from a sidecar or ambient client: to the pod, or through the waypoint's pods then to the pod. */
function hboneHops(from: 'sidecar' | 'ambient', r: ConnectionRequest, destination: string): Hop[] {
  const sender = senderText[from];
  const inner = `target port ${r.port.port} inside the tunnel`;
  const wp = r.waypoint;
  if (wp === undefined || wp.classes.length === 0)
    return [{ to: classEndpoint(r.to), port: HBONE, via: `${sender} HBONE ${HBONE_PORT} → ${destination} (${inner})` }];
  const hops: Hop[] = [];
  for (const cls of wp.classes)
    hops.push({ to: classEndpoint(cls), port: HBONE, via: `${sender} HBONE ${HBONE_PORT} → waypoint ${wp.name}` });
  for (const cls of wp.classes)
    hops.push({
      from: { endpoint: classEndpoint(cls), label: `waypoint ${wp.name}` },
      to: classEndpoint(r.to),
      port: HBONE,
      via: `waypoint ${wp.name} HBONE ${HBONE_PORT} → ${destination} (${inner})`,
    });
  return hops;
}

// Sidecars redirect inbound packets to Envoy inside the pod's network namespace after the CNI has
// admitted them, and the client's Envoy dials the endpoint's pod IP and targetPort itself: the
// policy sees the destination's target port, as without a mesh. An ambient client's ztunnel
// reaches a sidecar over HBONE instead, on the sidecar's 15008, when the pod says it terminates
// HBONE (networking.istio.io/tunnel=http); to any other proxy it sends to the target port.
const sidecar: DataPlane = {
  mode: 'sidecar',
  hops: (r) =>
    r.from === 'ambient' && r.to.labels[TUNNEL_LABEL] === 'http'
      ? hboneHops('ambient', { ...r, waypoint: undefined }, 'sidecar pod')
      : [
          {
            to: classEndpoint(r.to),
            port: r.port,
            via: r.from === 'sidecar' ? 'sidecar → sidecar, pod IP and target port' : 'pod IP and target port',
          },
        ],
};

// No proxy at the destination: every client's packets (ztunnel's too) arrive as plaintext on the target port.
const none: DataPlane = {
  mode: 'none',
  hops: (r) => [{ to: classEndpoint(r.to), port: r.port, via: 'pod IP and target port' }],
};

// Ambient destinations: mesh clients tunnel to 15008 (through the waypoint when one is bound and
// the request is a Service request); clients outside the mesh send plaintext to the target port,
// which the destination's in-pod ztunnel captures after the CNI admitted it.
const ambient: DataPlane = {
  mode: 'ambient',
  hops: (r) => {
    if (r.from === 'sidecar' || r.from === 'ambient')
      return hboneHops(r.from, r.purpose === 'service' ? r : { ...r, waypoint: undefined }, 'ambient pod');
    return [{ to: classEndpoint(r.to), port: r.port, via: "plaintext to the target port (captured by the pod's ztunnel)" }];
  },
};

export const DATA_PLANES: Readonly<Record<DataPlaneMode, DataPlane>> = { sidecar, ambient, none };
