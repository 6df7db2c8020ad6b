// Rules and matches of a VirtualService that can never be used, judged as Istio's own
// VirtualService validation judges them (the warnings istioctl reports as IST0130 and IST0131).
// Envoy tries a host's routes in order and takes the first that matches, so a rule after a
// catch-all, a match equal to an earlier one, or a prefix match an earlier, shorter prefix with
// the same conditions already covers is dead configuration. Only what Istio itself warns about
// is reported: equality of whole matches (their name aside), and the prefix comparison, which
// Istio makes for HTTP matches only and only on method, authority, port, headers, query
// parameters and absent headers.

/** A rule no request can reach (IST0130). */
export interface UnreachableRule {
  code: 'IST0130';
  /** How istioctl names the rule: `"its name"` for a named HTTP route, else `#index`. */
  ruleno: string;
  reason: string;
  /** Field path of the rule, e.g. `spec.http[1]`. */
  path: string;
  /** Field path of the earlier rule or match that takes its traffic. */
  earlier: string;
}

/** A match of a rule that an earlier match shadows (IST0131). */
export interface IneffectiveMatch {
  code: 'IST0131';
  ruleno: string;
  /** `"its name"` for a named HTTP match, else `#index`; for a prefix overlap, also the prefix. */
  matchno: string;
  /** The earlier rule (for a prefix overlap, the earlier match, its prefix and its rule). */
  dupno: string;
  path: string;
  earlier: string;
}

export type RuleProblem = UnreachableRule | IneffectiveMatch;

type Protocol = 'http' | 'tcp' | 'tls';

const NO_MATCHES_LAST = 'only the last rule can have no matches';
const AFTER_CATCH_ALL = 'route without matches defined before';
const ALL_MATCHES_USED = 'all matches used by prior rules';

/** Every unreachable rule and ineffective match of a VirtualService spec, HTTP first, then TCP, then TLS. */
export function virtualServiceRuleProblems(spec: unknown): RuleProblem[] {
  const s = asRecord(spec);
  if (s === undefined) return [];
  return [...analyze(s.http, 'http'), ...analyze(s.tcp, 'tcp'), ...analyze(s.tls, 'tls')];
}

function analyze(routesValue: unknown, protocol: Protocol): RuleProblem[] {
  const out: RuleProblem[] = [];
  const routes = Array.isArray(routesValue) ? (routesValue as unknown[]) : [];
  const seen = new Map<string, number>();
  const seenAt = new Map<string, string>();
  let catchAll = -1;
  const prefixes: PrefixMatch[] = [];
  routes.forEach((routeValue, rulen) => {
    const route = asRecord(routeValue);
    if (route === undefined) return;
    const path = `spec.${protocol}[${rulen}]`;
    const ruleno = ruleName(route, rulen, protocol);
    const matches = Array.isArray(route.match) ? (route.match as unknown[]) : [];
    if (matches.length === 0) {
      if (catchAll >= 0) out.push({ code: 'IST0130', ruleno, reason: NO_MATCHES_LAST, path, earlier: `spec.${protocol}[${catchAll}]` });
      catchAll = rulen;
      return;
    }
    let duplicates = 0;
    let lastDuplicateOf = '';
    matches.forEach((match, matchn) => {
      if (catchAll >= 0) {
        // Istio warns once per match here; the runner folds the identical texts into one finding.
        out.push({ code: 'IST0130', ruleno, reason: AFTER_CATCH_ALL, path, earlier: `spec.${protocol}[${catchAll}]` });
        return;
      }
      const key = matchKey(match, protocol);
      const dupn = seen.get(key);
      if (dupn !== undefined) {
        const earlier = seenAt.get(key)!;
        out.push({
          code: 'IST0131',
          ruleno,
          matchno: requestName(match, matchn, protocol),
          dupno: ruleName(asRecord(routes[dupn]) ?? {}, dupn, protocol),
          path: `${path}.match[${matchn}]`,
          earlier,
        });
        duplicates++;
        lastDuplicateOf = earlier;
        return;
      }
      seen.set(key, rulen);
      seenAt.set(key, `${path}.match[${matchn}]`);
      if (protocol === 'http') {
        const p = prefixMatch(match, ruleno, requestName(match, matchn, protocol), `${path}.match[${matchn}]`);
        if (p !== undefined) prefixes.push(p);
      }
    });
    if (duplicates === matches.length) out.push({ code: 'IST0130', ruleno, reason: ALL_MATCHES_USED, path, earlier: lastDuplicateOf });
  });
  // Every pair in order, the rule's own earlier matches included: an earlier match shadows a later one.
  prefixes.forEach((a, i) => {
    for (const b of prefixes.slice(i + 1)) {
      if (b.prefix === a.prefix || !covers(a, b)) continue;
      out.push({
        code: 'IST0131',
        ruleno: b.ruleno,
        matchno: `${b.matchno} of prefix ${b.prefix}`,
        dupno: `${a.matchno} of prefix ${a.prefix} on ${a.ruleno}`,
        path: b.path,
        earlier: a.path,
      });
    }
  });
  return out;
}

/** The parts of an HTTP prefix match Istio compares when it looks for overlapping prefixes. */
interface PrefixMatch {
  ruleno: string;
  matchno: string;
  path: string;
  prefix: string;
  port: number;
  method: string;
  authority: string;
  headers: Map<string, string>;
  queryParams: Map<string, string>;
  withoutHeaders: Map<string, string>;
}

function prefixMatch(matchValue: unknown, ruleno: string, matchno: string, path: string): PrefixMatch | undefined {
  const match = asRecord(matchValue);
  const prefix = asRecord(match?.uri)?.prefix;
  if (match === undefined || typeof prefix !== 'string' || prefix === '') return undefined;
  return {
    ruleno,
    matchno,
    path,
    prefix,
    port: typeof match.port === 'number' ? match.port : 0,
    // A match without a method is compared as if it asked for GET, as Istio does.
    method: exactOrPrefix(match.method) || 'exact:GET',
    authority: exactOrPrefix(match.authority),
    headers: stringMatches(match.headers),
    queryParams: stringMatches(match.queryParams),
    withoutHeaders: stringMatches(match.withoutHeaders),
  };
}

// `exact:v` or `prefix:v`; a regex or an empty condition compares as the empty string.
function exactOrPrefix(value: unknown): string {
  const m = asRecord(value);
  if (typeof m?.exact === 'string' && m.exact !== '') return `exact:${m.exact}`;
  if (typeof m?.prefix === 'string' && m.prefix !== '') return `prefix:${m.prefix}`;
  return '';
}

function stringMatches(value: unknown): Map<string, string> {
  return new Map(Object.entries(asRecord(value) ?? {}).map(([k, v]) => [k, exactOrPrefix(v)]));
}

// Whether the earlier match `a` takes every request the later match `b` would: `b`'s prefix
// extends `a`'s and every other condition is equal, or `a`'s (as text) extends `b`'s.
function covers(a: PrefixMatch, b: PrefixMatch): boolean {
  if (!b.prefix.startsWith(a.prefix) || a.port !== b.port) return false;
  const loose = (x: string, y: string): boolean => x === y || x.startsWith(y);
  if (!loose(a.method, b.method) || !loose(a.authority, b.authority)) return false;
  const mapCovers = (x: Map<string, string>, y: Map<string, string>): boolean =>
    x.size === y.size && [...x].every(([k, v]) => y.has(k) && loose(v, y.get(k)!));
  return mapCovers(a.headers, b.headers) && mapCovers(a.queryParams, b.queryParams) && mapCovers(a.withoutHeaders, b.withoutHeaders);
}

// HTTP routes and matches may be named; Istio quotes the name, and numbers the unnamed (and all TCP and TLS ones).
function ruleName(route: Record<string, unknown>, index: number, protocol: Protocol): string {
  return protocol === 'http' && typeof route.name === 'string' && route.name !== '' ? goQuote(route.name) : `#${index}`;
}

function requestName(match: unknown, index: number, protocol: Protocol): string {
  const name = asRecord(match)?.name;
  return protocol === 'http' && typeof name === 'string' && name !== '' ? goQuote(name) : `#${index}`;
}

// Go's %q for the names istioctl prints: JSON's quoting, except that DEL and the control
// characters JSON writes as \u00XX are written as \xXX.
function goQuote(s: string): string {
  const short: Record<string, string> = { '07': '\\a', '0b': '\\v' };
  return JSON.stringify(s)
    .replace(/\\u00([01][0-9a-f])/g, (_, hex: string) => short[hex] ?? `\\x${hex}`)
    .replace(/\x7f/g, '\\x7f');
}

// Fields that are maps in Istio's API (an empty one is the same as none); every other object
// field is a message, which is set even when empty.
const MAP_FIELDS = new Set(['headers', 'queryParams', 'withoutHeaders', 'sourceLabels']);
// The fields of a StringMatch: one of them set, even to "", is a condition.
const STRING_MATCH_KEYS = new Set(['exact', 'prefix', 'regex']);

// Two matches are the same when they decode to the same message once the HTTP match's name is
// dropped: unset and zero fields are the same, keys compare in any order, lists in order.
function matchKey(match: unknown, protocol: Protocol): string {
  const m = asRecord(match);
  if (m === undefined) return JSON.stringify(match ?? null);
  const { name: _name, ...rest } = m;
  return JSON.stringify(canonical(protocol === 'http' ? rest : m, false));
}

function canonical(value: unknown, stringMatch: boolean): unknown {
  if (Array.isArray(value)) return value.map((v) => canonical(v, false));
  const obj = asRecord(value);
  if (obj === undefined) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(obj).sort()) {
    const v = obj[key];
    if (stringMatch && STRING_MATCH_KEYS.has(key) && typeof v === 'string') {
      out[key] = v;
      continue;
    }
    if (isZero(v)) continue;
    if (MAP_FIELDS.has(key)) {
      const entries = asRecord(v) ?? {};
      if (Object.keys(entries).length === 0) continue;
      // Header and query parameter values are StringMatches; source labels are plain strings.
      out[key] = Object.fromEntries(
        Object.keys(entries)
          .sort()
          .map((k) => [k, canonical(entries[k], key !== 'sourceLabels')]),
      );
      continue;
    }
    out[key] = canonical(v, ['uri', 'scheme', 'method', 'authority'].includes(key));
  }
  return out;
}

function isZero(v: unknown): boolean {
  return v === undefined || v === null || v === '' || v === 0 || v === false || (Array.isArray(v) && v.length === 0);
}

function asRecord(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}
