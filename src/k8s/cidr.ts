// IPv4 and IPv6 address and CIDR arithmetic for ipBlock peers. Written out rather than using
// node:net's BlockList so the evaluator stays pure (no Node built-ins) and the IPv4-mapped
// IPv6 handling is ours to document: like Go's net package (which the API server and most CNIs
// use), an address written as ::ffff:a.b.c.d is the IPv4 address a.b.c.d.

export type IpFamily = 4 | 6;

export interface IpAddress {
  family: IpFamily;
  /** The address as an unsigned integer of 32 (IPv4) or 128 (IPv6) bits. */
  value: bigint;
}

export interface Cidr {
  family: IpFamily;
  /** The network address: `value` with the host bits cleared. */
  base: bigint;
  prefix: number;
  /** The text it was parsed from. */
  text: string;
}

function bitsOf(family: IpFamily): number {
  return family === 4 ? 32 : 128;
}

function parseIpv4Value(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    // Leading zeros are rejected (as Go does since 1.17): "010" is octal to some parsers.
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

function parseHexGroups(text: string): bigint[] | undefined {
  if (text === '') return [];
  const groups: bigint[] = [];
  for (const group of text.split(':')) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
    groups.push(BigInt(`0x${group}`));
  }
  return groups;
}

function parseIpv6Value(text: string): bigint | undefined {
  let head = text;
  let tail: bigint[] = [];
  // An embedded IPv4 tail (::ffff:10.0.0.1, 64:ff9b::192.0.2.1) counts as two groups.
  const lastColon = head.lastIndexOf(':');
  if (lastColon >= 0 && head.slice(lastColon + 1).includes('.')) {
    const v4 = parseIpv4Value(head.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    tail = [v4 >> 16n, v4 & 0xffffn];
    head = head.slice(0, lastColon + 1);
    // "::10.0.0.1" leaves "::", "1::10.0.0.1" leaves "1::", "1:2:3:4:5:6:10.0.0.1" leaves "1:2:3:4:5:6:".
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const left = parseHexGroups(halves[0]!);
  if (left === undefined) return undefined;
  let groups: bigint[];
  if (halves.length === 2) {
    const right = parseHexGroups(halves[1]!);
    if (right === undefined) return undefined;
    const missing = 8 - left.length - right.length - tail.length;
    if (missing < 1) return undefined;
    groups = [...left, ...Array<bigint>(missing).fill(0n), ...right, ...tail];
  } else {
    groups = [...left, ...tail];
  }
  if (groups.length !== 8) return undefined;
  return groups.reduce((acc, g) => (acc << 16n) | g, 0n);
}

/** Parses an IPv4 or IPv6 address; IPv4-mapped IPv6 addresses come back as IPv4. Undefined when invalid. */
export function parseIp(text: string): IpAddress | undefined {
  if (typeof text !== 'string') return undefined;
  if (text.includes(':')) {
    const value = parseIpv6Value(text);
    if (value === undefined) return undefined;
    if (value >> 32n === 0xffffn) return { family: 4, value: value & 0xffffffffn };
    return { family: 6, value };
  }
  const value = parseIpv4Value(text);
  return value === undefined ? undefined : { family: 4, value };
}

/**
 * Parses "address/prefix". Host bits may be set ("10.1.2.3/8" is 10.0.0.0/8), as Go's
 * net.ParseCIDR allows and the API server accepted before strict CIDR validation.
 */
export function parseCidr(text: string): Cidr | undefined {
  if (typeof text !== 'string') return undefined;
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const prefixText = text.slice(slash + 1);
  if (!/^(0|[1-9][0-9]{0,2})$/.test(prefixText)) return undefined;
  const addressText = text.slice(0, slash);
  let family: IpFamily;
  let value: bigint | undefined;
  let prefix = Number(prefixText);
  if (addressText.includes(':')) {
    family = 6;
    value = parseIpv6Value(addressText);
    // ::ffff:10.0.0.0/104 is the IPv4 network 10.0.0.0/8, as in Go.
    if (value !== undefined && value >> 32n === 0xffffn && prefix >= 96) {
      family = 4;
      value &= 0xffffffffn;
      prefix -= 96;
    }
  } else {
    family = 4;
    value = parseIpv4Value(addressText);
  }
  if (value === undefined || prefix > bitsOf(family)) return undefined;
  return { family, base: maskOf(value, prefix, family), prefix, text };
}

function maskOf(value: bigint, prefix: number, family: IpFamily): bigint {
  const hostBits = BigInt(bitsOf(family) - prefix);
  return (value >> hostBits) << hostBits;
}

/** Whether the address lies in the CIDR. Families never mix: an IPv6 CIDR contains no IPv4 address. */
export function cidrContains(cidr: Cidr, ip: IpAddress): boolean {
  return cidr.family === ip.family && maskOf(ip.value, cidr.prefix, cidr.family) === cidr.base;
}

/** Whether `inner` is a subset of `outer` (equal counts). */
export function cidrCovers(outer: Cidr, inner: Cidr): boolean {
  return outer.family === inner.family && inner.prefix >= outer.prefix && maskOf(inner.base, outer.prefix, outer.family) === outer.base;
}

/** The host CIDR of an address (a.b.c.d/32 or x::y/128), for rules that name one IP. */
export function hostCidr(ip: IpAddress): string {
  return `${formatIp(ip)}/${bitsOf(ip.family)}`;
}

/** Canonical text of an address (RFC 5952 for IPv6: lowercase, longest zero run compressed). */
export function formatIp(ip: IpAddress): string {
  if (ip.family === 4) {
    return [24n, 16n, 8n, 0n].map((s) => String((ip.value >> s) & 0xffn)).join('.');
  }
  const groups = Array.from({ length: 8 }, (_, i) => Number((ip.value >> BigInt(112 - 16 * i)) & 0xffffn));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}
