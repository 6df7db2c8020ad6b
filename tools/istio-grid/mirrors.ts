// Which checks mirror an istioctl analyzer. A check names one analyzer by its Metadata name in
// its `analyzer` field; the schema analyzers are one per Istio kind (schema.ValidationAnalyzer.<Kind>),
// so a check may carry the family name instead and then mirrors the one of each kind it reads.

import type { Check } from '../../src/engine/check.ts';

export const SCHEMA_FAMILY = 'schema.ValidationAnalyzer';

/** True when `check` mirrors the analyzer named `analyzer`. */
export function mirrors(check: Pick<Check, 'analyzer' | 'inputs'>, analyzer: string): boolean {
  if (check.analyzer === analyzer) return true;
  if (check.analyzer !== SCHEMA_FAMILY || !analyzer.startsWith(`${SCHEMA_FAMILY}.`)) return false;
  const kind = analyzer.slice(SCHEMA_FAMILY.length + 1);
  return check.inputs.some((id) => id.endsWith(`/${kind}`));
}

/** The analyzers among `names` that some check of `checks` mirrors. */
export function mirroredAnalyzers(checks: readonly Pick<Check, 'analyzer' | 'inputs'>[], names: readonly string[]): Set<string> {
  return new Set(names.filter((n) => checks.some((c) => mirrors(c, n))));
}
