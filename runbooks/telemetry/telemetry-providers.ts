import { defineCheck } from '../../src/engine/check.ts';
import { ISTIO_NAMESPACE, MESH_CONFIGMAP } from '../../src/istio/mesh-config.ts';
import { meshProviders } from '../../src/istio/mesh-providers.ts';
import { namespaceOf } from '../lib/mesh.ts';
import { inAnalyzedRevision } from '../lib/revision.ts';

// Mirrors istioctl's telemetry.ProviderAnalyzer: when meshConfig has no
// defaultProviders.accessLogging, every accessLogging entry of a Telemetry that is not
// `disabled: true` and lists no provider → IST0157 on the Telemetry. istioctl's messages carry no
// line on a live cluster, so several such entries in one Telemetry make one message; so here.
// Only the `defaultProviders` spelling counts (src/istio/mesh-providers.ts).
export default defineCheck({
  id: 'telemetry-providers',
  title: 'Telemetry access logging names a provider',
  description:
    'Every enabled accessLogging entry of a Telemetry names a provider, unless meshConfig sets default access-logging providers.',
  why: 'An access-logging entry without a provider, and no mesh default to fall back on, sends its logs nowhere: the Telemetry looks active but does nothing.',
  inputs: ['telemetry.istio.io/v1/Telemetry', 'v1/ConfigMap'],
  analyzer: 'telemetry.ProviderAnalyzer',
  docs: '/concepts/traffic-management/#telemetry-providers',
  analyze(ctx) {
    const providers = meshProviders(ctx.find('v1/ConfigMap', ISTIO_NAMESPACE, MESH_CONFIGMAP));
    if (providers.defaultAccessLogging.length > 0) return;
    for (const telemetry of ctx.list('telemetry.istio.io/v1/Telemetry')) {
      if (!inAnalyzedRevision(telemetry)) continue;
      const empty = (telemetry.spec?.accessLogging ?? []).flatMap((entry, i) =>
        entry === null || entry.disabled === true || (entry.providers ?? []).length > 0 ? [] : [`spec.accessLogging[${i}]`],
      );
      if (empty.length === 0) continue;
      const namespace = namespaceOf(telemetry);
      ctx.report(
        'IST0157',
        { kind: 'Telemetry', namespace, name: telemetry.metadata.name },
        { name: telemetry.metadata.name, namespace },
        {
          evidence: {
            'entries without providers': empty.join(', '),
            'meshConfig defaultProviders.accessLogging': `(none) (${providers.source})`,
          },
        },
      );
    }
  },
});
