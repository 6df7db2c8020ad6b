// Which objects `istioctl analyze` sees at all. Not a check: shared by the checks that mirror it.
// istioctl's live source reads everything except Services, Namespaces, Nodes, Pods and Secrets
// through a client filtered by revision (`--revision`, default "default"; config.LabelsInRevision):
// an object labelled istio.io/rev with another value is invisible to every analyzer. That covers
// Istio's own resources but also Deployments and webhook configurations, whose namespaces, unlike
// Services' and Pods', are not filtered (pkg/config/analysis/local/istiod_analyze.go).

import type { KubeObject } from '../../src/k8s/objects.ts';

export const REVISION_LABEL = 'istio.io/rev';
/** The revision `istioctl analyze` analyzes unless told otherwise. */
export const DEFAULT_REVISION = 'default';

/** True when istioctl's default-revision client reads the object: no istio.io/rev label, or "default". */
export function inAnalyzedRevision(obj: KubeObject): boolean {
  const rev = obj.metadata.labels?.[REVISION_LABEL];
  return rev === undefined || rev === DEFAULT_REVISION;
}
