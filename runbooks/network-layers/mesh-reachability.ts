import { defineCheck } from '../../src/engine/check.ts';
import type { Service, ServicePort } from '../../src/engine/k8s-types.ts';
import { selectorString } from '../../src/engine/selectors.ts';
import { BlockedCollector, fixSentence, ruleText } from '../../src/mesh/blocked-groups.ts';
import { ColumnSweep, type StepTarget } from '../../src/mesh/column-sweep.ts';
import { MatrixBuilder } from '../../src/mesh/matrix.ts';
import { buildMeshNetwork } from '../../src/mesh/mesh-network.ts';
import { SweepEvaluator } from '../../src/mesh/sweep.ts';
import { serviceTargets, type ServiceTarget } from '../../src/netpol/index.ts';
import type { Direction, PodClass, PolicyRef } from '../../src/netpol/types.ts';
import { countedList, listForEvidence, namespaceOf } from '../lib/mesh.ts';

// R3: every mesh endpoint must be able to open a connection to every endpoint of the services
// in the mesh. The sweep runs over the evaluator's pod classes (replicas are one class), not
// pods, and classes that no policy tells apart as a source (NetpolIndex.sourceKey, about one per
// namespace) share each evaluation: source groups × Service targets evaluations, each O(rules of
// the policies on both ends). Grouping the denied connections is still per (class, target).
// Gateways are left out as sources: they only send what their routes say (route-reachability).
// Findings are grouped so a large cluster stays readable: connections dropped on the way in,
// one per (destination Service port, policy to change); dropped on the way out, one per
// egress policy, since one rule list on the sources' side decides all their destinations.

// Above these sizes the matrix groups rows (and columns) by namespace, so it stays drawable.
const MAX_WORKLOAD_ROWS = 40;
const MAX_PORT_COLUMNS = 60;
// Above these even by namespace, the matrix keeps the namespaces with the most blocked connections
// (a 50k-object cluster has ~570 namespaces: 325,000 cells the page would receive and not draw).
const MATRIX_LIMITS = { maxRows: 100, maxColumns: 100 };

interface Column {
  key: string;
  label: string;
  service: Service;
  servicePort: ServicePort;
  targets: ServiceTarget[];
  /** Source workloads that got through to at least one target (set once the column is swept). */
  reachedBy: () => ReadonlySet<string>;
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
        columns.push({ key: `${label}/${servicePort.protocol ?? 'TCP'}`, label, service, servicePort, targets, reachedBy: () => new Set() });
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

    const egressGroup = { key: 'egress', meta: { kind: 'egress' } as const };
    const endpointOf = index.classes.map((podClass) => ({ kind: 'class', podClass }) as const);
    // Sources no policy tells apart share one evaluation per target and one summary per column
    // (ColumnSweep); the matrix gets one record per (row, source group) and column.
    const sweep = SweepEvaluator.of(index);
    const columnSweep = new ColumnSweep(sweep, sources, sources.map((s) => net.workloadOf(s)));
    const collector = new BlockedCollector<Meta>(index, columnSweep.unions);
    const rowGroupIds = new Map<string, number>();
    const rowGroupOf = sources.map((s) => {
      const key = `${sweep.groupOf(s)}\u0000${rowOf(s)}`;
      let id = rowGroupIds.get(key);
      if (id === undefined) {
        id = rowGroupIds.size;
        rowGroupIds.set(key, id);
      }
      return id;
    });
    const rowGroupRow: string[] = [];
    const rowGroupSweep: number[] = [];
    const rowGroupSize = new Int32Array(rowGroupIds.size);
    sources.forEach((s, i) => {
      rowGroupRow[rowGroupOf[i]!] = rowOf(s);
      rowGroupSweep[rowGroupOf[i]!] = sweep.groupOf(s);
      rowGroupSize[rowGroupOf[i]!]!++;
    });
    const members = new Int32Array(rowGroupIds.size);
    for (const col of columns) {
      if (ctx.signal.aborted) return;
      const portGroup = { key: col.key, meta: { kind: 'port', column: col } as const };
      const groupFor = (direction: Direction) => (direction === 'ingress' ? portGroup : egressGroup);
      const targets: StepTarget[] = col.targets.map((t) => {
        const dstKey = net.workloadOf(t.podClass);
        return { podClass: t.podClass, port: t.port, dst: endpointOf[t.podClass.id]!, dstLabel: col.label, dstKey };
      });
      sweep.clear(); // the per-target evaluations (hostNetwork sources) of the last column are not asked again
      const { summaries, self } = columnSweep.run(targets, collector, groupFor);
      members.set(rowGroupSize);
      const selfReached: string[] = [];
      for (const [i, r] of self) {
        const src = sources[i]!;
        members[rowGroupOf[i]!]!--;
        if (r.allowed > 0) selfReached.push(columnSweep.labelOf(i));
        if (r.allowed + r.blocked === 0) matrix.note(rowOf(src), columnOf(col), 'a single pod calling its own Service: a pod cannot block access to itself');
        else matrix.record(rowOf(src), columnOf(col), r);
      }
      const column = columnOf(col);
      for (let rg = 0; rg < members.length; rg++) {
        const n = members[rg]!;
        if (n === 0) continue;
        const s = summaries[rowGroupSweep[rg]!]!;
        matrix.add(rowGroupRow[rg]!, column, s.allowed * n, s.blocked * n, s.blockedBy, s.ports);
      }
      // Who reaches the column, kept as source groups (a few) and built only for a finding.
      const reachedGroups: number[] = [];
      summaries.forEach((s, g) => {
        if (s !== undefined && s.allowed > 0) reachedGroups.push(g);
      });
      const selfSources = new Set(self.keys());
      col.reachedBy = () => {
        const reached = new Set(selfReached);
        for (const g of reachedGroups) for (const i of columnSweep.sourcesOf(g)) if (!selfSources.has(i)) reached.add(columnSweep.labelOf(i));
        return reached;
      };
    }

    for (const g of collector.groups()) {
      const policy = refText(g.policy);
      const resource = { kind: 'NetworkPolicy', namespace: g.policy.namespace, name: g.policy.name };
      const rule: Record<string, string> = g.fix === undefined ? {} : { 'rule that would allow it': ruleText(g.fix) };
      if (g.meta.kind === 'egress') {
        const namespaces = [...new Set(g.destinations.map((d) => d.slice(0, d.indexOf('/'))))].sort();
        ctx.report('MB0402', resource, { policy, sources: g.sources.length, services: g.destinations.length, namespaces: namespaces.length }, {
          evidence: {
            blockedSources: countedList(g.sources, 12),
            unreachableServicePorts: countedList(g.destinations, 12),
            namespaces: countedList(namespaces, 12),
            'egress policies on the source pods': listForEvidence(g.isolatedBy.map(refText)),
            ...rule,
          },
          ...(g.fix === undefined ? { fix: 'allow-in-egress-policies' } : { fix: 'allow-egress-rule', fixParams: { rule: fixSentence(g.fix) } }),
        });
        continue;
      }
      const col = g.meta.column;
      const service = `${namespaceOf(col.service)}/${col.service.metadata.name}`;
      const targetPorts = g.ports.map((p) => (p.name === undefined ? `${p.port}` : `${p.port} (${p.name})`)).join(', ');
      const reached = [...col.reachedBy()].sort();
      ctx.report('MB0401', resource, { policy, service, port: col.servicePort.port, sources: g.sources.length }, {
        evidence: {
          destination: `Service ${service} port ${col.servicePort.port}/${col.servicePort.protocol ?? 'TCP'} → targetPort ${targetPorts} on pods ${selectorString(col.service.spec?.selector) || '(no selector)'}`,
          blockedSources: countedList(g.sources, 12),
          'ingress policies on the destination pods': listForEvidence(g.isolatedBy.map(refText)),
          reachingSources: countedList(reached, 12),
          ...rule,
        },
        ...(g.fix === undefined ? { fix: 'allow-in-ingress-policies' } : { fix: 'allow-ingress-rule', fixParams: { service, rule: fixSentence(g.fix) } }),
      });
    }

    const size = matrix.size;
    ctx.attach(
      matrix.build(
        `Meshed ${workloadRows ? 'workloads' : 'namespaces'} (${size.rows}) → ${portColumns ? 'Service ports' : 'Service namespaces'} (${size.columns}), as NetworkPolicies allow`,
        MATRIX_LIMITS,
      ),
    );
  },
});
