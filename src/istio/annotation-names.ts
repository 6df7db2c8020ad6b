// Which annotation names istioctl's annotation analyzers (pkg/config/analysis/analyzers/annotations/)
// treat as Istio's, and the ones Istio writes itself and so never reports. Both the known/valid and
// the alpha-maturity checks read annotations through this one rule, so they agree on what they see.

const INGRESS_CLASS = 'kubernetes.io/ingress.class';

/** Annotations Istio sets on injected pods or objects it manages: never a user's choice to flag. */
export const WRITTEN_BY_ISTIO: ReadonlySet<string> = new Set([
  'sidecar.istio.io/status',
  'gateway.istio.io/controller-version',
  'istio.io/rev',
]);

/** Istio's: the prefix (before the first '/', the whole name without one) ends in "istio.io", or kubernetes.io/ingress.class. */
export function isIstioAnnotation(name: string): boolean {
  return name === INGRESS_CLASS || (name.split('/')[0] ?? '').endsWith('istio.io');
}
