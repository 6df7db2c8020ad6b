// Suppressions with `istioctl analyze`'s semantics, so a team can carry its rules over:
// - the `galley.istio.io/analyze-suppress` annotation on the resource a finding is about: a
//   comma-separated list of codes, `*` for every code;
// - `CODE=Kind name[.namespace]` rules (istioctl's --suppress), matched against the resource's
//   istioctl name (`Kind name.namespace`, `Kind name` when cluster-scoped), where `*` matches
//   any run of characters and everything else is literal (istioctl uses go-glob);
// - rules from the project's config file, each with a reason and an optional last day.
// A suppressed finding is set aside with why, never dropped; severity overrides are applied
// first, so a rule matches the finding as it will be reported.

import type { KubeObject } from '../k8s/objects.ts';
import type { ExpiredSuppression, Finding, ResourceRef, Severity, SuppressedFinding, Suppression } from './types.ts';

export const SUPPRESS_ANNOTATION = 'galley.istio.io/analyze-suppress';

/** Decides whether a finding on `object` (undefined when the snapshot does not hold it) is suppressed, and why. */
export type Suppressor = (finding: Finding, object: KubeObject | undefined) => Suppression | undefined;

/** One `CODE=Kind name[.namespace]` rule, with where it came from. */
export interface SuppressionRule {
  code: string;
  resource: string;
  by: 'flag' | 'config';
  /** The config file's reason (flags have none). */
  reason?: string;
  /** The last day the rule applies, YYYY-MM-DD (UTC). */
  until?: string;
}

/** `Kind name.namespace`, or `Kind name` for a cluster-scoped resource: the name istioctl matches --suppress against. */
export function istioctlName(ref: ResourceRef): string {
  return ref.namespace === undefined || ref.namespace === '' ? `${ref.kind} ${ref.name}` : `${ref.kind} ${ref.name}.${ref.namespace}`;
}

/** go-glob's matching: `*` is any run of characters (possibly none), every other character is literal, the whole string must match. */
export function globMatch(pattern: string, text: string): boolean {
  const body = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`, 's').test(text);
}

/** Parses istioctl's `CODE=RESOURCE`; undefined unless there is exactly one `=` (istioctl rejects the rest the same way). */
export function parseSuppressFlag(value: string): { code: string; resource: string } | undefined {
  const parts = value.split('=');
  if (parts.length !== 2) return undefined;
  return { code: parts[0]!, resource: parts[1]! };
}

/** The codes a resource's annotation suppresses (empty when it has none). */
export function annotatedCodes(object: KubeObject | undefined): string[] {
  const value = object?.metadata.annotations?.[SUPPRESS_ANNOTATION];
  if (value === undefined || value === '') return [];
  // istioctl splits on commas without trimming; "IST0102, IST0104" is trimmed here, since the
  // space is never part of a code.
  return value.split(',').map((c) => c.trim());
}

/** The rules in force on `today` (YYYY-MM-DD) and the config rules past their last day. */
export function partitionByDate(
  rules: readonly SuppressionRule[],
  today: string,
): { active: SuppressionRule[]; expired: ExpiredSuppression[] } {
  const active: SuppressionRule[] = [];
  const expired: ExpiredSuppression[] = [];
  for (const rule of rules) {
    // ISO dates compare as strings; the rule holds through its last day.
    if (rule.until !== undefined && rule.until < today)
      expired.push({ code: rule.code, resource: rule.resource, reason: rule.reason ?? '', until: rule.until });
    else active.push(rule);
  }
  return { active, expired };
}

/** A suppressor from the annotation and `rules` (already filtered by date). */
export function makeSuppressor(rules: readonly SuppressionRule[]): Suppressor {
  return (finding, object) => {
    const codes = annotatedCodes(object);
    const annotated = codes.find((c) => c === '*' || c === finding.code);
    if (annotated !== undefined)
      return { by: 'annotation', reason: `${SUPPRESS_ANNOTATION}: ${object?.metadata.annotations?.[SUPPRESS_ANNOTATION] ?? annotated}` };
    const name = istioctlName(finding.resource);
    // istioctl compares the code exactly; `*` in a code is accepted here too (IST01*), a superset.
    const rule = rules.find((r) => globMatch(r.code, finding.code) && globMatch(r.resource, name));
    if (rule === undefined) return undefined;
    const spelled = `${rule.code}=${rule.resource}`;
    const suppression: Suppression =
      rule.by === 'flag' ? { by: 'flag', reason: `--suppress "${spelled}"` } : { by: 'config', reason: `${spelled}: ${rule.reason ?? ''}` };
    if (rule.until !== undefined) suppression.until = rule.until;
    return suppression;
  };
}

/** How a run treats findings after a check reports them: severity overrides per code, then suppressions. */
export interface FindingPolicy {
  severity?: Readonly<Partial<Record<string, Severity>>>;
  suppress?: Suppressor;
}

/** Applies `policy` to a check's findings: the ones kept (overrides applied) and the ones set aside. */
export function applyPolicy(
  findings: readonly Finding[],
  objectOf: (ref: ResourceRef) => KubeObject | undefined,
  policy: FindingPolicy,
): { findings: Finding[]; suppressed: SuppressedFinding[] } {
  const kept: Finding[] = [];
  const suppressed: SuppressedFinding[] = [];
  for (const original of findings) {
    const severity = policy.severity?.[original.code];
    const finding = severity === undefined ? original : { ...original, severity };
    const suppression = policy.suppress?.(finding, objectOf(finding.resource));
    if (suppression === undefined) kept.push(finding);
    else suppressed.push({ ...finding, suppression });
  }
  return { findings: kept, suppressed };
}
