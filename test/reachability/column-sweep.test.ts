// The source-group sweep (ColumnSweep + BlockedCollector.addRest + MemberUnions) must group
// denied connections exactly as adding every connection one by one does: same groups in the
// same order, same sources, counts, named peers and omitted counts. Checked on seeded random
// clusters with ingress and egress isolation, shared labels (several classes per source group),
// single-pod classes calling their own Service, and more than MAX_FIX_PEERS sources per group.

import { describe, expect, it } from 'vitest';
import type { Namespace, NetworkPolicy, NetworkPolicyPeer, Pod } from '../../src/k8s/objects.ts';
import { BlockedCollector, MAX_FIX_PEERS, type BlockedGroup } from '../../src/reachability/blocked/index.ts';
import { ColumnSweep, type StepTarget } from '../../src/reachability/column-sweep.ts';
import { SweepEvaluator } from '../../src/reachability/sweep.ts';
import { buildNetpolIndex, type NetpolIndex } from '../../src/reachability/netpol/index.ts';
import { mulberry32 } from '../../scripts/lib/seeded.ts';
import type { Direction, PodClass } from '../../src/reachability/netpol/types.ts';

interface World {
  pods: Pod[];
  namespaces: Namespace[];
  policies: NetworkPolicy[];
}

function randomWorld(seed: number): World {
  const rnd = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const pods: Pod[] = [];
  const namespaces: Namespace[] = [];
  const policies: NetworkPolicy[] = [];
  let ip = 1;
  const nsCount = 3 + Math.floor(rnd() * 4);
  for (let n = 0; n < nsCount; n++) {
    const name = `ns${n}`;
    const team = pick(['a', 'b']);
    namespaces.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { team } } });
    const apps = 3 + Math.floor(rnd() * 6);
    for (let w = 0; w < apps; w++) {
      const app = `app${w}`;
      const tier = pick(['web', 'api', 'db']);
      const replicas = pick([1, 1, 2, 3]);
      // The policies' named port `http` is 8080 on most apps, 9090 on some, absent on others.
      const namedPorts = pick([
        [{ name: 'http', containerPort: 8080 }],
        [{ name: 'http', containerPort: 8080 }],
        [{ name: 'http', containerPort: 9090 }],
        [],
      ]);
      for (let r = 0; r < replicas; r++) {
        pods.push({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: `${app}-${r}`, namespace: name, labels: { app, tier } },
          spec: { containers: [{ name: app, ports: namedPorts }] },
          status: { phase: 'Running', podIP: `10.1.${Math.floor(ip / 250)}.${ip++ % 250}` },
        });
      }
    }
    const pol = (pname: string, spec: NetworkPolicy['spec']): void => {
      policies.push({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: pname, namespace: name }, spec });
    };
    if (rnd() < 0.7) pol('deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] });
    if (rnd() < 0.4) pol('deny-egress', { podSelector: {}, policyTypes: ['Egress'] });
    if (rnd() < 0.5) pol('same-ns', { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] });
    if (rnd() < 0.4) {
      const from: NetworkPolicyPeer = { namespaceSelector: { matchLabels: { team: pick(['a', 'b']) } } };
      pol('team-web', {
        podSelector: { matchLabels: { tier: 'web' } },
        ingress: [{ from: [from], ports: [{ port: pick([8080, 'http', 9090]) }] }],
      });
    }
    if (rnd() < 0.3) {
      // ipBlock peers: pod IPs match them (Calico/Cilium behaviour, the evaluator's default).
      pol('ip-in', {
        podSelector: { matchLabels: { tier: 'db' } },
        ingress: [{ from: [{ ipBlock: { cidr: '10.1.0.0/24', except: ['10.1.0.128/25'] } }], ports: [{ port: 'http' }] }],
      });
    }
    if (rnd() < 0.3) {
      pol('ip-out', {
        podSelector: { matchLabels: { tier: 'api' } },
        policyTypes: ['Egress'],
        egress: [{ to: [{ ipBlock: { cidr: '10.1.0.64/26' } }] }, { ports: [{ port: 'http' }] }],
      });
    }
    if (rnd() < 0.4) {
      pol('egress-team', {
        podSelector: { matchLabels: { tier: pick(['web', 'api']) } },
        policyTypes: ['Egress'],
        egress: [
          {
            to: [
              {
                namespaceSelector: { matchLabels: { team: pick(['a', 'b']) } },
                podSelector: { matchLabels: { tier: pick(['api', 'db']) } },
              },
            ],
          },
        ],
      });
    }
  }
  if (rnd() < 0.5) {
    // A hostNetwork pod (node traffic: no group sharing towards destinations).
    pods.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'node-agent', namespace: 'ns0', labels: { app: 'agent', tier: 'web' } },
      spec: { hostNetwork: true, nodeName: 'node-1', containers: [{ name: 'agent' }] },
      status: { phase: 'Running', podIP: '192.168.0.1', hostIP: '192.168.0.1' },
    });
  }
  return { pods, namespaces, policies };
}

/**
 * Namespace isolation, as most clusters do it: most namespaces admit themselves and a frontend
 * namespace (ns0); some also admit one app of a team's namespaces (splitting their source groups,
 * so a workload label spans groups), deny egress, or admit an ipBlock. Most source groups are
 * named by no policy of a column: the sweep's shared summary path.
 */
function isolatedWorld(seed: number): World {
  const rnd = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const pods: Pod[] = [];
  const namespaces: Namespace[] = [];
  const policies: NetworkPolicy[] = [];
  let ip = 1;
  const nsCount = 12 + Math.floor(rnd() * 20);
  for (let n = 0; n < nsCount; n++) {
    const name = `ns${n}`;
    namespaces.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { team: pick(['a', 'b', 'c']) } } });
    const apps = 1 + Math.floor(rnd() * 4);
    for (let w = 0; w < apps; w++) {
      const app = `app${w}`;
      const replicas = pick([1, 1, 2]);
      for (let r = 0; r < replicas; r++) {
        pods.push({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: `${app}-${r}`, namespace: name, labels: { app, tier: pick(['web', 'api']) } },
          spec: { containers: [{ name: app, ports: [{ name: 'http', containerPort: 8080 }] }] },
          status: { phase: 'Running', podIP: `10.2.${Math.floor(ip / 250)}.${ip++ % 250}` },
        });
      }
    }
    const pol = (pname: string, spec: NetworkPolicy['spec']): void => {
      policies.push({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: pname, namespace: name }, spec });
    };
    // A fifth of the namespaces are open: no policy names their pods, so they are one source group across namespaces.
    if (n === 0 || rnd() < 0.8)
      pol('isolation', {
        podSelector: {},
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ podSelector: {} }, { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ns0' } } }] }],
      });
    if (rnd() < 0.3) {
      pol('team-app', {
        podSelector: {},
        ingress: [
          {
            from: [{ namespaceSelector: { matchLabels: { team: pick(['a', 'b']) } }, podSelector: { matchLabels: { app: 'app1' } } }],
            ports: [{ port: 'http' }],
          },
        ],
      });
    }
    if (rnd() < 0.1) pol('deny-egress', { podSelector: { matchLabels: { tier: 'api' } }, policyTypes: ['Egress'] });
    if (rnd() < 0.1) pol('ip-in', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.2.0.0/25' } }] }] });
  }
  return { pods, namespaces, policies };
}

type Meta = string;

/** Every (Service-like) column: the classes of one app in one namespace. */
function columnsOf(index: NetpolIndex): { key: string; targets: PodClass[] }[] {
  const byApp = new Map<string, PodClass[]>();
  for (const c of index.classes) {
    const key = `${c.namespace}/${c.labels.app}`;
    byApp.set(key, [...(byApp.get(key) ?? []), c]);
  }
  return [...byApp].map(([key, targets]) => ({ key, targets }));
}

const tierLabel = (c: PodClass): string => `${c.namespace}/${c.labels.tier}`; // shared by several apps: workloads span classes
const label = tierLabel;

function groupsBothWays(
  world: World,
  label: (c: PodClass) => string = tierLabel,
): { swept: BlockedGroup<Meta>[]; oneByOne: BlockedGroup<Meta>[]; sharedSteps: number } {
  const index = buildNetpolIndex(world);
  const sources = index.classes;
  const sweep = new SweepEvaluator(index);
  const columnSweep = new ColumnSweep(sweep, sources, sources.map(label));
  const swept = new BlockedCollector<Meta>(index, columnSweep.unions);
  const oneByOne = new BlockedCollector<Meta>(index);
  const egress = { key: 'egress', meta: 'egress' };
  let sharedSteps = 0;
  for (const [ci, col] of columnsOf(index).entries()) {
    // Two ports, so a named peer can need a second port later in the sweep.
    const port = ci % 2 === 0 ? { port: 8080, name: 'http' } : { port: 9090 };
    const ingress = { key: col.key, meta: col.key };
    const groupFor = (d: Direction): { key: string; meta: Meta } => (d === 'ingress' ? ingress : egress);
    const targets: StepTarget[] = col.targets.map((podClass) => ({
      podClass,
      port,
      dst: { kind: 'class', podClass },
      dstLabel: col.key,
      dstKey: label(podClass),
    }));
    sweep.clear();
    if (columnSweep.run(targets, swept, groupFor).shared !== undefined) sharedSteps++;
    for (const src of sources) {
      for (const t of targets) {
        if (t.podClass === src && src.pods.length === 1) continue;
        const s = { kind: 'class', podClass: src } as const;
        oneByOne.add(
          groupFor,
          { src: s, srcLabel: label(src), srcKey: label(src), dst: t.dst, dstLabel: t.dstLabel, dstKey: t.dstKey, port: t.port },
          index.evaluate(s, t.dst, t.port),
        );
      }
    }
  }
  return { swept: swept.groups(), oneByOne: oneByOne.groups(), sharedSteps };
}

describe('SweepEvaluator', () => {
  it('gives every (source class, destination class, port) what the evaluator gives it, on 40 random clusters', () => {
    let shared = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const index = buildNetpolIndex(randomWorld(seed));
      const sweep = new SweepEvaluator(index);
      const destinationGroups = new Set(index.classes.map((c) => index.destinationKey(c)));
      shared += index.classes.length - destinationGroups.size;
      for (const port of [{ port: 8080, name: 'http' }, { port: 9090 }, { port: 53, protocol: 'UDP' as const }]) {
        for (const src of index.classes) {
          for (const dst of index.classes) {
            const expected = index.evaluate({ kind: 'class', podClass: src }, { kind: 'class', podClass: dst }, port);
            expect(sweep.evaluate(src, { podClass: dst, port }), `seed ${seed}`).toEqual(expected);
          }
        }
      }
    }
    // Destination groups do share evaluations in these worlds.
    expect(shared).toBeGreaterThan(0);
  });
});

describe('ColumnSweep', () => {
  it('groups denied connections exactly as adding them one by one, on 40 random clusters', () => {
    let bulkTaken = 0;
    let fullGroups = 0;
    let egressGroups = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const world = randomWorld(seed);
      const { swept, oneByOne } = groupsBothWays(world);
      expect(
        swept.map((g) => ({ ...g, sources: [...g.sources] })),
        `seed ${seed}`,
      ).toEqual(oneByOne.map((g) => ({ ...g, sources: [...g.sources] })));
      for (const g of oneByOne) {
        if ((g.fix?.omitted ?? 0) > 0) fullGroups++;
        if (g.direction === 'egress') egressGroups++;
        if (g.connections > g.sources.length) bulkTaken++;
      }
    }
    // The worlds exercise what the bulk path must get right.
    expect(fullGroups).toBeGreaterThan(0);
    expect(egressGroups).toBeGreaterThan(0);
    expect(bulkTaken).toBeGreaterThan(0);
  });

  it('groups exactly as one by one under namespace isolation, where most source groups share one summary per column', () => {
    let sharedSteps = 0;
    let omitted = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const world = isolatedWorld(seed);
      // By tier (labels span source groups, so named keys have several owners), by app, and by app
      // over every sixth namespace (a named key is owned by groups the sweep meets later).
      const spread = (c: PodClass): string => `${c.labels.app}/${Number(c.namespace.slice(2)) % 6}`;
      for (const by of [tierLabel, (c: PodClass): string => `${c.namespace}/${c.labels.app}`, spread]) {
        const result = groupsBothWays(world, by);
        expect(
          result.swept.map((g) => ({ ...g, sources: [...g.sources] })),
          `seed ${seed}`,
        ).toEqual(result.oneByOne.map((g) => ({ ...g, sources: [...g.sources] })));
        for (const g of result.swept) {
          // The long source lists are views: their length and first entries agree with the list.
          expect(g.sources.length, `seed ${seed}`).toBe([...g.sources].length);
          expect(g.sources.slice(0, 12), `seed ${seed}`).toEqual([...g.sources].slice(0, 12));
          omitted += g.fix?.omitted ?? 0;
        }
        sharedSteps += result.sharedSteps;
      }
    }
    expect(sharedSteps).toBeGreaterThan(50);
    expect(omitted).toBeGreaterThan(0);
  });

  it('names at most MAX_FIX_PEERS sources per ingress group and counts the rest as omitted', () => {
    let full = 0;
    for (let seed = 1; seed <= 40; seed++) {
      for (const g of groupsBothWays(randomWorld(seed)).swept) {
        if (g.direction !== 'ingress' || g.fix === undefined) continue;
        // On ingress the rule's peers are the blocked sources: the first MAX_FIX_PEERS are named, the others counted.
        expect(g.fix.omitted, `seed ${seed}`).toBe(Math.max(0, g.sources.length - MAX_FIX_PEERS));
        if (g.fix.omitted > 0) full++;
      }
    }
    expect(full).toBeGreaterThan(0);
  });

  it('leaves a single pod calling its own Service out, as a pod cannot block itself', () => {
    const world: World = {
      namespaces: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'solo' } }],
      pods: [
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'db-0', namespace: 'solo', labels: { app: 'db', tier: 'db' } },
          spec: { containers: [{ name: 'db' }] },
          status: { phase: 'Running', podIP: '10.9.0.1' },
        },
      ],
      policies: [
        {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicy',
          metadata: { name: 'deny', namespace: 'solo' },
          spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
        },
      ],
    };
    const index = buildNetpolIndex(world);
    const sweep = new SweepEvaluator(index);
    const columnSweep = new ColumnSweep(sweep, index.classes, index.classes.map(label));
    const collector = new BlockedCollector<Meta>(index, columnSweep.unions);
    const db = index.classes[0]!;
    const result = columnSweep.run(
      [{ podClass: db, port: { port: 8080 }, dst: { kind: 'class', podClass: db }, dstLabel: 'solo/db', dstKey: 'solo/db' }],
      collector,
      () => ({ key: 'k', meta: 'k' }),
    );
    expect(result.self.get(0)).toEqual({ allowed: 0, blocked: 0, blockedBy: [], ports: [] });
    expect(collector.groups()).toEqual([]);
  });
});
