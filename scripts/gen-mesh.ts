// Synthetic meshes for the benchmarks (docs/benchmarks.md): N objects shaped like a real meshed
// cluster, deterministic for a seed, valid for a real kube-apiserver with Istio's CRDs.
//
// The control plane (istiod, the ingress gateway, the mesh ConfigMaps, istiod's RBAC) is copied
// from the demo cluster (runbooks/demo-cluster/istio-system.yaml). Then namespaces of meshed
// apps, each app a Deployment of 1–6 replicas in two versions with a ServiceAccount, a Service,
// an EndpointSlice listing its ready pods (with istio-proxy and status), a DestinationRule with
// one subset per version, and a VirtualService splitting traffic between them; each namespace
// has an Istio Gateway, a VirtualService binding a host to it, and three NetworkPolicies
// (default deny, same namespace, from the ingress gateway). Ratios: ~55% Pods, ~9% each of
// Deployments/Services/EndpointSlices/DestinationRules/VirtualServices/ServiceAccounts.
//
//   node --import tsx scripts/gen-mesh.ts --objects 20000 [--seed 1] --out /tmp/mesh-20k
//   node --import tsx scripts/gen-mesh.ts --namespaces 800 [--seed 1] --out /tmp/namespaces-800
//
// --namespaces is the other shape: many small namespaces instead of few large ones (see
// generateNamespaces), where namespace isolation blocks every cross-namespace pair.
//
// Writes one multi-document YAML file per namespace (what `meshbook check --snapshot DIR` and
// `istioctl analyze DIR` both read) and prints the object count per kind.

import { mulberry32 } from './lib/seeded.ts';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import yaml from 'js-yaml';
import type { KubeObject } from '../src/k8s/objects.ts';

const REPO = join(import.meta.dirname, '..');
const ISTIO_SYSTEM = join(REPO, 'runbooks', 'demo-cluster', 'istio-system.yaml');
const PROXY_IMAGE = 'docker.io/istio/proxyv2:1.28.0';
const NODES = 12;
const CREATED = '2026-08-28T09:12:04Z';

export interface GeneratedMesh {
  objects: KubeObject[];
  /** Namespace → its objects (cluster-scoped objects under ''), in creation order. */
  byNamespace: Map<string, KubeObject[]>;
  counts: Map<string, number>;
}

// Strips what the API server sets, so the copied control plane can be created as it is.
function fresh(o: KubeObject): KubeObject {
  const copy = structuredClone(o);
  const meta = copy.metadata as unknown as Record<string, unknown>;
  for (const k of ['resourceVersion', 'uid', 'creationTimestamp', 'generation', 'managedFields']) delete meta[k];
  return copy;
}

/** Generates a mesh of about `target` objects (never fewer; at most one app's worth more). */
export async function generateMesh(target: number, seed = 1): Promise<GeneratedMesh> {
  if (!Number.isInteger(target) || target < 100) throw new Error(`objects must be an integer ≥ 100, received ${JSON.stringify(target)}`);
  const rnd = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const hex = (n: number): string => Array.from({ length: n }, () => '0123456789bcdfghjklmnpqrstvwxz'[Math.floor(rnd() * 30)]).join('');
  const byNamespace = new Map<string, KubeObject[]>();
  const objects: KubeObject[] = [];
  const add = (o: KubeObject): void => {
    const ns = o.metadata.namespace ?? '';
    let list = byNamespace.get(ns);
    if (list === undefined) byNamespace.set(ns, (list = []));
    list.push(o);
    objects.push(o);
  };

  // Cluster-scoped: nodes, the control plane's namespace.
  const nodes = await controlPlane(add);

  let podSeq = 0;
  let svcSeq = 0;
  const podIp = (): string => {
    // 10.244.0.0/14-style pod network, .1–.254 in each /24.
    const k = podSeq++;
    const block = Math.floor(k / 254);
    return `10.${244 + Math.floor(block / 256)}.${block % 256}.${(k % 254) + 1}`;
  };
  // Inside the test cluster's 10.96.0.0/12, past the addresses the API server keeps for itself.
  const clusterIp = (): string => {
    const k = 1000 + svcSeq++;
    return `10.${96 + ((k >> 16) & 15)}.${(k >> 8) & 255}.${k & 255}`;
  };

  const WORDS = [
    'cart',
    'catalog',
    'checkout',
    'payments',
    'orders',
    'search',
    'users',
    'auth',
    'ledger',
    'billing',
    'inventory',
    'shipping',
    'reviews',
    'ratings',
    'notify',
    'profile',
    'ads',
    'media',
  ];
  for (let n = 0; objects.length < target; n++) {
    const ns = `team-${String(n).padStart(4, '0')}`;
    add({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: ns, labels: { 'kubernetes.io/metadata.name': ns, 'istio-injection': 'enabled', team: `t${n % 10}` } },
    });
    add(netpol(ns, 'default-deny', { podSelector: {}, policyTypes: ['Ingress'] }));
    add(netpol(ns, 'allow-same-namespace', { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] }));
    add(
      netpol(ns, 'allow-from-ingress', {
        podSelector: { matchLabels: { tier: 'frontend' } },
        ingress: [
          {
            from: [
              {
                namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-system' } },
                podSelector: { matchLabels: { istio: 'ingressgateway' } },
              },
            ],
            ports: [{ protocol: 'TCP', port: 8080 }],
          },
        ],
      }),
    );
    const host = `${ns}.example.com`;
    add({
      apiVersion: 'networking.istio.io/v1',
      kind: 'Gateway',
      metadata: { name: `${ns}-gateway`, namespace: ns },
      spec: { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: [host] }] },
    });
    const apps = 6 + Math.floor(rnd() * 5);
    for (let a = 0; a < apps && objects.length < target; a++) {
      const app = `${WORDS[(n + a) % WORDS.length]}-${a}`;
      const frontend = a === 0;
      const port = pick([8080, 9080, 8000]);
      const replicas = 1 + Math.floor(rnd() * 6);
      const sa = `${app}-sa`;
      add({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: sa, namespace: ns, labels: { app } } });
      add({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: app, namespace: ns, labels: { app, service: app } },
        spec: {
          type: 'ClusterIP',
          clusterIP: clusterIp(),
          selector: { app },
          ports: [
            { name: 'http', port: 80, targetPort: port, protocol: 'TCP' },
            { name: 'grpc-api', port: 9090, targetPort: 9090, protocol: 'TCP' },
          ],
        },
      });
      const endpoints: unknown[] = [];
      for (const version of ['v1', 'v2']) {
        const count = version === 'v1' ? Math.ceil(replicas * 0.7) : replicas - Math.ceil(replicas * 0.7);
        const hash = hex(10);
        const labels = { app, version, ...(frontend ? { tier: 'frontend' } : {}) };
        add({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: `${app}-${version}`, namespace: ns, labels },
          spec: {
            replicas: count,
            selector: { matchLabels: { app, version } },
            template: { metadata: { labels }, spec: podSpec(app, sa, port, undefined) },
          },
          status: { observedGeneration: 1, replicas: count, updatedReplicas: count, readyReplicas: count, availableReplicas: count },
        });
        for (let r = 0; r < count; r++) {
          const name = `${app}-${version}-${hash}-${hex(5)}`;
          const node = pick(nodes);
          const ip = podIp();
          add(
            pod(
              ns,
              name,
              {
                ...labels,
                'pod-template-hash': hash,
                'security.istio.io/tlsMode': 'istio',
                'service.istio.io/canonical-name': app,
                'service.istio.io/canonical-revision': version,
              },
              podSpec(app, sa, port, node.name),
              node.ip,
              ip,
              `${app}-${version}-${hash}`,
            ),
          );
          endpoints.push({
            addresses: [ip],
            conditions: { ready: true, serving: true, terminating: false },
            nodeName: node.name,
            targetRef: { kind: 'Pod', name, namespace: ns },
            zone: node.zone,
          });
        }
      }
      add({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: {
          name: `${app}-${hex(5)}`,
          namespace: ns,
          labels: { app, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io', 'kubernetes.io/service-name': app },
        },
        addressType: 'IPv4',
        endpoints,
        ports: [
          { name: 'http', port, protocol: 'TCP' },
          { name: 'grpc-api', port: 9090, protocol: 'TCP' },
        ],
      });
      add({
        apiVersion: 'networking.istio.io/v1',
        kind: 'DestinationRule',
        metadata: { name: app, namespace: ns },
        spec: {
          host: app,
          trafficPolicy: { connectionPool: { http: { http1MaxPendingRequests: 100 } } },
          subsets: [
            { name: 'v1', labels: { version: 'v1' } },
            { name: 'v2', labels: { version: 'v2' } },
          ],
        },
      });
      // A few routes leave the port out on a two-port Service (IST0112), as real meshes do.
      const dport = rnd() < 0.03 ? {} : { port: { number: 80 } };
      add({
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: { name: app, namespace: ns },
        spec: frontend
          ? {
              hosts: [host, app],
              gateways: [`${ns}-gateway`, 'mesh'],
              http: [
                {
                  route: [
                    { destination: { host: app, subset: 'v1', port: { number: 80 } }, weight: 90 },
                    { destination: { host: app, subset: 'v2', port: { number: 80 } }, weight: 10 },
                  ],
                },
              ],
            }
          : {
              hosts: [app],
              http: [
                {
                  timeout: '5s',
                  route: [
                    { destination: { host: app, subset: 'v1', ...dport }, weight: 80 },
                    { destination: { host: app, subset: 'v2', ...dport }, weight: 20 },
                  ],
                },
              ],
            },
      });
    }
  }
  const counts = new Map<string, number>();
  for (const o of objects) counts.set(o.kind, (counts.get(o.kind) ?? 0) + 1);
  return { objects, byNamespace, counts };
}

const BOOKINFO = [
  { app: 'productpage', versions: ['v1'] },
  { app: 'details', versions: ['v1'] },
  { app: 'ratings', versions: ['v1'] },
  { app: 'reviews', versions: ['v1', 'v2'] },
] as const;

/** The control plane and the cluster-scoped objects both shapes start from. */
async function controlPlane(add: (o: KubeObject) => void): Promise<{ name: string; ip: string; zone: string }[]> {
  const nodes = Array.from({ length: NODES }, (_, i) => ({
    name: `node-${String(i).padStart(2, '0')}`,
    ip: `172.18.0.${10 + i}`,
    zone: `zone-${'abc'[i % 3]}`,
  }));
  for (const n of nodes) {
    add({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: n.name,
        labels: { 'kubernetes.io/hostname': n.name, 'kubernetes.io/os': 'linux', 'topology.kubernetes.io/zone': n.zone },
      },
      spec: { podCIDR: `10.244.${nodes.indexOf(n)}.0/24` },
      status: {
        addresses: [
          { type: 'InternalIP', address: n.ip },
          { type: 'Hostname', address: n.name },
        ],
        conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: CREATED, lastTransitionTime: CREATED }],
      },
    });
  }
  add({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'istio-system', labels: { 'kubernetes.io/metadata.name': 'istio-system' } },
  });
  for (const doc of yaml.loadAll(await readFile(ISTIO_SYSTEM, 'utf8')) as (KubeObject | null)[]) if (doc !== null) add(fresh(doc));
  return nodes;
}

/**
 * The many-namespaces shape: `namespaces` bookinfo-like namespaces of 24 objects each (5
 * Deployments with one pod each, 4 Services with EndpointSlices, 2 VirtualServices, a Gateway, a
 * DestinationRule, one NetworkPolicy), each admitting only itself, istio-system and the frontend
 * namespace (the first one): every other cross-namespace pair is blocked.
 */
export async function generateNamespaces(namespaces: number, seed = 1): Promise<GeneratedMesh> {
  if (!Number.isInteger(namespaces) || namespaces < 1)
    throw new Error(`namespaces must be an integer ≥ 1, received ${JSON.stringify(namespaces)}`);
  const rnd = mulberry32(seed);
  const hex = (n: number): string => Array.from({ length: n }, () => '0123456789bcdfghjklmnpqrstvwxz'[Math.floor(rnd() * 30)]).join('');
  const byNamespace = new Map<string, KubeObject[]>();
  const objects: KubeObject[] = [];
  const add = (o: KubeObject): void => {
    const ns = o.metadata.namespace ?? '';
    let list = byNamespace.get(ns);
    if (list === undefined) byNamespace.set(ns, (list = []));
    list.push(o);
    objects.push(o);
  };
  const nodes = await controlPlane(add);
  const frontendNs = 'bookinfo-0000';
  let podSeq = 0;
  for (let n = 0; n < namespaces; n++) {
    const ns = `bookinfo-${String(n).padStart(4, '0')}`;
    add({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: ns, labels: { 'kubernetes.io/metadata.name': ns, 'istio-injection': 'enabled' } },
    });
    add(
      netpol(ns, 'namespace-isolation', {
        podSelector: {},
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [
              { podSelector: {} },
              {
                namespaceSelector: {
                  matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['istio-system', frontendNs] }],
                },
              },
            ],
          },
        ],
      }),
    );
    const host = `${ns}.example.com`;
    add({
      apiVersion: 'networking.istio.io/v1',
      kind: 'Gateway',
      metadata: { name: 'bookinfo-gateway', namespace: ns },
      spec: { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: [host] }] },
    });
    for (const { app, versions } of BOOKINFO) {
      add({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: app, namespace: ns, labels: { app, service: app } },
        spec: {
          type: 'ClusterIP',
          clusterIP: `10.${96 + (n >> 8)}.${n & 255}.${10 + BOOKINFO.findIndex((b) => b.app === app)}`,
          selector: { app },
          ports: [{ name: 'http', port: 9080, targetPort: 9080, protocol: 'TCP' }],
        },
      });
      const endpoints: unknown[] = [];
      for (const version of versions) {
        const hash = hex(10);
        const labels = { app, version };
        add({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: `${app}-${version}`, namespace: ns, labels },
          spec: {
            replicas: 1,
            selector: { matchLabels: labels },
            template: { metadata: { labels }, spec: podSpec(app, 'default', 9080, undefined) },
          },
          status: { observedGeneration: 1, replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1 },
        });
        const name = `${app}-${version}-${hash}-${hex(5)}`;
        const node = nodes[podSeq % nodes.length]!;
        const k = podSeq++;
        const ip = `10.${244 + Math.floor(k / 254 / 256)}.${Math.floor(k / 254) % 256}.${(k % 254) + 1}`;
        add(
          pod(
            ns,
            name,
            {
              ...labels,
              'pod-template-hash': hash,
              'security.istio.io/tlsMode': 'istio',
              'service.istio.io/canonical-name': app,
              'service.istio.io/canonical-revision': version,
            },
            podSpec(app, 'default', 9080, node.name),
            node.ip,
            ip,
            `${app}-${version}-${hash}`,
          ),
        );
        endpoints.push({
          addresses: [ip],
          conditions: { ready: true, serving: true, terminating: false },
          nodeName: node.name,
          targetRef: { kind: 'Pod', name, namespace: ns },
          zone: node.zone,
        });
      }
      add({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: {
          name: `${app}-${hex(5)}`,
          namespace: ns,
          labels: { app, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io', 'kubernetes.io/service-name': app },
        },
        addressType: 'IPv4',
        endpoints,
        ports: [{ name: 'http', port: 9080, protocol: 'TCP' }],
      });
    }
    add({
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'bookinfo', namespace: ns },
      spec: {
        hosts: [host],
        gateways: ['bookinfo-gateway'],
        http: [{ match: [{ uri: { prefix: '/productpage' } }], route: [{ destination: { host: 'productpage', port: { number: 9080 } } }] }],
      },
    });
    add({
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'reviews', namespace: ns },
      spec: {
        hosts: ['reviews'],
        http: [
          {
            route: [
              { destination: { host: 'reviews', subset: 'v1' }, weight: 50 },
              { destination: { host: 'reviews', subset: 'v2' }, weight: 50 },
            ],
          },
        ],
      },
    });
    add({
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'reviews', namespace: ns },
      spec: {
        host: 'reviews',
        subsets: [
          { name: 'v1', labels: { version: 'v1' } },
          { name: 'v2', labels: { version: 'v2' } },
        ],
      },
    });
  }
  const counts = new Map<string, number>();
  for (const o of objects) counts.set(o.kind, (counts.get(o.kind) ?? 0) + 1);
  return { objects, byNamespace, counts };
}

function netpol(namespace: string, name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec };
}

function podSpec(app: string, sa: string, port: number, nodeName: string | undefined): Record<string, unknown> {
  return {
    serviceAccountName: sa,
    ...(nodeName === undefined ? {} : { nodeName }),
    containers: [
      {
        name: app,
        image: `registry.example.com/${app}:1.4.2`,
        ports: [
          { name: 'http', containerPort: port, protocol: 'TCP' },
          { name: 'grpc-api', containerPort: 9090, protocol: 'TCP' },
        ],
        resources: { requests: { cpu: '100m', memory: '128Mi' } },
      },
      {
        name: 'istio-proxy',
        image: PROXY_IMAGE,
        args: ['proxy', 'sidecar', '--domain', '$(POD_NAMESPACE).svc.cluster.local', '--proxyLogLevel=warning'],
        env: [
          { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
          { name: 'CA_ADDR', value: 'istiod.istio-system.svc:15012' },
        ],
        ports: [{ name: 'http-envoy-prom', containerPort: 15090, protocol: 'TCP' }],
        readinessProbe: { httpGet: { path: '/healthz/ready', port: 15021 }, periodSeconds: 15, failureThreshold: 4 },
        resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '2', memory: '1Gi' } },
      },
    ],
    initContainers: [
      {
        name: 'istio-init',
        image: PROXY_IMAGE,
        args: [
          'istio-iptables',
          '-p',
          '15001',
          '-z',
          '15006',
          '-u',
          '1337',
          '-m',
          'REDIRECT',
          '-i',
          '*',
          '-x',
          '',
          '-b',
          '*',
          '-d',
          '15090,15021,15020',
        ],
      },
    ],
  };
}

function pod(
  namespace: string,
  name: string,
  labels: Record<string, string>,
  spec: Record<string, unknown>,
  hostIP: string,
  podIP: string,
  replicaSet: string,
): KubeObject {
  const containers = (spec.containers as { name: string; image: string }[]).map((c) => ({
    name: c.name,
    image: c.image,
    imageID: `${c.image}@sha256:${'0'.repeat(64)}`,
    ready: true,
    restartCount: 0,
    started: true,
    state: { running: { startedAt: CREATED } },
  }));
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace,
      labels,
      annotations: {
        'istio.io/rev': 'default',
        'prometheus.io/path': '/stats/prometheus',
        'prometheus.io/port': '15020',
        'prometheus.io/scrape': 'true',
        'sidecar.istio.io/status':
          '{"initContainers":["istio-init"],"containers":["istio-proxy"],"volumes":["workload-socket","credential-socket","workload-certs","istio-envoy","istio-data","istio-podinfo","istio-token","istiod-ca-cert"],"imagePullSecrets":null,"revision":"default"}',
      },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: replicaSet, uid: '00000000-0000-4000-8000-000000000000', controller: true },
      ],
    },
    spec,
    status: {
      phase: 'Running',
      conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({
        type,
        status: 'True',
        lastTransitionTime: CREATED,
      })),
      hostIP,
      hostIPs: [{ ip: hostIP }],
      podIP,
      podIPs: [{ ip: podIP }],
      startTime: CREATED,
      qosClass: 'Burstable',
      containerStatuses: containers,
    },
  };
}

/** Writes the mesh as one multi-document YAML file per namespace (cluster-scoped objects in 000-cluster.yaml). */
export async function writeMesh(mesh: GeneratedMesh, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const existing = await readdir(dir);
  if (existing.length > 0) throw new Error(`output directory ${JSON.stringify(dir)} is not empty`);
  for (const [ns, objects] of mesh.byNamespace) {
    const file = ns === '' ? '000-cluster.yaml' : `${ns}.yaml`;
    await writeFile(join(dir, file), objects.map((o) => yaml.dump(o, { noRefs: true, lineWidth: -1 })).join('---\n'));
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: {
      objects: { type: 'string' },
      namespaces: { type: 'string' },
      seed: { type: 'string', default: '1' },
      out: { type: 'string' },
    },
  });
  const seed = Number(values.seed);
  const size = Number(values.namespaces ?? values.objects);
  if (
    values.out === undefined ||
    (values.objects === undefined) === (values.namespaces === undefined) ||
    !Number.isInteger(size) ||
    !Number.isInteger(seed)
  ) {
    console.error(
      'usage: node --import tsx scripts/gen-mesh.ts (--objects N | --namespaces N) [--seed 1] --out DIR\n  --objects: namespaces of 6–10 apps each; --namespaces: N bookinfo namespaces of 24 objects, isolated from each other',
    );
    process.exit(2);
  }
  const mesh = values.namespaces === undefined ? await generateMesh(size, seed) : await generateNamespaces(size, seed);
  await writeMesh(mesh, values.out);
  console.log(`${mesh.objects.length} objects in ${mesh.byNamespace.size} files → ${values.out}`);
  process.stdout.write(
    [...mesh.counts]
      .sort((a, b) => b[1] - a[1])
      .map(([kind, n]) => `  ${String(n).padStart(6)} ${kind}\n`)
      .join(''),
  );
}
