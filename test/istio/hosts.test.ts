import { describe, expect, it } from 'vitest';
import type { Service, ServiceEntry } from '../../src/k8s/objects.ts';
import { hostsOverlap, isExportToAll, resourceNameFromHost, serviceExportScopes, ServiceIndex, toFqdn } from '../../src/istio/hosts.ts';

function svc(namespace: string, name: string, ports: number[], exportTo?: string): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, ...(exportTo === undefined ? {} : { annotations: { 'networking.istio.io/exportTo': exportTo } }) },
    spec: { ports: ports.map((port) => ({ port })) },
  };
}

function se(namespace: string, name: string, hosts: string[], exportTo?: string[], ports: number[] = [443]): ServiceEntry {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'ServiceEntry',
    metadata: { name, namespace },
    spec: { hosts, ports: ports.map((number) => ({ number })), ...(exportTo === undefined ? {} : { exportTo }) },
  };
}

describe('toFqdn', () => {
  it('expands short names only', () => {
    expect(toFqdn('shop', 'reviews')).toBe('reviews.shop.svc.cluster.local');
    expect(toFqdn('shop', 'reviews.prod')).toBe('reviews.prod');
    expect(toFqdn('shop', '*')).toBe('*');
    expect(toFqdn('shop', '*.example.com')).toBe('*.example.com');
    expect(toFqdn('shop', '')).toBe('.shop.svc.cluster.local');
  });
});

describe('resourceNameFromHost', () => {
  it('reads ns/name from a cluster FQDN, greedily like the Go regexp', () => {
    expect(resourceNameFromHost('shop', 'reviews.prod.svc.cluster.local')).toEqual({ namespace: 'prod', name: 'reviews' });
    expect(resourceNameFromHost('shop', 'a.b.c.svc.cluster.local')).toEqual({ namespace: 'c', name: 'a.b' });
  });
  it('takes anything else whole, in the default namespace', () => {
    expect(resourceNameFromHost('shop', 'reviews')).toEqual({ namespace: 'shop', name: 'reviews' });
    expect(resourceNameFromHost('shop', 'reviews.prod')).toEqual({ namespace: 'shop', name: 'reviews.prod' });
    expect(resourceNameFromHost('shop', 'reviews.prod.svc')).toEqual({ namespace: 'shop', name: 'reviews.prod.svc' });
  });
});

describe('hostsOverlap', () => {
  it('follows host.Name.Matches', () => {
    expect(hostsOverlap('foo.com', 'foo.com')).toBe(true);
    expect(hostsOverlap('foo.com', 'bar.com')).toBe(false);
    expect(hostsOverlap('*.com', 'foo.com')).toBe(true);
    expect(hostsOverlap('bar.com', '*.com')).toBe(true);
    expect(hostsOverlap('*.foo.com', 'foo.com')).toBe(false);
    expect(hostsOverlap('*', 'foo.com')).toBe(true);
    expect(hostsOverlap('*', '*.com')).toBe(true);
    expect(hostsOverlap('*.a.com', '*.com')).toBe(true);
  });
});

describe('exportTo', () => {
  it('treats empty and * as everywhere', () => {
    expect(isExportToAll(undefined)).toBe(true);
    expect(isExportToAll([])).toBe(true);
    expect(isExportToAll(['.', '*'])).toBe(true);
    expect(isExportToAll(['.'])).toBe(false);
  });
  it('reads the Service annotation, trimming spaces and mapping "." to the own namespace', () => {
    expect(serviceExportScopes(undefined, 'ns')).toEqual(['*']);
    expect(serviceExportScopes('', 'ns')).toEqual(['*']);
    expect(serviceExportScopes('.', 'ns')).toEqual(['ns']);
    expect(serviceExportScopes('ns1, ns2', 'ns1')).toEqual(['ns1', 'ns2']);
    expect(serviceExportScopes('ns1 ,ns2', 'ns1')).toEqual(['ns1', 'ns2']);
  });
});

describe('ServiceIndex.lookup', () => {
  const index = new ServiceIndex(
    [
      se('shop', 'api', ['api.example.com']),
      se('shop', 'wiki', ['*.wikipedia.org'], ['.']),
      se('egress', 'partner', ['partner.example.com'], ['.']),
      se('shop', 'short', ['legacy']),
      se('multi', 'first-star', ['one.example.com', 'two.example.com'], ['other', '*']),
    ],
    [svc('shop', 'reviews', [9080]), svc('backend', 'private', [80], '.'), svc('backend', 'shared', [80], 'backend,shop')],
  );

  it('finds Services by short name in the source namespace, and by FQDN elsewhere', () => {
    expect(index.lookup('shop', undefined, 'reviews')?.source).toEqual({ kind: 'Service', namespace: 'shop', name: 'reviews' });
    expect(index.lookup('other', undefined, 'reviews')).toBeUndefined();
    expect(index.lookup('other', undefined, 'reviews.shop.svc.cluster.local')?.ports).toEqual([
      { number: 9080, name: undefined, protocol: undefined },
    ]);
  });

  it('honours Service and ServiceEntry exportTo', () => {
    expect(index.lookup('shop', undefined, 'private.backend.svc.cluster.local')).toBeUndefined();
    expect(index.lookup('backend', undefined, 'private')?.source.name).toBe('private');
    expect(index.lookup('shop', undefined, 'shared.backend.svc.cluster.local')?.source.name).toBe('shared');
    expect(index.lookup('shop', undefined, 'partner.example.com')).toBeUndefined();
    expect(index.lookup('egress', undefined, 'partner.example.com')?.source.name).toBe('partner');
  });

  it("looks in the referring resource's exportTo scopes", () => {
    expect(index.lookup('front', ['egress'], 'partner.example.com')?.source.name).toBe('partner');
    expect(index.lookup('egress', ['.'], 'partner.example.com')?.source.name).toBe('partner');
  });

  it('matches visible wildcard ServiceEntries by suffix', () => {
    expect(index.lookup('shop', undefined, 'en.wikipedia.org')?.source.name).toBe('wiki');
    expect(index.lookup('other', undefined, 'en.wikipedia.org')).toBeUndefined();
  });

  it("expands a short ServiceEntry host in the ServiceEntry's namespace", () => {
    expect(index.lookup('shop', undefined, 'legacy')?.source.name).toBe('short');
    expect(index.lookup('other', undefined, 'legacy.shop.svc.cluster.local')?.source.name).toBe('short');
  });

  it('keeps the analyzer\'s exportTo quirk: after "*", later hosts are indexed under "*" only', () => {
    expect(index.lookup('anywhere', undefined, 'one.example.com')?.source.name).toBe('first-star');
    expect(index.lookup('anywhere', undefined, 'two.example.com')?.source.name).toBe('first-star');
  });

  it('lets a ServiceEntry with host "*" match every host', () => {
    const all = new ServiceIndex([se('shop', 'everything', ['*'])], []);
    expect(all.lookup('shop', undefined, 'anything.at.all')?.source.name).toBe('everything');
  });
});
