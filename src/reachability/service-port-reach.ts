// R3's question: which meshed sources cannot reach each Service port of the mesh, grouped by the
// policy to change, and the matrix of it. Sources no policy tells apart as a source (about one
// group per namespace) share each evaluation (ColumnSweep): source groups × Service targets
// evaluations; the matrix gets one record per (row, source group) and column. Connections
// dropped on the way in are grouped per (Service port, policy); dropped on the way out, per egress
// policy, since one rule list on the sources' side decides all their destinations.

import type { Service, ServicePort } from '../k8s/objects.ts';
import { BlockedCollector, type BlockedGroup } from './blocked/index.ts';
import { ColumnSweep, type GroupSummary, type SelfResult, type StepTarget } from './column-sweep.ts';
import type { Hop } from './data-plane.ts';
import { MatrixBuilder } from './matrix.ts';
import type { NetworkModel } from './network-model.ts';
import type { ServiceTarget } from './netpol/service-targets.ts';
import type { Direction, Endpoint, Evaluation, PodClass, PolicyRef, PortQuery } from './netpol/types.ts';

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

/**
 * What a blocked group is about: one Service port (ingress), or the sources' egress policies.
 * `waypoint` is set on the groups of the waypoint → destination pod hop: its sources are the
 * clients whose requests get to the waypoint and are dropped on that hop.
 */
export type PortBlock = { kind: 'port'; column: ServicePortColumn; waypoint?: string } | { kind: 'egress'; waypoint?: string };

export interface ServicePortReach {
  /**
   * Blocked connections, grouped by (Service port or egress, direction, policy to change): the
   * sidecar clients' groups, then the ambient clients', then the waypoints' (their hop on to the
   * Service's pods, listing the clients whose requests are dropped there).
   */
  groups: BlockedGroup<PortBlock>[];
  /** The source workloads whose requests get through to at least one target of a column (every hop of the path allowed). */
  reachedBy(column: ServicePortColumn): ReadonlySet<string>;
  /** How requests to a column travel when some of its hops are ambient ones (HBONE, waypoints): the hops' descriptions; empty otherwise. */
  ambientHops(column: ServicePortColumn): readonly string[];
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

  // Sidecar and ambient clients address the same pods on different ports (an ambient client
  // tunnels to 15008 where a sidecar dials the target port): one sweep per sending data plane.
  // Without ambient clients there is one sweep, the sidecars'.
  const ambientSources = net.hasAmbient ? sources.filter((s) => net.dataPlaneOf(s) === 'ambient') : [];
  const partitions: { from: 'sidecar' | 'ambient'; sources: readonly PodClass[] }[] =
    ambientSources.length === 0
      ? [{ from: 'sidecar', sources }]
      : ([
          { from: 'sidecar', sources: sources.filter((s) => net.dataPlaneOf(s) !== 'ambient') },
          { from: 'ambient', sources: ambientSources },
        ].filter((p) => p.sources.length > 0) as { from: 'sidecar' | 'ambient'; sources: readonly PodClass[] }[]);
  const reachedBy = new Map<ServicePortColumn, (() => ReadonlySet<string>)[]>();
  const groups: BlockedGroup<PortBlock>[] = [];
  // The waypoint → pod hops do not depend on the client: evaluated once per column, and their
  // denials go to a collector of their own, listing the clients dropped there.
  const forwarded = net.hasAmbient ? new ForwardedHops(net) : undefined;
  for (const part of partitions) {
    // The rows of the other partitions' sources: this partition's shared summary leaves them out.
    const otherRows = new Map<string, number>();
    if (partitions.length > 1) {
      const mine = new Set(part.sources);
      for (const s of sources) if (!mine.has(s)) otherRows.set(rowOf(s), (otherRows.get(rowOf(s)) ?? 0) + 1);
    }
    const found = sweepPartition(net, part.from, part.sources, columns, matrix, rowOf, columnOf, otherRows, forwarded, signal);
    if (found === undefined) return undefined;
    groups.push(...found.groups);
    for (const [col, reached] of found.reachedBy) reachedBy.set(col, [...(reachedBy.get(col) ?? []), reached]);
  }
  if (forwarded !== undefined) groups.push(...forwarded.collector.groups());
  const vias = new Map<ServicePortColumn, string[]>();
  if (net.hasAmbient) {
    for (const col of columns) {
      const found = new Set<string>();
      for (const t of col.targets) {
        if (net.dataPlaneOf(t.podClass) === 'none') continue;
        for (const part of partitions)
          for (const hop of net.hops({ from: part.from, to: t.podClass, port: t.port, purpose: 'service' }, col.service))
            if (hop.port.port !== t.port.port || hop.from !== undefined) found.add(hop.via);
      }
      if (found.size > 0) vias.set(col, [...found].sort());
    }
  }
  return {
    groups,
    reachedBy: (col) => {
      const all = new Set<string>();
      for (const r of reachedBy.get(col) ?? []) for (const label of r()) all.add(label);
      return all;
    },
    ambientHops: (col) => vias.get(col) ?? [],
    matrix,
    rowsBy,
    columnsBy,
  };
}

/** One partition of the sources (one sending data plane) against every column: its blocked groups, and who reaches each column. */
function sweepPartition(
  net: NetworkModel,
  from: 'sidecar' | 'ambient',
  sources: readonly PodClass[],
  columns: readonly ServicePortColumn[],
  matrix: MatrixBuilder,
  rowOf: (c: PodClass) => string,
  columnOf: (col: ServicePortColumn) => string,
  otherRows: ReadonlyMap<string, number>,
  forwarded: ForwardedHops | undefined,
  signal: AbortSignal | undefined,
): { groups: BlockedGroup<PortBlock>[]; reachedBy: Map<ServicePortColumn, () => ReadonlySet<string>> } | undefined {
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
    // The sweep's targets are the first hop of each path (the pod, or one waypoint pod class);
    // `onward[i]` is the waypoint's hop of path i on to the pod, which every client's request takes.
    const targets: StepTarget[] = [];
    const onward: (Onward | undefined)[] = [];
    for (const t of col.targets) {
      const dstLabel = net.workloadOf(t.podClass);
      const hops = net.hops({ from, to: t.podClass, port: t.port, purpose: 'service' }, col.service);
      const first = hops.filter((hop) => hop.from === undefined);
      const next = hops.filter((hop) => hop.from !== undefined);
      first.forEach((hop, k) => {
        const to = hop.to.kind === 'class' ? hop.to.podClass : t.podClass;
        targets.push({
          podClass: to,
          port: hop.port,
          dst: hop.to,
          dstLabel: col.label,
          dstKey: to === t.podClass ? dstLabel : net.workloadOf(to),
        });
        const on = forwarded === undefined || next.length !== first.length ? undefined : next[k];
        onward.push(on === undefined ? undefined : forwarded!.onward(on, col, dstLabel));
      });
    }
    const paths = new PathVerdicts(targets, onward);
    sweep.clear(); // the per-target evaluations (hostNetwork sources) of the last column are not asked again
    const { own, shared, self, summaryOf } = columnSweep.run(targets, collector, groupFor);
    const column = columnOf(col);
    const selfOut = new Map<number, number>();
    const selfReached: string[] = [];
    const selfPaths = new Map<number, PathCounts>();
    for (const [i, r] of self) {
      const src = sources[i]!;
      const rg = rows.of(i);
      selfOut.set(rg, (selfOut.get(rg) ?? 0) + 1);
      const p = paths.ofSelf(r, (ti) => !sweep.evaluate(src, targets[ti]!).allowed);
      selfPaths.set(i, p);
      if (p.allowed > 0) selfReached.push(columnSweep.labelOf(i));
      if (p.allowed + p.blocked === 0)
        matrix.note(rowOf(src), column, 'a single pod calling its own Service: a pod cannot block access to itself');
      else matrix.record(rowOf(src), column, p);
    }
    // Groups summarized on their own, per (row, group); the rest of each row shares one summary.
    const less = new Map<string, number>(otherRows);
    for (const [g, s] of own) {
      for (const rg of rows.ofSweepGroup(g)) {
        const row = rows.row[rg]!;
        less.set(row, (less.get(row) ?? 0) + rows.size(rg));
        const n = rows.size(rg) - (selfOut.get(rg) ?? 0);
        if (n <= 0) continue;
        const p = paths.of(s!);
        matrix.add(row, column, p.allowed * n, p.blocked * n, p.blockedBy, p.ports);
      }
    }
    if (shared !== undefined) {
      const p = paths.of(shared);
      matrix.addAcross(column, p.allowed, p.blocked, p.blockedBy, p.ports, less);
    }
    // The clients whose requests get to a waypoint and are dropped on its hop on, by name.
    if (forwarded !== undefined && paths.onwardBlocked) {
      columnSweep.groupsWithSources().forEach((g) => {
        for (const i of columnSweep.sourcesOf(g)) {
          const mine = selfPaths.get(i);
          const s = mine === undefined ? summaryOf(g) : undefined;
          const p = mine ?? (s === undefined ? undefined : paths.of(s));
          for (const ti of p?.droppedOnward ?? []) forwarded.drop(onward[ti]!, columnSweep.labelOf(i));
        }
      });
    }
    // Who reaches the column, kept as source groups (a few) and built only for a finding.
    const reachedGroups: number[] = [];
    for (const [g, s] of own) if (s !== undefined && paths.of(s).allowed > 0) reachedGroups.push(g);
    const sharedReach = shared !== undefined && paths.of(shared).allowed > 0;
    const selfSources = new Set(self.keys());
    reachedBy.set(col, () => {
      const reached = new Set(selfReached);
      const groups = sharedReach ? [...reachedGroups, ...columnSweep.groupsWithSources().filter((g) => !own.has(g))] : reachedGroups;
      for (const g of groups) for (const i of columnSweep.sourcesOf(g)) if (!selfSources.has(i)) reached.add(columnSweep.labelOf(i));
      return reached;
    });
  }
  return { groups: collector.groups(), reachedBy };
}

/** A waypoint's hop on to a destination pod class for one path, with its verdict. */
interface Onward {
  src: Endpoint;
  waypoint: string;
  waypointKey: string;
  dst: Endpoint;
  dstLabel: string;
  dstKey: string;
  port: PortQuery;
  column: ServicePortColumn;
  evaluation: Evaluation;
  /** The policies isolating a denied end of the hop (empty when allowed). */
  blockedBy: readonly PolicyRef[];
}

/** What a source's requests to a column come to, path by path: a path is allowed only when each of its hops is. */
interface PathCounts {
  allowed: number;
  blocked: number;
  blockedBy: readonly PolicyRef[];
  ports: readonly number[];
  /** The paths whose first hop gets through and whose waypoint hop on is denied. */
  droppedOnward: readonly number[];
}

/**
 * A column's paths: the first hop's verdicts come from the sweep (per source group), the
 * waypoint's hop on from `onward`. Without a denied hop on, a summary is its own path counts
 * (sidecar-only columns count exactly as the sweep does).
 */
class PathVerdicts {
  readonly #targets: readonly StepTarget[];
  readonly #onward: readonly (Onward | undefined)[];
  /** The paths whose hop on is denied. */
  readonly #blockedOnward: number[] = [];
  readonly #onwardRefs: PolicyRef[] = [];
  readonly #cache = new Map<GroupSummary, PathCounts>();

  constructor(targets: readonly StepTarget[], onward: readonly (Onward | undefined)[]) {
    this.#targets = targets;
    this.#onward = onward;
    onward.forEach((o, ti) => {
      if (o === undefined || o.evaluation.allowed) return;
      this.#blockedOnward.push(ti);
      for (const p of o.blockedBy) if (!this.#onwardRefs.includes(p)) this.#onwardRefs.push(p);
    });
  }

  get onwardBlocked(): boolean {
    return this.#blockedOnward.length > 0;
  }

  of(s: GroupSummary): PathCounts {
    let found = this.#cache.get(s);
    if (found === undefined) {
      const denied = new Set(s.denied);
      found = this.#combine(s, (ti) => denied.has(ti));
      this.#cache.set(s, found);
    }
    return found;
  }

  /** A source calling its own Service: `firstDenied` tells whether the first hop of path ti is (asked only for paths denied further on). */
  ofSelf(r: SelfResult, firstDenied: (ti: number) => boolean): PathCounts {
    return this.#combine(r, (ti) => this.#targets[ti] !== undefined && firstDenied(ti));
  }

  #combine(
    s: { allowed: number; blocked: number; blockedBy: readonly PolicyRef[]; ports: readonly number[] },
    firstDenied: (ti: number) => boolean,
  ): PathCounts {
    if (this.#blockedOnward.length === 0) return { ...s, droppedOnward: [] };
    const droppedOnward = this.#blockedOnward.filter((ti) => !firstDenied(ti));
    const blockedBy = [...s.blockedBy];
    for (const p of this.#onwardRefs) if (!blockedBy.includes(p)) blockedBy.push(p);
    const ports = [...s.ports];
    for (const ti of this.#blockedOnward) {
      const port = this.#onward[ti]!.port.port;
      if (!ports.includes(port)) ports.push(port);
    }
    return {
      allowed: s.allowed - droppedOnward.length,
      blocked: s.blocked + droppedOnward.length,
      blockedBy,
      ports,
      droppedOnward,
    };
  }
}

/**
 * The hops a waypoint makes on behalf of every mesh client (waypoint pods → the Service's pods on
 * 15008): evaluated once per (waypoint class, destination class), since the client is not their
 * source. A denied one is reported with the clients whose requests it drops as the sources, and
 * the waypoint as the peer the rule must admit.
 */
class ForwardedHops {
  readonly collector: BlockedCollector<PortBlock>;
  readonly #net: NetworkModel;
  readonly #evaluations = new Map<string, Evaluation>();

  constructor(net: NetworkModel) {
    this.#net = net;
    this.collector = new BlockedCollector<PortBlock>(net.index);
  }

  onward(hop: Hop, column: ServicePortColumn, dstKey: string): Onward {
    const src = hop.from!.endpoint;
    const key = `${endpointKey(src)}|${endpointKey(hop.to)}|${hop.port.protocol ?? 'TCP'}/${hop.port.port}`;
    let evaluation = this.#evaluations.get(key);
    if (evaluation === undefined) {
      evaluation = this.#net.index.evaluate(src, hop.to, hop.port);
      this.#evaluations.set(key, evaluation);
    }
    const blockedBy = evaluation.allowed
      ? []
      : [
          ...(evaluation.egress.allowed ? [] : evaluation.egress.isolatedBy),
          ...(evaluation.ingress.allowed ? [] : evaluation.ingress.isolatedBy),
        ];
    return {
      src,
      waypoint: hop.from!.label,
      waypointKey: src.kind === 'class' ? this.#net.workloadOf(src.podClass) : hop.from!.label,
      dst: hop.to,
      dstLabel: column.label,
      dstKey,
      port: hop.port,
      column,
      evaluation,
      blockedBy: [...new Set(blockedBy)],
    };
  }

  /** A client's request dropped on `o`: the client is the group's source, the waypoint the rule's peer. */
  drop(o: Onward, client: string): void {
    const groupFor = (direction: Direction) =>
      direction === 'ingress'
        ? { key: `${o.column.key}|${o.waypoint}`, meta: { kind: 'port', column: o.column, waypoint: o.waypoint } as const }
        : { key: `egress|${o.waypoint}`, meta: { kind: 'egress', waypoint: o.waypoint } as const };
    this.collector.add(
      groupFor,
      { src: o.src, srcLabel: client, srcKey: o.waypointKey, dst: o.dst, dstLabel: o.dstLabel, dstKey: o.dstKey, port: o.port },
      o.evaluation,
    );
  }
}

const endpointKey = (e: Endpoint): string => (e.kind === 'class' ? `c${e.podClass.id}` : JSON.stringify(e));

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
