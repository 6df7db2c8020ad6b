// The destinations of a VirtualService, in the order and with the labels istioctl's
// virtualservice analyzers walk them (getRouteDestinations / getHTTPMirrorDestinations in
// pkg/config/analysis/analyzers/virtualservice/util.go): tcp, tls, then http routes; then, per
// http rule, its mirror and its mirrors. A missing destination is treated as an empty one.

import type { Destination, VirtualService } from '../k8s/objects.ts';

export interface AnnotatedDestination {
  /** 'tcp', 'tls', 'http', 'http.mirror' or 'http.mirrors'. */
  rule: 'tcp' | 'tls' | 'http' | 'http.mirror' | 'http.mirrors';
  destination: Destination;
  /** Where it sits in the VirtualService, e.g. `spec.http[0].route[1].destination`. */
  path: string;
}

/** Route destinations: every `route[].destination` of tcp, tls and http rules, in that order. */
export function routeDestinations(vs: VirtualService): AnnotatedDestination[] {
  const out: AnnotatedDestination[] = [];
  for (const rule of ['tcp', 'tls', 'http'] as const) {
    (vs.spec?.[rule] ?? []).forEach((r, i) => {
      (r.route ?? []).forEach((rd, j) => {
        out.push({ rule, destination: rd.destination ?? {}, path: `spec.${rule}[${i}].route[${j}].destination` });
      });
    });
  }
  return out;
}

/** Mirror destinations of http rules: `mirror`, then each `mirrors[].destination`. */
export function mirrorDestinations(vs: VirtualService): AnnotatedDestination[] {
  const out: AnnotatedDestination[] = [];
  (vs.spec?.http ?? []).forEach((r, i) => {
    if (r.mirror !== undefined && r.mirror !== null)
      out.push({ rule: 'http.mirror', destination: r.mirror, path: `spec.http[${i}].mirror` });
    (r.mirrors ?? []).forEach((m, j) => {
      out.push({ rule: 'http.mirrors', destination: m.destination ?? {}, path: `spec.http[${i}].mirrors[${j}].destination` });
    });
  });
  return out;
}
