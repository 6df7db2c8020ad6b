// mtls-conflicts beyond its fixture cases: wording, evidence and the fix each finding carries.

import { describe, expect, it } from 'vitest';
import { runCase } from '../helpers/run-fixtures.ts';

describe('mtls-conflicts', () => {
  it('names both halves of a KIA0207 conflict and patches the mode', async () => {
    const result = await runCase('mtls-conflicts/disable-toward-strict.yaml');
    const shop = result.findings.find((f) => f.code === 'MB0801');
    expect(shop?.message).toBe(
      'DestinationRule shop/plaintext sends plaintext to every service of namespace shop (tls.mode DISABLE), but PeerAuthentication shop/default makes that namespace accept mTLS only (STRICT).',
    );
    expect(shop?.evidence).toMatchObject({
      'spec.trafficPolicy.tls.mode': 'DISABLE',
      'PeerAuthentication shop/default spec.mtls.mode': 'STRICT',
    });
    expect(shop?.remediation).toContain(
      `kubectl patch destinationrule plaintext -n shop --type=json -p '[{"op":"replace","path":"/spec/trafficPolicy/tls/mode","value":"ISTIO_MUTUAL"}]'`,
    );
    // A tls block without a mode is DISABLE, as the enum's zero value.
    const billing = result.findings.find((f) => f.code === 'MB0802' && f.resource.namespace === 'billing');
    expect(billing?.evidence?.['spec.trafficPolicy.tls.mode']).toBe('DISABLE');
  });

  it('says auto mTLS is off where the rule depends on it', async () => {
    const result = await runCase('mtls-conflicts/auto-mtls-off.yaml');
    const mesh = result.findings.find((f) => f.code === 'MB0806');
    expect(mesh?.message).toBe(
      'PeerAuthentication istio-system/default makes the whole mesh STRICT, but auto mTLS is off and no DestinationRule for *.local sends ISTIO_MUTUAL.',
    );
    expect(mesh?.evidence?.['meshConfig.enableAutoMtls']).toBe('false (meshConfig)');
  });

  it('reads the root namespace from meshConfig', async () => {
    const result = await runCase('mtls-conflicts/client-half-only.yaml');
    expect(result.findings.find((f) => f.code === 'MB0803')?.message).toBe(
      'DestinationRule mesh-root/mtls makes every client use Istio mTLS (host *.local, ISTIO_MUTUAL), but no PeerAuthentication in mesh-root enables mTLS mesh-wide and auto mTLS is off.',
    );
  });

  it('lists the identity fields an AuthorizationPolicy cannot match without mTLS', async () => {
    const result = await runCase('mtls-conflicts/disable-policies.yaml');
    const authz = result.findings.find((f) => f.code === 'MB0810');
    expect(authz?.message).toBe(
      "AuthorizationPolicy legacy/only-web matches on the peer's identity (spec.rules[0].from[0].source.principals), but the workloads it applies to receive no mutual TLS (mTLS DISABLE).",
    );
    expect(authz?.evidence?.['effective mTLS mode']).toBe('DISABLE (PeerAuthentication legacy/default)');
  });

  it('declares the Kiali codes it mirrors', async () => {
    const result = await runCase('mtls-conflicts/agree.yaml');
    expect(result.status).toBe('pass');
    expect(result.kiali).toEqual([
      'KIA0105',
      'KIA0204',
      'KIA0205',
      'KIA0206',
      'KIA0207',
      'KIA0208',
      'KIA0401',
      'KIA0501',
      'KIA0505',
      'KIA0506',
    ]);
  });
});
