// Grouping denied connections: one group per (key, direction, policy to change), and a merged
// rule that, applied as its JSON patch, lets every connection of the group through.

import { describe, expect, it } from 'vitest';
import type { Namespace, NetworkPolicy, Pod } from '../../src/k8s/objects.ts';
import { BlockedCollector, MAX_FIX_PEERS, patchCommand, type GroupFix } from '../../src/reachability/blocked/index.ts';
import { buildNetpolIndex, type NetpolIndex } from '../../src/reachability/netpol/index.ts';
import type { PodClass, PortQuery } from '../../src/reachability/netpol/types.ts';

let ip = 10;
const pod = (namespace: string, app: string, extra: Partial<Pod['spec']> = {}): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: `${app}-${ip}`, namespace, labels: { app } },
  spec: { containers: [{ name: app }], ...extra },
  status: { phase: 'Running', podIP: `10.244.1.${ip++}` },
});
const ns = (name: string): Namespace => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const policy = (namespace: string, name: string, spec: NetworkPolicy['spec']): NetworkPolicy => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name, namespace },
  spec,
});

/** Applies a fix's JSON patch (the only shapes suggestFixes produces) to a copy of the policy. */
function applyFix(policies: NetworkPolicy[], fix: GroupFix): NetworkPolicy[] {
  return policies.map((p) => {
    if (p.metadata.namespace !== fix.policy.namespace || p.metadata.name !== fix.policy.name) return p;
    const copy = structuredClone(p);
    for (const op of fix.patch) {
      if (op.path === '/spec') copy.spec = op.value as NetworkPolicy['spec'];
      else if (op.path.endsWith('/-')) (copy.spec![fix.direction] as unknown[]).push(op.value);
      else (copy.spec as Record<string, unknown>)[fix.direction] = op.value;
    }
    return copy;
  });
}

function sweep(
  index: NetpolIndex,
  sources: readonly PodClass[],
  destinations: readonly PodClass[],
  port: PortQuery,
  collector: BlockedCollector<string>,
): void {
  for (const src of sources) {
    for (const dst of destinations) {
      const s = { kind: 'class', podClass: src } as const;
      const d = { kind: 'class', podClass: dst } as const;
      const label = (c: PodClass) => `${c.namespace}/${c.labels.app}`;
      collector.add(
        () => ({ key: 'svc', meta: 'meta' }),
        { src: s, srcLabel: label(src), srcKey: label(src), dst: d, dstLabel: label(dst), dstKey: label(dst), port },
        index.evaluate(s, d, port),
      );
    }
  }
}

describe('BlockedCollector', () => {
  const pods = [
    pod('shop', 'cart'),
    pod('shop', 'cart'),
    pod('shop', 'web'),
    pod('ops', 'cron'),
    pod('ops', 'backup'),
    pod('bookinfo', 'reviews'),
  ];
  const namespaces = ['shop', 'ops', 'bookinfo'].map(ns);
  const policies = [
    policy('shop', 'default-deny', { podSelector: {}, policyTypes: ['Ingress'] }),
    policy('shop', 'cart-from-web', {
      podSelector: { matchLabels: { app: 'cart' } },
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 8080 }] }],
    }),
    policy('ops', 'egress', {
      podSelector: { matchLabels: { app: 'cron' } },
      policyTypes: ['Egress'],
      egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }],
    }),
  ];

  it('groups by direction and the narrowest policy, and its merged rule lets every connection through', () => {
    const index = buildNetpolIndex({ pods, namespaces, policies });
    const cart = index.classes.filter((c) => c.labels.app === 'cart');
    const collector = new BlockedCollector<string>(index);
    sweep(index, index.classes, cart, { port: 8080 }, collector);
    const groups = collector.groups();
    expect(groups.map((g) => [g.direction, `${g.policy.namespace}/${g.policy.name}`, g.sources])).toEqual([
      ['ingress', 'shop/cart-from-web', ['bookinfo/reviews', 'ops/backup', 'ops/cron', 'shop/cart']],
      ['egress', 'ops/egress', ['ops/cron']],
    ]);
    const ingress = groups[0]!;
    expect(ingress.isolatedBy.map((p) => p.name)).toEqual(['cart-from-web', 'default-deny']);
    expect(ingress.fix?.rules).toEqual([
      {
        from: [
          { podSelector: { matchLabels: { app: 'cart' } } },
          { podSelector: { matchLabels: { app: 'cron' } }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ops' } } },
          { podSelector: { matchLabels: { app: 'backup' } }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ops' } } },
          {
            podSelector: { matchLabels: { app: 'reviews' } },
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'bookinfo' } },
          },
        ],
        ports: [{ protocol: 'TCP', port: 8080 }],
      },
    ]);
    expect(patchCommand(ingress.fix!)).toMatch(
      /^kubectl -n shop patch networkpolicy cart-from-web --type=json -p '\[\{"op":"add","path":"\/spec\/ingress\/-"/,
    );

    // Both fixes applied: nothing is blocked any more.
    const fixed = applyFix(applyFix(policies, ingress.fix!), groups[1]!.fix!);
    const after = buildNetpolIndex({ pods, namespaces, policies: fixed });
    const again = new BlockedCollector<string>(after);
    sweep(
      after,
      after.classes,
      after.classes.filter((c) => c.labels.app === 'cart'),
      { port: 8080 },
      again,
    );
    expect(again.groups()).toEqual([]);
  });

  it(`names at most ${MAX_FIX_PEERS} peers in one rule and counts the rest`, () => {
    const many = Array.from({ length: MAX_FIX_PEERS + 3 }, (_, i) => pod('ops', `job-${i}`));
    const index = buildNetpolIndex({ pods: [...pods, ...many], namespaces, policies });
    const collector = new BlockedCollector<string>(index);
    const sources = index.classes.filter((c) => c.namespace === 'ops' && c.labels.app!.startsWith('job-'));
    sweep(
      index,
      sources,
      index.classes.filter((c) => c.labels.app === 'web'),
      { port: 8080 },
      collector,
    );
    const [group] = collector.groups();
    expect(group!.sources).toHaveLength(MAX_FIX_PEERS + 3);
    expect(group!.fix!.rules[0]!.from).toHaveLength(MAX_FIX_PEERS);
    expect(group!.fix!.omitted).toBe(3);
  });

  it('gives peers that need different ports their own rules, so nobody is opened on a port it did not ask for', () => {
    const index = buildNetpolIndex({ pods, namespaces, policies });
    const collector = new BlockedCollector<string>(index);
    const cron = index.classes.filter((c) => c.labels.app === 'cron');
    sweep(
      index,
      cron,
      index.classes.filter((c) => c.labels.app === 'web'),
      { port: 8080 },
      collector,
    );
    sweep(
      index,
      cron,
      index.classes.filter((c) => c.labels.app === 'reviews'),
      { port: 9080 },
      collector,
    );
    sweep(
      index,
      cron,
      index.classes.filter((c) => c.labels.app === 'web'),
      { port: 8443 },
      collector,
    );
    const egress = collector.groups().find((g) => g.direction === 'egress')!;
    expect(egress.fix!.rules).toEqual([
      {
        to: [
          { podSelector: { matchLabels: { app: 'web' } }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } } },
        ],
        ports: [
          { protocol: 'TCP', port: 8080 },
          { protocol: 'TCP', port: 8443 },
        ],
      },
      {
        to: [
          {
            podSelector: { matchLabels: { app: 'reviews' } },
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'bookinfo' } },
          },
        ],
        ports: [{ protocol: 'TCP', port: 9080 }],
      },
    ]);
    expect(egress.fix!.patch.map((op) => op.path)).toEqual(['/spec/egress/-', '/spec/egress/-']);
  });

  it('adds a rule list to a policy that has none (default deny), with the patch that creates it', () => {
    const index = buildNetpolIndex({ pods, namespaces, policies });
    const collector = new BlockedCollector<string>(index);
    sweep(
      index,
      index.classes.filter((c) => c.labels.app === 'cart'),
      index.classes.filter((c) => c.labels.app === 'web'),
      { port: 9090 },
      collector,
    );
    const fix = collector.groups()[0]!.fix!;
    expect(fix.policy).toEqual({ namespace: 'shop', name: 'default-deny' });
    expect(fix.patch).toEqual([{ op: 'add', path: '/spec/ingress', value: fix.rules }]);
  });
});
