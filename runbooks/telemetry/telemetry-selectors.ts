import { defineCheck } from '../../src/engine/check.ts';
import type { Pod, Telemetry } from '../../src/k8s/objects.ts';
import { matchesLabels, selectorString } from '../../src/k8s/selectors.ts';
import { IGNORED_NAMESPACES, namespaceOf } from '../lib/mesh.ts';
import { inAnalyzedRevision } from '../lib/revision.ts';

// Mirrors istioctl's telemetry.SelectorAnalyzer:
// - a Telemetry whose selector has matchLabels must select a pod in its own namespace → IST0101;
// - a pod selected by more than one Telemetry → IST0159 on each of them, once per pod.
// Telemetries without matchLabels (no selector, `selector: {}`, targetRefs only) are not looked
// at. Pods in the namespaces istioctl never reads (kube-system and friends) match nothing.
export default defineCheck({
  id: 'telemetry-selectors',
  title: 'Telemetry selectors pick their workloads unambiguously',
  description: 'Each Telemetry with a workload selector selects at least one pod, and no pod is selected by two Telemetries.',
  why: 'A workload follows one workload-level Telemetry: a selector that matches nothing changes nothing, and when two match the same pod, which one applies is undefined.',
  inputs: ['telemetry.istio.io/v1/Telemetry', 'v1/Pod'],
  analyzer: 'telemetry.SelectorAnalyzer',
  docs: '/concepts/traffic-management/#telemetry-selectors',
  analyze(ctx) {
    const telemetries = ctx.list('telemetry.istio.io/v1/Telemetry').filter(inAnalyzedRevision);
    const selecting = telemetries.filter((t) => Object.keys(t.spec?.selector?.matchLabels ?? {}).length > 0);
    if (selecting.length === 0) return;
    const pods = ctx.list('v1/Pod').filter((p) => !IGNORED_NAMESPACES.has(namespaceOf(p)));
    const podsToTelemetries = new Map<string, { pod: Pod; telemetries: Telemetry[] }>();
    const ref = (t: Telemetry) => ({ kind: 'Telemetry', namespace: namespaceOf(t), name: t.metadata.name });

    for (const telemetry of selecting) {
      const ns = namespaceOf(telemetry);
      const labels = telemetry.spec?.selector?.matchLabels;
      let found = false;
      for (const pod of pods) {
        if (namespaceOf(pod) !== ns || !matchesLabels(labels, pod.metadata.labels)) continue;
        found = true;
        const key = `${ns}/${pod.metadata.name}`;
        const entry = podsToTelemetries.get(key) ?? { pod, telemetries: [] };
        entry.telemetries.push(telemetry);
        podsToTelemetries.set(key, entry);
      }
      if (found) continue;
      ctx.report(
        'IST0101',
        ref(telemetry),
        { kind: 'selector', ref: selectorString(labels) },
        {
          evidence: { 'spec.selector.matchLabels': selectorString(labels), 'matching pods': 0 },
          fix: 'telemetry-selector-matches-nothing',
          fixParams: { namespace: ns, selector: selectorString(labels) },
        },
      );
    }

    for (const [podKey, { pod, telemetries: claiming }] of podsToTelemetries) {
      if (claiming.length < 2) continue;
      const names = claiming.map((t) => t.metadata.name).sort();
      for (const telemetry of claiming) {
        ctx.report(
          'IST0159',
          ref(telemetry),
          { telemetries: names.join(' '), namespace: namespaceOf(pod), pod: pod.metadata.name },
          {
            evidence: {
              'spec.selector.matchLabels': selectorString(telemetry.spec?.selector?.matchLabels),
              pod: podKey,
              'Telemetries selecting it': names.join(', '),
            },
            fix: 'disjoint-telemetry-selectors',
            fixParams: { pod: podKey, telemetries: names.join(', ') },
          },
        );
      }
    }
  },
});
