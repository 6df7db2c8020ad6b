// gateway-secrets beyond its fixture cases: where the Secret was looked up, and with --read-secrets
// (IST0161) what is wrong with its certificate, never its key material.

import { describe, expect, it } from 'vitest';
import { runCase } from '../helpers/run-fixtures.ts';

const CONTENTS = 'gateway-secrets/gateway-secrets-contents.yaml';

describe('gateway-secrets', () => {
  it('says where the Secret was looked up and where it is', async () => {
    const secrets = await runCase('gateway-secrets/gateway-secrets-bad.yaml');
    const web = secrets.findings.find((f) => f.resource.name === 'web');
    expect(web?.evidence).toMatchObject({
      'spec.servers[0].tls.credentialName': 'shop-cert',
      'looked up as': 'Secret istio-system/shop-cert',
    });
    expect(web?.remediation).toContain('exists in shop');
    expect(web?.docs).toBe('/concepts/gateways/#gateway-secrets');
  });
});

describe('gateway-secrets with --read-secrets (IST0161)', () => {
  it("words IST0161 as istioctl does, naming the gateway pods' namespace", async () => {
    const result = await runCase(CONTENTS);
    const expired = result.findings.find((f) => f.resource.name === 'expired');
    expect(expired?.message).toBe(
      'The credential referenced by the Gateway expired in namespace istio-system is invalid, which can cause the traffic not to work as expected.',
    );
    expect(expired?.severity).toBe('error');
  });

  it('shows key names, subject, issuer and dates, never key material', async () => {
    const result = await runCase(CONTENTS);
    const by = (name: string) => result.findings.find((f) => f.resource.name === name)?.evidence ?? {};
    expect(by('expired')).toMatchObject({
      'looked up as': 'Secret istio-system/expired-cert',
      'keys present': 'tls.crt, tls.key',
      subject: 'CN=expired.example.com, O=Meshbook test fixture',
      issuer: 'CN=expired.example.com, O=Meshbook test fixture',
      'not before': '2020-01-01T00:00:00.000Z',
      'not after': '2021-01-01T00:00:00.000Z',
    });
    expect(by('future').problem).toContain('not valid before 2100-01-01');
    expect(by('no-key')).toMatchObject({
      'keys present': 'tls.crt',
      problem: "found secret, but didn't have expected keys (cert and key) or (tls.crt and tls.key); found: tls.crt",
    });
    expect(by('empty').problem).toBe('found keys "tls.crt" and "tls.key", but they were empty');
    expect(by('garbage').problem).toContain('not PEM');
    expect(by('plain').problem).toContain('expired');
    const text = JSON.stringify(result.findings);
    expect(text).not.toMatch(/BEGIN|placeholder|LS0t|MII/);
  });
});
