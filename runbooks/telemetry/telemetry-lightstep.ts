import { defineCheck } from '../../src/engine/check.ts';
import { ISTIO_NAMESPACE, MESH_CONFIGMAP } from '../../src/istio/mesh-config.ts';
import { meshProviders, providersOfKind } from '../../src/istio/mesh-providers.ts';
import { namespaceOf } from '../lib/mesh.ts';
import { inAnalyzedRevision } from '../lib/revision.ts';

// Mirrors istioctl's telemetry.LightstepAnalyzer: a Telemetry whose tracing names an extension
// provider of type `lightstep` → IST0002 on the Telemetry, once per provider name, whatever else
// the tracing entry says. An incomplete Lightstep provider still counts (istiod only warns about
// it); a mesh config that does not parse leaves istioctl on the defaults, which have none.
export default defineCheck({
  id: 'telemetry-lightstep',
  title: 'No Telemetry traces to a Lightstep provider',
  description: 'No Telemetry sends traces to a meshConfig extension provider of the deprecated Lightstep type.',
  why: 'Istio has deprecated its Lightstep provider in favour of OpenTelemetry: tracing through it stops when the provider type is removed from a later release.',
  inputs: ['telemetry.istio.io/v1/Telemetry', 'v1/ConfigMap'],
  analyzer: 'telemetry.LightstepAnalyzer',
  docs: '/concepts/traffic-management/#telemetry-lightstep',
  analyze(ctx) {
    const providers = meshProviders(ctx.find('v1/ConfigMap', ISTIO_NAMESPACE, MESH_CONFIGMAP));
    const lightstep = new Set(providersOfKind(providers, 'lightstep'));
    if (lightstep.size === 0) return;
    for (const telemetry of ctx.list('telemetry.istio.io/v1/Telemetry')) {
      if (!inAnalyzedRevision(telemetry)) continue;
      const used = new Map<string, string[]>();
      (telemetry.spec?.tracing ?? []).forEach((tracing, i) =>
        (tracing?.providers ?? []).forEach((p, j) => {
          if (p.name === undefined || !lightstep.has(p.name)) return;
          used.set(p.name, [...(used.get(p.name) ?? []), `spec.tracing[${i}].providers[${j}]`]);
        }),
      );
      for (const [name, paths] of used) {
        ctx.report(
          'IST0002',
          { kind: 'Telemetry', namespace: namespaceOf(telemetry), name: telemetry.metadata.name },
          { detail: `The Lightstep provider ${name} is deprecated, please migrate to OpenTelemetry provider.` },
          {
            evidence: { 'named at': paths.join(', '), 'meshConfig extensionProviders': `${name}: lightstep (${providers.source})` },
            fix: 'migrate-lightstep',
            fixParams: { provider: name },
          },
        );
      }
    }
  },
});
