import { describe, expect, it } from 'vitest';
import { MASK, isSecretKey, looksSecret, maskEvidence, maskText } from '../../src/publish/mask.ts';

describe.each([
  // key, secret?
  ['data.password', true],
  ['token', true],
  ['spec.tls.privateKey', true],
  ['tls.key', true],
  ['tls.crt', true],
  ['caCertificates', true],
  ['client-certificate-data', true],
  ['api_key', true],
  ['spec.tls.credentialName', false],
  ['secretName', false],
  ['spec.trafficPolicy.tls.caCertificatesPath', false],
  ['spec.servers[1].port.number', false],
  ['metadata.labels', false],
  ['pods with istio-proxy', false],
])('isSecretKey(%j)', (key, expected) => {
  it(`is ${expected}`, () => expect(isSecretKey(key)).toBe(expected));
});

describe.each([
  // value, secret?
  ['-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----', true],
  ['eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW0ifQ.c2lnbmF0dXJl', true],
  ['Authorization: Bearer abcdefgh12345678', true],
  ['AKIAABCDEFGHIJKLMNOP', true],
  ['https://admin:s3cret@registry.example.com/v2/', true],
  ['dGhpcyBpcyBhIHNlY3JldCB2YWx1ZSBUaGF0IGlzIGxvbmc9', true],
  ['0123456789abcdef0123456789abcdef01234567', true],
  ['docker.io/istio/pilot:1.28.0', false],
  ['istio-ingressgateway-7d9f8b6c5d-abcde-extra-long-name-here', false],
  ['docker.io/istio/proxyv2@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', false],
  ['/etc/istio/proxy/envoy-rev.json', false],
  ['10.244.1.16, 10.244.2.15', false],
  ['https://registry.example.com/v2/', false],
])('looksSecret(%j)', (value, expected) => {
  it(`is ${expected}`, () => expect(looksSecret(value)).toBe(expected));
});

describe('maskText', () => {
  it('masks the secret span and keeps the sentence', () => {
    expect(maskText('client sent Bearer abcdefgh12345678 to istiod')).toBe(`client sent ${MASK} to istiod`);
    expect(maskText('pull from https://admin:s3cret@registry.example.com')).toBe(`pull from https://admin:${MASK}@registry.example.com`);
  });
  it('leaves ordinary text alone', () => {
    const text = 'Gateway shop/shop-gateway port 9443 is not on Service istio-system/istio-ingressgateway.';
    expect(maskText(text)).toBe(text);
  });
});

describe('maskEvidence', () => {
  it('masks secret keys whole, secret-looking values anywhere, and keeps references', () => {
    expect(
      maskEvidence({
        'data.password': 'hunter2',
        'spec.tls.credentialName': 'shop-cert',
        note: 'token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW0ifQ.c2lnbmF0dXJl seen',
        'tls.key': '(missing)',
        'spec.servers[1].port.number': '9443',
      }),
    ).toEqual({
      'data.password': MASK,
      'spec.tls.credentialName': 'shop-cert',
      note: `token ${MASK} seen`,
      'tls.key': '(missing)',
      'spec.servers[1].port.number': '9443',
    });
  });
  it('does not change its input', () => {
    const input = { password: 'x' };
    maskEvidence(input);
    expect(input).toEqual({ password: 'x' });
  });
});
