// Host names as `istioctl analyze` resolves them (pkg/config/analysis/analyzers/util/hosts.go,
// service_lookup.go and pkg/config/host/name.go): short names become
// `<name>.<namespace>.svc.cluster.local` in the namespace of the resource that mentions them,
// and every Service and ServiceEntry is indexed under the namespaces it is exported to.
// The analyzers' quirks are kept on purpose, so our findings agree with theirs:
// - the cluster domain is always `cluster.local`;
// - a host with a dot is never expanded (`reviews.prod` stays `reviews.prod`);
// - wildcard ServiceEntry hosts are matched by plain suffix against the host as written.

import type { Labels, Service, ServiceEntry } from '../k8s/objects.ts';
import { namespaceOf } from '../k8s/names.ts';

export const CLUSTER_DOMAIN_SUFFIX = 'svc.cluster.local';
export const EXPORT_TO_ALL = '*';
export const EXPORT_TO_LOCAL = '.';
/** Annotation on a Service that limits which namespaces see it, like a ServiceEntry's spec.exportTo. */
export const EXPORT_TO_ANNOTATION = 'networking.istio.io/exportTo';

/** The host as an FQDN: short names (no dot, no leading `*`) get `.<namespace>.svc.cluster.local`. */
export function toFqdn(namespace: string, host: string): string {
  if (host.startsWith('*') || host.includes('.')) return host;
  return `${host}.${namespace}.${CLUSTER_DOMAIN_SUFFIX}`;
}

const FQDN_PATTERN = /^(.+)\.(.+)\.svc\.cluster\.local$/;

/**
 * The Service a host names, as `{namespace, name}` (util.GetResourceNameFromHost): a
 * `name.ns.svc.cluster.local` host names that Service; anything else is taken whole as a name
 * in `defaultNamespace`, dots included.
 */
export function resourceNameFromHost(defaultNamespace: string, host: string): { namespace: string; name: string } {
  const m = FQDN_PATTERN.exec(host);
  if (m !== null) return { namespace: m[2]!, name: m[1]! };
  return { namespace: defaultNamespace, name: host };
}

/** True when two host names overlap, either possibly a `*` wildcard (host.Name.Matches). */
export function hostsOverlap(a: string, b: string): boolean {
  const aWild = a.startsWith('*');
  const bWild = b.startsWith('*');
  if (aWild && bWild) return a.length < b.length ? b.slice(1).endsWith(a.slice(1)) : a.slice(1).endsWith(b.slice(1));
  if (aWild) return b.endsWith(a.slice(1));
  if (bWild) return a.endsWith(b.slice(1));
  return a === b;
}

/** True when `exportTo` is empty or contains `*` (util.IsExportToAllNamespaces). */
export function isExportToAll(exportTo: readonly string[] | undefined): boolean {
  return exportTo === undefined || exportTo.length === 0 || exportTo.includes(EXPORT_TO_ALL);
}

/** The namespaces a Service is visible in, from its exportTo annotation (default `*`); `.` is its own namespace. */
export function serviceExportScopes(annotation: string | undefined, namespace: string): string[] {
  if (annotation === undefined || annotation === '') return [EXPORT_TO_ALL];
  return annotation.split(',').map((s) => {
    const scope = s.trim();
    return scope === EXPORT_TO_LOCAL ? namespace : scope;
  });
}

/** A Service or ServiceEntry as the analyzers see it: hosts with ports, plus a workload selector for ServiceEntries. */
export interface MeshService {
  /** The resource it came from, for evidence. */
  source: { kind: 'Service' | 'ServiceEntry'; namespace: string; name: string };
  ports: readonly { number: number; name?: string; protocol?: string }[];
  /** ServiceEntry spec.workloadSelector.labels; Services have none (their selector is not used here). */
  workloadSelector?: Labels;
}

/** `scope/fqdn` → the Service or ServiceEntry visible under that scope (util.InitServiceEntryHostMap). */
export class ServiceIndex {
  readonly #byScopedHost = new Map<string, MeshService>();

  /** Indexes ServiceEntries, then Services, so a Service wins over a ServiceEntry for the same name and scope. */
  constructor(serviceEntries: readonly ServiceEntry[], services: readonly Service[]) {
    for (const se of serviceEntries) {
      const ns = namespaceOf(se);
      const entry: MeshService = {
        source: { kind: 'ServiceEntry', namespace: ns, name: se.metadata.name },
        ports: (se.spec?.ports ?? []).map((p) => ({ number: p.number ?? 0, name: p.name, protocol: p.protocol })),
      };
      const selector = se.spec?.workloadSelector?.labels;
      if (selector !== undefined) entry.workloadSelector = selector;
      const exportTo = se.spec?.exportTo ?? [];
      // Kept from the analyzer: once one host has met `*` in exportTo, the later hosts are only indexed under `*`.
      let exportsToAll = false;
      for (const host of se.spec?.hosts ?? []) {
        if (exportTo.length === 0 || exportsToAll) {
          this.#set(EXPORT_TO_ALL, ns, host, entry);
          continue;
        }
        for (const scope of exportTo) {
          if (scope === EXPORT_TO_ALL) {
            this.#set(EXPORT_TO_ALL, ns, host, entry);
            exportsToAll = true;
            break;
          }
          this.#set(scope === EXPORT_TO_LOCAL ? ns : scope, ns, host, entry);
        }
      }
    }
    for (const svc of services) {
      const ns = namespaceOf(svc);
      const entry: MeshService = {
        source: { kind: 'Service', namespace: ns, name: svc.metadata.name },
        ports: (svc.spec?.ports ?? []).map((p) => ({ number: p.port, name: p.name, protocol: p.protocol })),
      };
      for (const scope of serviceExportScopes(svc.metadata.annotations?.[EXPORT_TO_ANNOTATION], ns)) {
        this.#set(scope, ns, svc.metadata.name, entry);
      }
    }
  }

  #set(scope: string, namespace: string, host: string, entry: MeshService): void {
    this.#byScopedHost.set(`${scope}/${toFqdn(namespace, host)}`, entry);
  }

  /**
   * The Service or ServiceEntry a destination host names, seen from `sourceNamespace` with the
   * referring resource's `exportTo` (util.GetDestinationHost): first the FQDN exported to `*`,
   * then to the source's scopes, then any visible wildcard entry whose suffix the host ends with.
   */
  lookup(sourceNamespace: string, exportTo: readonly string[] | undefined, host: string): MeshService | undefined {
    const fqdn = toFqdn(sourceNamespace, host);
    const all = this.#byScopedHost.get(`${EXPORT_TO_ALL}/${fqdn}`);
    if (all !== undefined) return all;
    const scopes =
      exportTo === undefined || exportTo.length === 0
        ? [sourceNamespace]
        : exportTo.map((e) => (e === EXPORT_TO_LOCAL ? sourceNamespace : e));
    for (const scope of scopes) {
      const hit = this.#byScopedHost.get(`${scope}/${fqdn}`);
      if (hit !== undefined) return hit;
    }
    // istioctl walks a Go map here, so with several matching wildcards which one wins is random;
    // we take the first indexed. Only the port checks can tell the difference.
    const bare = host.startsWith('*') ? host.slice(1) : host;
    for (const [key, entry] of this.#byScopedHost) {
      const slash = key.indexOf('/');
      const scope = key.slice(0, slash);
      const seHost = key.slice(slash + 1);
      if (!seHost.startsWith('*')) continue;
      if (scope !== EXPORT_TO_ALL && scope !== sourceNamespace) continue;
      if (bare.endsWith(seHost.slice(1))) return entry;
    }
    return undefined;
  }
}
