import { describe, expect, it } from 'vitest';
import { convertProtocol, decideProtocol, parseProtocol } from '../../src/istio/protocol.ts';

// Cases follow kube.ConvertProtocol's own table (pkg/config/kube/conversion_test.go) plus the
// appProtocol and well-known-port rules.
describe.each([
  { port: 80, name: 'http', protocol: undefined, app: undefined, want: 'HTTP' },
  { port: 80, name: 'http-test', protocol: undefined, app: undefined, want: 'HTTP' },
  { port: 80, name: 'HTTP-test', protocol: undefined, app: undefined, want: 'HTTP' },
  { port: 80, name: 'httptest', protocol: undefined, app: undefined, want: 'UnsupportedProtocol' },
  { port: 80, name: 'http2', protocol: 'TCP', app: undefined, want: 'HTTP2' },
  { port: 80, name: 'grpc', protocol: undefined, app: undefined, want: 'GRPC' },
  { port: 80, name: 'grpc-web', protocol: undefined, app: undefined, want: 'GRPC-Web' },
  { port: 80, name: 'grpc-web-test', protocol: undefined, app: undefined, want: 'GRPC-Web' },
  { port: 80, name: 'GRPC-WEB', protocol: undefined, app: undefined, want: 'GRPC-Web' },
  { port: 80, name: 'grpcweb', protocol: undefined, app: undefined, want: 'UnsupportedProtocol' },
  { port: 80, name: 'https', protocol: undefined, app: undefined, want: 'HTTPS' },
  { port: 80, name: 'tls-x', protocol: undefined, app: undefined, want: 'TLS' },
  { port: 80, name: 'tcp', protocol: undefined, app: undefined, want: 'TCP' },
  { port: 80, name: 'mongo-db', protocol: undefined, app: undefined, want: 'Mongo' },
  { port: 80, name: 'redis', protocol: undefined, app: undefined, want: 'Redis' },
  { port: 80, name: 'mysql', protocol: undefined, app: undefined, want: 'MySQL' },
  { port: 80, name: 'http_proxy', protocol: undefined, app: undefined, want: 'HTTP_PROXY' },
  { port: 80, name: 'doublehbone', protocol: undefined, app: undefined, want: 'UnsupportedProtocol' },
  { port: 80, name: '', protocol: undefined, app: undefined, want: 'UnsupportedProtocol' },
  { port: 80, name: undefined, protocol: undefined, app: undefined, want: 'UnsupportedProtocol' },
  // UDP wins over everything.
  { port: 80, name: 'http', protocol: 'UDP', app: 'http', want: 'UDP' },
  { port: 80, name: 'foo', protocol: 'udp', app: undefined, want: 'UnsupportedProtocol' },
  // appProtocol replaces the name, even when the name alone would have been fine.
  { port: 80, name: 'foo', protocol: 'TCP', app: 'http', want: 'HTTP' },
  { port: 80, name: 'http-web', protocol: 'TCP', app: 'custom', want: 'UnsupportedProtocol' },
  { port: 80, name: 'http-web', protocol: 'TCP', app: '', want: 'UnsupportedProtocol' },
  { port: 80, name: 'foo', protocol: 'TCP', app: 'kubernetes.io/h2c', want: 'HTTP2' },
  { port: 80, name: 'foo', protocol: 'TCP', app: 'kubernetes.io/ws', want: 'HTTP' },
  { port: 80, name: 'foo', protocol: 'TCP', app: 'kubernetes.io/wss', want: 'HTTPS' },
  { port: 80, name: 'kubernetes.io/h2c', protocol: 'TCP', app: undefined, want: 'UnsupportedProtocol' },
  { port: 80, name: 'foo', protocol: 'TCP', app: 'grpc-web-x', want: 'GRPC-Web' },
  // Well-known ports default to TCP only when nothing else matched.
  { port: 25, name: 'smtp', protocol: undefined, app: undefined, want: 'TCP' },
  { port: 53, name: 'dns', protocol: undefined, app: undefined, want: 'TCP' },
  { port: 3306, name: 'db', protocol: undefined, app: undefined, want: 'TCP' },
  { port: 27017, name: '', protocol: undefined, app: undefined, want: 'TCP' },
  { port: 3306, name: 'http', protocol: undefined, app: undefined, want: 'HTTP' },
])('convertProtocol($port, $name, $protocol, $app)', ({ port, name, protocol, app, want }) => {
  it(`is ${want}`, () => {
    expect(convertProtocol(port, name, protocol, app)).toBe(want);
  });
});

describe('decideProtocol', () => {
  it('says which field decided and what was looked up', () => {
    expect(decideProtocol(8080, 'web-ui', 'TCP', undefined)).toEqual({ protocol: 'UnsupportedProtocol', from: 'name', looked: 'web' });
    expect(decideProtocol(8080, 'web', 'TCP', 'custom-proto')).toEqual({
      protocol: 'UnsupportedProtocol',
      from: 'appProtocol',
      looked: 'custom',
    });
    expect(decideProtocol(53, 'dns', 'TCP', undefined)).toEqual({ protocol: 'TCP', from: 'well-known port', looked: 'dns' });
  });
});

describe('parseProtocol', () => {
  it('is case-insensitive and whole-word', () => {
    expect(parseProtocol('HtTp2')).toBe('HTTP2');
    expect(parseProtocol('http-')).toBe('UnsupportedProtocol');
  });
});
