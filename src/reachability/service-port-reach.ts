// R3's question: which meshed sources cannot reach each Service port of the mesh, grouped by the
// policy to change, and the matrix of it. Sources no policy tells apart as a source (about one
// group per namespace) share each evaluation (ColumnSweep): source groups × Service targets
// evaluations; the matrix gets one record per (row, source group) and column. Connections
// dropped on the way in are grouped per (Service port, policy); dropped on the way out, per egress
// policy, since one rule list on the sources' side decides all their destinations.

import type { Service, ServicePort } from '../k8s/objects.ts';
import { BlockedCollector, type BlockedGroup } from './blocked/index.ts';
import { ColumnSweep, type StepTarget } from './column-sweep.ts';
import { MatrixBuilder } from './matrix.ts';
import type { NetworkModel } from './network-model.ts';
import type { ServiceTarget } from './netpol/service-targets.ts';
import type { Direction, PodClass } from './netpol/types.ts';

// Above these sizes the matrix groups rows (and columns) by namespace, so it stays drawable.
const MAX_WORKLOAD_ROWS = 40;
const MAX_PORT_COLUMNS = 60;

/** One Service port and the meshed (class, target port) pairs behind it. */
export interface ServicePortColumn {
  key: string;
  /** `namespace/service:port`. */
  label: string;
  service: Service;
  servicePort: ServicePort;
  targets: readonly ServiceTarget[];
}

/** What a blocked group is about: one Service port (ingress), or the sources' egress policies. */
export type PortBlock = { kind: 'port'; column: ServicePortColumn } | { kind: 'egress' };

export interface ServicePortReach {
  /** Blocked connections, grouped by (Service port or egress, direction, policy to change). */
  groups: BlockedGroup<PortBlock>[];
  /** The source workloads that get through to at least one target of a column. */
  reachedBy(column: ServicePortColumn): ReadonlySet<string>;
  matrix: MatrixBuilder;
  /** Rows are workloads (else namespaces); columns are Service ports (else Service namespaces). */
  rowsBy: 'workload' | 'namespace';
  columnsBy: 'port' | 'namespace';
}

const nameOf = (s: Service): string => `${s.metadata.namespace ?? 'default'}/${s.metadata.name}`;

/** The Service ports backed by meshed pods, by Service name then port order. */
export function meshServicePorts(net: NetworkModel, services: readonly Service[]): ServicePortColumn[] {
  const columns: ServicePortColumn[] = [];
  for (const service of [...services].sort((a, b) => (nameOf(a) < nameOf(b) ? -1 : 1))) {
    const byPort = new Map<ServicePort, ServiceTarget[]>();
    for (const t of net.serviceTargets(service).targets) {
      if (!net.isMeshed(t.podClass)) continue;
      const list = byPort.get(t.servicePort) ?? [];
      list.push(t);
      byPort.set(t.servicePort, list);
    }
    for (const [servicePort, targets] of byPort) {
      const label = `${nameOf(service)}:${servicePort.port}`;
      columns.push({ key: `${label}/${servicePort.protocol ?? 'TCP'}`, label, service, servicePort, targets });
    }
  }
  return columns;
}

/** Every source against every column; undefined when `signal` aborts it. */
export function servicePortReach(
  net: NetworkModel,
  sources: readonly PodClass[],
  columns: readonly ServicePortColumn[],
  signal?: AbortSignal,
): ServicePortReach | undefined {
  const rowsBy = new Set(sources.map((c) => net.workloadOf(c))).size <= MAX_WORKLOAD_ROWS ? 'workload' : 'namespace';
  const columnsBy = columns.length <= MAX_PORT_COLUMNS ? 'port' : 'namespace';
  const rowOf = (c: PodClass): string => (rowsBy === 'workload' ? net.workloadOf(c) : c.namespace);
  const columnOf = (col: ServicePortColumn): string => (columnsBy === 'port' ? col.label : (col.service.metadata.namespace ?? 'default'));
  const matrix = new MatrixBuilder();
  for (const s of sources) matrix.row(rowOf(s), rowOf(s));
  const rowSizes = new Map<string, number>();
  for (const s of sources) rowSizes.set(rowOf(s), (rowSizes.get(rowOf(s)) ?? 0) + 1);
  matrix.rowSizes(rowSizes);
  for (const col of columns) matrix.column(columnOf(col), columnOf(col));

  const egressGroup = { key: 'egress', meta: { kind: 'egress' } as const };
  const sweep = net.sweep;
  const columnSweep = new ColumnSweep(
    sweep,
    sources,
    sources.map((s) => net.workloadOf(s)),
  );
  const collector = new BlockedCollector<PortBlock>(net.index, columnSweep.unions);
  const rows = new RowGroups(sources.map((s) => [sweep.groupOf(s), rowOf(s)] as const));
  const reachedBy = new Map<ServicePortColumn, () => ReadonlySet<string>>();
  for (const col of columns) {
    if (signal?.aborted === true) return undefined;
    const portGroup = { key: col.key, meta: { kind: 'port', column: col } as const };
    const groupFor = (direction: Direction) => (direction === 'ingress' ? portGroup : egressGroup);
    const targets: StepTarget[] = col.targets.flatMap((t) => {
      const dstLabel = net.workloadOf(t.podClass);
      return net
        .hops({ from: 'sidecar', to: t.podClass, port: t.port, purpose: 'service' })
        .map((hop) => ({ podClass: t.podClass, port: hop.port, dst: hop.to, dstLabel: col.label, dstKey: dstLabel }));
    });
    sweep.clear(); // the per-target evaluations (hostNetwork sources) of the last column are not asked again
    const { own, shared, self } = columnSweep.run(targets, collector, groupFor);
    const column = columnOf(col);
    const selfOut = new Map<number, number>();
    const selfReached: string[] = [];
    for (const [i, r] of self) {
      const src = sources[i]!;
      const rg = rows.of(i);
      selfOut.set(rg, (selfOut.get(rg) ?? 0) + 1);
      if (r.allowed > 0) selfReached.push(columnSweep.labelOf(i));
      if (r.allowed + r.blocked === 0)
        matrix.note(rowOf(src), column, 'a single pod calling its own Service: a pod cannot block access to itself');
      else matrix.record(rowOf(src), column, r);
    }
    // Groups summarized on their own, per (row, group); the rest of each row shares one summary.
    const less = new Map<string, number>();
    for (const [g, s] of own) {
      for (const rg of rows.ofSweepGroup(g)) {
        const row = rows.row[rg]!;
        less.set(row, (less.get(row) ?? 0) + rows.size(rg));
        const n = rows.size(rg) - (selfOut.get(rg) ?? 0);
        if (n > 0) matrix.add(row, column, s!.allowed * n, s!.blocked * n, s!.blockedBy, s!.ports);
      }
    }
    if (shared !== undefined) matrix.addAcross(column, shared.allowed, shared.blocked, shared.blockedBy, shared.ports, less);
    // Who reaches the column, kept as source groups (a few) and built only for a finding.
    const reachedGroups: number[] = [];
    for (const [g, s] of own) if (s !== undefined && s.allowed > 0) reachedGroups.push(g);
    const sharedReach = shared !== undefined && shared.allowed > 0;
    const selfSources = new Set(self.keys());
    reachedBy.set(col, () => {
      const reached = new Set(selfReached);
      const groups = sharedReach ? [...reachedGroups, ...columnSweep.groupsWithSources().filter((g) => !own.has(g))] : reachedGroups;
      for (const g of groups) for (const i of columnSweep.sourcesOf(g)) if (!selfSources.has(i)) reached.add(columnSweep.labelOf(i));
      return reached;
    });
  }
  return { groups: collector.groups(), reachedBy: (col) => reachedBy.get(col)?.() ?? new Set(), matrix, rowsBy, columnsBy };
}

/** Sources by (source group, matrix row): each such group records once per column, times its size. */
class RowGroups {
  readonly row: string[] = [];
  readonly sweepGroup: number[] = [];
  readonly #of: Int32Array;
  readonly #size: Int32Array;
  readonly #bySweepGroup = new Map<number, number[]>();

  constructor(sources: readonly (readonly [group: number, row: string])[]) {
    const ids = new Map<string, number>();
    this.#of = new Int32Array(sources.length);
    sources.forEach(([group, row], i) => {
      const key = `${group}\u0000${row}`;
      let id = ids.get(key);
      if (id === undefined) {
        id = ids.size;
        ids.set(key, id);
        this.row[id] = row;
        this.sweepGroup[id] = group;
        const list = this.#bySweepGroup.get(group);
        if (list === undefined) this.#bySweepGroup.set(group, [id]);
        else list.push(id);
      }
      this.#of[i] = id;
    });
    this.#size = new Int32Array(ids.size);
    for (const id of this.#of) this.#size[id]!++;
  }

  /** The row group of source i. */
  of(i: number): number {
    return this.#of[i]!;
  }

  /** The row groups of a source group. */
  ofSweepGroup(group: number): readonly number[] {
    return this.#bySweepGroup.get(group) ?? [];
  }

  /** How many sources a row group holds. */
  size(rg: number): number {
    return this.#size[rg]!;
  }
}
