import { defineCheck } from '../../src/engine/check.ts';
import type { Service, ServicePort } from '../../src/engine/k8s-types.ts';
import { selectorString } from '../../src/engine/selectors.ts';
import { BlockedCollector, fixSentence, ruleText } from '../../src/mesh/blocked-groups.ts';
import { MatrixBuilder } from '../../src/mesh/matrix.ts';
import { buildMeshNetwork } from '../../src/mesh/mesh-network.ts';
import { serviceTargets, type ServiceTarget } from '../../src/netpol/index.ts';
import type { Direction, PodClass, PolicyRef } from '../../src/netpol/types.ts';
import { listForEvidence, namespaceOf } from '../lib/mesh.ts';

// R3: every mesh endpoint must be able to open a connection to every endpoint of the services
// in the mesh. The sweep runs over the evaluator's pod classes (replicas are one class), not
// pods: classes × Service targets evaluations, each O(rules of the policies on both ends).
// Gateways are left out as sources: they only send what their routes say (route-reachability).
// Findings are grouped so a large cluster stays readable: connections dropped on the way in,
// one per (destination Service port, policy to change); dropped on the way out, one per
// egress policy, since one rule list on the sources' side decides all their destinations.

// Above these sizes the matrix groups rows (and columns) by namespace, so it stays drawable.
const MAX_WORKLOAD_ROWS = 40;
const MAX_PORT_COLUMNS = 60;

interface Column {
  key: string;
  label: string;
  service: Service;
  servicePort: ServicePort;
  targets: ServiceTarget[];
  /** Source workloads that got through to at least one target. */
  reachedBy: Set<string>;
}

type Meta = { kind: 'port'; column: Column } | { kind: 'egress' };

const refText = (p: PolicyRef): string => `${p.namespace}/${p.name}`;

export default defineCheck({
  id: 'mesh-reachability',
  title: 'Meshed workloads can reach the Services of the mesh',
  description:
    'Evaluates the NetworkPolicies for every meshed workload calling every Service port backed by meshed pods (at the pods and targetPort, where policies apply), and reports each Service port some workloads cannot reach, grouped by the policy to change. Attaches the result as a reachability matrix.',
  why: 'Istio assumes every sidecar can open a connection to every endpoint it routes to (R3). Where a NetworkPolicy drops the connection, requests time out and fail with 503 UF, which looks like a fault of the application rather than of the network.',
  inputs: ['v1/Pod', 'v1/Namespace', 'v1/Service', 'networking.k8s.io/v1/NetworkPolicy', 'networking.istio.io/v1/Gateway'],
  docs: '/network-layers/r3-l3-reachability/#mesh-reachability',
  analyze(ctx) {
    const net = buildMeshNetwork({
      pods: ctx.list('v1/Pod'),
      namespaces: ctx.list('v1/Namespace'),
      policies: ctx.list('networking.k8s.io/v1/NetworkPolicy'),
      gateways: ctx.list('networking.istio.io/v1/Gateway'),
    });
    const { index } = net;
    const sources = index.classes.filter((c) => net.isMeshed(c) && !net.isGateway(c) && !c.hostNetwork);

    const columns: Column[] = [];
    const services = [...ctx.list('v1/Service')].sort((a, b) => (`${namespaceOf(a)}/${a.metadata.name}` < `${namespaceOf(b)}/${b.metadata.name}` ? -1 : 1));
    for (const service of services) {
      const byPort = new Map<ServicePort, ServiceTarget[]>();
      for (const t of serviceTargets(index, service).targets) {
        if (!net.isMeshed(t.podClass)) continue;
        const list = byPort.get(t.servicePort) ?? [];
        list.push(t);
        byPort.set(t.servicePort, list);
      }
      for (const [servicePort, targets] of byPort) {
        const label = `${namespaceOf(service)}/${service.metadata.name}:${servicePort.port}`;
        columns.push({ key: `${label}/${servicePort.protocol ?? 'TCP'}`, label, service, servicePort, targets, reachedBy: new Set() });
      }
    }
    if (sources.length === 0 || columns.length === 0) return;

    const workloadRows = new Set(sources.map((c) => net.workloadOf(c))).size <= MAX_WORKLOAD_ROWS;
    const portColumns = columns.length <= MAX_PORT_COLUMNS;
    const rowOf = (c: PodClass): string => (workloadRows ? net.workloadOf(c) : c.namespace);
    const columnOf = (col: Column): string => (portColumns ? col.label : namespaceOf(col.service));
    const matrix = new MatrixBuilder();
    for (const s of sources) matrix.row(rowOf(s), rowOf(s));
    for (const col of columns) matrix.column(columnOf(col), columnOf(col));

    const collector = new BlockedCollector<Meta>(index);
    const egressGroup = { key: 'egress', meta: { kind: 'egress' } as const };
    for (const col of columns) {
      if (ctx.signal.aborted) return;
      const portGroup = { key: col.key, meta: { kind: 'port', column: col } as const };
      const groupFor = (direction: Direction) => (direction === 'ingress' ? portGroup : egressGroup);
      for (const src of sources) {
        const srcWorkload = net.workloadOf(src);
        const srcEndpoint = { kind: 'class', podClass: src } as const;
        let allowed = 0;
        let blocked = 0;
        // Policy refs are the evaluator's own objects, stable per policy: a Set dedupes them by identity.
        const blockedBy = new Set<PolicyRef>();
        const ports = new Set<number>();
        for (const t of col.targets) {
          // A single pod calling its own Service reaches itself: a pod cannot block access to itself.
          if (t.podClass === src && src.pods.length === 1) continue;
          const dstEndpoint = { kind: 'class', podClass: t.podClass } as const;
          const ev = index.evaluate(srcEndpoint, dstEndpoint, t.port);
          if (ev.allowed) {
            allowed++;
            continue;
          }
          blocked++;
          ports.add(t.port.port);
          if (!ev.egress.allowed) for (const p of ev.egress.isolatedBy) blockedBy.add(p);
          if (!ev.ingress.allowed) for (const p of ev.ingress.isolatedBy) blockedBy.add(p);
          const dstWorkload = net.workloadOf(t.podClass);
          collector.add(groupFor, { src: srcEndpoint, srcLabel: srcWorkload, srcKey: srcWorkload, dst: dstEndpoint, dstLabel: col.label, dstKey: dstWorkload, port: t.port }, ev);
        }
        if (allowed > 0) col.reachedBy.add(srcWorkload);
        if (allowed + blocked === 0) matrix.note(rowOf(src), columnOf(col), 'a single pod calling its own Service: a pod cannot block access to itself');
        else matrix.record(rowOf(src), columnOf(col), { allowed, blocked, blockedBy, ports });
      }
    }

    for (const g of collector.groups()) {
      const policy = refText(g.policy);
      const resource = { kind: 'NetworkPolicy', namespace: g.policy.namespace, name: g.policy.name };
      const rule: Record<string, string> = g.fix === undefined ? {} : { 'rule that would allow it': ruleText(g.fix) };
      const segmentation =
        ' If the segmentation is intended, make the mesh agree with it: limit what those proxies route to (a Sidecar resource\'s egress hosts, or the Service\'s networking.istio.io/exportTo annotation), so a blocked call fails fast instead of timing out.';
      if (g.meta.kind === 'egress') {
        const namespaces = [...new Set(g.destinations.map((d) => d.slice(0, d.indexOf('/'))))].sort();
        ctx.report('MB0402', resource, { policy, sources: g.sources.length, services: g.destinations.length, namespaces: namespaces.length }, {
          evidence: {
            [`blocked source workloads (${g.sources.length})`]: listForEvidence(g.sources, 12),
            [`Service ports they cannot reach (${g.destinations.length})`]: listForEvidence(g.destinations, 12),
            [`in namespaces (${namespaces.length})`]: listForEvidence(namespaces, 12),
            'egress policies on the source pods': listForEvidence(g.isolatedBy.map(refText)),
            ...rule,
          },
          remediation:
            (g.fix === undefined ? 'No single rule names these destinations; allow them in one of the egress policies listed.' : `If these workloads should call those Services, ${fixSentence(g.fix)}.`) + segmentation,
        });
        continue;
      }
      const col = g.meta.column;
      const service = `${namespaceOf(col.service)}/${col.service.metadata.name}`;
      const targetPorts = g.ports.map((p) => (p.name === undefined ? `${p.port}` : `${p.port} (${p.name})`)).join(', ');
      const reached = [...col.reachedBy].sort();
      ctx.report('MB0401', resource, { policy, service, port: col.servicePort.port, sources: g.sources.length }, {
        evidence: {
          destination: `Service ${service} port ${col.servicePort.port}/${col.servicePort.protocol ?? 'TCP'} → targetPort ${targetPorts} on pods ${selectorString(col.service.spec?.selector) || '(no selector)'}`,
          [`blocked source workloads (${g.sources.length})`]: listForEvidence(g.sources, 12),
          'ingress policies on the destination pods': listForEvidence(g.isolatedBy.map(refText)),
          [`meshed workloads that do reach it (${reached.length})`]: listForEvidence(reached, 12),
          ...rule,
        },
        remediation:
          (g.fix === undefined ? 'No single rule names these peers; allow them in one of the ingress policies listed.' : `If these workloads should call ${service}, ${fixSentence(g.fix)}.`) + segmentation,
      });
    }

    const size = matrix.size;
    ctx.attach(
      matrix.build(
        `Meshed ${workloadRows ? 'workloads' : 'namespaces'} (${size.rows}) → ${portColumns ? 'Service ports' : 'Service namespaces'} (${size.columns}), as NetworkPolicies allow`,
      ),
    );
  },
});
