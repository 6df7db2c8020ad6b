import { describe, expect, it } from 'vitest';
import { cidrContains, formatIp, parseCidr, parseIp } from '../../src/k8s/cidr.ts';

describe('parseIp', () => {
  it.each([
    ['10.0.0.1', '10.0.0.1', 4],
    ['0.0.0.0', '0.0.0.0', 4],
    ['255.255.255.255', '255.255.255.255', 4],
    ['2001:db8::1', '2001:db8::1', 6],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1', 6],
    ['::', '::', 6],
    ['::1', '::1', 6],
    ['fe80::', 'fe80::', 6],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8', 6],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1', 6],
    ['64:ff9b::192.0.2.33', '64:ff9b::c000:221', 6],
    ['::ffff:10.1.2.3', '10.1.2.3', 4],
  ])('%s → %s (IPv%d)', (text, canonical, family) => {
    const ip = parseIp(text);
    expect(ip?.family).toBe(family);
    expect(formatIp(ip!)).toBe(canonical);
  });

  it.each([
    '',
    '10.0.0',
    '10.0.0.256',
    '010.0.0.1',
    '1.2.3.4.5',
    '1::2::3',
    '1:2:3:4:5:6:7:8:9',
    '12345::',
    'g::1',
    ':1::',
    'fe80::1%eth0',
    '10.0.0.1/32',
  ])('rejects %j', (text) => {
    expect(parseIp(text)).toBeUndefined();
  });
});

describe('parseCidr and cidrContains', () => {
  it.each([
    ['10.0.0.0/8', '10.255.255.255', true],
    ['10.0.0.0/8', '11.0.0.0', false],
    ['10.1.2.3/8', '10.9.9.9', true],
    ['0.0.0.0/0', '203.0.113.9', true],
    ['0.0.0.0/0', '2001:db8::1', false],
    ['172.17.1.0/24', '172.17.1.255', true],
    ['172.17.1.0/24', '172.17.2.0', false],
    ['192.168.0.5/32', '192.168.0.5', true],
    ['192.168.0.5/32', '192.168.0.6', false],
    ['2001:db8::/32', '2001:db8:ffff::1', true],
    ['2001:db8::/32', '2001:db9::1', false],
    ['::/0', '::1', true],
    ['::/0', '10.0.0.1', false],
    ['2001:db8::1/128', '2001:db8::1', true],
    ['fd00::/64', 'fd00::ffff:ffff:ffff:ffff', true],
    ['fd00::/64', 'fd00:0:0:1::', false],
    ['::ffff:10.0.0.0/104', '10.200.0.1', true],
  ])('%s contains %s: %s', (cidr, ip, expected) => {
    expect(cidrContains(parseCidr(cidr)!, parseIp(ip)!)).toBe(expected);
  });

  it.each(['10.0.0.0', '10.0.0.0/33', '10.0.0.0/-1', '10.0.0.0/08', '2001:db8::/129', 'x/8', '/8'])('rejects %j', (text) => {
    expect(parseCidr(text)).toBeUndefined();
  });
});
