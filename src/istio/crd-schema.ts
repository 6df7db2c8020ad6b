// Validates Istio resources against their CRDs' structural OpenAPI v3 schemas (the data in
// crd-schemas.gen.ts, generated from Istio's own CRD manifest), as the API server does before
// storing one: types, required fields, enums, unknown fields (as `kubectl apply`'s strict field
// validation reports them), bounds, patterns, list uniqueness, and the oneOf/anyOf/not
// combinations Istio's CRDs use for mutually exclusive fields.
// x-kubernetes-validations hold CEL; only the rule shapes listed in CEL_RULES are evaluated
// (each one a rule text Istio's CRDs contain), any other rule is counted as skipped, never guessed.

import { CRD_SCHEMAS, type OpenApiSchema } from './crd-schemas.gen.ts';

export type { OpenApiSchema };

/** One violation: where (a field path from the object's root) and what is wrong. */
export interface SchemaViolation {
  path: string;
  message: string;
}

export interface SchemaResult {
  violations: SchemaViolation[];
  /** CEL rules met on the way that this validator cannot evaluate (rule text → times met). */
  skippedRules: Map<string, number>;
}

/** The schema the CRD serves for an apiVersion and kind, if Istio has such a CRD and version. */
export function crdSchemaFor(apiVersion: string, kind: string): OpenApiSchema | undefined {
  const slash = apiVersion.lastIndexOf('/');
  if (slash === -1) return undefined;
  return CRD_SCHEMAS[`${apiVersion.slice(0, slash)}/${kind}`]?.[apiVersion.slice(slash + 1)];
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const has = (v: unknown, key: string): boolean => isObj(v) && v[key] !== undefined && v[key] !== null;
const q = (v: unknown): string => JSON.stringify(v) ?? String(v);

function typeOk(type: OpenApiSchema['type'], v: unknown): boolean {
  switch (type) {
    case 'object':
      return isObj(v);
    case 'array':
      return Array.isArray(v);
    case 'string':
      return typeof v === 'string';
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'number':
      return typeof v === 'number';
    case 'boolean':
      return typeof v === 'boolean';
    default:
      return true;
  }
}

function typeName(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

// "At most one of" rules: `(has(self.a) ? 1 : 0) + (has(self.b) ? 1 : 0) <= 1`.
const AT_MOST_ONE = /^\(has\(self\.\w+\) \? 1 : 0\)( \+ \(has\(self\.\w+\) \? 1 : 0\))+ <= 1$/;
const GO_DURATION = /^([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|ms|s|m|h)/;
const DURATION_UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1e3, m: 6e4, h: 3.6e6 };

/** Go's time.ParseDuration in milliseconds; undefined when it does not parse. */
function goDurationMs(text: string): number | undefined {
  let rest = text.startsWith('-') || text.startsWith('+') ? text.slice(1) : text;
  const sign = text.startsWith('-') ? -1 : 1;
  if (rest === '0') return 0;
  if (rest === '') return undefined;
  let total = 0;
  while (rest !== '') {
    const m = GO_DURATION.exec(rest);
    if (m === null) return undefined;
    total += Number(m[1]) * (DURATION_UNIT_MS[m[3] ?? ''] ?? NaN);
    rest = rest.slice(m[0].length);
  }
  return sign * total;
}

// `self.all(x, …)` iterates a map's keys or a list's items.
const members = (v: unknown): unknown[] => (Array.isArray(v) ? v : isObj(v) ? Object.keys(v) : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/**
 * The CEL rules of Istio's CRDs this validator evaluates, by exact rule text: true when the value
 * satisfies the rule. A CEL runtime error (int() of a non-number) counts as a failure, as in CEL.
 */
const CEL_RULES: Readonly<Record<string, (self: unknown) => boolean>> = {
  '!self.contains("*")': (s) => !str(s).includes('*'),
  'self.all(key, !key.contains("*"))': (s) => members(s).every((k) => !str(k).includes('*')),
  'self.all(key, key.size() != 0)': (s) => members(s).every((k) => str(k).length !== 0),
  'self.size() == 0': (s) => members(s).length === 0 && (typeof s !== 'string' || s.length === 0),
  'has(self.wasm) != has(self.lua)': (s) => has(s, 'wasm') !== has(s, 'lua'),
  '0 < self && self <= 65535': (s) => typeof s === 'number' && s > 0 && s <= 65535,
  'self != "*"': (s) => s !== '*',
  'self in ["", "HTTP", "HTTPS"]': (s) => ['', 'HTTP', 'HTTPS'].includes(str(s)),
  'has(self.address) || has(self.network)': (s) => has(s, 'address') || has(s, 'network'),
  "duration(self) >= duration('1ms')": (s) => (goDurationMs(str(s)) ?? -1) >= 1,
  'self.all(key, 0 < int(key) && int(key) <= 65535)': (s) =>
    members(s).every((k) => /^[+-]?\d+$/.test(str(k)) && Number(k) > 0 && Number(k) <= 65535),
  'self.all(l1, self.exists_one(l2, l1.number == l2.number))': (s) => {
    const numbers = members(s).map((p) => (isObj(p) ? p.number : undefined));
    return numbers.every((n) => numbers.filter((m) => m === n).length === 1);
  },
  'self.startsWith("unix://") ? (self.substring(7, 8) == "/" || self.substring(7, 8) == "@") : true': (s) =>
    !str(s).startsWith('unix://') || ['/', '@'].includes(str(s).slice(7, 8)),
  'self.startsWith("unix://") ? !self.endsWith("/") : true': (s) => !str(s).startsWith('unix://') || !str(s).endsWith('/'),
  '(has(self.address) ? self.address : "").startsWith("unix://") ? !has(self.ports) : true': (s) =>
    !(isObj(s) && str(s.address).startsWith('unix://')) || !has(s, 'ports'),
  '((has(self.resolution) ? self.resolution : "NONE") == "NONE") ? !has(self.endpoints) : true': (s) =>
    !isObj(s) || (has(s, 'resolution') ? s.resolution : 'NONE') !== 'NONE' || !has(s, 'endpoints'),
  '((has(self.resolution) ? self.resolution : "") == "DNS_ROUND_ROBIN") ? ((has(self.endpoints) ? self.endpoints : []).size() <= 1) : true':
    (s) => !isObj(s) || s.resolution !== 'DNS_ROUND_ROBIN' || members(s.endpoints).length <= 1,
  '!((has(self.addresses) ? self.addresses : []).exists(k, k.contains("/")) && !((has(self.resolution) ? self.resolution : "NONE") in ["STATIC", "NONE"]))':
    (s) =>
      !isObj(s) ||
      !members(s.addresses).some((a) => str(a).includes('/')) ||
      ['STATIC', 'NONE'].includes(str(has(s, 'resolution') ? s.resolution : 'NONE')),
  '(has(self.serviceAccounts) || has(self.notServiceAccounts)) ? (!has(self.principals) &&\n!has(self.notPrincipals) && !has(self.namespaces) && !has(self.notNamespaces)) : true':
    (s) =>
      !(has(s, 'serviceAccounts') || has(s, 'notServiceAccounts')) ||
      !['principals', 'notPrincipals', 'namespaces', 'notNamespaces'].some((f) => has(s, f)),
  'has(self.context) ? ((self.context == "WAYPOINT") ? has(self.waypoint) : !has(self.waypoint)) : !has(self.waypoint)': (s) =>
    has(s, 'context') && isObj(s) && s.context === 'WAYPOINT' ? has(s, 'waypoint') : !has(s, 'waypoint'),
};

function evalRule(rule: string, self: unknown): boolean | undefined {
  if (AT_MOST_ONE.test(rule)) {
    const fields = [...rule.matchAll(/has\(self\.(\w+)\)/g)].map((m) => m[1] ?? '');
    return fields.filter((f) => has(self, f)).length <= 1;
  }
  return CEL_RULES[rule]?.(self);
}

class Validator {
  readonly skippedRules = new Map<string, number>();

  // `branch`: inside oneOf/anyOf/allOf/not, whose schemas only constrain (required, value
  // checks) and declare no fields, so unknown-field reporting stays with the structural schema.
  check(schema: OpenApiSchema, v: unknown, path: string, out: SchemaViolation[], branch = false): void {
    const add = (message: string, at = path): void => void out.push({ path: at, message });
    if (v === null || v === undefined) return; // null is "unset" to Istio's decoder and pruned by the API server
    const intOrString = schema['x-kubernetes-int-or-string'] === true;
    if (intOrString ? !(typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v))) : !typeOk(schema.type, v)) {
      add(`Invalid value: ${q(typeName(v))}: must be ${intOrString ? 'an integer or a string' : `of type ${schema.type}`}`);
      return;
    }
    if (schema.enum !== undefined && !schema.enum.some((e) => e === v)) {
      add(`Unsupported value: ${q(v)}: supported values: ${schema.enum.map(q).join(', ')}`);
    }
    if (typeof v === 'string') this.checkString(schema, v, add);
    if (typeof v === 'number') {
      if (schema.minimum !== undefined && v < schema.minimum)
        add(`Invalid value: ${v}: must be greater than or equal to ${schema.minimum}`);
      if (schema.maximum !== undefined && v > schema.maximum) add(`Invalid value: ${v}: must be less than or equal to ${schema.maximum}`);
    }
    if (Array.isArray(v)) this.checkArray(schema, v, path, out, branch, add);
    if (isObj(v)) this.checkObject(schema, v, path, out, branch, add);
    this.checkCombinators(schema, v, path, out, add);
    for (const { rule, message } of schema['x-kubernetes-validations'] ?? []) {
      const ok = evalRule(rule, v);
      if (ok === undefined) this.skippedRules.set(rule, (this.skippedRules.get(rule) ?? 0) + 1);
      else if (!ok) add(`Invalid value: ${message ?? `failed rule: ${rule}`}`);
    }
  }

  private checkString(schema: OpenApiSchema, v: string, add: (m: string) => void): void {
    const length = [...v].length;
    if (schema.minLength !== undefined && length < schema.minLength)
      add(`Invalid value: ${q(v)}: should be at least ${schema.minLength} chars long`);
    if (schema.maxLength !== undefined && length > schema.maxLength) add(`Too long: may not be more than ${schema.maxLength} characters`);
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(v))
      add(`Invalid value: ${q(v)}: should match '${schema.pattern}'`);
    if (schema.format === 'date-time' && Number.isNaN(Date.parse(v))) add(`Invalid value: ${q(v)}: must be a date-time (RFC 3339)`);
    if (schema.format === 'byte' && !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) add(`Invalid value: ${q(v)}: must be base64-encoded`);
  }

  private checkArray(
    schema: OpenApiSchema,
    v: unknown[],
    path: string,
    out: SchemaViolation[],
    branch: boolean,
    add: (m: string) => void,
  ): void {
    if (schema.minItems !== undefined && v.length < schema.minItems)
      add(`Invalid value: ${v.length}: must have at least ${schema.minItems} items`);
    if (schema.maxItems !== undefined && v.length > schema.maxItems)
      add(`Too many: ${v.length}: must have at most ${schema.maxItems} items`);
    const listType = schema['x-kubernetes-list-type'];
    if (listType === 'set' || listType === 'map') {
      const keys = schema['x-kubernetes-list-map-keys'] ?? [];
      const keyOf = (item: unknown): string => (listType === 'map' && isObj(item) ? q(keys.map((k) => item[k])) : q(item));
      const seen = new Set<string>();
      v.forEach((item, i) => {
        const k = keyOf(item);
        if (seen.has(k)) out.push({ path: `${path}[${i}]`, message: `Duplicate value: ${k}` });
        seen.add(k);
      });
    }
    if (schema.items !== undefined) v.forEach((item, i) => this.check(schema.items!, item, `${path}[${i}]`, out, branch));
  }

  private checkObject(
    schema: OpenApiSchema,
    v: Obj,
    path: string,
    out: SchemaViolation[],
    branch: boolean,
    add: (m: string, at?: string) => void,
  ): void {
    for (const r of schema.required ?? []) if (v[r] === undefined || v[r] === null) add('Required value', `${path}.${r}`);
    const n = Object.keys(v).length;
    if (schema.minProperties !== undefined && n < schema.minProperties)
      add(`Invalid value: must have at least ${schema.minProperties} properties`);
    if (schema.maxProperties !== undefined && n > schema.maxProperties)
      add(`Too many: ${n}: must have at most ${schema.maxProperties} properties`);
    const extra = schema.additionalProperties;
    for (const [k, child] of Object.entries(v)) {
      const at = `${path}.${k}`;
      const declared = schema.properties?.[k];
      if (declared !== undefined) this.check(declared, child, at, out, branch);
      else if (typeof extra === 'object') this.check(extra, child, at, out, branch);
      else if (!branch && schema.properties !== undefined && extra !== true && schema['x-kubernetes-preserve-unknown-fields'] !== true) {
        add('unknown field', at);
      }
    }
  }

  private matches(schema: OpenApiSchema, v: unknown, path: string): boolean {
    const scratch: SchemaViolation[] = [];
    this.check(schema, v, path, scratch, true);
    return scratch.length === 0;
  }

  private checkCombinators(schema: OpenApiSchema, v: unknown, path: string, out: SchemaViolation[], add: (m: string) => void): void {
    for (const s of schema.allOf ?? []) this.check(s, v, path, out, true);
    if (schema.anyOf !== undefined && !schema.anyOf.some((s) => this.matches(s, v, path)))
      add('Invalid value: must match at least one of the allowed shapes');
    if (schema.not !== undefined && this.matches(schema.not, v, path)) add('Invalid value: must not match the excluded shape');
    if (schema.oneOf !== undefined) {
      const matching = schema.oneOf.filter((s) => this.matches(s, v, path)).length;
      if (matching !== 1) {
        // Istio's CRDs say "at most one of these fields" as oneOf: [not anyOf required…, required a, required b…].
        const exclusive = schema.oneOf.flatMap((s) => (s.required?.length === 1 ? s.required : []));
        const set = exclusive.filter((f) => has(v, f));
        add(
          set.length > 1
            ? `Invalid value: only one of ${exclusive.join(', ')} may be set (found ${set.join(', ')})`
            : 'Invalid value: must match exactly one of the allowed shapes',
        );
      }
    }
  }
}

/**
 * Validates an object (apiVersion, kind and metadata aside, which the API server owns) against
 * its CRD schema. Paths start at the object's root: `spec.trafficPolicy.tls.mode`.
 */
export function validateAgainstSchema(schema: OpenApiSchema, obj: Record<string, unknown>): SchemaResult {
  const v = new Validator();
  const { apiVersion: _a, kind: _k, metadata: _m, ...rest } = obj;
  const body = { ...rest };
  const out: SchemaViolation[] = [];
  for (const [k, child] of Object.entries(body)) {
    const declared = schema.properties?.[k];
    if (declared === undefined) {
      if (schema['x-kubernetes-preserve-unknown-fields'] !== true) out.push({ path: k, message: 'unknown field' });
      continue;
    }
    v.check(declared, child, k, out);
  }
  for (const r of schema.required ?? [])
    if (body[r] === undefined && !['apiVersion', 'kind', 'metadata'].includes(r)) out.push({ path: r, message: 'Required value' });
  return { violations: out, skippedRules: v.skippedRules };
}
