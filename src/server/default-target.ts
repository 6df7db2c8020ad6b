// Which target a page selects until the reader picks one. Kept apart from targets.ts so the
// page component can ask without loading the Kubernetes client into the page's module graph.

import type { TargetOption } from './targets.ts';

/**
 * The kubeconfig's current context (what kubectl would use) when it can be used, else the
 * first snapshot (the demo): a reader with a cluster sees their own cluster first.
 */
export function defaultTargetId(targets: readonly TargetOption[]): string | undefined {
  const current = targets.find((t) => t.group === 'context' && t.current === true && t.problem === undefined);
  return (current ?? targets.find((t) => t.group === 'snapshot') ?? targets[0])?.id;
}
