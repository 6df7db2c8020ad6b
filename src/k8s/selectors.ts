// Label selector matching, with Kubernetes semantics.

import type { LabelSelector, Labels } from './objects.ts';

/** A map selector (Service.spec.selector, Gateway.spec.selector): every pair must match. An empty map matches everything. */
export function matchesLabels(selector: Labels | undefined, labels: Labels | undefined): boolean {
  if (selector === undefined) return true;
  for (const [k, v] of Object.entries(selector)) {
    if (labels?.[k] !== v) return false;
  }
  return true;
}

/** A LabelSelector (matchLabels + matchExpressions). An empty selector matches everything. */
export function matchesSelector(selector: LabelSelector | undefined, labels: Labels | undefined): boolean {
  if (selector === undefined) return true;
  if (!matchesLabels(selector.matchLabels, labels)) return false;
  for (const expr of selector.matchExpressions ?? []) {
    const has = labels !== undefined && Object.hasOwn(labels, expr.key);
    const value = labels?.[expr.key];
    switch (expr.operator) {
      case 'In':
        if (!has || !(expr.values ?? []).includes(value!)) return false;
        break;
      case 'NotIn':
        if (has && (expr.values ?? []).includes(value!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        throw new Error(`unknown label selector operator ${JSON.stringify((expr as { operator: unknown }).operator)}`);
    }
  }
  return true;
}

/** `a=b,c=d`, sorted: how selectors are shown in messages (like labels.SelectorFromSet). */
export function selectorString(selector: Labels | undefined): string {
  return Object.entries(selector ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}
