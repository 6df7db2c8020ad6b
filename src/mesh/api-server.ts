// The API server as a NetworkPolicy peer. It is not a pod, so a policy admits it only through a
// rule with no `from` or an ipBlock that contains its address. Its address is what the
// `kubernetes` EndpointSlice in `default` lists; when a snapshot lacks it, we try one address
// inside each ipBlock the policies name (and one outside every pod network) instead, so "some
// ipBlock could admit it" counts as allowed, and only a port no such rule opens is reported.

import type { EndpointSlice, NetworkPolicy } from '../k8s/objects.ts';
import { cidrContains, formatIp, parseCidr, parseIp, type Cidr } from '../k8s/cidr.ts';
import { namespaceOf } from '../k8s/names.ts';

/** An address from the documentation range (RFC 5737): stands for "a source outside the pod network". */
export const OUTSIDE_ADDRESS = '192.0.2.10';

/** The API server's addresses: ready endpoints of the `kubernetes` EndpointSlices in `default`. */
export function apiServerAddresses(slices: readonly EndpointSlice[]): string[] {
  const out = new Set<string>();
  for (const slice of slices) {
    if (namespaceOf(slice) !== 'default') continue;
    if (slice.metadata.labels?.['kubernetes.io/service-name'] !== 'kubernetes') continue;
    if (slice.addressType === 'FQDN') continue;
    for (const e of slice.endpoints ?? []) {
      if (e.conditions?.ready === false) continue;
      // An address that is not an IP (the API server would have refused it) cannot be a source of traffic.
      for (const a of e.addresses ?? []) if (typeof a === 'string' && parseIp(a) !== undefined) out.add(a);
    }
  }
  return [...out].sort();
}

/** An address inside `cidr` and outside every `except`, if one of a few natural choices is. */
function addressIn(cidr: Cidr, except: Cidr[]): string | undefined {
  const bits = cidr.family === 4 ? 32 : 128;
  const candidates = [cidr.base, cidr.base + 1n, ...except.map((e) => e.base + (1n << BigInt(bits - e.prefix)))];
  for (const value of candidates) {
    const ip = { family: cidr.family, value };
    if (!cidrContains(cidr, ip)) continue;
    if (except.some((e) => e.family === cidr.family && cidrContains(e, ip))) continue;
    return formatIp(ip);
  }
  return undefined;
}

/** Stand-ins for an API server of unknown address: one address per ipBlock in the policies' ingress rules, plus OUTSIDE_ADDRESS. */
export function standInAddresses(policies: readonly NetworkPolicy[]): string[] {
  const out = new Set<string>([OUTSIDE_ADDRESS]);
  for (const policy of policies) {
    for (const rule of policy.spec?.ingress ?? []) {
      for (const peer of rule?.from ?? []) {
        const block = peer?.ipBlock;
        if (block === undefined || typeof block.cidr !== 'string') continue;
        const cidr = parseCidr(block.cidr);
        if (cidr === undefined) continue;
        const except = (Array.isArray(block.except) ? block.except : [])
          .map((e) => (typeof e === 'string' ? parseCidr(e) : undefined))
          .filter((e): e is Cidr => e !== undefined);
        const address = addressIn(cidr, except);
        if (address !== undefined) out.add(address);
      }
    }
  }
  return [...out];
}
