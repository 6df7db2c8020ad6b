// Small pieces of wording shared by the text and JUnit renderers.

import type { ResourceRef } from '../engine/types.ts';

/** `Kind ns/name`, or `Kind name` for cluster-scoped resources (istioctl's FriendlyName); `east: Kind ns/name` in a run over several clusters. */
export function friendlyName(ref: ResourceRef): string {
  const name = ref.namespace === undefined ? `${ref.kind} ${ref.name}` : `${ref.kind} ${ref.namespace}/${ref.name}`;
  return ref.cluster === undefined ? name : `${ref.cluster}: ${name}`;
}

/** `1 finding`, `2 findings`. */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

/** Seconds with millisecond precision, as JUnit's time attributes want them. */
export function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}
