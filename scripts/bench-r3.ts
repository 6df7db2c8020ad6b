// Run time of the R3 check (mesh-reachability) on a generated snapshot of a few thousand pods:
// the whole analyze — index build, Service targets, the class × target sweep, grouping with
// merged fixes, and the matrix — through the engine's runOne, as a run would do it.
//
//   npx tsx scripts/bench-r3.ts [--namespaces 60] [--apps 5] [--replicas 10] [--seed 1] [--runs 3]

import { mulberry32, positive } from './lib/seeded.ts';
import { parseArgs } from 'node:util';
import { KIND_IDS } from '../src/k8s/kinds.ts';
import { Snapshot } from '../src/engine/snapshot.ts';
import type { KubeObject, Namespace, NetworkPolicy, Pod, Service } from '../src/k8s/objects.ts';
import { runOne } from '../src/engine/runner.ts';
import type { ReachabilityMatrix } from '../src/engine/types.ts';
import { getCheck } from '../runbooks/index.ts';

const { values } = parseArgs({
  options: {
    namespaces: { type: 'string', default: '60' },
    apps: { type: 'string', default: '5' },
    replicas: { type: 'string', default: '10' },
    seed: { type: 'string', default: '1' },
    runs: { type: 'string', default: '3' },
  },
});

const NAMESPACES = positive('namespaces', values.namespaces);
const APPS = positive('apps', values.apps);
const REPLICAS = positive('replicas', values.replicas);
const SEED = positive('seed', values.seed);
const RUNS = positive('runs', values.runs);

const rnd = mulberry32(SEED);

// ── A meshed cluster: per namespace, APPS Deployments of REPLICAS pods in two versions, one
// two-port Service each (named and numeric targetPorts); policies as teams write them. ──

const objects: KubeObject[] = [];
const nsName = (i: number): string => `team-${String(i).padStart(3, '0')}`;
const ip = (k: number): string => `10.244.${(k >> 8) & 255}.${k & 255}`;
let podCount = 0;

objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'istio-system' } } satisfies Namespace);
objects.push({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'istio-ingressgateway-6c8f9d7b5-m2vqz',
    namespace: 'istio-system',
    labels: { app: 'istio-ingressgateway', istio: 'ingressgateway', 'pod-template-hash': '6c8f9d7b5' },
  },
  spec: { containers: [{ name: 'istio-proxy', ports: [{ name: 'http2', containerPort: 8080 }] }] },
  status: { phase: 'Running', podIP: ip(podCount++) },
} satisfies Pod);
objects.push({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'istio-ingressgateway', namespace: 'istio-system' },
  spec: { selector: { istio: 'ingressgateway' }, ports: [{ name: 'http2', port: 80, targetPort: 8080 }] },
} satisfies Service);

const policy = (namespace: string, name: string, spec: NetworkPolicy['spec']): void => {
  objects.push({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec } satisfies NetworkPolicy);
};

for (let n = 0; n < NAMESPACES; n++) {
  const ns = nsName(n);
  objects.push({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: ns, labels: { 'istio-injection': 'enabled', team: `t${n % 10}` } },
  } satisfies Namespace);
  for (let a = 0; a < APPS; a++) {
    const app = `svc-${a}`;
    objects.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: app, namespace: ns },
      spec: {
        selector: { app },
        ports: [
          { name: 'http', port: 80, targetPort: 'http' },
          { name: 'grpc', port: 9090, targetPort: 9090 },
        ],
      },
    } satisfies Service);
    for (let r = 0; r < REPLICAS; r++) {
      const version = r < REPLICAS * 0.8 ? 'v1' : 'v2';
      const hash = `${a}${version}${n}`.padEnd(9, 'x');
      objects.push({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: `${app}-${version}-${hash}-${r}`,
          namespace: ns,
          labels: { app, version, 'pod-template-hash': hash, 'security.istio.io/tlsMode': 'istio' },
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${app}-${version}-${hash}`, controller: true }],
        },
        spec: {
          nodeName: `node-${Math.floor(rnd() * 50)}`,
          containers: [
            {
              name: 'app',
              ports: [
                { name: 'http', containerPort: 8080 },
                { name: 'grpc', containerPort: 9090 },
              ],
            },
            { name: 'istio-proxy', ports: [{ name: 'http-envoy-prom', containerPort: 15090 }] },
          ],
        },
        status: { phase: 'Running', podIP: ip(podCount++) },
      } satisfies Pod);
    }
  }
  // Every namespace: default deny, its own pods, its team's prod namespaces on the named port, the ingress gateway to svc-0.
  policy(ns, 'default-deny', { podSelector: {}, policyTypes: ['Ingress'] });
  policy(ns, 'allow-team', {
    podSelector: {},
    ingress: [
      { from: [{ podSelector: {} }] },
      {
        from: [
          {
            namespaceSelector: { matchLabels: { team: `t${n % 10}` } },
            podSelector: { matchExpressions: [{ key: 'version', operator: 'NotIn', values: ['v2'] }] },
          },
        ],
        ports: [{ port: 'http' }],
      },
    ],
  });
  policy(ns, 'svc-0-from-gateway', {
    podSelector: { matchLabels: { app: 'svc-0' } },
    ingress: [
      {
        from: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-system' } },
            podSelector: { matchLabels: { istio: 'ingressgateway' } },
          },
        ],
        ports: [{ port: 8080 }],
      },
    ],
  });
  // Every third namespace also limits egress: DNS, its team, istiod.
  if (n % 3 === 0) {
    policy(ns, 'egress-baseline', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
        { to: [{ namespaceSelector: { matchLabels: { team: `t${n % 10}` } } }] },
        { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-system' } } }], ports: [{ port: 15012 }] },
      ],
    });
  }
}

// ── Run the check as the engine does, a few times (the first includes JIT warm-up). ──

const check = getCheck('mesh-reachability');
if (check === undefined) throw new Error('mesh-reachability is not registered');
const snapshot = new Snapshot(objects, { kinds: KIND_IDS });
const fmt = (n: number): string => n.toLocaleString('en-US', { maximumFractionDigits: 1 });
const pods = snapshot.list('v1/Pod').length;
console.log(
  `snapshot: ${fmt(snapshot.list('v1/Namespace').length)} namespaces, ${fmt(pods)} pods, ${fmt(snapshot.list('v1/Service').length)} services, ${fmt(snapshot.list('networking.k8s.io/v1/NetworkPolicy').length)} policies (seed ${SEED})`,
);

const times: number[] = [];
for (let run = 1; run <= RUNS; run++) {
  const t0 = performance.now();
  const result = await runOne(check, snapshot, new AbortController().signal, { checkTimeoutMs: 600_000, maxFindingsPerCheck: 1_000 });
  const ms = performance.now() - t0;
  times.push(ms);
  if (result.status === 'error') throw new Error(`the check failed: ${result.reason ?? ''}`);
  const matrix = result.attachments?.[0] as ReachabilityMatrix | undefined;
  const states = new Map<string, number>();
  for (const c of matrix?.cells ?? []) states.set(c.state, (states.get(c.state) ?? 0) + 1);
  console.log(
    `run ${run}: ${fmt(ms)} ms (check's own durationMs ${result.durationMs}); status ${result.status}; ${fmt(result.findings.length)} findings` +
      `${result.truncated === undefined ? '' : ` (+${result.truncated} truncated)`}; matrix ${matrix?.rows.length ?? 0} × ${matrix?.columns.length ?? 0} ` +
      `(${[...states].map(([s, k]) => `${k} ${s}`).join(', ')})`,
  );
}
const sorted = [...times].sort((a, b) => a - b);
console.log(`median of ${RUNS}: ${fmt(sorted[Math.floor(sorted.length / 2)]!)} ms; node ${process.version}`);
