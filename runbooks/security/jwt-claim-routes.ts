import { defineCheck } from '../../src/engine/check.ts';
import { ISTIO_NAMESPACE } from '../../src/istio/mesh-config.ts';
import type { Labels, VirtualService } from '../../src/k8s/objects.ts';
import { matchesLabels, selectorString } from '../../src/k8s/selectors.ts';
import { namespaceOf } from '../lib/mesh.ts';
import { inAnalyzedRevision } from '../lib/revision.ts';
import { policySelector, visibleToIstioctl } from '../lib/security-policies.ts';

/** The header prefix Istio reserves for routing on validated JWT claims (pkg/jwt HeaderJWTClaim). */
const CLAIM_HEADER = '@request.auth.claims';
const MESH_GATEWAY = 'mesh';

// Mirrors istioctl's virtualservice.JWTClaimRouteAnalyzer:
// - a VirtualService routes on a claim when an http match has a `headers` or `withoutHeaders`
//   key starting (any case) with @request.auth.claims followed by `.<claim>` or `[<claim>]`;
//   the first such key found is the one the message names;
// - for each of its gateways other than `mesh` that exists (a bare name is in the
//   VirtualService's namespace; missing ones are left to the gateway checks), every pod in any
//   namespace that the Gateway's selector matches (an empty selector matches every pod) needs a
//   RequestAuthentication selecting it, from its own namespace or from istio-system (fixed:
//   not meshConfig.rootNamespace). A RequestAuthentication without selector selects every pod.
// - one IST0149 per (gateway, pod) pair without one.
export default defineCheck({
  id: 'jwt-claim-routes',
  title: 'Routes on JWT claims have a RequestAuthentication at the gateway',
  description:
    'Every VirtualService that matches on @request.auth.claims headers is bound only to Gateways whose pods are selected by a RequestAuthentication.',
  why: 'JWT claims are available for routing only after a RequestAuthentication has validated the token at that proxy; without it the claim match never succeeds and the requests it was meant for go elsewhere.',
  inputs: [
    'networking.istio.io/v1/VirtualService',
    'security.istio.io/v1/RequestAuthentication',
    'networking.istio.io/v1/Gateway',
    'v1/Pod',
  ],
  analyzer: 'virtualservice.JWTClaimRouteAnalyzer',
  docs: '/concepts/security-policies/#jwt-claim-routes',
  analyze(ctx) {
    const selectorsByNamespace = new Map<string, Labels[]>();
    for (const ra of ctx.list('security.istio.io/v1/RequestAuthentication')) {
      if (!inAnalyzedRevision(ra)) continue;
      const ns = namespaceOf(ra);
      selectorsByNamespace.set(ns, [...(selectorsByNamespace.get(ns) ?? []), policySelector(ra) ?? {}]);
    }
    const pods = ctx.list('v1/Pod').filter((p) => visibleToIstioctl(p));

    for (const vs of ctx.list('networking.istio.io/v1/VirtualService')) {
      if (!inAnalyzedRevision(vs)) continue;
      const key = claimRouteKey(vs);
      if (key === undefined) continue;
      const vsNs = namespaceOf(vs);
      for (const ref of vs.spec?.gateways ?? []) {
        if (ref === MESH_GATEWAY) continue;
        const slash = ref.indexOf('/');
        const gwNs = slash === -1 ? vsNs : ref.slice(0, slash);
        const gwName = slash === -1 ? ref : ref.slice(slash + 1);
        const gateway = ctx.find('networking.istio.io/v1/Gateway', gwNs, gwName);
        if (gateway === undefined || !inAnalyzedRevision(gateway)) continue;
        const gwSelector = gateway.spec?.selector ?? {};
        for (const pod of pods) {
          const labels = pod.metadata.labels ?? {};
          if (!matchesLabels(gwSelector, labels)) continue;
          const podNs = namespaceOf(pod);
          const candidates = [...(selectorsByNamespace.get(ISTIO_NAMESPACE) ?? []), ...(selectorsByNamespace.get(podNs) ?? [])];
          if (candidates.some((sel) => matchesLabels(sel, labels))) continue;
          ctx.report(
            'IST0149',
            { kind: 'VirtualService', namespace: vsNs, name: vs.metadata.name },
            { key, gateway: `${gwNs}/${gwName}`, pod: pod.metadata.name },
            {
              evidence: {
                'claim header': key,
                gateway: `${gwNs}/${gwName}`,
                'gateway spec.selector': selectorString(gwSelector) || '(empty: every pod)',
                pod: `${podNs}/${pod.metadata.name}`,
                'RequestAuthentications considered': candidates.length,
              },
            },
          );
        }
      }
    }
  },
});

/** The first match header that routes on a JWT claim (pkg/jwt ToRoutingClaim), if any. */
function claimRouteKey(vs: VirtualService): string | undefined {
  for (const route of vs.spec?.http ?? []) {
    for (const match of route.match ?? []) {
      if (match === null || typeof match !== 'object') continue;
      const m = match as { headers?: unknown; withoutHeaders?: unknown };
      for (const headers of [m.headers, m.withoutHeaders]) {
        if (headers === null || typeof headers !== 'object') continue;
        const key = Object.keys(headers).find(isClaimRoutingHeader);
        if (key !== undefined) return key;
      }
    }
  }
  return undefined;
}

function isClaimRoutingHeader(header: string): boolean {
  if (!header.toLowerCase().startsWith(CLAIM_HEADER)) return false;
  const rest = header.slice(CLAIM_HEADER.length);
  if (rest.startsWith('.')) return rest.length > 1;
  return rest.startsWith('[') && rest.endsWith(']') && rest.length > 2;
}
