import { defineCheck } from '../../src/engine/check.ts';
import type { Namespace, Pod, Sidecar } from '../../src/k8s/objects.ts';
import { matchesLabels, selectorString } from '../../src/k8s/selectors.ts';
import { IGNORED_NAMESPACES, namespaceOf } from '../lib/mesh.ts';

const AMBIENT_POD_REASON = 'selected workload is in ambient mode, the policy has no impact';
const AMBIENT_NAMESPACE_REASON = 'namespace is in ambient mode, the policy has no impact';

// Mirrors istioctl's sidecar.SelectorAnalyzer:
// - a Sidecar whose workloadSelector has labels must select a pod in its own namespace → IST0101;
// - a pod selected by more than one Sidecar → IST0110 on each of them (per pod);
// - more than one Sidecar without selector labels in a namespace → IST0111 on each;
// - a Sidecar that selects an ambient pod (annotation ambient.istio.io/redirection=enabled), or a
//   selector-less one in an ambient namespace (istio.io/dataplane-mode=ambient without
//   istio-injection=enabled or an istio.io/rev label) → IST0167, once per Sidecar, instead.
// Pods and Namespaces in kube-system, kube-public, kube-node-lease and local-path-storage are
// never read by istioctl, so a selector Sidecar there finds no pod.
export default defineCheck({
  id: 'sidecar-selectors',
  title: 'Sidecar resources select their workloads unambiguously',
  description:
    'Each Sidecar with a workload selector selects at least one pod, no pod is selected by two Sidecars, and each namespace has at most one Sidecar without a selector.',
  why: 'A proxy applies exactly one Sidecar resource: when several claim it, which one wins is undefined, and egress limits or inbound ports differ from what anyone wrote.',
  inputs: ['networking.istio.io/v1/Sidecar', 'v1/Pod', 'v1/Namespace'],
  analyzer: 'sidecar.SelectorAnalyzer',
  docs: '/concepts/traffic-management/#sidecar-selectors',
  analyze(ctx) {
    const pods = ctx.list('v1/Pod').filter((p) => !IGNORED_NAMESPACES.has(namespaceOf(p)));
    const namespaces = new Map(
      ctx
        .list('v1/Namespace')
        .filter((n) => !IGNORED_NAMESPACES.has(n.metadata.name))
        .map((n) => [n.metadata.name, n]),
    );
    const podsToSidecars = new Map<string, { pod: Pod; sidecars: Sidecar[] }>();
    const namespaceWide = new Map<string, Sidecar[]>();
    const ref = (s: Sidecar) => ({ kind: 'Sidecar', namespace: namespaceOf(s), name: s.metadata.name });

    for (const sc of ctx.list('networking.istio.io/v1/Sidecar')) {
      const ns = namespaceOf(sc);
      const labels = sc.spec?.workloadSelector?.labels ?? {};
      if (Object.keys(labels).length === 0) {
        namespaceWide.set(ns, [...(namespaceWide.get(ns) ?? []), sc]);
        continue;
      }
      let found = false;
      for (const pod of pods) {
        if (namespaceOf(pod) !== ns || !matchesLabels(labels, pod.metadata.labels)) continue;
        found = true;
        const key = `${ns}/${pod.metadata.name}`;
        const entry = podsToSidecars.get(key) ?? { pod, sidecars: [] };
        entry.sidecars.push(sc);
        podsToSidecars.set(key, entry);
      }
      if (!found) {
        ctx.report(
          'IST0101',
          ref(sc),
          { kind: 'selector', ref: selectorString(labels) },
          {
            evidence: { 'spec.workloadSelector.labels': selectorString(labels), 'matching pods': 0 },
            fix: 'sidecar-selector-matches-nothing',
            fixParams: { namespace: ns, selector: selectorString(labels) },
          },
        );
      }
    }

    const reported = new Set<string>();
    const ineffective = (sc: Sidecar, reason: string, evidence: Record<string, string>): void => {
      const key = `${namespaceOf(sc)}/${sc.metadata.name}`;
      if (reported.has(key)) return;
      reported.add(key);
      ctx.report(
        'IST0167',
        ref(sc),
        { reason },
        {
          evidence,
          fix: 'use-waypoint',
        },
      );
    };

    for (const [podKey, { pod, sidecars }] of podsToSidecars) {
      const ambient = pod.metadata.annotations?.['ambient.istio.io/redirection'] === 'enabled';
      if (sidecars.length === 1 && !ambient) continue;
      const names = sidecars.map((s) => s.metadata.name).sort();
      for (const sc of sidecars) {
        if (ambient) {
          ineffective(sc, AMBIENT_POD_REASON, { pod: podKey, 'metadata.annotations[ambient.istio.io/redirection]': 'enabled' });
          continue;
        }
        ctx.report(
          'IST0110',
          ref(sc),
          { sidecars: names.join(' '), namespace: namespaceOf(pod), pod: pod.metadata.name },
          {
            evidence: {
              'spec.workloadSelector.labels': selectorString(sc.spec?.workloadSelector?.labels),
              pod: podKey,
              'Sidecars selecting it': names.join(', '),
            },
            fix: 'disjoint-selectors',
            fixParams: { pod: podKey, sidecars: names.join(', ') },
          },
        );
      }
    }

    for (const [ns, sidecars] of namespaceWide) {
      const nsObj = namespaces.get(ns);
      if (nsObj !== undefined && namespaceInAmbient(nsObj)) {
        for (const sc of sidecars)
          ineffective(sc, AMBIENT_NAMESPACE_REASON, { namespace: ns, 'namespace label istio.io/dataplane-mode': 'ambient' });
        continue;
      }
      if (sidecars.length < 2) continue;
      const names = sidecars.map((s) => s.metadata.name).sort();
      for (const sc of sidecars) {
        ctx.report(
          'IST0111',
          ref(sc),
          { sidecars: names.join(' '), namespace: ns },
          {
            evidence: { 'spec.workloadSelector': '(none)', sidecarsWithoutSelector: names.join(', ') },
            fix: 'one-default-sidecar',
            fixParams: { namespace: ns, sidecars: names.join(', ') },
          },
        );
      }
    }
  },
});

// util.NamespaceInAmbientMode: the ambient label counts only without sidecar-injection labels.
function namespaceInAmbient(ns: Namespace): boolean {
  const labels = ns.metadata.labels ?? {};
  if (labels['istio-injection'] === 'enabled') return false;
  if ((labels['istio.io/rev'] ?? '') !== '') return false;
  return labels['istio.io/dataplane-mode'] === 'ambient';
}
