// Go's net/url.Parse, reduced to what the analyzers that mirror istioctl ask of it: whether a URL
// parses at all, and the hostname it names. istioctl's verdicts follow Go's rules, which differ
// from WHATWG URL (JavaScript's `URL`): "https:foo" and "/path" parse, "host:8080/x" does not,
// and a zone ("[fe80::1%25eth0]") stays in the hostname. Written from Go 1.26's net/url, the
// toolchain istioctl is built with (strict colons in http and https hosts).

import { parseIp } from '../../src/k8s/cidr.ts';

/** The ASCII characters Go's net/url lets through unescaped in a host (shouldEscape(c, encodeHost) false). */
const HOST_CHARS = /^[A-Za-z0-9!"$&'()*+,\-.:;<=>[\]_~]$/;
const HEX = /^[0-9A-Fa-f]$/;

/** unescape(s, mode): every `%` followed by two hex digits; in a host, only `%25` or non-ASCII escapes, and no other reserved character. */
function unescapes(s: string, host: boolean): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '%') {
      if (i + 2 >= s.length || !HEX.test(s[i + 1]!) || !HEX.test(s[i + 2]!)) return false;
      if (host && parseInt(s[i + 1]!, 16) < 8 && s.slice(i, i + 3) !== '%25') return false;
      i += 2;
    } else if (host && c.charCodeAt(0) < 0x80 && !HOST_CHARS.test(c)) return false;
  }
  return true;
}

/** The text with its (already validated) escapes decoded as UTF-8 bytes. */
function unescape(s: string): string {
  if (!s.includes('%')) return s;
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '%') {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...encoder.encode(s[i]!));
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

/** validOptionalPort: empty, or a colon followed by digits only. */
function validOptionalPort(port: string): boolean {
  return port === '' || /^:[0-9]*$/.test(port);
}

/** parseHost: the host (unescaped) or undefined when Go rejects it. */
function parseHost(scheme: string, host: string): string | undefined {
  const open = host.lastIndexOf('[');
  if (open > 0) return undefined;
  if (open === 0) {
    const close = host.lastIndexOf(']');
    if (close < 0) return undefined;
    const colonPort = host.slice(close + 1);
    if (!validOptionalPort(colonPort)) return undefined;
    const inside = host.slice(1, close);
    const zone = inside.indexOf('%25');
    // A zone may escape anything a host could hold; the address before it follows the host rules.
    if (!unescapes(zone >= 0 ? inside.slice(0, zone) : inside, true)) return undefined;
    if (zone >= 0 && !/^(%[0-9A-Fa-f]{2}|[^%])*$/.test(inside.slice(zone))) return undefined;
    const text = unescape(inside);
    // netip.ParseAddr: an IPv6 address (IPv4-mapped included), with an optional non-empty zone.
    const pct = text.indexOf('%');
    const address = pct >= 0 ? text.slice(0, pct) : text;
    if (pct >= 0 && pct === text.length - 1) return undefined;
    if (!address.includes(':') || parseIp(address) === undefined) return undefined;
    return `[${text}]${colonPort}`;
  }
  const first = host.indexOf(':');
  if (first >= 0) {
    const last = host.lastIndexOf(':');
    const at = scheme === 'http' || scheme === 'https' ? first : last;
    if (!validOptionalPort(host.slice(at))) return undefined;
  }
  return unescapes(host, true) ? unescape(host) : undefined;
}

/** What url.Parse made of a URL: undefined when it returns an error; else its Hostname(). */
export function goUrlHostname(raw: string): string | undefined {
  const hash = raw.indexOf('#');
  const url = hash >= 0 ? raw.slice(0, hash) : raw;
  const fragment = hash >= 0 ? raw.slice(hash + 1) : '';
  if (/[\u0000-\u001f\u007f]/.test(url)) return undefined;
  if (fragment !== '' && !unescapes(fragment, false)) return undefined;
  if (url === '*') return '';

  // getScheme: letters, then letters, digits, + - . up to the first colon.
  let scheme = '';
  let rest = url;
  const m = /^[A-Za-z][A-Za-z0-9+\-.]*:/.exec(url);
  if (m !== null) {
    scheme = m[0].slice(0, -1).toLowerCase();
    rest = url.slice(m[0].length);
  } else if (url.startsWith(':')) return undefined;

  if (rest.endsWith('?') && rest.indexOf('?') === rest.length - 1) rest = rest.slice(0, -1);
  else if (rest.includes('?')) rest = rest.slice(0, rest.indexOf('?'));

  if (!rest.startsWith('/')) {
    if (scheme !== '') return ''; // opaque: "mailto:x", no host
    if ((rest.split('/')[0] ?? '').includes(':')) return undefined;
  }

  let host = '';
  if (rest.startsWith('//') && (scheme !== '' || !rest.startsWith('///'))) {
    let authority = rest.slice(2);
    const slash = authority.indexOf('/');
    rest = slash >= 0 ? authority.slice(slash) : '';
    if (slash >= 0) authority = authority.slice(0, slash);
    const at = authority.lastIndexOf('@');
    const parsed = parseHost(scheme, at >= 0 ? authority.slice(at + 1) : authority);
    if (parsed === undefined) return undefined;
    if (at >= 0) {
      const userinfo = authority.slice(0, at);
      if (!/^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/.test(userinfo) || !unescapes(userinfo, false)) return undefined;
    }
    host = parsed;
  }
  if (!unescapes(rest, false)) return undefined;
  return hostnameOf(host);
}

/** URL.Hostname(): the host without a valid trailing port, and without IPv6 brackets. */
function hostnameOf(host: string): string {
  const colon = host.lastIndexOf(':');
  let name = host;
  if (colon >= 0 && validOptionalPort(host.slice(colon))) name = host.slice(0, colon);
  if (name.startsWith('[') && name.endsWith(']')) name = name.slice(1, -1);
  return name;
}

/** net.ParseIP: an IPv4 or IPv6 address without a zone. */
export function isGoIp(text: string): boolean {
  return parseIp(text) !== undefined;
}
