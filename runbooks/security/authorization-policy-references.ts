import { defineCheck } from '../../src/engine/check.ts';
import { ISTIO_NAMESPACE, MESH_CONFIGMAP } from '../../src/istio/mesh-config.ts';
import type { Service } from '../../src/k8s/objects.ts';
import { namespaceOf } from '../lib/mesh.ts';
import { meshPolicySettings, policyRules, stringList } from '../lib/security-policies.ts';

/** The methods Kiali accepts (Go's net/http method constants, in util/httputil HttpMethods). */
const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE'];
const EXPORT_TO_ANNOTATION = 'networking.istio.io/exportTo';

// Kiali's AuthorizationPolicy validations that look at what a rule names (business/checkers/
// authorization/ in kiali/kiali), one Meshbook code each:
// - KIA0102 → MB0850: a to.operation.methods entry that is not `*` and fits none of the nine HTTP
//   methods, compared upper-cased, exactly or as a `prefix*` / `*suffix` pattern (so Kiali
//   accepts `get`; `*GET*` and `` are rejected).
// - KIA0104 → MB0851 (REGISTRY_ONLY) / MB0852 (ALLOW_ANY, Istio's and Kiali's default): a
//   to.operation.hosts entry with no dot, or `<name>.<namespace>` of an existing namespace (all
//   others, and anything with `*`, are Host-header patterns Kiali leaves alone), resolved to
//   <name>.<namespace>.svc.<trust domain>, that no Service exported to the policy's namespace,
//   no ServiceEntry host (a host that ends the name counts, `*` cut off first: Kiali's suffix
//   rule) and no VirtualService host provides.
// - KIA0106 → MB0853: a from.source.principals entry that no pod's identity
//   (<trust domain or alias>/ns/<namespace>/sa/<serviceAccountName>) equals, or matches when the
//   principal starts or ends with `*` (`*` as any text, the rest as Kiali's unescaped pattern).
// - KIA0108 → MB0854 instead, when that principal has no `*`, has `/ns/` after a non-empty
//   prefix, and that prefix is neither meshConfig.trustDomain nor an alias.
// Kiali's remote-cluster variant (KIA0107) needs other clusters' workloads and is not reported.
export default defineCheck({
  id: 'authorization-policy-references',
  title: 'AuthorizationPolicy rules name real methods, hosts and callers',
  description:
    'Every method in an AuthorizationPolicy rule is an HTTP method, every in-cluster host it names exists in the registry, and every principal is the identity of a workload that runs in the cluster.',
  why: 'Envoy compares these fields as written: a misspelt method, host or principal never matches, so an ALLOW rule silently admits nobody and a DENY rule silently blocks nothing.',
  inputs: [
    'security.istio.io/v1/AuthorizationPolicy',
    'v1/Namespace',
    'v1/Pod',
    'v1/Service',
    'networking.istio.io/v1/ServiceEntry',
    'networking.istio.io/v1/VirtualService',
    'v1/ConfigMap',
  ],
  kiali: ['KIA0102', 'KIA0104', 'KIA0106', 'KIA0108'],
  docs: '/concepts/security-policies/#authorization-policy-references',
  analyze(ctx) {
    const mesh = meshPolicySettings(ctx.find('v1/ConfigMap', ISTIO_NAMESPACE, MESH_CONFIGMAP));
    const identityDomain = `svc.${mesh.trustDomain}`;
    const namespaces = new Set(ctx.list('v1/Namespace').map((n) => n.metadata.name));
    const domains = [mesh.trustDomain, ...mesh.trustDomainAliases.filter((a) => a !== mesh.trustDomain)];
    const identities = new Set<string>();
    for (const pod of ctx.list('v1/Pod')) {
      const sa = pod.spec?.serviceAccountName ?? 'default';
      for (const domain of domains) identities.add(`${domain}/ns/${namespaceOf(pod)}/sa/${sa}`);
    }
    const services = new Map(ctx.list('v1/Service').map((s) => [`${s.metadata.name}.${namespaceOf(s)}`, s]));
    const seHosts = ctx.list('networking.istio.io/v1/ServiceEntry').flatMap((se) => se.spec?.hosts ?? []);
    const virtualServices = ctx.list('networking.istio.io/v1/VirtualService');

    const inRegistry = (service: string, namespace: string, policyNs: string): boolean => {
      const fqdn = `${service}.${namespace}.${identityDomain}`;
      if (seHosts.some((h) => fqdn.endsWith(h.includes('*') ? h.slice(h.indexOf('*') + 1) : h))) return true;
      for (const vs of virtualServices) {
        for (const h of vs.spec?.hosts ?? []) {
          if (h === '*' || (h === service && namespaceOf(vs) === namespace)) return true;
          if (h === `${service}.${namespace}` || h === fqdn || h === `*.${namespace}.${identityDomain}`) return true;
          if (h.startsWith('*.') && service.endsWith(h.slice(1))) return true;
        }
      }
      const svc = services.get(`${service}.${namespace}`);
      return svc !== undefined && exportedTo(svc, policyNs, mesh.defaultServiceExportTo);
    };

    for (const policy of ctx.list('security.istio.io/v1/AuthorizationPolicy')) {
      const ns = namespaceOf(policy);
      const name = `${ns}/${policy.metadata.name}`;
      const resource = { kind: 'AuthorizationPolicy', namespace: ns, name: policy.metadata.name };
      policyRules(policy).forEach((rule, i) => {
        (rule.from ?? []).forEach((from, j) => {
          stringList(from?.source?.principals).forEach((principal, k) => {
            if (principalMatches(principal, identities)) return;
            const field = `spec.rules[${i}].from[${j}].source.principals[${k}]`;
            const trustDomain = foreignTrustDomain(principal, domains);
            if (trustDomain !== undefined) {
              ctx.report(
                'MB0854',
                resource,
                { policy: name, principal, field, trustDomain, known: domains.join(', ') },
                { evidence: { [field]: principal, 'meshConfig.trustDomain': `${mesh.trustDomain} (${mesh.source})` } },
              );
              return;
            }
            ctx.report(
              'MB0853',
              resource,
              { policy: name, principal, field, trustDomain: mesh.trustDomain },
              { evidence: { [field]: principal, 'workload identities': identities.size } },
            );
          });
        });
        (rule.to ?? []).forEach((to, j) => {
          stringList(to?.operation?.methods).forEach((method, k) => {
            if (validMethod(method)) return;
            const field = `spec.rules[${i}].to[${j}].operation.methods[${k}]`;
            ctx.report('MB0850', resource, { policy: name, method, field }, { evidence: { [field]: method } });
          });
          stringList(to?.operation?.hosts).forEach((host, k) => {
            const target = registryTarget(host, ns, namespaces);
            if (target === undefined || inRegistry(target.service, target.namespace, ns)) return;
            const field = `spec.rules[${i}].to[${j}].operation.hosts[${k}]`;
            const fqdn = `${target.service}.${target.namespace}.${identityDomain}`;
            ctx.report(
              mesh.allowAny ? 'MB0852' : 'MB0851',
              resource,
              { policy: name, host, field, fqdn },
              {
                evidence: {
                  [field]: host,
                  'resolved host': fqdn,
                  'meshConfig.outboundTrafficPolicy.mode': `${mesh.allowAny ? 'ALLOW_ANY' : 'REGISTRY_ONLY'} (${mesh.source})`,
                },
              },
            );
          });
        });
      });
    }
  },
});

/** Kiali's validMethod: `*`, an HTTP method, or a one-sided wildcard that fits one (case-insensitively). */
function validMethod(raw: string): boolean {
  const method = raw.trim();
  if (method === '') return false;
  if (method === '*') return true;
  const prefix = method.endsWith('*') && !method.startsWith('*');
  const suffix = method.startsWith('*') && !method.endsWith('*');
  const pattern = (prefix ? method.slice(0, -1) : suffix ? method.slice(1) : method).toUpperCase();
  if (prefix) return HTTP_METHODS.some((m) => m.startsWith(pattern));
  if (suffix) return HTTP_METHODS.some((m) => m.endsWith(pattern));
  return HTTP_METHODS.includes(pattern);
}

/**
 * The in-cluster service a host names, when Kiali checks it against the registry: a bare name
 * (in the policy's namespace) or `<name>.<namespace>` of the policy's or an existing namespace.
 */
function registryTarget(
  host: string,
  policyNs: string,
  namespaces: ReadonlySet<string>,
): { service: string; namespace: string } | undefined {
  const trimmed = host.trim();
  if (trimmed === '*' || trimmed.startsWith('*') || trimmed.endsWith('*')) return undefined;
  const parts = trimmed.split('.');
  if (trimmed !== '' && parts.length > 2) return undefined;
  if (parts.length === 2) {
    const ns = host.split('.')[1] ?? '';
    return ns === policyNs || namespaces.has(ns) ? { service: host.split('.')[0] ?? '', namespace: ns } : undefined;
  }
  return { service: host, namespace: policyNs };
}

/** Whether a Service is visible from a namespace: its exportTo annotation, else the mesh default, else everywhere. */
function exportedTo(svc: Service, viewer: string, meshDefault: readonly string[]): boolean {
  const annotation = svc.metadata.annotations?.[EXPORT_TO_ANNOTATION];
  const exportTo =
    annotation !== undefined
      ? annotation
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '')
      : meshDefault;
  if (exportTo.length === 0) return true;
  return exportTo.some((e) => e === '*' || (e === '.' ? namespaceOf(svc) === viewer : e !== '~' && e === viewer));
}

/** Kiali's principal match: `*` always; a leading or trailing `*` as a pattern; otherwise equality. */
function principalMatches(principal: string, identities: ReadonlySet<string>): boolean {
  if (principal === '*') return true;
  if (!principal.startsWith('*') && !principal.endsWith('*')) return identities.has(principal);
  let pattern: RegExp;
  try {
    // Kiali builds the pattern without escaping, so `.` matches any character there too.
    pattern = new RegExp(`^${principal.replaceAll('*', '.*')}$`);
  } catch {
    return false;
  }
  for (const id of identities) if (pattern.test(id)) return true;
  return false;
}

/** The trust domain of a principal when it is not one the mesh knows (Kiali's foreign-domain rule). */
function foreignTrustDomain(principal: string, known: readonly string[]): string | undefined {
  if (principal.includes('*')) return undefined;
  const at = principal.indexOf('/ns/');
  if (at <= 0) return undefined;
  const domain = principal.slice(0, at);
  return known.includes(domain) ? undefined : domain;
}
