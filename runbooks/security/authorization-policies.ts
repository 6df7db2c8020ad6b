import { defineCheck } from '../../src/engine/check.ts';
import { ISTIO_NAMESPACE, MESH_CONFIGMAP } from '../../src/istio/mesh-config.ts';
import type { Labels } from '../../src/k8s/objects.ts';
import { matchesLabels, selectorString } from '../../src/k8s/selectors.ts';
import { namespaceOf } from '../lib/mesh.ts';
import { inAnalyzedRevision } from '../lib/revision.ts';
import {
  meshPolicySettings,
  podInMeshForIstioctl,
  podRedirectedToAmbient,
  policyRules,
  policySelector,
  stringList,
  visibleToIstioctl,
} from '../lib/security-policies.ts';

// Mirrors istioctl's authz.AuthorizationPoliciesAnalyzer (Metadata name auth.AuthorizationPoliciesAnalyzer):
// - IST0127 when a policy applies to no meshed pod. "Meshed" is util.PodInMesh (istio-proxy
//   container with an image; else sidecar.istio.io/inject on the pod; else istio-injection=enabled
//   on its namespace) or the ambient redirection annotation. A policy in the mesh root namespace
//   with a selector (even `{}`) needs a match in any namespace, and without one it is never
//   reported; elsewhere a selector needs a match in the policy's namespace, and no selector needs
//   any meshed pod there. targetRef(s) are not looked at.
// - IST0101 for every from.source.namespaces / notNamespaces entry no Namespace matches: `*` alone,
//   a `*` prefix or suffix (compared case-sensitively), else a case-insensitive name. With no
//   Namespace at all, even `*` is reported.
// istioctl's live source reads no Pods in kube-system, kube-public, kube-node-lease or
// local-path-storage, nor those Namespace objects (so a source naming them is reported), and
// reads policies of the default revision only, in every namespace.
export default defineCheck({
  id: 'authorization-policies',
  title: 'AuthorizationPolicies apply to workloads and name real namespaces',
  description:
    'Every AuthorizationPolicy selects at least one meshed pod (or, without a selector, has meshed pods in its namespace), and every source namespace it names exists.',
  why: 'A policy that selects nothing, or admits callers from a namespace that does not exist, enforces something other than what was written: access stays open that was meant to be closed, or the intended callers are refused.',
  inputs: ['security.istio.io/v1/AuthorizationPolicy', 'v1/Pod', 'v1/Namespace', 'v1/ConfigMap'],
  analyzer: 'auth.AuthorizationPoliciesAnalyzer',
  docs: '/concepts/security-policies/#authorization-policies',
  analyze(ctx) {
    const mesh = meshPolicySettings(ctx.find('v1/ConfigMap', ISTIO_NAMESPACE, MESH_CONFIGMAP));
    const namespaces = ctx.list('v1/Namespace').filter((n) => visibleToIstioctl(n, true));
    const namespaceByName = new Map(namespaces.map((n) => [n.metadata.name, n]));
    const meshedLabels = new Map<string, Labels[]>();
    for (const pod of ctx.list('v1/Pod')) {
      if (!visibleToIstioctl(pod)) continue;
      const ns = namespaceOf(pod);
      if (!podInMeshForIstioctl(pod, namespaceByName.get(ns)) && !podRedirectedToAmbient(pod)) continue;
      meshedLabels.set(ns, [...(meshedLabels.get(ns) ?? []), pod.metadata.labels ?? {}]);
    }
    const anyMatch = (selector: Labels, pods: Labels[]): boolean => pods.some((labels) => matchesLabels(selector, labels));

    for (const policy of ctx.list('security.istio.io/v1/AuthorizationPolicy')) {
      if (!inAnalyzedRevision(policy)) continue;
      const ns = namespaceOf(policy);
      const resource = { kind: 'AuthorizationPolicy', namespace: ns, name: policy.metadata.name };
      const selector = policySelector(policy);
      const meshedHere = meshedLabels.get(ns) ?? [];

      if (ns === mesh.rootNamespace) {
        if (selector !== undefined && !anyMatch(selector, [...meshedLabels.values()].flat())) {
          ctx.report(
            'IST0127',
            resource,
            { labels: selectorString(selector) },
            {
              evidence: {
                'spec.selector.matchLabels': selectorString(selector) || '(empty)',
                'meshConfig.rootNamespace': `${mesh.rootNamespace} (${mesh.source})`,
                'meshed pods matching, all namespaces': 0,
              },
              fix: 'policy-selector-matches-nothing',
              fixParams: { selector: selectorString(selector) || '(any labels)', where: 'in any namespace' },
            },
          );
        }
      } else if (selector === undefined) {
        if (meshedHere.length === 0) {
          ctx.report(
            'IST0127',
            resource,
            { labels: '' },
            {
              evidence: { 'spec.selector': '(none)', 'meshed pods in the namespace': 0 },
              fix: 'namespace-without-meshed-pods',
              fixParams: { namespace: ns },
            },
          );
        }
      } else if (!anyMatch(selector, meshedHere)) {
        ctx.report(
          'IST0127',
          resource,
          { labels: selectorString(selector) },
          {
            evidence: {
              'spec.selector.matchLabels': selectorString(selector) || '(empty)',
              'meshed pods in the namespace': meshedHere.length,
              'meshed pods matching': 0,
            },
            fix: 'policy-selector-matches-nothing',
            fixParams: { selector: selectorString(selector) || '(any labels)', where: `in namespace ${ns}` },
          },
        );
      }

      policyRules(policy).forEach((rule, i) => {
        (rule.from ?? []).forEach((from, j) => {
          const source = from?.source;
          if (source === undefined || source === null) return;
          const fields = [
            ...stringList(source.namespaces).map((pattern, k) => ({
              pattern,
              field: `spec.rules[${i}].from[${j}].source.namespaces[${k}]`,
            })),
            ...stringList(source.notNamespaces).map((pattern, k) => ({
              pattern,
              field: `spec.rules[${i}].from[${j}].source.notNamespaces[${k}]`,
            })),
          ];
          for (const { pattern, field } of fields) {
            if (namespaces.some((n) => namespaceMatches(n.metadata.name, pattern))) continue;
            ctx.report(
              'IST0101',
              resource,
              { kind: 'namespace', ref: pattern },
              {
                evidence: { [field]: pattern, namespaces: namespaces.length },
                fix: 'policy-namespace-not-found',
                fixParams: { pattern, field },
              },
            );
          }
        });
      });
    }
  },
});

// namespaceMatch of the analyzer: the wildcard forms compare case-sensitively, a plain name does not.
function namespaceMatches(name: string, pattern: string): boolean {
  if (pattern === '*') return true;
  if (pattern.startsWith('*')) return name.endsWith(pattern.slice(1));
  if (pattern.endsWith('*')) return name.startsWith(pattern.slice(0, -1));
  return name.toLowerCase() === pattern.toLowerCase();
}
