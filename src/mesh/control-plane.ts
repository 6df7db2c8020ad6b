// Which Deployments are Istio's control plane, and the facts about them several checks need
// (revision, image, version, pods, readiness), in one place so control-plane-health, the R2
// API-access check and the R5 control-ports check agree on what "the control plane" is.

import type { Deployment, Pod } from '../k8s/objects.ts';
import { matchesSelector } from '../k8s/selectors.ts';
import { namespaceOf } from '../k8s/names.ts';

// istiod's container is `discovery` in every chart since 1.0 (Pilot's too).
export const CONTROL_PLANE_CONTAINER = 'discovery';

/** istiod (`istiod`, `istiod-<rev>`, or labelled app=istiod), or Istio 1.0's Pilot (`istio-pilot`). */
export function isControlPlane(d: Deployment): boolean {
  const name = d.metadata.name;
  return name === 'istiod' || name.startsWith('istiod-') || d.metadata.labels?.app === 'istiod' || name === 'istio-pilot';
}

/** The revision a control plane serves: its istio.io/rev label, else what its name says. */
export function revisionOf(d: Deployment): string {
  const rev = d.metadata.labels?.['istio.io/rev'] ?? d.spec?.template?.metadata?.labels?.['istio.io/rev'];
  if (rev !== undefined && rev !== '') return rev;
  if (d.metadata.name === 'istio-pilot') return 'none (Istio 1.0 has no revisions)';
  return d.metadata.name.startsWith('istiod-') ? d.metadata.name.slice('istiod-'.length) : 'default';
}

/** The discovery container's image (the first container's when it is named otherwise). */
export function imageOf(d: Deployment): string | undefined {
  const containers = d.spec?.template?.spec?.containers ?? [];
  return (containers.find((c) => c.name === CONTROL_PLANE_CONTAINER) ?? containers[0])?.image;
}

/** The tag of an image reference (`docker.io/istio/pilot:1.28.0@sha256:…` → `1.28.0`). */
export function imageTag(image: string | undefined): string {
  if (image === undefined || image === '') return 'unknown';
  const ref = image.split('@')[0]!;
  const colon = ref.lastIndexOf(':');
  return colon > ref.lastIndexOf('/') ? ref.slice(colon + 1) : 'latest';
}

/**
 * The pods a Deployment owns: its selector matches them in its namespace, and — since revisions
 * of istiod often share labels (every revision's pods carry istio=pilot) — their ReplicaSet (owner
 * reference, or the `<deployment>-<pod-template-hash>-` name prefix) is this Deployment's.
 */
export function podsOfDeployment(d: Deployment, pods: readonly Pod[]): Pod[] {
  const selector = d.spec?.selector;
  if (selector === undefined) return [];
  const ns = namespaceOf(d);
  return pods.filter((p) => namespaceOf(p) === ns && matchesSelector(selector, p.metadata.labels) && ownedBy(d, p));
}

function ownedBy(d: Deployment, pod: Pod): boolean {
  const hash = pod.metadata.labels?.['pod-template-hash'];
  const rs = pod.metadata.ownerReferences?.find((o) => o.kind === 'ReplicaSet')?.name;
  if (rs !== undefined) {
    if (hash !== undefined) return rs === `${d.metadata.name}-${hash}`;
    return rs.startsWith(`${d.metadata.name}-`) && !rs.slice(d.metadata.name.length + 1).includes('-');
  }
  return hash === undefined || pod.metadata.name.startsWith(`${d.metadata.name}-${hash}-`);
}

/**
 * The ServiceAccount a Deployment's pods run as: spec.template.spec.serviceAccountName (or the
 * deprecated serviceAccount field); Kubernetes uses `default` when neither is set.
 */
export function serviceAccountOf(d: Deployment): string {
  const spec = d.spec?.template?.spec as { serviceAccountName?: unknown; serviceAccount?: unknown } | undefined;
  for (const value of [spec?.serviceAccountName, spec?.serviceAccount]) {
    if (typeof value === 'string' && value !== '') return value;
  }
  return 'default';
}
