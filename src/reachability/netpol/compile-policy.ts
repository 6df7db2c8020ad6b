// Turns a NetworkPolicy object into the normalized form the evaluator matches against, applying
// the API server's defaulting (policyTypes, protocol, podSelector) and its validation: a part the
// API server would reject is recorded as a problem and ignored, since snapshots of YAML files are
// not validated by anyone else.

import type { LabelSelector, NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort } from '../../k8s/objects.ts';
import { parseCidr, cidrCovers, type Cidr } from '../../k8s/cidr.ts';
import type { PolicyProblem, PolicyRef, Protocol } from './types.ts';

export const PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];
const OPERATORS = new Set(['In', 'NotIn', 'Exists', 'DoesNotExist']);
// IANA_SVC_NAME, as the API server validates a named port: 1-15 chars, a-z0-9 and '-', at least
// one letter, no leading/trailing/double hyphen.
const PORT_NAME = /^(?=.*[a-z])(?!-)(?!.*--)[a-z0-9-]{1,15}(?<!-)$/;

export interface CompiledBlock {
  /** Dense id across the index, so a pod class can record which blocks contain its IPs. */
  id: number;
  cidr: Cidr;
  except: Cidr[];
}

export type CompiledPeer =
  | {
      kind: 'pods';
      /** Undefined: the policy's own namespace. */
      namespaceSelector: LabelSelector | undefined;
      /** Undefined: every pod of the selected namespaces. */
      podSelector: LabelSelector | undefined;
      /** Dense id across the index, for the per-class match cache. */
      id: number;
    }
  | { kind: 'ipBlock'; block: CompiledBlock }
  | { kind: 'invalid' };

export type CompiledPort =
  | { kind: 'any'; protocol: Protocol }
  | { kind: 'range'; protocol: Protocol; from: number; to: number }
  | { kind: 'named'; protocol: Protocol; name: string }
  | { kind: 'invalid' };

export interface CompiledRule {
  index: number;
  /** Undefined: the rule matches every peer (`from`/`to` missing or empty). */
  peers: CompiledPeer[] | undefined;
  /** Undefined: the rule matches every port (`ports` missing or empty). */
  ports: CompiledPort[] | undefined;
}

export interface CompiledPolicy {
  ref: PolicyRef;
  policy: NetworkPolicy;
  namespace: string;
  podSelector: LabelSelector;
  /** False when the podSelector cannot be evaluated: the policy then selects nothing. */
  usable: boolean;
  ingress: CompiledRule[] | undefined;
  egress: CompiledRule[] | undefined;
}

export interface IdSource {
  nextPeerId(): number;
  block(cidr: Cidr, except: Cidr[]): CompiledBlock;
}

function quote(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A problem message for a selector, or undefined when matchesSelector can evaluate it. */
function selectorProblem(selector: unknown): string | undefined {
  if (!isRecord(selector)) return `a label selector must be an object; got ${quote(selector)}`;
  const { matchLabels, matchExpressions } = selector;
  if (matchLabels !== undefined && matchLabels !== null) {
    if (!isRecord(matchLabels) || Object.values(matchLabels).some((v) => typeof v !== 'string')) {
      return `matchLabels must map strings to strings; got ${quote(matchLabels)}`;
    }
  }
  if (matchExpressions !== undefined && matchExpressions !== null) {
    if (!Array.isArray(matchExpressions)) return `matchExpressions must be a list; got ${quote(matchExpressions)}`;
    for (const expr of matchExpressions) {
      if (!isRecord(expr) || typeof expr.key !== 'string') return `a match expression needs a key; got ${quote(expr)}`;
      if (typeof expr.operator !== 'string' || !OPERATORS.has(expr.operator)) {
        return `operator must be In, NotIn, Exists or DoesNotExist; got ${quote(expr.operator)}`;
      }
      const values = expr.values;
      if (values !== undefined && values !== null && (!Array.isArray(values) || values.some((v) => typeof v !== 'string'))) {
        return `values must be a list of strings; got ${quote(values)}`;
      }
      const count = Array.isArray(values) ? values.length : 0;
      if ((expr.operator === 'In' || expr.operator === 'NotIn') && count === 0) {
        return `operator ${expr.operator} needs at least one value; got ${quote(values ?? [])}`;
      }
      if ((expr.operator === 'Exists' || expr.operator === 'DoesNotExist') && count > 0) {
        return `operator ${expr.operator} takes no values; got ${quote(values)}`;
      }
    }
  }
  return undefined;
}

/** Normalizes a LabelSelector (null fields become absent) so matchesSelector can run on it. */
function normalizeSelector(selector: Record<string, unknown>): LabelSelector {
  const out: LabelSelector = {};
  if (isRecord(selector.matchLabels)) out.matchLabels = selector.matchLabels as Record<string, string>;
  if (Array.isArray(selector.matchExpressions)) out.matchExpressions = selector.matchExpressions as LabelSelector['matchExpressions'];
  return out;
}

/** Compiles one policy; problems are appended to `problems`. */
export function compilePolicy(policy: NetworkPolicy, ids: IdSource, problems: PolicyProblem[]): CompiledPolicy {
  const namespace = policy.metadata.namespace ?? 'default';
  const ref: PolicyRef = { namespace, name: policy.metadata.name };
  const report = (path: string, message: string): void => {
    problems.push({ policy: ref, path, message });
  };
  const spec: Record<string, unknown> = isRecord(policy.spec) ? policy.spec : {};
  if (policy.spec !== undefined && !isRecord(policy.spec)) report('spec', `spec must be an object; got ${quote(policy.spec)}`);

  // podSelector is a required struct in the API; absent in a YAML file it decodes as {} (all pods).
  let podSelector: LabelSelector = {};
  let usable = true;
  if (spec.podSelector !== undefined && spec.podSelector !== null) {
    const problem = selectorProblem(spec.podSelector);
    if (problem === undefined) podSelector = normalizeSelector(spec.podSelector as Record<string, unknown>);
    else {
      report('spec.podSelector', `${problem}; the policy is ignored`);
      usable = false;
    }
  }

  const ingressRules = compileRules(spec.ingress, 'spec.ingress', 'from', ids, report);
  const egressRules = compileRules(spec.egress, 'spec.egress', 'to', ids, report);

  // Defaulting (SetDefaults_NetworkPolicy): with no policyTypes, Ingress always applies and Egress
  // applies when the policy has at least one egress rule (`egress: []` does not count).
  let types: { ingress: boolean; egress: boolean };
  const declared = spec.policyTypes;
  if (Array.isArray(declared) && declared.length > 0) {
    types = { ingress: false, egress: false };
    declared.forEach((t, i) => {
      if (t === 'Ingress') types.ingress = true;
      else if (t === 'Egress') types.egress = true;
      else report(`spec.policyTypes[${i}]`, `policyTypes entries must be Ingress or Egress; got ${quote(t)}`);
    });
  } else {
    if (declared !== undefined && declared !== null && !Array.isArray(declared)) {
      report('spec.policyTypes', `policyTypes must be a list; got ${quote(declared)}`);
    }
    types = { ingress: true, egress: Array.isArray(spec.egress) && spec.egress.length > 0 };
  }

  return {
    ref,
    policy,
    namespace,
    podSelector,
    usable,
    // A policy that applies for a direction but lists no rules allows nothing in it.
    ingress: types.ingress ? (ingressRules ?? []) : undefined,
    egress: types.egress ? (egressRules ?? []) : undefined,
  };
}

function compileRules(
  rules: unknown,
  path: string,
  peerField: 'from' | 'to',
  ids: IdSource,
  report: (path: string, message: string) => void,
): CompiledRule[] | undefined {
  if (rules === undefined || rules === null) return undefined;
  if (!Array.isArray(rules)) {
    report(path, `must be a list of rules; got ${quote(rules)}`);
    return [];
  }
  return rules.map((rule: unknown, index): CompiledRule => {
    const rulePath = `${path}[${index}]`;
    if (!isRecord(rule)) {
      report(rulePath, `a rule must be an object; got ${quote(rule)}; it matches nothing`);
      return { index, peers: [], ports: [] };
    }
    return {
      index,
      peers: compilePeers(rule[peerField], `${rulePath}.${peerField}`, ids, report),
      ports: compilePorts(rule.ports, `${rulePath}.ports`, report),
    };
  });
}

// A rule's `from`/`to` or `ports`: "If this field is empty or missing, this rule matches all
// sources" (or ports) — undefined; a value that is not a list matches nothing — [].
function compileList<T>(
  value: unknown,
  path: string,
  what: string,
  report: (path: string, message: string) => void,
  compile: (item: unknown, path: string) => T,
): T[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) {
    report(path, `must be a list of ${what}; got ${quote(value)}; the rule matches nothing`);
    return [];
  }
  if (value.length === 0) return undefined;
  return value.map((item: unknown, i) => compile(item, `${path}[${i}]`));
}

function compilePeers(
  peers: unknown,
  path: string,
  ids: IdSource,
  report: (path: string, message: string) => void,
): CompiledPeer[] | undefined {
  return compileList(peers, path, 'peers', report, (peer, at) => compilePeer(peer, at, ids, report));
}

function compilePeer(raw: unknown, path: string, ids: IdSource, report: (path: string, message: string) => void): CompiledPeer {
  if (!isRecord(raw)) {
    report(path, `a peer must be an object; got ${quote(raw)}; it matches nothing`);
    return { kind: 'invalid' };
  }
  const peer = raw as NetworkPolicyPeer & Record<string, unknown>;
  const has = (v: unknown): boolean => v !== undefined && v !== null;
  const hasPod = has(peer.podSelector);
  const hasNs = has(peer.namespaceSelector);
  const hasIp = has(peer.ipBlock);
  if (!hasPod && !hasNs && !hasIp) {
    report(path, `a peer must set podSelector, namespaceSelector or ipBlock; got ${quote(raw)}; it matches nothing`);
    return { kind: 'invalid' };
  }
  if (hasIp && (hasPod || hasNs)) {
    report(path, `a peer may not combine ipBlock with podSelector or namespaceSelector; got ${quote(raw)}; it matches nothing`);
    return { kind: 'invalid' };
  }
  if (hasIp) return compileIpBlock(peer.ipBlock, `${path}.ipBlock`, ids, report);
  for (const field of ['podSelector', 'namespaceSelector'] as const) {
    if (!has(peer[field])) continue;
    const problem = selectorProblem(peer[field]);
    if (problem !== undefined) {
      report(`${path}.${field}`, `${problem}; the peer matches nothing`);
      return { kind: 'invalid' };
    }
  }
  return {
    kind: 'pods',
    namespaceSelector: hasNs ? normalizeSelector(peer.namespaceSelector as Record<string, unknown>) : undefined,
    podSelector: hasPod ? normalizeSelector(peer.podSelector as Record<string, unknown>) : undefined,
    id: ids.nextPeerId(),
  };
}

function compileIpBlock(raw: unknown, path: string, ids: IdSource, report: (path: string, message: string) => void): CompiledPeer {
  if (!isRecord(raw)) {
    report(path, `ipBlock must be an object; got ${quote(raw)}; the peer matches nothing`);
    return { kind: 'invalid' };
  }
  const cidr = typeof raw.cidr === 'string' ? parseCidr(raw.cidr) : undefined;
  if (cidr === undefined) {
    report(`${path}.cidr`, `cidr must be an IPv4 or IPv6 CIDR such as "10.0.0.0/8"; got ${quote(raw.cidr)}; the peer matches nothing`);
    return { kind: 'invalid' };
  }
  const exceptRaw = raw.except ?? [];
  if (!Array.isArray(exceptRaw)) {
    report(`${path}.except`, `except must be a list of CIDRs; got ${quote(exceptRaw)}; the peer matches nothing`);
    return { kind: 'invalid' };
  }
  const except: Cidr[] = [];
  for (const [i, text] of exceptRaw.entries()) {
    const parsed = typeof text === 'string' ? parseCidr(text) : undefined;
    if (parsed === undefined) {
      report(`${path}.except[${i}]`, `except entries must be CIDRs; got ${quote(text)}; the peer matches nothing`);
      return { kind: 'invalid' };
    }
    // The API server requires each except to be a strict subset of cidr.
    if (!cidrCovers(cidr, parsed) || parsed.prefix === cidr.prefix) {
      report(
        `${path}.except[${i}]`,
        `except must be a strict subset of cidr ${quote(raw.cidr)}; got ${quote(text)}; the peer matches nothing`,
      );
      return { kind: 'invalid' };
    }
    except.push(parsed);
  }
  return { kind: 'ipBlock', block: ids.block(cidr, except) };
}

function compilePorts(ports: unknown, path: string, report: (path: string, message: string) => void): CompiledPort[] | undefined {
  return compileList(ports, path, 'ports', report, (port, at) => compilePort(port, at, report));
}

function isPortNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535;
}

function compilePort(raw: unknown, path: string, report: (path: string, message: string) => void): CompiledPort {
  if (!isRecord(raw)) {
    report(path, `a port entry must be an object; got ${quote(raw)}; it matches nothing`);
    return { kind: 'invalid' };
  }
  const entry = raw as NetworkPolicyPort;
  const protocol = entry.protocol ?? 'TCP';
  if (!(PROTOCOLS as readonly string[]).includes(protocol)) {
    report(`${path}.protocol`, `protocol must be TCP, UDP or SCTP; got ${quote(entry.protocol)}; the entry matches nothing`);
    return { kind: 'invalid' };
  }
  const proto = protocol as Protocol;
  const { port, endPort } = entry;
  if (port === undefined || port === null) {
    if (endPort !== undefined && endPort !== null) {
      report(`${path}.endPort`, `endPort needs a numeric port; got endPort ${quote(endPort)} without port; the entry matches nothing`);
      return { kind: 'invalid' };
    }
    return { kind: 'any', protocol: proto };
  }
  if (typeof port === 'string') {
    if (!PORT_NAME.test(port)) {
      report(
        `${path}.port`,
        `a named port must be an IANA service name (lowercase letters, digits, '-', at most 15); got ${quote(port)}; the entry matches nothing`,
      );
      return { kind: 'invalid' };
    }
    if (endPort !== undefined && endPort !== null) {
      report(`${path}.endPort`, `endPort cannot be used with the named port ${quote(port)}; the entry matches nothing`);
      return { kind: 'invalid' };
    }
    return { kind: 'named', protocol: proto, name: port };
  }
  if (!isPortNumber(port)) {
    report(`${path}.port`, `port must be 1-65535 or a port name; got ${quote(port)}; the entry matches nothing`);
    return { kind: 'invalid' };
  }
  if (endPort === undefined || endPort === null) return { kind: 'range', protocol: proto, from: port, to: port };
  if (!isPortNumber(endPort) || endPort < port) {
    report(`${path}.endPort`, `endPort must be a port number ≥ port ${port}; got ${quote(endPort)}; the entry matches nothing`);
    return { kind: 'invalid' };
  }
  return { kind: 'range', protocol: proto, from: port, to: endPort };
}
