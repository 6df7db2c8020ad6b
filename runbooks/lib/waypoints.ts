// How istiod binds Services, ServiceEntries and pods to waypoints, read from a snapshot: the
// Gateway API Gateway a `istio.io/use-waypoint` label names, the traffic it serves, whether its
// HBONE listener admits another namespace, and whether a Service ends up bound at all. The rules
// are pilot/pkg/serviceregistry/ambient/waypoints.go (fetchWaypointForTarget, fetchWaypointForService,
// fetchWaypointForWorkload, makeAllowedRoutes). Not a check: shared by the ambient checks.

import type { KubeObject, LabelSelector, Namespace } from '../../src/k8s/objects.ts';
import { matchesSelector } from '../../src/k8s/selectors.ts';
import { namespaceOf } from '../../src/k8s/names.ts';
import { HBONE_PORT, USE_WAYPOINT_LABEL, WAYPOINT_GATEWAY_CLASS } from '../../src/mesh/ambient.ts';

/** The value of `istio.io/use-waypoint` that opts a resource out of its namespace's waypoint. */
export const NO_WAYPOINT = 'none';
/** The protocol of a waypoint's tunnel listener in Gateway API terms. */
export const HBONE_PROTOCOL = 'HBONE';
/** Label istiod puts on the Services it deploys for mesh gateways; such a Service never gets a waypoint. */
export const GATEWAY_MANAGED_LABEL = 'gateway.istio.io/managed';
const MESH_GATEWAY_CONTROLLERS: ReadonlySet<string> = new Set(['istio.io-mesh-controller', 'istio.io-eastwest-controller']);

export interface Listener {
  name?: string;
  port?: number;
  protocol?: string;
  allowedRoutes?: { namespaces?: { from?: string; selector?: LabelSelector } };
}

export interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
}

/** The listeners of a Gateway API Gateway (none when the field is missing or malformed). */
export function listenersOf(gateway: KubeObject): Listener[] {
  const spec = gateway.spec as { listeners?: unknown } | undefined;
  return Array.isArray(spec?.listeners) ? (spec.listeners as Listener[]).filter((l) => typeof l === 'object' && l !== null) : [];
}

/** The GatewayClass a Gateway names. */
export function gatewayClassOf(gateway: KubeObject): string | undefined {
  const cls = (gateway.spec as { gatewayClassName?: unknown } | undefined)?.gatewayClassName;
  return typeof cls === 'string' ? cls : undefined;
}

/** Whether a Gateway is one of Istio's waypoints (class `istio-waypoint`). */
export function isWaypointGateway(gateway: KubeObject): boolean {
  return gatewayClassOf(gateway) === WAYPOINT_GATEWAY_CLASS;
}

/** Whether a listener is the waypoint's HBONE tunnel: port 15008, protocol HBONE. */
export function isHboneListener(l: Listener): boolean {
  return l.port === HBONE_PORT && l.protocol === HBONE_PROTOCOL;
}

/** `status.conditions` of an object, when it has any well-formed ones. */
export function conditionsOf(obj: KubeObject): Condition[] {
  const status = obj.status as { conditions?: unknown } | undefined;
  return Array.isArray(status?.conditions) ? (status.conditions as Condition[]).filter((c) => typeof c === 'object' && c !== null) : [];
}

/** How many addresses a Gateway's status holds: istiod publishes a waypoint only once there is one. */
export function statusAddressCount(gateway: KubeObject): number {
  const addresses = (gateway.status as { addresses?: unknown } | undefined)?.addresses;
  return Array.isArray(addresses) ? addresses.length : 0;
}

/**
 * Whether the waypoint admits bindings from a namespace: the HBONE listener's
 * `allowedRoutes.namespaces` (`Same` when unset, and when there is no HBONE listener at all).
 * Returns the rule for evidence too.
 */
export function admitsNamespace(gateway: KubeObject, namespace: Namespace | undefined, name: string): { admitted: boolean; rule: string } {
  const hbone = listenersOf(gateway).find(isHboneListener);
  const ns = hbone?.allowedRoutes?.namespaces;
  const from = ns?.from ?? 'Same';
  switch (from) {
    case 'All':
      return { admitted: true, rule: 'from: All' };
    case 'Selector': {
      // Without a selector nothing matches (LabelSelectorAsSelector(nil)); an empty one matches every namespace.
      const selector = ns?.selector;
      const labels = namespace?.metadata.labels ?? { 'kubernetes.io/metadata.name': name };
      const admitted = selector !== undefined && selector !== null && matchesSelector(selector, labels);
      return {
        admitted,
        rule: `from: Selector (${selector === undefined || selector === null ? 'no selector' : JSON.stringify(selector)})`,
      };
    }
    default:
      return { admitted: namespaceOf(gateway) === name, rule: `from: ${from} (namespace ${namespaceOf(gateway)} only)` };
  }
}

/** A Service istiod never binds to a waypoint: the Service of a waypoint or east-west gateway itself. */
export function isMeshGatewayService(service: KubeObject): boolean {
  return MESH_GATEWAY_CONTROLLERS.has(service.metadata.labels?.[GATEWAY_MANAGED_LABEL] ?? '');
}

/**
 * Whether a Service (or ServiceEntry) asks for a waypoint: its own `istio.io/use-waypoint`
 * (where `none` opts out), else its namespace's.
 */
export function boundToWaypoint(obj: KubeObject, namespace: Namespace | undefined): boolean {
  const own = obj.metadata.labels?.[USE_WAYPOINT_LABEL];
  if (own !== undefined) return own !== '' && own !== NO_WAYPOINT;
  const inherited = namespace?.metadata.labels?.[USE_WAYPOINT_LABEL];
  return inherited !== undefined && inherited !== '' && inherited !== NO_WAYPOINT;
}
