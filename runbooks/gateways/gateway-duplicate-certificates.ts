import { defineCheck } from '../../src/engine/check.ts';
import type { IstioGatewayServer, Labels } from '../../src/k8s/objects.ts';
import { namespaceOf } from '../lib/mesh.ts';
import { inAnalyzedRevision } from '../lib/revision.ts';

// Mirrors istioctl's gateway.CertificateAnalyzer (with PILOT_SCOPE_GATEWAY_TO_NAMESPACE off, its
// default). For each Gateway G, every other Gateway whose selector contains all of G's selector
// labels (every Gateway when G's selector is empty), in any namespace, is compared server by server:
// two TLS servers share a certificate when both credentialNames are set and equal, or when neither
// has one and both serverCertificate and privateKey are set and equal. G then gets IST0138 naming
// both Gateways. The rule is one-directional, so with selectors a ⊂ b only the Gateway with the
// smaller selector is reported. Gateways labelled istio.io/rev=<other> are not seen (default --revision).
type Tls = NonNullable<IstioGatewayServer['tls']>;

/** Whether two TLS blocks present the same certificate (haveSameCertificate). */
function sameCertificate(a: Tls, b: Tls): boolean {
  const ca = a.credentialName ?? '';
  const cb = b.credentialName ?? '';
  if (ca !== '' && cb !== '') return ca === cb;
  if (ca === '' && cb === '') {
    const sa = a.serverCertificate ?? '';
    const sb = b.serverCertificate ?? '';
    if (sa !== '' && sb !== '' && sa === sb) {
      const ka = a.privateKey ?? '';
      const kb = b.privateKey ?? '';
      return ka !== '' && kb !== '' && ka === kb;
    }
  }
  return false;
}

/** Every label of `x` is in `y` with the same value (selectorSubset). */
function subset(x: Labels, y: Labels): boolean {
  return Object.entries(x).every(([k, v]) => Object.hasOwn(y, k) && y[k] === v);
}

export default defineCheck({
  id: 'gateway-duplicate-certificates',
  title: 'Gateways on the same pods do not share a certificate',
  description:
    'No two Gateways that apply to the same gateway pods serve TLS with the same certificate (credentialName, or serverCertificate and privateKey).',
  why: "Browsers reuse an HTTP/2 connection for every host its certificate covers; when two Gateways present the same certificate, requests for one Gateway's hosts arrive on the other's connection and get 404s.",
  inputs: ['networking.istio.io/v1/Gateway'],
  analyzer: 'gateway.CertificateAnalyzer',
  docs: '/concepts/gateways/#gateway-duplicate-certificates',
  analyze(ctx) {
    // Only Gateways with a TLS server can share a certificate (thousands without one would be compared pairwise for nothing).
    const gateways = ctx
      .list('networking.istio.io/v1/Gateway')
      .filter((g) => inAnalyzedRevision(g) && (g.spec?.servers ?? []).some((s) => s.tls !== undefined && s.tls !== null));
    for (const gw of gateways) {
      const name = `${namespaceOf(gw)}/${gw.metadata.name}`;
      const selector = gw.spec?.selector ?? {};
      const resource = { kind: 'Gateway', namespace: namespaceOf(gw), name: gw.metadata.name };
      for (const other of gateways) {
        const otherName = `${namespaceOf(other)}/${other.metadata.name}`;
        if (otherName === name) continue;
        if (Object.keys(selector).length > 0 && !subset(selector, other.spec?.selector ?? {})) continue;
        (gw.spec?.servers ?? []).forEach((server, i) => {
          (other.spec?.servers ?? []).forEach((theirs, j) => {
            if (server.tls === undefined || server.tls === null || theirs.tls === undefined || theirs.tls === null) return;
            if (!sameCertificate(server.tls, theirs.tls)) return;
            const byName = (server.tls.credentialName ?? '') !== '';
            ctx.report(
              'IST0138',
              resource,
              { gateways: `[${name} ${otherName}]` },
              {
                evidence: byName
                  ? {
                      [`spec.servers[${i}].tls.credentialName`]: server.tls.credentialName!,
                      otherGateway: otherName,
                      [`otherGateway.spec.servers[${j}].tls.credentialName`]: theirs.tls.credentialName!,
                    }
                  : {
                      [`spec.servers[${i}].tls.serverCertificate`]: server.tls.serverCertificate!,
                      otherGateway: otherName,
                      [`otherGateway.spec.servers[${j}].tls.serverCertificate`]: theirs.tls.serverCertificate!,
                    },
                fix: 'separate-certificates',
                fixParams: { gateway: name, otherGateway: otherName },
              },
            );
          });
        });
      }
    }
  },
});
