// The registry of checks. Every file under runbooks/<area>/ is listed here once, grouped by
// area in the order the guide presents them (runbooks/lib/ holds shared helpers, not checks);
// test/meta.test.ts fails when a file is missing from this list or listed twice.

import type { Check } from '../src/engine/check.ts';
import ambientDataPlane from './ambient/ambient-data-plane.ts';
import ambientEnrollment from './ambient/ambient-enrollment.ts';
import ambientL7Policy from './ambient/ambient-l7-policy.ts';
import ambientRouting from './ambient/ambient-routing.ts';
import ambientWaypoints from './ambient/ambient-waypoints.ts';
import statusConditions from './ambient/status-conditions.ts';
import controlPlaneHealth from './control-plane/control-plane-health.ts';
import externalControlPlane from './control-plane/external-control-plane.ts';
import webhooks from './control-plane/webhooks.ts';
import applicationUid from './data-plane/application-uid.ts';
import imageAuto from './data-plane/image-auto.ts';
import proxyImageSkew from './data-plane/proxy-image-skew.ts';
import proxySync from './data-plane/proxy-sync.ts';
import sidecarInjection from './data-plane/sidecar-injection.ts';
import workloadServices from './data-plane/workload-services.ts';
import gatewayApiCrdVersions from './gateways/gateway-api-crd-versions.ts';
import gatewayConflicts from './gateways/gateway-conflicts.ts';
import gatewayDuplicateCertificates from './gateways/gateway-duplicate-certificates.ts';
import gatewayPorts from './gateways/gateway-ports.ts';
import gatewaySecrets from './gateways/gateway-secrets.ts';
import k8sgatewaySelectors from './gateways/k8sgateway-selectors.ts';
import virtualserviceGateways from './gateways/virtualservice-gateways.ts';
import eastWestGateways from './multicluster/east-west-gateways.ts';
import meshIdentity from './multicluster/mesh-identity.ts';
import meshNetworksTopology from './multicluster/mesh-networks-topology.ts';
import meshTrust from './multicluster/mesh-trust.ts';
import multiclusterServices from './multicluster/multicluster-services.ts';
import primaryRemote from './multicluster/primary-remote.ts';
import remoteSecrets from './multicluster/remote-secrets.ts';
import controlPorts from './network-layers/control-ports.ts';
import discoverySelectors from './network-layers/discovery-selectors.ts';
import istiodApiAccess from './network-layers/istiod-api-access.ts';
import istiodPermissionsLive from './network-layers/istiod-permissions-live.ts';
import istiodRegistry from './network-layers/istiod-registry.ts';
import meshNetworks from './network-layers/mesh-networks.ts';
import meshReachability from './network-layers/mesh-reachability.ts';
import routeReachability from './network-layers/route-reachability.ts';
import serviceEndpoints from './network-layers/service-endpoints.ts';
import webhookPath from './network-layers/webhook-path.ts';
import authorizationPolicies from './security/authorization-policies.ts';
import authorizationPolicyCoverage from './security/authorization-policy-coverage.ts';
import authorizationPolicyReferences from './security/authorization-policy-references.ts';
import effectiveMtls from './security/effective-mtls.ts';
import exportToNamespaces from './security/export-to-namespaces.ts';
import jwksFetchRestrictions from './security/jwks-fetch-restrictions.ts';
import jwtClaimRoutes from './security/jwt-claim-routes.ts';
import mtlsConflicts from './security/mtls-conflicts.ts';
import telemetryDefaultSelectors from './telemetry/telemetry-default-selectors.ts';
import telemetryLightstep from './telemetry/telemetry-lightstep.ts';
import telemetryProviders from './telemetry/telemetry-providers.ts';
import telemetrySelectors from './telemetry/telemetry-selectors.ts';
import destinationruleCaCertificates from './traffic/destinationrule-ca-certificates.ts';
import destinationruleSubsets from './traffic/destinationrule-subsets.ts';
import envoyfilterPatches from './traffic/envoyfilter-patches.ts';
import istioAnnotations from './traffic/istio-annotations.ts';
import alphaAnnotations from './traffic/alpha-annotations.ts';
import istioDeprecations from './traffic/istio-deprecations.ts';
import istioSchema from './traffic/istio-schema.ts';
import servicePortNames from './traffic/service-port-names.ts';
import serviceentryAddresses from './traffic/serviceentry-addresses.ts';
import serviceentryProtocolConflicts from './traffic/serviceentry-protocol-conflicts.ts';
import sidecarSelectors from './traffic/sidecar-selectors.ts';
import virtualserviceDestinationHosts from './traffic/virtualservice-destination-hosts.ts';
import virtualserviceDestinationRules from './traffic/virtualservice-destination-rules.ts';
import virtualserviceMeshGatewayHosts from './traffic/virtualservice-mesh-gateway-hosts.ts';

export const CHECKS: readonly Check[] = [
  // control plane
  controlPlaneHealth,
  webhooks,
  externalControlPlane,
  // data plane
  sidecarInjection,
  proxyImageSkew,
  workloadServices,
  proxySync,
  applicationUid,
  imageAuto,
  // ambient
  ambientDataPlane,
  ambientEnrollment,
  ambientWaypoints,
  ambientL7Policy,
  statusConditions,
  ambientRouting,
  // traffic management
  servicePortNames,
  virtualserviceDestinationHosts,
  virtualserviceDestinationRules,
  virtualserviceMeshGatewayHosts,
  destinationruleSubsets,
  destinationruleCaCertificates,
  serviceentryAddresses,
  serviceentryProtocolConflicts,
  sidecarSelectors,
  envoyfilterPatches,
  // telemetry
  telemetryProviders,
  telemetrySelectors,
  telemetryDefaultSelectors,
  telemetryLightstep,
  istioAnnotations,
  alphaAnnotations,
  istioDeprecations,
  istioSchema,
  // security
  mtlsConflicts,
  effectiveMtls,
  exportToNamespaces,
  authorizationPolicies,
  authorizationPolicyReferences,
  authorizationPolicyCoverage,
  jwtClaimRoutes,
  jwksFetchRestrictions,
  // gateways
  gatewayPorts,
  gatewayConflicts,
  gatewaySecrets,
  gatewayDuplicateCertificates,
  virtualserviceGateways,
  k8sgatewaySelectors,
  gatewayApiCrdVersions,
  // network layers beneath the mesh (R1–R5)
  serviceEndpoints,
  discoverySelectors,
  istiodRegistry,
  meshNetworks,
  istiodApiAccess,
  istiodPermissionsLive,
  meshReachability,
  routeReachability,
  controlPorts,
  webhookPath,
  // multi-cluster
  meshTrust,
  meshIdentity,
  remoteSecrets,
  meshNetworksTopology,
  eastWestGateways,
  multiclusterServices,
  primaryRemote,
];

const byId = new Map(CHECKS.map((c) => [c.id, c]));

/** A check by id, or undefined. */
export function getCheck(id: string): Check | undefined {
  return byId.get(id);
}
