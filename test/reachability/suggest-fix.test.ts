import { describe, expect, it } from 'vitest';
import type { NetworkPolicy } from '../../src/k8s/objects.ts';
import { buildNetpolIndex, suggestFixes, workloadSelector, type SuggestedFix } from '../../src/reachability/netpol/index.ts';
import { endpoint, namespaces, policies, pods, port } from './world.ts';

/** Applies a fix's JSON patch (only the `add` forms suggestFixes emits) to a copy of the policy set. */
function applyFix(set: NetworkPolicy[], fix: SuggestedFix): NetworkPolicy[] {
  return set.map((p) => {
    if (p.metadata.name !== fix.policy.name || (p.metadata.namespace ?? 'default') !== fix.policy.namespace) return p;
    const copy = structuredClone(p) as NetworkPolicy & { spec: Record<string, unknown> };
    for (const op of fix.patch) {
      const parts = op.path.split('/').slice(1);
      if (parts.length === 1) (copy as Record<string, unknown>)[parts[0]!] = op.value;
      else if (parts[2] === '-') (copy.spec[parts[1]!] as unknown[]).push(op.value);
      else copy.spec[parts[1]!] = op.value;
    }
    return copy;
  });
}

const world = policies(`
metadata: {name: deny-all}
spec: {podSelector: {}, policyTypes: [Ingress]}
---
metadata: {name: db}
spec:
  podSelector: {matchLabels: {role: db}}
  ingress: [{from: [{podSelector: {matchLabels: {role: frontend}}}], ports: [{port: 6379}]}]
---
metadata: {name: frontend-egress}
spec:
  podSelector: {matchLabels: {role: frontend}}
  policyTypes: [Egress]
  egress: [{to: [{podSelector: {matchLabels: {role: db}}}]}]
---
metadata: {name: prod-lockdown, namespace: prod}
spec: {podSelector: {matchLabels: {app: api}}, policyTypes: [Ingress, Egress]}
`);

describe('suggestFixes', () => {
  const index = buildNetpolIndex({ pods, namespaces, policies: world });

  it('suggests nothing for an allowed connection', () => {
    expect(suggestFixes(index, endpoint('default/frontend'), endpoint('default/db'), port('6379'))).toEqual([]);
  });

  it('adds an ingress rule to the narrowest isolating policy, naming the source across namespaces', () => {
    const fixes = suggestFixes(index, endpoint('prod/client'), endpoint('default/db'), port('6379'));
    expect(fixes).toEqual([
      {
        direction: 'ingress',
        policy: { namespace: 'default', name: 'db' },
        rule: {
          from: [
            {
              podSelector: { matchLabels: { role: 'client' } },
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'prod' } },
            },
          ],
          ports: [{ protocol: 'TCP', port: 6379 }],
        },
        patch: [
          {
            op: 'add',
            path: '/spec/ingress/-',
            value: {
              from: [
                {
                  podSelector: { matchLabels: { role: 'client' } },
                  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'prod' } },
                },
              ],
              ports: [{ protocol: 'TCP', port: 6379 }],
            },
          },
        ],
      },
    ]);
  });

  it('omits the namespaceSelector for a source in the policy namespace', () => {
    const [fix] = suggestFixes(index, endpoint('default/backend'), endpoint('default/db'), port('UDP/514'));
    expect(fix?.rule).toEqual({ from: [{ podSelector: { matchLabels: { role: 'backend' } } }], ports: [{ protocol: 'UDP', port: 514 }] });
  });

  it('creates the rule list when the policy has none', () => {
    const fix = suggestFixes(index, endpoint('default/client'), endpoint('default/backend'), port('8080'))[0];
    expect(fix?.policy).toEqual({ namespace: 'default', name: 'deny-all' });
    expect(fix?.patch).toEqual([{ op: 'add', path: '/spec/ingress', value: [fix?.rule] }]);
  });

  it('suggests egress and ingress fixes when both sides deny, egress first', () => {
    const fixes = suggestFixes(index, endpoint('default/frontend'), endpoint('prod/api'), port('8080'));
    expect(fixes.map((f) => [f.direction, `${f.policy.namespace}/${f.policy.name}`])).toEqual([
      ['egress', 'default/frontend-egress'],
      ['ingress', 'prod/prod-lockdown'],
    ]);
    expect(fixes[0]?.rule).toEqual({
      to: [{ podSelector: { matchLabels: { app: 'api' } }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'prod' } } }],
      ports: [{ protocol: 'TCP', port: 8080 }],
    });
  });

  it('names external addresses with a host ipBlock (IPv4 /32, IPv6 /128)', () => {
    expect(suggestFixes(index, endpoint('ip:203.0.113.9'), endpoint('default/db'), port('6379'))[0]?.rule).toEqual({
      from: [{ ipBlock: { cidr: '203.0.113.9/32' } }],
      ports: [{ protocol: 'TCP', port: 6379 }],
    });
    expect(suggestFixes(index, endpoint('prod/api'), endpoint('ip:2001:DB8:0::7'), port('443'))[0]?.rule).toEqual({
      to: [{ ipBlock: { cidr: '2001:db8::7/128' } }],
      ports: [{ protocol: 'TCP', port: 443 }],
    });
  });

  it('names a hostNetwork source by its node address', () => {
    expect(suggestFixes(index, endpoint('default/node-agent'), endpoint('default/db'), port('9121'))[0]?.rule).toEqual({
      from: [{ ipBlock: { cidr: '192.168.0.3/32' } }],
      ports: [{ protocol: 'TCP', port: 9121 }],
    });
  });

  it('cannot name a node of unknown address', () => {
    expect(suggestFixes(index, endpoint('prod/api'), endpoint('node'), port('10250'))).toEqual([]);
  });

  // Every suggestion, applied, must let the connection through in that direction.
  const denied: [string, string, string][] = [
    ['prod/client', 'default/db', '6379'],
    ['default/backend', 'default/db', 'UDP/514'],
    ['default/frontend', 'default/backend', '8080'],
    ['default/frontend', 'prod/api', '8080'],
    ['ip:203.0.113.9', 'default/db', '6379'],
    ['prod/api', 'ip:2001:db8::7', '443'],
    ['default/node-agent', 'default/db', '9121'],
    ['ghost/client', 'default/db-alt', 'SCTP/7000'],
    ['prod/api', 'default/frontend', '80'],
  ];
  it.each(denied)('applying the fixes for %s → %s %s allows it', (from, to, portText) => {
    let set = world;
    const before = index.evaluate(endpoint(from), endpoint(to), port(portText));
    expect(before.allowed).toBe(false);
    for (const fix of suggestFixes(index, endpoint(from), endpoint(to), port(portText))) set = applyFix(set, fix);
    const after = buildNetpolIndex({ pods, namespaces, policies: set }).evaluate(endpoint(from), endpoint(to), port(portText));
    expect(after.allowed).toBe(true);
  });
});

describe('workloadSelector', () => {
  it.each([
    [{ 'app.kubernetes.io/name': 'shop', app: 'x', 'pod-template-hash': 'abc' }, { matchLabels: { 'app.kubernetes.io/name': 'shop' } }],
    [{ app: 'reviews', version: 'v2', 'pod-template-hash': '5d7c' }, { matchLabels: { app: 'reviews' } }],
    [{ 'k8s-app': 'kube-dns' }, { matchLabels: { 'k8s-app': 'kube-dns' } }],
    [
      { tier: 'web', 'pod-template-hash': 'abc', 'security.istio.io/tlsMode': 'istio', zone: 'a' },
      { matchLabels: { tier: 'web', zone: 'a' } },
    ],
    [{ 'controller-revision-hash': '1', 'statefulset.kubernetes.io/pod-name': 'db-0' }, {}],
    [{}, {}],
  ])('%j → %j', (labels, selector) => {
    expect(workloadSelector(labels)).toEqual(selector);
  });
});
