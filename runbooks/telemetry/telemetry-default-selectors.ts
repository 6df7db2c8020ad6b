import { defineCheck } from '../../src/engine/check.ts';
import type { Telemetry } from '../../src/k8s/objects.ts';
import { namespaceOf } from '../lib/mesh.ts';
import { inAnalyzedRevision } from '../lib/revision.ts';

// Mirrors istioctl's telemetry.DefaultSelectorAnalyzer: more than one Telemetry without a
// `selector` in a namespace → IST0160 on each. Only an absent (or null) selector counts:
// `selector: {}` is a selector to istioctl, and targetRefs do not make a Telemetry selective.
export default defineCheck({
  id: 'telemetry-default-selectors',
  title: 'One namespace-wide Telemetry per namespace',
  description: 'Each namespace has at most one Telemetry without a workload selector.',
  why: 'Only one namespace-level Telemetry can apply: with several, istiod picks one and the metrics, traces and logs the namespace gets are left to chance.',
  inputs: ['telemetry.istio.io/v1/Telemetry'],
  analyzer: 'telemetry.DefaultSelectorAnalyzer',
  docs: '/concepts/traffic-management/#telemetry-default-selectors',
  analyze(ctx) {
    const namespaceWide = new Map<string, Telemetry[]>();
    for (const telemetry of ctx.list('telemetry.istio.io/v1/Telemetry')) {
      if (!inAnalyzedRevision(telemetry) || (telemetry.spec?.selector ?? null) !== null) continue;
      const ns = namespaceOf(telemetry);
      namespaceWide.set(ns, [...(namespaceWide.get(ns) ?? []), telemetry]);
    }
    for (const [ns, telemetries] of namespaceWide) {
      if (telemetries.length < 2) continue;
      const names = telemetries.map((t) => t.metadata.name).sort();
      for (const telemetry of telemetries) {
        ctx.report(
          'IST0160',
          { kind: 'Telemetry', namespace: ns, name: telemetry.metadata.name },
          { telemetries: names.join(' '), namespace: ns },
          {
            evidence: { 'spec.selector': '(none)', 'Telemetries without selector': names.join(', ') },
            fix: 'one-default-telemetry',
            fixParams: { namespace: ns, telemetries: names.join(', ') },
          },
        );
      }
    }
  },
});
