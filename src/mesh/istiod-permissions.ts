// What the control plane must be allowed to read on the API server to discover the mesh (R2),
// per generation. From the istiod chart's ClusterRole (manifests/charts/istio-control/
// istio-discovery/templates/clusterrole.yaml) and the 1.0.9 Pilot ClusterRole; only the
// discovery-related part: webhook patching, CA ConfigMaps and Gateway API are other concerns.

import type { IstioEra } from './istio-version.ts';

/** Verbs on one resource the control plane needs across the whole cluster, and why. */
export interface NeededPermission {
  /** API group, '' for core. */
  group: string;
  resource: string;
  verbs: readonly string[];
  /** Completes "istiod needs it to …". */
  purpose: string;
}

const READ = ['get', 'list', 'watch'] as const;

const ISTIO_NETWORKING = ['virtualservices', 'destinationrules', 'gateways', 'serviceentries', 'sidecars', 'workloadentries'];
const ISTIO_SECURITY = ['peerauthentications', 'authorizationpolicies', 'requestauthentications'];

/** The permissions istiod (or 1.0's Pilot) needs for discovery, in the order a reader expects them. */
export function discoveryPermissions(era: IstioEra): NeededPermission[] {
  if (era === 'split') {
    return [
      { group: '', resource: 'services', verbs: READ, purpose: 'discover the Services of the mesh' },
      { group: '', resource: 'endpoints', verbs: READ, purpose: 'map each Service to its workload IPs (Istio 1.0 reads Endpoints)' },
      { group: '', resource: 'pods', verbs: READ, purpose: 'learn workload labels and service accounts' },
      { group: '', resource: 'nodes', verbs: READ, purpose: 'learn locality and node addresses' },
      { group: '', resource: 'namespaces', verbs: READ, purpose: 'read namespace labels' },
      ...['virtualservices', 'destinationrules', 'gateways', 'serviceentries'].map((resource) => ({
        group: 'networking.istio.io',
        resource,
        verbs: READ,
        purpose: 'read Istio routing configuration',
      })),
      { group: 'authentication.istio.io', resource: 'policies', verbs: READ, purpose: 'read Istio authentication policies' },
    ];
  }
  return [
    { group: '', resource: 'services', verbs: READ, purpose: 'discover the Services of the mesh' },
    { group: 'discovery.k8s.io', resource: 'endpointslices', verbs: READ, purpose: 'map each Service to its workload IPs (R1)' },
    { group: '', resource: 'pods', verbs: READ, purpose: 'learn workload labels, service accounts and locality' },
    { group: '', resource: 'nodes', verbs: READ, purpose: 'learn locality and gateway node addresses' },
    { group: '', resource: 'namespaces', verbs: READ, purpose: 'apply discovery selectors and namespace labels' },
    ...ISTIO_NETWORKING.map((resource) => ({
      group: 'networking.istio.io',
      resource,
      verbs: READ,
      purpose: 'read Istio routing configuration',
    })),
    ...ISTIO_SECURITY.map((resource) => ({
      group: 'security.istio.io',
      resource,
      verbs: READ,
      purpose: 'read Istio security configuration',
    })),
    {
      group: 'authentication.k8s.io',
      resource: 'tokenreviews',
      verbs: ['create'],
      purpose: 'authenticate the proxies that connect for configuration and certificates',
    },
    {
      group: 'authorization.k8s.io',
      resource: 'subjectaccessreviews',
      verbs: ['create'],
      purpose: 'authorize gateways that read TLS Secrets',
    },
  ];
}

/** `endpointslices.discovery.k8s.io`, or `pods` for the core group: the name kubectl and RBAC errors use. */
export function resourceText(group: string, resource: string): string {
  return group === '' ? resource : `${resource}.${group}`;
}
