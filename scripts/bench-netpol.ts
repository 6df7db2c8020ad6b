// Benchmark of the NetworkPolicy evaluator on a generated cluster: builds the index, then
// evaluates every (source workload class → destination Service port) pair, the sweep the R3
// check runs. Prints numbers; docs/netpol.md records them with the command:
//
//   npx tsx scripts/bench-netpol.ts [--namespaces 100] [--pods 5000] [--policies 300] [--seed 1]

import { mulberry32, positive } from './lib/seeded.ts';
import { parseArgs } from 'node:util';
import type { Namespace, NetworkPolicy, Pod, Service } from '../src/k8s/objects.ts';
import { buildNetpolIndex, serviceTargets, type ServiceTarget } from '../src/reachability/netpol/index.ts';

const { values } = parseArgs({
  options: {
    namespaces: { type: 'string', default: '100' },
    pods: { type: 'string', default: '5000' },
    policies: { type: 'string', default: '300' },
    seed: { type: 'string', default: '1' },
  },
});

const NAMESPACES = positive('namespaces', values.namespaces);
const PODS = positive('pods', values.pods);
const POLICIES = positive('policies', values.policies);
const SEED = positive('seed', values.seed);

const rnd = mulberry32(SEED);

// ── A cluster shaped like a meshed one: Deployments of 10 replicas, two versions, one Service each ──

const APPS_PER_NAMESPACE = Math.max(1, Math.round(PODS / NAMESPACES / 10));
const nsName = (i: number): string => `team-${String(i).padStart(3, '0')}`;
const envOf = (i: number): string => ['prod', 'staging', 'dev'][i % 3]!;

const namespaces: Namespace[] = Array.from({ length: NAMESPACES }, (_, i) => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name: nsName(i), labels: { team: `t${i % 10}`, env: envOf(i), 'istio-injection': 'enabled' } },
}));

const pods: Pod[] = [];
const services: Service[] = [];
for (let n = 0; n < NAMESPACES; n++) {
  for (let a = 0; a < APPS_PER_NAMESPACE; a++) {
    const app = `svc-${a}`;
    services.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: app, namespace: nsName(n) },
      spec: {
        selector: { app },
        ports: [
          { name: 'http', port: 80, targetPort: 'http' },
          { name: 'grpc', port: 9090, targetPort: 9090 },
        ],
      },
    });
    for (let r = 0; r < 10 && pods.length < PODS; r++) {
      const version = r < 8 ? 'v1' : 'v2';
      const k = pods.length;
      pods.push({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: `${app}-${version}-${k}`,
          namespace: nsName(n),
          labels: { app, version, 'pod-template-hash': `${app}${version}`, 'security.istio.io/tlsMode': 'istio' },
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
        status: {
          phase: 'Running',
          podIP: `10.${(k >> 16) & 255}.${(k >> 8) & 255}.${k & 255}`,
          podIPs: [{ ip: `10.${(k >> 16) & 255}.${(k >> 8) & 255}.${k & 255}` }],
        },
      });
    }
  }
}

// Policies, cycling through the shapes real clusters use.
const policies: NetworkPolicy[] = [];
const policy = (n: number, name: string, spec: NetworkPolicy['spec']): void => {
  policies.push({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: nsName(n) }, spec });
};
for (let i = 0; policies.length < POLICIES; i++) {
  const n = i % NAMESPACES;
  const app = `svc-${Math.floor(rnd() * APPS_PER_NAMESPACE)}`;
  switch (Math.floor(i / NAMESPACES) % 4) {
    case 0: // default deny, ingress and (every other namespace) egress
      policy(n, 'default-deny', { podSelector: {}, policyTypes: n % 2 === 0 ? ['Ingress', 'Egress'] : ['Ingress'] });
      break;
    case 1: // same namespace, plus same-team namespaces in prod/staging, on named ports
      policy(n, 'allow-team', {
        podSelector: {},
        ingress: [
          { from: [{ podSelector: {} }] },
          {
            from: [
              {
                namespaceSelector: {
                  matchLabels: { team: `t${n % 10}` },
                  matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'staging'] }],
                },
                podSelector: { matchExpressions: [{ key: 'version', operator: 'NotIn', values: ['v2'] }] },
              },
            ],
            ports: [{ port: 'http' }, { port: 9000, endPort: 9100 }],
          },
        ],
      });
      break;
    case 2: // egress: DNS, the same team, and the internet but not the pod network
      policy(n, 'egress-baseline', {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [
          {
            to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }],
            ports: [
              { protocol: 'UDP', port: 53 },
              { protocol: 'TCP', port: 53 },
            ],
          },
          { to: [{ namespaceSelector: { matchLabels: { team: `t${n % 10}` } } }] },
          { to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }], ports: [{ port: 443 }] },
        ],
      });
      break;
    default: // one app open to scrapers by address range, and to another app by label
      policy(n, `${app}-metrics-${i}`, {
        podSelector: { matchLabels: { app } },
        ingress: [
          { from: [{ ipBlock: { cidr: `10.${i % 2}.0.0/16`, except: [`10.${i % 2}.0.0/24`] } }], ports: [{ port: 15090 }] },
          { from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'svc-0' } } }], ports: [{ port: 'grpc' }] },
        ],
      });
  }
}

// ── Timings ──────────────────────────────────────────────────────────────────────────────────

const ms = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;

let t0 = process.hrtime.bigint();
const index = buildNetpolIndex({ pods, namespaces, policies });
const buildMs = ms(t0);

t0 = process.hrtime.bigint();
const targets: ServiceTarget[] = services.flatMap((s) => serviceTargets(index, s).targets);
const targetsMs = ms(t0);

// Warm-up pass (JIT), then the measured sweep.
const sweep = (): { evaluations: number; blocked: number } => {
  let evaluations = 0;
  let blocked = 0;
  for (const source of index.classes) {
    const src = { kind: 'class', podClass: source } as const;
    for (const target of targets) {
      const result = index.evaluate(src, { kind: 'class', podClass: target.podClass }, target.port);
      evaluations++;
      if (!result.allowed) blocked++;
    }
  }
  return { evaluations, blocked };
};
sweep();
t0 = process.hrtime.bigint();
const { evaluations, blocked } = sweep();
const sweepMs = ms(t0);

// The same sweep per pod instead of per class, on a sample of source pods, extrapolated.
const sample = pods.filter((_, i) => i % 50 === 0);
t0 = process.hrtime.bigint();
for (const pod of sample) {
  for (const target of targets) index.evaluate({ kind: 'pod', pod }, { kind: 'class', podClass: target.podClass }, target.port);
}
const perPodMs = (ms(t0) / sample.length) * pods.length;

const fmt = (n: number): string => n.toLocaleString('en-US', { maximumFractionDigits: 1 });
console.log(
  `cluster: ${fmt(namespaces.length)} namespaces, ${fmt(pods.length)} pods, ${fmt(services.length)} services, ${fmt(policies.length)} policies (seed ${SEED})`,
);
console.log(
  `index build:              ${fmt(buildMs)} ms → ${fmt(index.classes.length)} pod classes, ${index.problems.length} policy problems`,
);
console.log(`service targets:          ${fmt(targetsMs)} ms → ${fmt(targets.length)} (class, targetPort) destinations`);
console.log(
  `sweep (class × target):   ${fmt(sweepMs)} ms for ${fmt(evaluations)} evaluations = ${fmt((sweepMs * 1e6) / evaluations)} ns each; ${fmt(blocked)} blocked`,
);
console.log(`same sweep per source pod: ~${fmt(perPodMs)} ms (extrapolated from ${sample.length} pods)`);
console.log(`total (build + targets + sweep): ${fmt(buildMs + targetsMs + sweepMs)} ms; node ${process.version}`);
