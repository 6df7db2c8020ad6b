import { defineCheck } from '../../src/engine/check.ts';
import { fullName, namespaceOf } from '../lib/mesh.ts';

// The parts of a DestinationRule's trafficPolicy this check reads (the shared type leaves it unknown).
interface ClientTls {
  mode?: unknown;
  caCertificates?: unknown;
  credentialName?: unknown;
}
interface PortPolicy {
  port?: { number?: unknown } | null;
  tls?: ClientTls | null;
}
interface TlsView {
  trafficPolicy?: { tls?: ClientTls | null; portLevelSettings?: PortPolicy[] | null } | null;
  workloadSelector?: unknown;
}

// ClientTLSSettings.TLSmode numbers, for objects written with enum numbers instead of names.
const MODE_BY_NUMBER = ['DISABLE', 'SIMPLE', 'MUTUAL', 'ISTIO_MUTUAL'];

// Mirrors istioctl's destinationrule.CaCertificateAnalyzer: TLS origination in mode SIMPLE or
// MUTUAL, at the top level (IST0128) or per port (IST0129), must say how to verify the server:
// caCertificates, or a credentialName on a DestinationRule that has a workloadSelector. The port
// is printed the way istioctl prints it ("number:443", "<nil>" without a port block).
export default defineCheck({
  id: 'destinationrule-ca-certificates',
  title: 'TLS origination verifies the server',
  description: 'Every DestinationRule that originates TLS (SIMPLE or MUTUAL) names the CA certificates to verify the server with.',
  why: 'Without CA certificates the upstream connection is encrypted but the server is never authenticated: whoever answers for the host can read the traffic.',
  inputs: ['networking.istio.io/v1/DestinationRule'],
  analyzer: 'destinationrule.CaCertificateAnalyzer',
  docs: '/concepts/traffic-management/#destinationrule-ca-certificates',
  analyze(ctx) {
    for (const dr of ctx.list('networking.istio.io/v1/DestinationRule')) {
      const spec = (dr.spec ?? {}) as TlsView & { host?: string };
      const ns = namespaceOf(dr);
      const resource = { kind: 'DestinationRule', namespace: ns, name: dr.metadata.name };
      const host = spec.host ?? '';
      const hasSelector = spec.workloadSelector !== undefined && spec.workloadSelector !== null;
      const base = { destinationRule: fullName(dr), namespace: ns, host };

      const unverified = (tls: ClientTls | null | undefined): string | undefined => {
        const mode = modeName(tls?.mode);
        if (mode !== 'SIMPLE' && mode !== 'MUTUAL') return undefined;
        if (nonEmpty(tls?.caCertificates)) return undefined;
        if (nonEmpty(tls?.credentialName) && hasSelector) return undefined;
        return mode;
      };

      const topMode = unverified(spec.trafficPolicy?.tls);
      if (topMode !== undefined) {
        ctx.report(
          'IST0128',
          resource,
          { ...base, mode: topMode },
          {
            evidence: {
              'spec.trafficPolicy.tls.mode': topMode,
              'spec.trafficPolicy.tls.caCertificates': '(none)',
              ...credentialEvidence('spec.trafficPolicy.tls', spec.trafficPolicy?.tls, hasSelector),
            },
            fix: 'set-ca-certificates',
            fixParams: { where: 'spec.trafficPolicy.tls', host },
          },
        );
      }
      (spec.trafficPolicy?.portLevelSettings ?? []).forEach((p, i) => {
        const mode = unverified(p?.tls);
        if (mode === undefined) return;
        const where = `spec.trafficPolicy.portLevelSettings[${i}].tls`;
        ctx.report(
          'IST0129',
          resource,
          { ...base, mode, port: portText(p?.port) },
          {
            evidence: { [`${where}.mode`]: mode, [`${where}.caCertificates`]: '(none)', ...credentialEvidence(where, p?.tls, hasSelector) },
            fix: 'set-ca-certificates',
            fixParams: { where, host },
          },
        );
      });
    }
  },
});

function nonEmpty(v: unknown): boolean {
  return typeof v === 'string' && v !== '';
}

function modeName(mode: unknown): string | undefined {
  if (typeof mode === 'string') return mode;
  if (typeof mode === 'number') return MODE_BY_NUMBER[mode];
  return undefined;
}

// The PortSelector as Go's protobuf text form prints it: "number:443", "" when empty, "<nil>" when absent.
function portText(port: PortPolicy['port']): string {
  if (port === undefined || port === null) return '<nil>';
  return typeof port.number === 'number' && port.number !== 0 ? `number:${port.number}` : '';
}

function credentialEvidence(where: string, tls: ClientTls | null | undefined, hasSelector: boolean): Record<string, string> {
  if (!nonEmpty(tls?.credentialName)) return {};
  return {
    [`${where}.credentialName`]: String(tls?.credentialName),
    'spec.workloadSelector': hasSelector ? 'set' : '(none: credentialName alone does not count)',
  };
}
