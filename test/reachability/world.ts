// A small cluster shared by the evaluator's tables: namespaces with the labels the Kubernetes
// documentation's examples use, pods with IPs and named ports, and helpers that turn the
// tables' short strings ("default/db", "ip:172.17.0.5", "UDP/53") into evaluator inputs.

import yaml from 'js-yaml';
import type { Namespace, NetworkPolicy, Pod } from '../../src/k8s/objects.ts';
import type { Endpoint, PortQuery, Protocol, Verdict } from '../../src/reachability/netpol/index.ts';

export function namespace(name: string, labels?: Record<string, string>): Namespace {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, ...(labels ? { labels } : {}) } };
}

interface PodSpec {
  labels?: Record<string, string>;
  ip?: string | string[];
  node?: string;
  hostNetwork?: boolean;
  ports?: [name: string, port: number, protocol?: Protocol][];
}

export function pod(ref: string, spec: PodSpec = {}): Pod {
  const [ns, name] = ref.split('/') as [string, string];
  const ips = spec.ip === undefined ? [] : Array.isArray(spec.ip) ? spec.ip : [spec.ip];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels: spec.labels ?? {} },
    spec: {
      nodeName: spec.node ?? 'node-1',
      ...(spec.hostNetwork ? { hostNetwork: true } : {}),
      containers: [
        {
          name: 'main',
          ports: (spec.ports ?? []).map(([pname, containerPort, protocol]) => ({
            name: pname,
            containerPort,
            ...(protocol ? { protocol } : {}),
          })),
        },
      ],
    },
    status: {
      phase: 'Running',
      ...(ips[0] !== undefined ? { podIP: ips[0], podIPs: ips.map((ip) => ({ ip })) } : {}),
      ...(spec.hostNetwork && ips[0] !== undefined ? { hostIP: ips[0] } : {}),
    },
  };
}

// Namespaces: "default" and "ghost" have no Namespace labels (ghost has no Namespace object at
// all); prod carries labels but not kubernetes.io/metadata.name, as a hand-written snapshot might.
export const namespaces: Namespace[] = [
  namespace('default'),
  namespace('prod', { env: 'prod', team: 'payments' }),
  namespace('staging', { env: 'staging', team: 'payments', 'kubernetes.io/metadata.name': 'staging' }),
  namespace('alice', { user: 'alice', 'kubernetes.io/metadata.name': 'alice' }),
];

const dbPorts: PodSpec['ports'] = [
  ['redis', 6379],
  ['metrics', 9121],
  ['syslog', 514, 'UDP'],
];

export const pods: Pod[] = [
  pod('default/frontend', { labels: { role: 'frontend' }, ip: '10.0.0.10', node: 'node-2' }),
  pod('default/db', { labels: { role: 'db' }, ip: '10.0.0.20', ports: dbPorts }),
  pod('default/db-2', { labels: { role: 'db' }, ip: '10.0.0.21', ports: dbPorts }),
  pod('default/db-alt', { labels: { role: 'db', tier: 'alt' }, ip: '10.0.0.22', ports: [['redis', 7000]] }),
  pod('default/backend', { labels: { role: 'backend' }, ip: '10.0.0.30', ports: [['http', 8080]] }),
  pod('default/client', { labels: { role: 'client' }, ip: '10.0.0.40' }),
  pod('default/v6', { labels: { role: 'v6' }, ip: ['10.0.0.60', 'fd00::60'] }),
  pod('default/pending', { labels: { role: 'pending' } }),
  pod('default/node-agent', { labels: { role: 'frontend' }, ip: '192.168.0.3', node: 'node-3', hostNetwork: true }),
  pod('default/node-agent-1', { labels: { role: 'frontend' }, ip: '192.168.0.1', node: 'node-1', hostNetwork: true }),
  pod('alice/client', { labels: { role: 'client' }, ip: '10.0.1.10' }),
  pod('alice/worker', { labels: { role: 'worker' }, ip: '10.0.1.20' }),
  pod('prod/client', { labels: { role: 'client' }, ip: '10.0.2.10' }),
  pod('prod/api', { labels: { app: 'api' }, ip: '10.0.2.20', ports: [['http', 8080]] }),
  pod('prod/frontend', { labels: { role: 'frontend' }, ip: '10.0.2.30' }),
  pod('staging/client', { labels: { role: 'client' }, ip: '10.0.3.10' }),
  pod('ghost/client', { labels: { role: 'client' }, ip: '10.0.4.10' }),
];

export function findPod(ref: string): Pod {
  const [ns, name] = ref.split('/');
  const found = pods.find((p) => p.metadata.namespace === ns && p.metadata.name === name);
  if (found === undefined) throw new Error(`no pod ${JSON.stringify(ref)} in the test world`);
  return found;
}

/** "default/db" → pod, "ip:1.2.3.4" → external IP, "node" / "node:1.2.3.4" → the other end's node. */
export function endpoint(text: string): Endpoint {
  if (text.startsWith('ip:')) return { kind: 'ip', ip: text.slice(3) };
  if (text === 'node') return { kind: 'node' };
  if (text.startsWith('node:')) return { kind: 'node', ip: text.slice(5) };
  return { kind: 'pod', pod: findPod(text) };
}

/** "6379" → TCP 6379, "UDP/53" → UDP 53. */
export function port(text: string): PortQuery {
  const [a, b] = text.split('/');
  return b === undefined ? { port: Number(a) } : { protocol: a as Protocol, port: Number(b) };
}

/** YAML documents → NetworkPolicies; `metadata.namespace` defaults to "default". */
export function policies(text: string): NetworkPolicy[] {
  return yaml
    .loadAll(text)
    .filter((d) => d !== null && d !== undefined)
    .map((doc) => {
      const p = doc as Partial<NetworkPolicy> & Pick<NetworkPolicy, 'metadata'>;
      return { ...p, apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { namespace: 'default', ...p.metadata } };
    });
}

/** A verdict as the tables write it: "open", "allow ns/name#rule,…", "deny ns/name,…", or the exemption's reason. */
export function summary(verdict: Verdict): string {
  switch (verdict.reason) {
    case 'not-isolated':
      return 'open';
    case 'allowed-by-rule':
      return `allow ${verdict.allowedBy.map((r) => `${r.namespace}/${r.name}#${r.rule}`).join(',')}`;
    case 'no-rule-matches':
      return `deny ${verdict.isolatedBy.map((r) => `${r.namespace}/${r.name}`).join(',')}`;
    default:
      return verdict.reason;
  }
}
