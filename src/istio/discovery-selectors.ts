// meshConfig `discoverySelectors`: which namespaces istiod watches. A list of Kubernetes
// LabelSelectors, ORed; absent or empty means every namespace. Read from the `mesh` key of the
// `istio` ConfigMap (`istio-<rev>` for a revision), like the rest of meshConfig.

import type { ConfigMap, LabelSelector, Labels } from '../k8s/objects.ts';
import { matchesSelector } from '../k8s/selectors.ts';
import { readMeshConfig } from './mesh-config.ts';

export type DiscoverySelection =
  | { kind: 'all'; source: string }
  | { kind: 'selectors'; source: string; selectors: LabelSelector[] }
  /** The text could not be read as istiod would; we cannot say what it discovers. */
  | { kind: 'unreadable'; source: string; problem: string };

const OPERATORS = new Set(['In', 'NotIn', 'Exists', 'DoesNotExist']);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One LabelSelector from YAML, or a sentence saying why it is not one. */
function parseSelector(value: unknown, at: string): LabelSelector | string {
  if (value === null || value === undefined) return {};
  if (!isRecord(value)) return `${at} is not a mapping (received ${JSON.stringify(value)})`;
  const out: LabelSelector = {};
  if (value.matchLabels !== undefined && value.matchLabels !== null) {
    if (!isRecord(value.matchLabels)) return `${at}.matchLabels is not a mapping`;
    const labels: Labels = {};
    for (const [k, v] of Object.entries(value.matchLabels)) {
      if (typeof v !== 'string') return `${at}.matchLabels.${k} is not a string (received ${JSON.stringify(v)})`;
      labels[k] = v;
    }
    out.matchLabels = labels;
  }
  if (value.matchExpressions !== undefined && value.matchExpressions !== null) {
    if (!Array.isArray(value.matchExpressions)) return `${at}.matchExpressions is not a list`;
    const exprs: NonNullable<LabelSelector['matchExpressions']> = [];
    for (const [i, e] of value.matchExpressions.entries()) {
      if (!isRecord(e) || typeof e.key !== 'string' || typeof e.operator !== 'string' || !OPERATORS.has(e.operator)) {
        return `${at}.matchExpressions[${i}] needs a key and an operator In, NotIn, Exists or DoesNotExist (received ${JSON.stringify(e)})`;
      }
      const values = e.values ?? [];
      if (!Array.isArray(values) || values.some((v) => typeof v !== 'string'))
        return `${at}.matchExpressions[${i}].values is not a list of strings`;
      exprs.push({ key: e.key, operator: e.operator as 'In', values: values as string[] });
    }
    out.matchExpressions = exprs;
  }
  return out;
}

/** What a mesh ConfigMap says istiod discovers. */
export function discoverySelection(configMap: ConfigMap): DiscoverySelection {
  const source = `ConfigMap ${configMap.metadata.namespace ?? ''}/${configMap.metadata.name} key mesh`;
  const read = readMeshConfig(configMap);
  if (read.kind === 'absent' || read.kind === 'empty') return { kind: 'all', source };
  if (read.kind === 'invalid') return { kind: 'unreadable', source, problem: `not valid YAML (${read.error})` };
  if (read.kind === 'not-a-mapping') return { kind: 'unreadable', source, problem: 'not a mapping' };
  const parsed = read.mesh;
  const list = parsed.discoverySelectors;
  if (list === undefined || list === null) return { kind: 'all', source };
  if (!Array.isArray(list))
    return { kind: 'unreadable', source, problem: `discoverySelectors is not a list (received ${JSON.stringify(list)})` };
  if (list.length === 0) return { kind: 'all', source };
  const selectors: LabelSelector[] = [];
  for (const [i, item] of list.entries()) {
    const sel = parseSelector(item, `discoverySelectors[${i}]`);
    if (typeof sel === 'string') return { kind: 'unreadable', source, problem: sel };
    selectors.push(sel);
  }
  return { kind: 'selectors', source, selectors };
}

/** True when a namespace with these labels is discovered (any selector matches; the name label is implied). */
export function isDiscovered(selection: DiscoverySelection, name: string, labels: Labels | undefined): boolean {
  if (selection.kind !== 'selectors') return true;
  // The API server sets kubernetes.io/metadata.name on every namespace; a snapshot may omit it.
  const all = { 'kubernetes.io/metadata.name': name, ...(labels ?? {}) };
  return selection.selectors.some((s) => matchesSelector(s, all));
}

/** A selector as text, e.g. `{matchLabels: {mesh: included}, matchExpressions: [env In (prod,stage)]}`. */
export function selectorText(s: LabelSelector): string {
  const parts: string[] = [];
  if (s.matchLabels !== undefined && Object.keys(s.matchLabels).length > 0) {
    parts.push(
      `matchLabels: {${Object.entries(s.matchLabels)
        .map(([k, v]) => `${k}: ${v}`)
        .join(', ')}}`,
    );
  }
  if (s.matchExpressions !== undefined && s.matchExpressions.length > 0) {
    parts.push(
      `matchExpressions: [${s.matchExpressions.map((e) => `${e.key} ${e.operator}${e.operator === 'In' || e.operator === 'NotIn' ? ` (${(e.values ?? []).join(',')})` : ''}`).join('; ')}]`,
    );
  }
  return parts.length === 0 ? '{} (every namespace)' : `{${parts.join(', ')}}`;
}

/**
 * The fewest labels to add so one selector matches (undefined when every selector would need a
 * label removed or changed, or an Exists key with no value to suggest).
 */
export function labelsToAdd(selection: DiscoverySelection, name: string, labels: Labels | undefined): Labels | undefined {
  if (selection.kind !== 'selectors') return undefined;
  const current: Labels = { 'kubernetes.io/metadata.name': name, ...(labels ?? {}) };
  let best: Labels | undefined;
  for (const s of selection.selectors) {
    const add: Labels = {};
    let possible = true;
    for (const [k, v] of Object.entries(s.matchLabels ?? {})) {
      if (current[k] === undefined) add[k] = v;
      else if (current[k] !== v) possible = false;
    }
    for (const e of s.matchExpressions ?? []) {
      const has = Object.hasOwn(current, e.key) || Object.hasOwn(add, e.key);
      const value = add[e.key] ?? current[e.key];
      if (e.operator === 'In' && !(has && (e.values ?? []).includes(value!))) {
        if (has || (e.values ?? []).length === 0) possible = false;
        else add[e.key] = e.values![0]!;
      } else if (e.operator === 'Exists' && !has) possible = false;
    }
    if (!possible || !matchesSelector(s, { ...current, ...add })) continue;
    if (best === undefined || Object.keys(add).length < Object.keys(best).length) best = add;
  }
  return best;
}
