// Effective mutual TLS, both ends of a connection, the way istiod computes it.
//
// Server side (pilot/pkg/security/authn/policy_applier.go ComposePeerAuthentication, and
// pilot/pkg/model/authentication.go): of the PeerAuthentications that apply to a workload, the
// oldest selector-less one in the root namespace is the mesh policy, the oldest selector-less one
// in the workload's namespace is the namespace policy, and the oldest one whose selector the
// workload's labels satisfy (outside the root namespace) is the workload policy. Ties on the
// creation time go to the smaller name. Starting from PERMISSIVE, each level that sets a mode
// (not UNSET) replaces the one above it; portLevelMtls of the workload policy then overrides the
// mode per port, UNSET inheriting the workload's mode. The port is the port the workload listens
// on (the Service's targetPort, the container port), never the Service port.
//
// Client side (pilot/pkg/networking/core/cluster_tls.go buildUpstreamTLSSettings): a
// DestinationRule's tls (port-level for the Service port, else top-level) is used as written; with
// none, auto mTLS (meshConfig enableAutoMtls, on by default) sends Istio mTLS to proxies whose
// server mode is not DISABLE, and plaintext otherwise. Which DestinationRule a client uses
// (pilot/pkg/model/push_context.go destinationRule): its own namespace's first, then the
// Service's namespace's exported ones, then the root namespace's exported ones; in each, the
// most specific host wins, and of two rules for one host the older one's trafficPolicy.

import type { DestinationRule, KubeObject, Labels } from '../k8s/objects.ts';
import { namespaceOf } from '../k8s/names.ts';
import { matchesLabels } from '../k8s/selectors.ts';
import { EXPORT_TO_ALL, EXPORT_TO_LOCAL, toFqdn } from './hosts.ts';
import { ISTIO_NAMESPACE, readMeshConfig, type MeshConfigText } from './mesh-config.ts';

/** A server's effective mode on a port. */
export type MtlsMode = 'STRICT' | 'PERMISSIVE' | 'DISABLE';
/** A mode as a PeerAuthentication writes it: UNSET inherits from the level above. */
export type PeerMode = MtlsMode | 'UNSET';
/** ClientTLSSettings.mode: what a client sends. */
export type ClientTlsMode = 'DISABLE' | 'SIMPLE' | 'MUTUAL' | 'ISTIO_MUTUAL';

// The enums' numbers, for objects written with numbers instead of names.
const PEER_BY_NUMBER: readonly PeerMode[] = ['UNSET', 'DISABLE', 'PERMISSIVE', 'STRICT'];
const CLIENT_BY_NUMBER: readonly ClientTlsMode[] = ['DISABLE', 'SIMPLE', 'MUTUAL', 'ISTIO_MUTUAL'];

/** The fields of a PeerAuthentication this module reads. */
export interface PeerAuthenticationSpec {
  selector?: { matchLabels?: Labels | null } | null;
  mtls?: { mode?: unknown } | null;
  portLevelMtls?: Record<string, { mode?: unknown } | null> | null;
}

/** The parts of a DestinationRule's traffic policy that decide client TLS. */
export interface ClientTlsPolicy {
  tls?: { mode?: unknown } | null;
  portLevelSettings?: { port?: { number?: unknown } | null; tls?: { mode?: unknown } | null }[] | null;
}

/** The mode a PeerAuthentication `mtls` block sets: UNSET when absent, empty or unknown. */
export function peerMode(mtls: { mode?: unknown } | null | undefined): PeerMode {
  const mode = mtls?.mode;
  if (typeof mode === 'number') return PEER_BY_NUMBER[mode] ?? 'UNSET';
  return mode === 'STRICT' || mode === 'PERMISSIVE' || mode === 'DISABLE' ? mode : 'UNSET';
}

/** The mode a ClientTLSSettings block sets; undefined without a block. A block without a mode is DISABLE (the enum's zero). */
export function clientTlsMode(tls: { mode?: unknown } | null | undefined): ClientTlsMode | undefined {
  if (tls === undefined || tls === null) return undefined;
  const mode = tls.mode;
  if (typeof mode === 'number') return CLIENT_BY_NUMBER[mode];
  if (mode === undefined || mode === null) return 'DISABLE';
  return mode === 'DISABLE' || mode === 'SIMPLE' || mode === 'MUTUAL' || mode === 'ISTIO_MUTUAL' ? mode : undefined;
}

export function peerSpec(pa: KubeObject): PeerAuthenticationSpec {
  return (pa.spec ?? {}) as PeerAuthenticationSpec;
}

/** True when the PeerAuthentication selects workloads: a selector with at least one label. */
export function hasWorkloadSelector(pa: KubeObject): boolean {
  return Object.keys(peerSpec(pa).selector?.matchLabels ?? {}).length > 0;
}

/** What meshConfig says about mTLS: the root namespace and auto mTLS, with where that came from. */
export interface MeshMtlsSettings {
  rootNamespace: string;
  autoMtls: boolean;
  source: string;
}

/** rootNamespace (default istio-system) and enableAutoMtls (default true) from the parsed mesh config. */
export function meshMtlsSettings(text: MeshConfigText): MeshMtlsSettings {
  const defaults = { rootNamespace: ISTIO_NAMESPACE, autoMtls: true };
  if (text.kind !== 'mapping') return { ...defaults, source: 'Istio defaults' };
  const root = text.mesh.rootNamespace;
  const auto = text.mesh.enableAutoMtls;
  return {
    rootNamespace: typeof root === 'string' && root !== '' ? root : defaults.rootNamespace,
    autoMtls: typeof auto === 'boolean' ? auto : defaults.autoMtls,
    source: 'meshConfig',
  };
}

/** The same, from the mesh ConfigMap itself. */
export function meshMtlsFromConfigMap(configMap: Parameters<typeof readMeshConfig>[0]): MeshMtlsSettings {
  return meshMtlsSettings(readMeshConfig(configMap));
}

// Oldest first; equal times by name, then namespace (istiod's configCompareByCreationTime).
function olderFirst(a: KubeObject, b: KubeObject): number {
  const ta = Date.parse(a.metadata.creationTimestamp ?? '') || 0;
  const tb = Date.parse(b.metadata.creationTimestamp ?? '') || 0;
  if (ta !== tb) return ta - tb;
  if (a.metadata.name !== b.metadata.name) return a.metadata.name < b.metadata.name ? -1 : 1;
  const na = namespaceOf(a);
  const nb = namespaceOf(b);
  return na === nb ? 0 : na < nb ? -1 : 1;
}

/** The level a PeerAuthentication acts at; `ignored` for a selector in the root namespace, which istiod never applies. */
export type PolicyLevel = 'mesh' | 'namespace' | 'workload' | 'ignored';

export function policyLevel(pa: KubeObject, rootNamespace: string): PolicyLevel {
  const root = namespaceOf(pa) === rootNamespace;
  if (!hasWorkloadSelector(pa)) return root ? 'mesh' : 'namespace';
  return root ? 'ignored' : 'workload';
}

/** Who decided a mode: the policy and the level it acted at (none: Istio's PERMISSIVE default). */
export interface ModeSource {
  level: 'mesh' | 'namespace' | 'workload' | 'port' | 'default';
  policy?: { namespace: string; name: string };
}

/** One workload's merged PeerAuthentication. */
export interface WorkloadMtls {
  mode: MtlsMode;
  source: ModeSource;
  /** portLevelMtls of the workload policy, by target port. */
  ports: ReadonlyMap<number, { mode: MtlsMode; source: ModeSource }>;
  /** The policies in force at each level (the oldest of each), for evidence. */
  mesh?: KubeObject;
  namespace?: KubeObject;
  workload?: KubeObject;
}

/** The mesh policy: the oldest selector-less PeerAuthentication in the root namespace. */
export function meshPolicy(pas: readonly KubeObject[], rootNamespace: string): KubeObject | undefined {
  return pas.filter((pa) => policyLevel(pa, rootNamespace) === 'mesh').sort(olderFirst)[0];
}

/** A namespace's policy: its oldest selector-less PeerAuthentication (the root namespace's is the mesh policy). */
export function namespacePolicy(pas: readonly KubeObject[], namespace: string, rootNamespace: string): KubeObject | undefined {
  if (namespace === rootNamespace) return undefined;
  return pas.filter((pa) => namespaceOf(pa) === namespace && policyLevel(pa, rootNamespace) === 'namespace').sort(olderFirst)[0];
}

/** The workload policy: the oldest PeerAuthentication of the namespace whose selector the labels satisfy. */
export function workloadPolicy(
  pas: readonly KubeObject[],
  namespace: string,
  labels: Labels | undefined,
  rootNamespace: string,
): KubeObject | undefined {
  return pas
    .filter(
      (pa) =>
        namespaceOf(pa) === namespace &&
        policyLevel(pa, rootNamespace) === 'workload' &&
        matchesLabels(peerSpec(pa).selector?.matchLabels ?? undefined, labels),
    )
    .sort(olderFirst)[0];
}

const ref = (pa: KubeObject): { namespace: string; name: string } => ({ namespace: namespaceOf(pa), name: pa.metadata.name });

// ComposePeerAuthentication: the three policies in force, merged.
function compose(mesh: KubeObject | undefined, ns: KubeObject | undefined, wl: KubeObject | undefined): WorkloadMtls {
  let mode: MtlsMode = 'PERMISSIVE';
  let source: ModeSource = { level: 'default' };
  for (const [level, pa] of [
    ['mesh', mesh],
    ['namespace', ns],
    ['workload', wl],
  ] as const) {
    if (pa === undefined) continue;
    const m = peerMode(peerSpec(pa).mtls);
    if (m === 'UNSET') continue;
    mode = m;
    source = { level, policy: ref(pa) };
  }
  const ports = new Map<number, { mode: MtlsMode; source: ModeSource }>();
  if (wl !== undefined) {
    for (const [key, value] of Object.entries(peerSpec(wl).portLevelMtls ?? {})) {
      const port = Number(key);
      if (!Number.isInteger(port) || port <= 0) continue;
      const m = peerMode(value);
      ports.set(port, m === 'UNSET' ? { mode, source } : { mode: m, source: { level: 'port', policy: ref(wl) } });
    }
  }
  return { mode, source, ports, ...(mesh && { mesh }), ...(ns && { namespace: ns }), ...(wl && { workload: wl }) };
}

/**
 * workloadMtls for many workloads at once: the PeerAuthentications are sorted and grouped by
 * namespace once, and a merged result is shared by every workload whose labels agree on the keys
 * the namespace's selectors read (a check asks once per pod and port, thousands of times).
 * The returned objects are shared: read them, never change them.
 */
export function workloadMtlsResolver(
  pas: readonly KubeObject[],
  rootNamespace: string,
): (namespace: string, labels: Labels | undefined) => WorkloadMtls {
  // Stable sort, then the first that fits: the same pick as filtering first and sorting after.
  const sorted = [...pas].sort(olderFirst);
  const mesh = sorted.find((pa) => policyLevel(pa, rootNamespace) === 'mesh');
  const nsPolicy = new Map<string, KubeObject>();
  const wlPolicies = new Map<string, { policies: KubeObject[]; keys: Set<string> }>();
  for (const pa of sorted) {
    const ns = namespaceOf(pa);
    const level = policyLevel(pa, rootNamespace);
    if (level === 'namespace' && !nsPolicy.has(ns)) nsPolicy.set(ns, pa);
    if (level !== 'workload') continue;
    let group = wlPolicies.get(ns);
    if (group === undefined) wlPolicies.set(ns, (group = { policies: [], keys: new Set() }));
    group.policies.push(pa);
    for (const k of Object.keys(peerSpec(pa).selector?.matchLabels ?? {})) group.keys.add(k);
  }
  const cache = new Map<string, WorkloadMtls>();
  return (namespace, labels) => {
    const group = namespace === rootNamespace ? undefined : wlPolicies.get(namespace);
    // Only the labels some selector reads can change the answer.
    const key =
      group === undefined
        ? namespace
        : `${namespace}\n${JSON.stringify([...group.keys].sort().map((k) => (labels !== undefined && Object.hasOwn(labels, k) ? labels[k] : null)))}`;
    let merged = cache.get(key);
    if (merged === undefined) {
      const wl = group?.policies.find((pa) => matchesLabels(peerSpec(pa).selector?.matchLabels ?? undefined, labels));
      merged = compose(mesh, namespace === rootNamespace ? undefined : nsPolicy.get(namespace), wl);
      cache.set(key, merged);
    }
    return merged;
  };
}

/** The merged PeerAuthentication for a workload in `namespace` with `labels` (ComposePeerAuthentication). */
export function workloadMtls(
  pas: readonly KubeObject[],
  namespace: string,
  labels: Labels | undefined,
  rootNamespace: string,
): WorkloadMtls {
  const mesh = meshPolicy(pas, rootNamespace);
  const ns = namespacePolicy(pas, namespace, rootNamespace);
  const wl = namespace === rootNamespace ? undefined : workloadPolicy(pas, namespace, labels, rootNamespace);
  return compose(mesh, ns, wl);
}

/** The mode on one target port of a workload (GetMutualTLSModeForPort). */
export function modeForPort(merged: WorkloadMtls, targetPort: number): { mode: MtlsMode; source: ModeSource } {
  return merged.ports.get(targetPort) ?? { mode: merged.mode, source: merged.source };
}

/** The TLS mode a DestinationRule sets toward one Service port, and where: port-level settings first, then top-level. */
export function destinationRuleTls(dr: DestinationRule, servicePort: number): { mode: ClientTlsMode; path: string } | undefined {
  const policy = (dr.spec?.trafficPolicy ?? {}) as ClientTlsPolicy;
  const ports = policy.portLevelSettings ?? [];
  for (const [i, p] of ports.entries()) {
    if (Number(p?.port?.number) !== servicePort) continue;
    const mode = clientTlsMode(p?.tls);
    if (mode !== undefined) return { mode, path: `spec.trafficPolicy.portLevelSettings[${i}].tls.mode` };
  }
  const mode = clientTlsMode(policy.tls);
  return mode === undefined ? undefined : { mode, path: 'spec.trafficPolicy.tls.mode' };
}

function hasDrSelector(dr: DestinationRule): boolean {
  const selector = (dr.spec as { workloadSelector?: unknown } | undefined)?.workloadSelector;
  return selector !== undefined && selector !== null;
}

// Visible to clients of the DestinationRule's own namespace (namespaceLocal in setDestinationRules).
function localTo(dr: DestinationRule): boolean {
  const exportTo = dr.spec?.exportTo ?? [];
  const ns = namespaceOf(dr);
  return exportTo.length === 0 || exportTo.some((e) => e === EXPORT_TO_ALL || e === EXPORT_TO_LOCAL || e === ns);
}

// Visible in its own namespace only: exportTo is just `.` or that namespace's name.
function privateOnly(dr: DestinationRule): boolean {
  const exportTo = dr.spec?.exportTo ?? [];
  return exportTo.length === 1 && (exportTo[0] === EXPORT_TO_LOCAL || exportTo[0] === namespaceOf(dr));
}

// Exported from its namespace to `client` (exportTo unset counts as `*`, Istio's default).
function exportedTo(dr: DestinationRule, client: string): boolean {
  const exportTo = dr.spec?.exportTo ?? [];
  if (privateOnly(dr)) return false;
  return exportTo.length === 0 || exportTo.includes(EXPORT_TO_ALL) || exportTo.includes(client);
}

// One namespace's selector-less DestinationRules, oldest first: by FQDN host, and those with a wildcard host.
interface NamespaceRules {
  exact: Map<string, DestinationRule[]>;
  wildcard: { dr: DestinationRule; host: string }[];
}

// The rule for `host` among a namespace's rules that pass `usable`: an exact host first, else the
// longest wildcard that covers it (`*` the shortest); of equals, the older.
function mostSpecific(
  rules: NamespaceRules | undefined,
  host: string,
  usable: (dr: DestinationRule) => boolean,
): DestinationRule | undefined {
  if (rules === undefined) return undefined;
  const exact = rules.exact.get(host)?.find(usable);
  if (exact !== undefined) return exact;
  let best: { dr: DestinationRule; score: number } | undefined;
  for (const { dr, host: drHost } of rules.wildcard) {
    let score: number;
    if (drHost === '*') score = 0;
    else if (host.endsWith(drHost.slice(1))) score = drHost.length;
    else continue;
    if ((best === undefined || score > best.score) && usable(dr)) best = { dr, score };
  }
  return best?.dr;
}

/** DestinationRule precedence for many lookups, built once over every rule of a snapshot. */
export interface DestinationRuleResolver {
  /** destinationRuleFor: the rule a sidecar in `clientNamespace` applies to `host` of a Service in `serviceNamespace`. */
  ruleFor(clientNamespace: string, host: string, serviceNamespace: string): DestinationRule | undefined;
  /** Those of `clients` (client namespaces) whose sidecars apply `rule` to `host`, in their order. */
  clientsUsing(rule: DestinationRule, clients: readonly string[], host: string, serviceNamespace: string): string[];
}

// Stands for every client namespace that has no rule of its own for a host and that no exportTo
// names: they all resolve alike. Not a valid namespace name, so it never collides with one.
const ANY_OTHER_NAMESPACE = '\u0000';

/**
 * destinationRuleFor for many lookups: the rules are grouped by namespace and host and sorted
 * once, and each (client namespace, host, Service namespace) is resolved once. Which clients use
 * a rule is decided once for the namespaces that resolve alike, and one by one for the few that
 * differ, so that asking for every rule costs rules + namespaces, not their product.
 */
export function destinationRuleResolver(drs: readonly DestinationRule[], rootNamespace: string): DestinationRuleResolver {
  const byNamespace = new Map<string, NamespaceRules>();
  // Namespaces with a rule for each FQDN host; namespaces with a wildcard rule; names in exportTo, by the rule's namespace.
  const namespacesWith = new Map<string, Set<string>>();
  const withWildcard = new Set<string>();
  const named = new Map<string, Set<string>>();
  for (const dr of [...drs].sort(olderFirst)) {
    if (hasDrSelector(dr)) continue;
    const ns = namespaceOf(dr);
    let rules = byNamespace.get(ns);
    if (rules === undefined) byNamespace.set(ns, (rules = { exact: new Map(), wildcard: [] }));
    const host = toFqdn(ns, dr.spec?.host ?? '');
    const same = rules.exact.get(host);
    if (same === undefined) rules.exact.set(host, [dr]);
    else same.push(dr);
    if (host.startsWith('*')) {
      rules.wildcard.push({ dr, host });
      withWildcard.add(ns);
    }
    let owners = namespacesWith.get(host);
    if (owners === undefined) namespacesWith.set(host, (owners = new Set()));
    owners.add(ns);
    let names = named.get(ns);
    if (names === undefined) named.set(ns, (names = new Set()));
    for (const e of dr.spec?.exportTo ?? []) names.add(e);
  }
  const cache = new Map<string, DestinationRule | undefined>();
  const ruleFor = (clientNamespace: string, host: string, serviceNamespace: string): DestinationRule | undefined => {
    const key = `${clientNamespace}\n${host}\n${serviceNamespace}`;
    if (cache.has(key)) return cache.get(key);
    const exported = (dr: DestinationRule): boolean => exportedTo(dr, clientNamespace);
    // A client in the root namespace first looks at the root namespace's private rules only, so
    // that the mesh-wide rules kept there do not shadow the Service's own.
    const found =
      mostSpecific(byNamespace.get(clientNamespace), host, clientNamespace === rootNamespace ? privateOnly : localTo) ??
      mostSpecific(byNamespace.get(serviceNamespace), host, exported) ??
      mostSpecific(byNamespace.get(rootNamespace), host, exported);
    cache.set(key, found);
    return found;
  };
  const clientsUsing = (rule: DestinationRule, clients: readonly string[], host: string, serviceNamespace: string): string[] => {
    const own = namespacesWith.get(host);
    const differs = (c: string): boolean =>
      c === rootNamespace ||
      c === serviceNamespace ||
      own?.has(c) === true ||
      withWildcard.has(c) ||
      named.get(serviceNamespace)?.has(c) === true ||
      named.get(rootNamespace)?.has(c) === true;
    const others = ruleFor(ANY_OTHER_NAMESPACE, host, serviceNamespace) === rule;
    return clients.filter((c) => (differs(c) ? ruleFor(c, host, serviceNamespace) === rule : others));
  };
  return { ruleFor, clientsUsing };
}

/**
 * The DestinationRule a sidecar in `clientNamespace` applies to `host` (an FQDN) of a Service in
 * `serviceNamespace`. Rules with a workloadSelector apply to selected pods only and are left out.
 */
export function destinationRuleFor(
  drs: readonly DestinationRule[],
  clientNamespace: string,
  host: string,
  serviceNamespace: string,
  rootNamespace: string,
): DestinationRule | undefined {
  return destinationRuleResolver(drs, rootNamespace).ruleFor(clientNamespace, host, serviceNamespace);
}

/** What a client sends toward a server port: the DestinationRule's mode, else auto mTLS's choice. */
export function clientSends(
  tls: ClientTlsMode | undefined,
  serverMode: MtlsMode,
  autoMtls: boolean,
): { mode: ClientTlsMode; auto: boolean } {
  if (tls !== undefined) return { mode: tls, auto: false };
  return { mode: autoMtls && serverMode !== 'DISABLE' ? 'ISTIO_MUTUAL' : 'DISABLE', auto: true };
}

/**
 * Whether a sidecar client sending `client` reaches a server in `server` mode: STRICT takes Istio
 * mTLS only, DISABLE plaintext only (TLS arrives as bytes the app cannot read), PERMISSIVE either.
 * SIMPLE and MUTUAL carry the application's own TLS, which a sidecar server passes through only
 * when it does not terminate mTLS itself.
 */
export function connectionWorks(client: ClientTlsMode, server: MtlsMode): boolean {
  if (server === 'STRICT') return client === 'ISTIO_MUTUAL';
  if (server === 'DISABLE') return client !== 'ISTIO_MUTUAL';
  return true;
}
