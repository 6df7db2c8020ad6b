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

describe('control-ports in ambient mode', () => {
  it('counts ztunnel as a proxy that dials istiod on 15012, and ambient application pods as none', async () => {
    const result = await runCase('control-ports/ambient-ztunnel-blocked.yaml');
    const f = result.findings.find((x) => x.code === 'MB0601')!;
    expect(f.params.port).toBe(15012);
    expect(f.evidence?.blockedProxies).toBe('1: istio-system/ztunnel');
    expect(f.evidence?.['ambient infrastructure']).toMatch(/^ztunnel istio-system\/ztunnel dials istiod on 15012/);
    expect(f.evidence?.['ambient infrastructure']).toContain("NetworkPolicy always admits traffic from the pod's own node");
  });

  it('warns where Cilium filters the probe address, and only informs on other CNIs', async () => {
    const cilium = await runCase('control-ports/ambient-cilium-probes.yaml');
    expect(cilium.findings.map((f) => f.code)).toEqual(['MB0750']);
    const f = cilium.findings[0]!;
    expect(f.message).toBe(
      'NetworkPolicy mall/only-hbone does not admit 169.254.7.127, the source address of kubelet probes to ambient pods, and Cilium enforces NetworkPolicy on it: the health probes of 1 ambient workload(s) fail.',
    );
    expect(f.evidence?.['probed ports']).toBe('8080');
    expect(f.evidence?.['ambient workloads']).toBe('1: mall/shelf');
    expect(f.evidence?.['rule that would allow it']).toBe(
      '{"from":[{"ipBlock":{"cidr":"169.254.7.127/32"}}],"ports":[{"protocol":"TCP","port":8080}]}',
    );
    expect(f.remediation).toContain('CiliumClusterwideNetworkPolicy');

    const calico = await runCase('control-ports/ambient-probes-other-cni.yaml');
    expect(calico.findings.map((x) => [x.code, x.severity, x.params.cni])).toEqual([['MB0751', 'info', 'Calico']]);
  });
});
