// The run endpoint's guards, as pure functions: each row changes one fact of an otherwise
// valid request and names the status it must get.

import { describe, expect, it } from 'vitest';
import {
  createToken,
  guardRunRequest,
  isJsonContentType,
  isLoopbackAddress,
  isLoopbackHost,
  isLoopbackHostname,
  servedOrigin,
  tokensEqual,
  type GuardInput,
} from '../../src/server/guard.ts';

const TOKEN = 'k5oR1mX2c0aQv9bWn8yZt7uP6sL4eD3fG2hJ1iK0lMo';
const OPTIONS = { token: TOKEN, maxBodyBytes: 16 * 1024 };

const valid: GuardInput = {
  method: 'POST',
  remoteAddress: '127.0.0.1',
  localPort: 4321,
  encrypted: false,
  host: 'localhost:4321',
  origin: 'http://localhost:4321',
  token: TOKEN,
  contentType: 'application/json',
  contentLength: '40',
};

describe('createToken', () => {
  it('makes at least 128 random bits, URL-safe, different every time', () => {
    const a = createToken();
    const b = createToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(a, 'base64url').length * 8).toBeGreaterThanOrEqual(128);
    expect(a).not.toBe(b);
  });
});

describe.each([
  ['127.0.0.1', true],
  ['127.8.9.10', true],
  ['::1', true],
  ['::ffff:127.0.0.1', true],
  ['0:0:0:0:0:0:0:1', true],
  ['10.0.0.5', false],
  ['192.168.1.2', false],
  ['::ffff:10.0.0.1', false],
  ['128.0.0.1', false],
  ['127.0.0', false],
  ['127.0.0.256', false],
  ['fe80::1', false],
  ['', false],
  [undefined, false],
])('isLoopbackAddress(%j)', (address, expected) => {
  it(`is ${expected}`, () => expect(isLoopbackAddress(address)).toBe(expected));
});

describe.each([
  ['localhost:4321', 4321, true],
  ['LOCALHOST:4321', 4321, true],
  ['127.0.0.1:4321', 4321, true],
  ['[::1]:4321', 4321, true],
  ['localhost:4322', 4321, false],
  ['localhost', 4321, false],
  ['localhost', 80, true],
  ['evil.example:4321', 4321, false],
  ['localhost.evil.example:4321', 4321, false],
  ['127.0.0.1.nip.io:4321', 4321, false],
  ['192.168.1.2:4321', 4321, false],
  ['localhost:4321@evil', 4321, false],
  ['', 4321, false],
  [undefined, 4321, false],
])('isLoopbackHost(%j, %j)', (host, port, expected) => {
  it(`is ${expected}`, () => expect(isLoopbackHost(host, port)).toBe(expected));
});

describe('servedOrigin', () => {
  it('is the scheme plus the Host header, lower-cased', () => {
    expect(servedOrigin('LocalHost:4321', false)).toBe('http://localhost:4321');
    expect(servedOrigin('[::1]:4321', true)).toBe('https://[::1]:4321');
  });
});

describe('tokensEqual', () => {
  it('accepts only the exact token', () => {
    expect(tokensEqual(TOKEN, TOKEN)).toBe(true);
    expect(tokensEqual(`${TOKEN}x`, TOKEN)).toBe(false);
    expect(tokensEqual(TOKEN.slice(1), TOKEN)).toBe(false);
    expect(tokensEqual(TOKEN.toLowerCase(), TOKEN)).toBe(false);
    expect(tokensEqual('', TOKEN)).toBe(false);
    expect(tokensEqual(undefined, TOKEN)).toBe(false);
  });
});

describe.each([
  ['application/json', true],
  ['application/json; charset=utf-8', true],
  ['Application/JSON', true],
  ['application/x-www-form-urlencoded', false],
  ['multipart/form-data; boundary=x', false],
  ['text/plain', false],
  ['application/json-seq', false],
  ['application/jsonx', false],
  [undefined, false],
])('isJsonContentType(%j)', (type, expected) => {
  it(`is ${expected}`, () => expect(isJsonContentType(type)).toBe(expected));
});

describe('guardRunRequest', () => {
  it('accepts a valid request from a page this server served', () => {
    expect(guardRunRequest(valid, OPTIONS)).toEqual({ ok: true });
    expect(guardRunRequest({ ...valid, host: '127.0.0.1:4321', origin: 'http://127.0.0.1:4321' }, OPTIONS)).toEqual({ ok: true });
    expect(guardRunRequest({ ...valid, remoteAddress: '::1', host: '[::1]:4321', origin: 'http://[::1]:4321' }, OPTIONS)).toEqual({
      ok: true,
    });
    expect(guardRunRequest({ ...valid, contentLength: undefined }, OPTIONS)).toEqual({ ok: true });
  });

  const refused: [string, Partial<GuardInput>, number, RegExp][] = [
    ['a remote client', { remoteAddress: '10.1.2.3' }, 403, /loopback only.*"10\.1\.2\.3"/],
    [
      'a foreign Host (DNS rebinding)',
      { host: 'evil.example:4321', origin: 'http://evil.example:4321' },
      403,
      /Host must name this server.*"evil\.example:4321"/,
    ],
    ['the wrong port in Host', { host: 'localhost:9999', origin: 'http://localhost:9999' }, 403, /Host must/],
    ['no Host', { host: undefined }, 403, /Host must/],
    ['GET', { method: 'GET' }, 405, /only POST.*"GET"/],
    ['OPTIONS (a CORS preflight)', { method: 'OPTIONS' }, 405, /only POST/],
    ['PUT', { method: 'PUT' }, 405, /only POST/],
    [
      'a foreign Origin',
      { origin: 'http://evil.example' },
      403,
      /Origin must be http:\/\/localhost:4321, received "http:\/\/evil\.example"/,
    ],
    ['a loopback Origin on another port', { origin: 'http://localhost:3000' }, 403, /Origin must be/],
    ['an Origin with another loopback name', { origin: 'http://127.0.0.1:4321' }, 403, /Origin must be/],
    ['Origin null (sandboxed iframe, file://)', { origin: 'null' }, 403, /received "null"/],
    ['no Origin', { origin: undefined }, 403, /received ""/],
    ['no token', { token: undefined }, 403, /missing x-meshbook-token/],
    ['a wrong token', { token: 'not-the-token' }, 403, /wrong x-meshbook-token/],
    ['an empty token', { token: '' }, 403, /wrong x-meshbook-token/],
    ['a form post', { contentType: 'application/x-www-form-urlencoded' }, 415, /application\/json.*"application\/x-www-form-urlencoded"/],
    ['a text/plain post', { contentType: 'text/plain' }, 415, /application\/json/],
    ['no Content-Type', { contentType: undefined }, 415, /received ""/],
    ['a body over the limit', { contentLength: String(16 * 1024 + 1) }, 413, /16385 bytes exceeds the 16384-byte limit/],
    ['a malformed Content-Length', { contentLength: 'abc' }, 400, /invalid Content-Length "abc"/],
  ];

  describe.each(refused)('refuses %s', (_name, change, status, reason) => {
    it(`with ${status}`, () => {
      const verdict = guardRunRequest({ ...valid, ...change }, OPTIONS);
      expect(verdict.ok).toBe(false);
      if (verdict.ok) return;
      expect(verdict.status).toBe(status);
      expect(verdict.reason).toMatch(reason);
    });
  });

  it('answers 405 with an Allow header', () => {
    const verdict = guardRunRequest({ ...valid, method: 'GET' }, OPTIONS);
    expect(verdict).toMatchObject({ ok: false, status: 405, headers: { Allow: 'POST' } });
  });

  it('checks where a request comes from before anything else', () => {
    // A rebinding page sends a foreign Host, no token and a form: the Host guard answers.
    const verdict = guardRunRequest(
      { ...valid, host: 'evil.example:4321', token: undefined, contentType: 'text/plain', method: 'GET' },
      OPTIONS,
    );
    expect(verdict).toMatchObject({ ok: false, status: 403 });
  });

  it('checks Origin and token before the body type, so a cross-site form gets 403', () => {
    const verdict = guardRunRequest(
      { ...valid, origin: 'http://evil.example', token: undefined, contentType: 'application/x-www-form-urlencoded' },
      OPTIONS,
    );
    expect(verdict).toMatchObject({ ok: false, status: 403 });
  });
});

describe.each([
  ['localhost', true],
  ['LocalHost', true],
  ['127.0.0.1', true],
  ['[::1]', true],
  ['192.168.1.2', false],
  ['evil.example', false],
  ['localhost.evil.example', false],
])('isLoopbackHostname(%j)', (hostname, expected) => {
  it(`is ${expected}`, () => expect(isLoopbackHostname(hostname)).toBe(expected));
});
