// The effective mTLS rules of src/istio/mtls.ts, case by case against istiod's
// ComposePeerAuthentication and DestinationRule precedence.

import { describe, expect, it } from 'vitest';
import type { DestinationRule, KubeObject } from '../../src/k8s/objects.ts';
import {
  clientSends,
  clientTlsMode,
  connectionWorks,
  destinationRuleFor,
  destinationRuleTls,
  meshMtlsSettings,
  modeForPort,
  peerMode,
  policyLevel,
  workloadMtls,
} from '../../src/istio/mtls.ts';

const pa = (namespace: string, name: string, spec: Record<string, unknown>, created = '2024-01-01T00:00:00Z'): KubeObject => ({
  apiVersion: 'security.istio.io/v1',
  kind: 'PeerAuthentication',
  metadata: { namespace, name, creationTimestamp: created },
  spec,
});
const dr = (namespace: string, name: string, spec: Record<string, unknown>, created = '2024-01-01T00:00:00Z'): DestinationRule => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'DestinationRule',
  metadata: { namespace, name, creationTimestamp: created },
  spec,
});
const ROOT = 'istio-system';

describe('peer and client modes', () => {
  it.each([
    [undefined, 'UNSET'],
    [{}, 'UNSET'],
    [{ mode: 'STRICT' }, 'STRICT'],
    [{ mode: 2 }, 'PERMISSIVE'],
    [{ mode: 'strict' }, 'UNSET'],
  ])('peerMode(%j) is %s', (mtls, want) => {
    expect(peerMode(mtls)).toBe(want);
  });

  it.each([
    [undefined, undefined],
    [{}, 'DISABLE'],
    [{ mode: 'ISTIO_MUTUAL' }, 'ISTIO_MUTUAL'],
    [{ mode: 1 }, 'SIMPLE'],
  ])('clientTlsMode(%j) is %s', (tls, want) => {
    expect(clientTlsMode(tls)).toBe(want);
  });

  it('places policies at their level; a selector in the root namespace is never applied', () => {
    expect(policyLevel(pa(ROOT, 'default', {}), ROOT)).toBe('mesh');
    expect(policyLevel(pa('shop', 'default', { selector: { matchLabels: {} } }), ROOT)).toBe('namespace');
    expect(policyLevel(pa('shop', 'x', { selector: { matchLabels: { app: 'a' } } }), ROOT)).toBe('workload');
    expect(policyLevel(pa(ROOT, 'x', { selector: { matchLabels: { app: 'a' } } }), ROOT)).toBe('ignored');
  });
});

describe('workloadMtls', () => {
  it('is PERMISSIVE by default', () => {
    expect(workloadMtls([], 'shop', { app: 'a' }, ROOT)).toMatchObject({ mode: 'PERMISSIVE', source: { level: 'default' } });
  });

  it('lets each narrower level replace the wider one, and UNSET inherit', () => {
    const pas = [
      pa(ROOT, 'default', { mtls: { mode: 'STRICT' } }),
      pa('shop', 'default', { mtls: {} }),
      pa('shop', 'reviews', { selector: { matchLabels: { app: 'reviews' } }, mtls: { mode: 'PERMISSIVE' } }),
    ];
    expect(workloadMtls(pas, 'shop', { app: 'web' }, ROOT)).toMatchObject({ mode: 'STRICT', source: { level: 'mesh' } });
    expect(workloadMtls(pas, 'shop', { app: 'reviews', v: '1' }, ROOT)).toMatchObject({
      mode: 'PERMISSIVE',
      source: { level: 'workload', policy: { namespace: 'shop', name: 'reviews' } },
    });
  });

  it('keeps the oldest policy of a level, the smaller name on a tie', () => {
    const pas = [
      pa('shop', 'b', { mtls: { mode: 'DISABLE' } }, '2024-01-01T00:00:00Z'),
      pa('shop', 'a', { mtls: { mode: 'STRICT' } }, '2024-01-01T00:00:00Z'),
      pa('shop', 'older', { mtls: { mode: 'PERMISSIVE' } }, '2023-01-01T00:00:00Z'),
    ];
    expect(workloadMtls(pas, 'shop', {}, ROOT).source.policy?.name).toBe('older');
    expect(workloadMtls(pas.slice(0, 2), 'shop', {}, ROOT).source.policy?.name).toBe('a');
  });

  it('applies portLevelMtls by target port, UNSET ports taking the workload mode', () => {
    const pas = [
      pa('shop', 'default', { mtls: { mode: 'STRICT' } }),
      pa('shop', 'reviews', { selector: { matchLabels: { app: 'reviews' } }, portLevelMtls: { '9080': { mode: 'DISABLE' }, '9090': {} } }),
    ];
    const merged = workloadMtls(pas, 'shop', { app: 'reviews' }, ROOT);
    expect(modeForPort(merged, 9080)).toMatchObject({ mode: 'DISABLE', source: { level: 'port' } });
    expect(modeForPort(merged, 9090)).toMatchObject({ mode: 'STRICT', source: { level: 'namespace' } });
    expect(modeForPort(merged, 80).mode).toBe('STRICT');
  });

  it('ignores workload policies in the root namespace and of other namespaces', () => {
    const pas = [
      pa(ROOT, 'sel', { selector: { matchLabels: { app: 'reviews' } }, mtls: { mode: 'DISABLE' } }),
      pa('other', 'sel', { selector: { matchLabels: { app: 'reviews' } }, mtls: { mode: 'DISABLE' } }),
    ];
    expect(workloadMtls(pas, 'shop', { app: 'reviews' }, ROOT).mode).toBe('PERMISSIVE');
  });
});

describe('client side', () => {
  it('takes port-level TLS for the Service port before the top level', () => {
    const rule = dr('shop', 'r', {
      host: 'reviews',
      trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' }, portLevelSettings: [{ port: { number: 80 }, tls: { mode: 'DISABLE' } }] },
    });
    expect(destinationRuleTls(rule, 80)).toEqual({ mode: 'DISABLE', path: 'spec.trafficPolicy.portLevelSettings[0].tls.mode' });
    expect(destinationRuleTls(rule, 9080)).toEqual({ mode: 'ISTIO_MUTUAL', path: 'spec.trafficPolicy.tls.mode' });
    expect(destinationRuleTls(dr('shop', 'none', { host: 'reviews' }), 80)).toBeUndefined();
  });

  it("prefers the client's namespace, then the Service's exported rules, then the root namespace's", () => {
    const host = 'reviews.shop.svc.cluster.local';
    const clientOwn = dr('web', 'own', { host });
    const serviceNs = dr('shop', 'svc', { host: 'reviews' });
    const servicePrivate = dr('shop', 'private', { host: 'reviews', exportTo: ['.'] }, '2020-01-01T00:00:00Z');
    const rootWide = dr(ROOT, 'mesh', { host: '*.local' });
    const all = [clientOwn, serviceNs, servicePrivate, rootWide];
    expect(destinationRuleFor(all, 'web', host, 'shop', ROOT)).toBe(clientOwn);
    // In shop the private rule is local and older than the public one.
    expect(destinationRuleFor(all, 'shop', host, 'shop', ROOT)).toBe(servicePrivate);
    expect(destinationRuleFor(all, 'billing', host, 'shop', ROOT)).toBe(serviceNs);
    expect(destinationRuleFor([rootWide], 'billing', host, 'shop', ROOT)).toBe(rootWide);
    expect(destinationRuleFor([servicePrivate], 'billing', host, 'shop', ROOT)).toBeUndefined();
  });

  it('matches the most specific host, and leaves rules with a workloadSelector out', () => {
    const host = 'reviews.shop.svc.cluster.local';
    const wide = dr('shop', 'wide', { host: '*.shop.svc.cluster.local' }, '2020-01-01T00:00:00Z');
    const exact = dr('shop', 'exact', { host: 'reviews' });
    const selected = dr('shop', 'selected', { host: 'reviews', workloadSelector: { matchLabels: { app: 'web' } } }, '2019-01-01T00:00:00Z');
    expect(destinationRuleFor([wide, exact, selected], 'shop', host, 'shop', ROOT)).toBe(exact);
    expect(destinationRuleFor([wide, selected], 'shop', host, 'shop', ROOT)).toBe(wide);
  });

  it('auto mTLS sends Istio mTLS except to DISABLE servers, and only ISTIO_MUTUAL passes STRICT', () => {
    expect(clientSends(undefined, 'STRICT', true)).toEqual({ mode: 'ISTIO_MUTUAL', auto: true });
    expect(clientSends(undefined, 'DISABLE', true)).toEqual({ mode: 'DISABLE', auto: true });
    expect(clientSends(undefined, 'STRICT', false)).toEqual({ mode: 'DISABLE', auto: true });
    expect(clientSends('SIMPLE', 'STRICT', true)).toEqual({ mode: 'SIMPLE', auto: false });
    expect(connectionWorks('DISABLE', 'STRICT')).toBe(false);
    expect(connectionWorks('MUTUAL', 'STRICT')).toBe(false);
    expect(connectionWorks('ISTIO_MUTUAL', 'DISABLE')).toBe(false);
    expect(connectionWorks('DISABLE', 'PERMISSIVE')).toBe(true);
  });

  it('reads rootNamespace and enableAutoMtls from meshConfig, with the defaults', () => {
    expect(meshMtlsSettings({ kind: 'absent' })).toEqual({ rootNamespace: 'istio-system', autoMtls: true, source: 'Istio defaults' });
    expect(meshMtlsSettings({ kind: 'mapping', mesh: { rootNamespace: 'root', enableAutoMtls: false } })).toMatchObject({
      rootNamespace: 'root',
      autoMtls: false,
    });
  });
});
