// control-ports beyond its fixture cases: the Istio generation it detected, the revision each proxy
// dials, and the API server as an address outside the pod network.

import { describe, expect, it } from 'vitest';
import { runCase } from '../helpers/run-fixtures.ts';

describe('control-ports', () => {
  it('checks each proxy against the istiod of its own revision', async () => {
    const result = await runCase('control-ports/control-ports-revisions.yaml');
    expect(result.findings.map((f) => [f.params.component, f.evidence?.blockedProxies])).toEqual([
      ['istiod (Deployment istio-system/istiod-canary)', '1: shop/checkout-canary'],
    ]);
  });

  it("says which Istio generation it detected and checks that generation's ports", async () => {
    const today = await runCase('control-ports/control-ports-bad.yaml');
    for (const f of today.findings)
      expect(f.evidence?.['Istio detected']).toMatch(/^istiod \(Istio 1\.5 and later\): Deployment istio-system\/istiod \(Istio 1\.28\.0/);
    expect(today.findings[0]!.evidence?.['control ports checked']).toContain('plaintext xDS 15010 not checked');

    const old = await runCase('control-ports/control-ports-istio-1-0.yaml');
    expect(old.findings.map((f) => `${f.params.component} ${f.params.port}`).sort()).toEqual([
      'Mixer (policy) (Deployment istio-system/istio-policy) 15004',
      'Mixer (telemetry) (Deployment istio-system/istio-telemetry) 15004',
      'Pilot (Deployment istio-system/istio-pilot) 15011',
    ]);
    for (const f of old.findings) {
      expect(f.evidence?.['Istio detected']).toContain('Istio 1.0-era split control plane (Istio 1.0.6)');
      expect(f.evidence?.meshConfig).toContain('controlPlaneAuthPolicy MUTUAL_TLS');
      // The control plane's own sidecars are not counted as proxies that need it.
      expect(f.evidence?.blockedProxies).toBe('2: istio-system/istio-ingressgateway, shop/web');
    }
  });

  it('treats the API server as an address outside the pod network', async () => {
    const known = await runCase('control-ports/control-ports-bad.yaml');
    const webhook = known.findings.find((f) => f.code === 'MB0602')!;
    expect(webhook.message).toBe(
      "NetworkPolicy istio-system/istiod-lockdown drops the API server's webhook calls to istiod via Service istio-system/istiod (Service port 443 → pod port 15017): no ingress rule allows that port from outside the pod network.",
    );
    expect(JSON.parse(webhook.evidence!['rule that would allow it']!)).toEqual({
      from: [{ ipBlock: { cidr: '172.18.0.2/32' } }],
      ports: [{ protocol: 'TCP', port: 15017 }],
    });

    // No API server address in this snapshot (its case includes only the istiod preamble).
    const unknown = await runCase('control-ports/control-ports-webhook-pods-only.yaml');
    const open = unknown.findings.find((f) => f.code === 'MB0602')!;
    expect(open.evidence?.['API server address']).toMatch(/^unknown/);
    expect(JSON.parse(open.evidence!['rule that would allow it']!)).toEqual({ ports: [{ protocol: 'TCP', port: 15017 }] });
  });
});
