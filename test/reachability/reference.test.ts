// Cross-check: on random clusters, the indexed, class-based evaluator agrees with a naive
// reference written directly from the API reference — per pod, no classes, no caches, and
// node:net's BlockList for the CIDR arithmetic instead of our own.

import { BlockList, isIP } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { LabelSelector, Namespace, NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort, Pod } from '../../src/k8s/objects.ts';
import { matchesSelector } from '../../src/k8s/selectors.ts';
import { buildNetpolIndex, type Endpoint, type Protocol } from '../../src/reachability/netpol/index.ts';
import { mulberry32 } from '../../scripts/lib/seeded.ts';
import { namespace, pod } from './world.ts';

type End = { pod: Pod } | { ip: string };

function cluster(seed: number): { namespaces: Namespace[]; pods: Pod[]; policies: NetworkPolicy[]; ips: string[] } {
  const rnd = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const chance = (p: number): boolean => rnd() < p;
  const labelsFrom = (space: Record<string, string[]>): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const [k, vs] of Object.entries(space)) if (chance(0.6)) out[k] = pick(vs);
    return out;
  };
  const nsSpace = { env: ['prod', 'dev'], team: ['x', 'y'] };
  const podSpace = { app: ['a', 'b', 'c'], tier: ['web', 'db'], v: ['1', '2'] };
  const nsNames = ['n0', 'n1', 'n2', 'n3'];
  const namespaces = nsNames.map((n) => namespace(n, labelsFrom(nsSpace)));
  const pods: Pod[] = [];
  for (let i = 0; i < 36; i++) {
    const ns = pick(nsNames);
    const ports: [string, number, Protocol?][] = [];
    if (chance(0.5)) ports.push(['http', pick([80, 8080])]);
    if (chance(0.4)) ports.push(['grpc', 9090]);
    if (chance(0.3)) ports.push(['dns', 53, 'UDP']);
    const ip = chance(0.2)
      ? [`10.${nsNames.indexOf(ns)}.0.${i}`, `fd00::${i.toString(16)}`]
      : chance(0.05)
        ? []
        : [`10.${nsNames.indexOf(ns)}.${i % 2}.${i}`];
    pods.push(pod(`${ns}/p${i}`, { labels: labelsFrom(podSpace), ip, ports }));
  }
  // Replicas: same labels and ports, another IP (sometimes in another ipBlock), so classes hold several pods.
  for (let i = 0; i < 12; i++) {
    const original = pods[i]!;
    const ns = original.metadata.namespace!;
    const ports = (original.spec?.containers?.[0]?.ports ?? []).map((p): [string, number, Protocol?] => [
      p.name!,
      p.containerPort!,
      p.protocol as Protocol | undefined,
    ]);
    pods.push(pod(`${ns}/r${i}`, { labels: { ...original.metadata.labels }, ip: `10.${nsNames.indexOf(ns)}.${i % 3}.${100 + i}`, ports }));
  }
  const selector = (space: Record<string, string[]>): LabelSelector => {
    const r = rnd();
    if (r < 0.25) return {};
    const [key, values] = pick(Object.entries(space));
    if (r < 0.6) return { matchLabels: { [key]: pick(values) } };
    const operator = pick(['In', 'NotIn', 'Exists', 'DoesNotExist'] as const);
    const expr = operator === 'In' || operator === 'NotIn' ? { key, operator, values: [pick(values)] } : { key, operator };
    return { matchExpressions: [expr] };
  };
  const cidrs: [string, string[]][] = [
    ['10.0.0.0/8', ['10.1.0.0/16']],
    ['10.0.0.0/16', []],
    ['10.2.1.0/24', []],
    ['0.0.0.0/0', ['10.0.0.0/8']],
    ['fd00::/64', ['fd00::10/124']],
    ['203.0.113.0/24', []],
  ];
  const peer = (): NetworkPolicyPeer => {
    const r = rnd();
    if (r < 0.3) return { podSelector: selector(podSpace) };
    if (r < 0.55) return { namespaceSelector: selector(nsSpace) };
    if (r < 0.8) return { podSelector: selector(podSpace), namespaceSelector: selector(nsSpace) };
    const [cidr, except] = pick(cidrs);
    return { ipBlock: except.length > 0 && chance(0.7) ? { cidr, except } : { cidr } };
  };
  const portEntry = (): NetworkPolicyPort => {
    const r = rnd();
    const protocol = chance(0.25) ? { protocol: pick(['UDP', 'SCTP'] as const) } : chance(0.5) ? { protocol: 'TCP' as const } : {};
    if (r < 0.35) return { ...protocol, port: pick([53, 80, 8080, 9090]) };
    if (r < 0.6) {
      // Named ports, usually with the protocol the pods declare them with, sometimes not.
      const [name, declared] = pick([
        ['http', 'TCP'],
        ['grpc', 'TCP'],
        ['dns', 'UDP'],
      ] as const);
      const proto = chance(0.8) ? declared : pick(['TCP', 'UDP', 'SCTP'] as const);
      return proto === 'TCP' && chance(0.5) ? { port: name } : { protocol: proto, port: name };
    }
    if (r < 0.8) return { ...protocol, port: 8000, endPort: 9090 };
    return protocol;
  };
  const rules = <K extends 'from' | 'to'>(field: K): ({ [P in K]?: NetworkPolicyPeer[] } & { ports?: NetworkPolicyPort[] })[] =>
    Array.from({ length: Math.floor(rnd() * 3) }, () => {
      const rule: Record<string, unknown> = {};
      if (chance(0.7)) rule[field] = chance(0.1) ? [] : Array.from({ length: 1 + Math.floor(rnd() * 2) }, peer);
      if (chance(0.6)) rule.ports = chance(0.1) ? [] : Array.from({ length: 1 + Math.floor(rnd() * 2) }, portEntry);
      return rule as { [P in K]?: NetworkPolicyPeer[] } & { ports?: NetworkPolicyPort[] };
    });
  const policies: NetworkPolicy[] = Array.from({ length: 10 }, (_, i) => {
    const spec: NonNullable<NetworkPolicy['spec']> = { podSelector: selector(podSpace) };
    const types = pick([undefined, ['Ingress'], ['Egress'], ['Ingress', 'Egress']] as const);
    if (types !== undefined) spec.policyTypes = [...types];
    if (chance(0.8)) spec.ingress = rules('from');
    if (chance(0.6)) spec.egress = rules('to');
    return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: `np${i}`, namespace: pick(nsNames) }, spec };
  });
  return { namespaces, pods, policies, ips: ['10.1.2.3', '10.3.0.9', '203.0.113.7', '198.51.100.1', 'fd00::3', 'fd00::11'] };
}

// ── The reference: the API reference's sentences, one function each ──────────────────────────

const blockLists = new Map<string, BlockList>();
function list(cidrs: string[]): BlockList {
  const key = cidrs.join(',');
  let b = blockLists.get(key);
  if (b === undefined) {
    b = new BlockList();
    for (const c of cidrs) {
      const [net, prefix] = c.split('/') as [string, string];
      b.addSubnet(net, Number(prefix), isIP(net) === 6 ? 'ipv6' : 'ipv4');
    }
    blockLists.set(key, b);
  }
  return b;
}

function inBlock(block: { cidr: string; except?: string[] }, ip: string): boolean {
  const type = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
  const netFamily = isIP(block.cidr.split('/')[0]!) === 6 ? 'ipv6' : 'ipv4';
  if (type !== netFamily) return false; // BlockList would map IPv4 into ::ffff:0:0/96; the API does not mix families
  return list([block.cidr]).check(ip, type) && !list(block.except ?? []).check(ip, type);
}

function ipsOf(end: End): string[] {
  return 'ip' in end ? [end.ip] : (end.pod.status?.podIPs ?? []).map((p) => p.ip);
}

function refPeer(peer: NetworkPolicyPeer, policyNs: string, other: End, nsLabels: (n: string) => Record<string, string>): boolean {
  if (peer.ipBlock) return ipsOf(other).some((ip) => inBlock(peer.ipBlock!, ip));
  if (!('pod' in other)) return false;
  const ns = other.pod.metadata.namespace!;
  const nsOk = peer.namespaceSelector ? matchesSelector(peer.namespaceSelector, nsLabels(ns)) : ns === policyNs;
  return nsOk && (peer.podSelector ? matchesSelector(peer.podSelector, other.pod.metadata.labels) : true);
}

function refPort(entry: NetworkPolicyPort, protocol: Protocol, port: number, dst: End): boolean {
  if ((entry.protocol ?? 'TCP') !== protocol) return false;
  if (entry.port === undefined) return true;
  if (typeof entry.port === 'number')
    return entry.endPort === undefined ? entry.port === port : entry.port <= port && port <= entry.endPort;
  if (!('pod' in dst)) return false;
  return (dst.pod.spec?.containers ?? []).some((c) =>
    (c.ports ?? []).some((p) => p.name === entry.port && (p.protocol ?? 'TCP') === protocol && p.containerPort === port),
  );
}

function refDirection(
  direction: 'ingress' | 'egress',
  policies: NetworkPolicy[],
  subject: End,
  other: End,
  dst: End,
  protocol: Protocol,
  port: number,
  nsLabels: (n: string) => Record<string, string>,
): string[] | 'open' {
  if (!('pod' in subject)) return 'open';
  const applying = policies.filter((p) => {
    if (p.metadata.namespace !== subject.pod.metadata.namespace) return false;
    if (!matchesSelector(p.spec?.podSelector ?? {}, subject.pod.metadata.labels)) return false;
    const types = p.spec?.policyTypes?.length ? p.spec.policyTypes : ['Ingress', ...(p.spec?.egress?.length ? ['Egress'] : [])];
    return types.includes(direction === 'ingress' ? 'Ingress' : 'Egress');
  });
  if (applying.length === 0) return 'open';
  const allowedBy: string[] = [];
  for (const p of [...applying].sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1))) {
    const rules =
      (direction === 'ingress'
        ? p.spec?.ingress?.map((r) => ({ peers: r.from, ports: r.ports }))
        : p.spec?.egress?.map((r) => ({ peers: r.to, ports: r.ports }))) ?? [];
    rules.forEach((rule, i) => {
      const portOk = !rule.ports?.length || rule.ports.some((e) => refPort(e, protocol, port, dst));
      const peerOk = !rule.peers?.length || rule.peers.some((peer) => refPeer(peer, p.metadata.namespace!, other, nsLabels));
      if (portOk && peerOk) allowedBy.push(`${p.metadata.name}#${i}`);
    });
  }
  return allowedBy;
}

function fromEvaluator(verdict: { reason: string; allowedBy: { name: string; rule: number }[] }): string[] | 'open' {
  if (verdict.reason === 'not-isolated' || verdict.reason === 'not-a-pod') return 'open';
  return verdict.allowedBy.map((r) => `${r.name}#${r.rule}`);
}

describe.each([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])('random cluster %i', (seed) => {
  const c = cluster(seed);
  const nsLabels = (n: string): Record<string, string> => ({
    ...(c.namespaces.find((ns) => ns.metadata.name === n)?.metadata.labels ?? {}),
    'kubernetes.io/metadata.name': n,
  });
  const index = buildNetpolIndex({ pods: c.pods, namespaces: c.namespaces, policies: c.policies });
  const ends: End[] = [...c.pods.map((pod) => ({ pod })), ...c.ips.map((ip) => ({ ip }))];
  const asEndpoint = (e: End): Endpoint => ('pod' in e ? { kind: 'pod', pod: e.pod } : { kind: 'ip', ip: e.ip });
  const ports: [Protocol, number][] = [
    ['TCP', 80],
    ['TCP', 8080],
    ['TCP', 9090],
    ['UDP', 53],
    ['SCTP', 8500],
    ['TCP', 443],
  ];

  it('reads the generated policies without problems', () => {
    expect(index.problems).toEqual([]);
  });

  it('agrees with the reference on every (source, destination, port), per pod and per class', () => {
    let compared = 0;
    let denied = 0;
    const mismatches: unknown[] = [];
    for (const src of ends) {
      for (const dst of ends) {
        if ('pod' in src && 'pod' in dst && src.pod === dst.pod) continue; // same-pod is an exemption, tested in the table
        for (const [protocol, port] of ports) {
          const got = index.evaluate(asEndpoint(src), asEndpoint(dst), { protocol, port });
          const want = {
            egress: refDirection('egress', c.policies, src, dst, dst, protocol, port, nsLabels),
            ingress: refDirection('ingress', c.policies, dst, src, dst, protocol, port, nsLabels),
          };
          const label = `${'pod' in src ? src.pod.metadata.name : src.ip} → ${'pod' in dst ? dst.pod.metadata.name : dst.ip} ${protocol}/${port}`;
          const mine = { egress: fromEvaluator(got.egress), ingress: fromEvaluator(got.ingress) };
          if (JSON.stringify(mine) !== JSON.stringify(want)) mismatches.push({ label, mine, want });
          // The class of each pod answers exactly as the pod does.
          const byClass = index.evaluate(
            'pod' in src ? { kind: 'class', podClass: index.classOf(src.pod) } : asEndpoint(src),
            'pod' in dst ? { kind: 'class', podClass: index.classOf(dst.pod) } : asEndpoint(dst),
            { protocol, port },
          );
          if (JSON.stringify(byClass) !== JSON.stringify(got)) mismatches.push({ label, byClass, got });
          compared++;
          if (!got.allowed) denied++;
        }
      }
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
    // The generator must exercise both outcomes, or the comparison proves little.
    expect(denied).toBeGreaterThan(compared / 20);
    expect(denied).toBeLessThan(compared);
  });

  it('groups replicas: fewer classes than pods, every pod in exactly one', () => {
    expect(index.classes.length).toBeLessThan(c.pods.length);
    expect(index.classes.flatMap((cls) => cls.pods).length).toBe(c.pods.length);
  });
});
