// Builds a ReachabilityMatrix (sources × destinations) from many connection verdicts: a cell is
// allowed when every connection it stands for is, blocked when none is, partial otherwise, and
// carries the policies that block it so a renderer can link a red cell to its cause.

import type { MatrixCell, ReachabilityMatrix, ResourceRef } from '../engine/types.ts';
import type { PolicyRef } from './netpol/types.ts';

// A cell names at most this many blocking policies; more would not fit a tooltip.
const MAX_CELL_POLICIES = 5;

interface CellState {
  allowed: number;
  blocked: number;
  /**
   * Deduplicated by identity while recording (callers pass the evaluator's stable refs), by name
   * when built. Interned, frozen lists (ListInterner): hundreds of thousands of cells hold a few
   * distinct lists, where a list of their own each would cost ~150 bytes of spare capacity.
   */
  policies: readonly PolicyRef[];
  ports: readonly (string | number)[];
}

/** Frozen lists shared by everyone who built them from the same items in the same order. */
class ListInterner<T> {
  readonly empty: readonly T[] = Object.freeze([]);
  readonly #next = new Map<readonly T[], Map<T, readonly T[]>>();

  /** `list` with `item` appended, unless it has it. */
  with(list: readonly T[], item: T): readonly T[] {
    if (list.includes(item)) return list;
    let byItem = this.#next.get(list);
    if (byItem === undefined) {
      byItem = new Map();
      this.#next.set(list, byItem);
    }
    let next = byItem.get(item);
    if (next === undefined) {
      next = Object.freeze([...list, item]);
      byItem.set(item, next);
    }
    return next;
  }
}

interface Across {
  allowed: number;
  blocked: number;
  blockedBy: readonly PolicyRef[];
  ports: readonly (string | number)[];
  less: ReadonlyMap<string, number>;
}

/** Limits on a built matrix; above them only the rows and columns with the most blocked connections are kept. */
export interface MatrixLimits {
  maxRows: number;
  maxColumns: number;
}

/** Accumulates verdicts per (row, column); rows and columns keep their first-seen order unless sorted at build. */
export class MatrixBuilder {
  readonly #rows = new Map<string, string>();
  readonly #columns = new Map<string, string>();
  // Cells by row, then by column position (dense: a sweep fills most of them).
  readonly #cells = new Map<string, (CellState | undefined)[]>();
  readonly #columnIndex = new Map<string, number>();
  readonly #policyLists = new ListInterner<PolicyRef>();
  readonly #portLists = new ListInterner<string | number>();
  readonly #notes = new Map<string, string>();
  /** Per column: summaries shared by every source of every row but `less` of them (addAcross). */
  readonly #across = new Map<string, Across[]>();
  #rowSizes: ReadonlyMap<string, number> = new Map();

  row(id: string, label: string): void {
    if (!this.#rows.has(id)) this.#rows.set(id, label);
  }

  column(id: string, label: string): void {
    if (!this.#columns.has(id)) this.#columns.set(id, label);
  }

  /**
   * Records verdicts for a (row, column): how many connections were allowed and blocked, the
   * policies that blocked them and the destination ports they were blocked on.
   */
  record(
    row: string,
    column: string,
    counts: { allowed: number; blocked: number; blockedBy?: Iterable<PolicyRef>; ports?: Iterable<string | number> },
  ): void {
    this.add(row, column, counts.allowed, counts.blocked, counts.blockedBy, counts.ports);
  }

  /** `record` without the counts object, for sweeps that record millions of times. */
  add(
    row: string,
    column: string,
    allowed: number,
    blocked: number,
    blockedBy?: Iterable<PolicyRef>,
    ports?: Iterable<string | number>,
  ): void {
    let byColumn = this.#cells.get(row);
    if (byColumn === undefined) {
      byColumn = [];
      this.#cells.set(row, byColumn);
    }
    let at = this.#columnIndex.get(column);
    if (at === undefined) {
      at = this.#columnIndex.size;
      this.#columnIndex.set(column, at);
    }
    let cell = byColumn[at];
    if (cell === undefined) {
      cell = { allowed: 0, blocked: 0, policies: this.#policyLists.empty, ports: this.#portLists.empty };
      byColumn[at] = cell;
    }
    cell.allowed += allowed;
    cell.blocked += blocked;
    if (blocked === 0) return;
    for (const p of blockedBy ?? []) cell.policies = this.#policyLists.with(cell.policies, p);
    for (const port of ports ?? []) cell.ports = this.#portLists.with(cell.ports, port);
  }

  /** How many sources each row stands for (for addAcross). */
  rowSizes(sizes: ReadonlyMap<string, number>): void {
    this.#rowSizes = sizes;
  }

  /**
   * Records, for every row, that each of its sources but `less.get(row)` (a row's size is set
   * by rowSizes) got `allowed` and `blocked` connections towards `column`: one call where a sweep
   * would call `add` once per row.
   */
  addAcross(
    column: string,
    allowed: number,
    blocked: number,
    blockedBy: readonly PolicyRef[],
    ports: readonly (string | number)[],
    less: ReadonlyMap<string, number>,
  ): void {
    let list = this.#across.get(column);
    if (list === undefined) this.#across.set(column, (list = []));
    list.push({ allowed, blocked, blockedBy, ports, less });
  }

  #cell(row: string, column: string): CellState | undefined {
    const at = this.#columnIndex.get(column);
    const dense = at === undefined ? undefined : this.#cells.get(row)?.[at];
    const across = this.#across.get(column);
    if (across === undefined) return dense;
    let cell = dense === undefined ? undefined : { ...dense };
    const size = this.#rowSizes.get(row) ?? 0;
    for (const a of across) {
      const n = size - (a.less.get(row) ?? 0);
      if (n <= 0) continue;
      cell ??= { allowed: 0, blocked: 0, policies: this.#policyLists.empty, ports: this.#portLists.empty };
      cell.allowed += a.allowed * n;
      cell.blocked += a.blocked * n;
      if (a.blocked === 0) continue;
      for (const p of a.blockedBy) cell.policies = this.#policyLists.with(cell.policies, p);
      for (const port of a.ports) cell.ports = this.#portLists.with(cell.ports, port);
    }
    return cell;
  }

  /** Says why a cell holds no connection (shown when nothing was recorded for it). */
  note(row: string, column: string, detail: string): void {
    this.#notes.set(`${row}\u0000${column}`, detail);
  }

  get size(): { rows: number; columns: number } {
    return { rows: this.#rows.size, columns: this.#columns.size };
  }

  /**
   * The matrix, rows and columns sorted by label; every (row, column) pair gets a cell. Above
   * `limits`, only the rows (columns) with the most blocked connections are kept, and the title
   * says so: a renderer draws a few dozen anyway, and a page or a JSON reader should not have to
   * take hundreds of thousands of cells.
   */
  build(title: string, limits?: MatrixLimits): ReachabilityMatrix {
    const byLabel = (a: [string, string], b: [string, string]): number => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);
    let rowEntries = [...this.#rows].sort(byLabel);
    let columnEntries = [...this.#columns].sort(byLabel);
    const trimRows = limits !== undefined && rowEntries.length > limits.maxRows;
    const trimColumns = limits !== undefined && columnEntries.length > limits.maxColumns;
    if (trimRows || trimColumns) {
      const rowBlocked = new Map<string, number>();
      const columnBlocked = new Map<string, number>();
      const columnIds = [...this.#columnIndex.keys()];
      for (const [row, byColumn] of this.#cells) {
        byColumn.forEach((cell, at) => {
          if (cell === undefined) return;
          const column = columnIds[at]!;
          rowBlocked.set(row, (rowBlocked.get(row) ?? 0) + cell.blocked);
          columnBlocked.set(column, (columnBlocked.get(column) ?? 0) + cell.blocked);
        });
      }
      // Shared summaries: every row's size times each, less what they leave out.
      let allSources = 0;
      for (const n of this.#rowSizes.values()) allSources += n;
      let perSource = 0;
      for (const [column, list] of this.#across) {
        for (const a of list) {
          if (a.blocked === 0) continue;
          perSource += a.blocked;
          let left = allSources;
          for (const [row, n] of a.less) {
            rowBlocked.set(row, (rowBlocked.get(row) ?? 0) - a.blocked * n);
            left -= n;
          }
          columnBlocked.set(column, (columnBlocked.get(column) ?? 0) + a.blocked * left);
        }
      }
      if (perSource > 0) for (const [row, n] of this.#rowSizes) rowBlocked.set(row, (rowBlocked.get(row) ?? 0) + perSource * n);
      // The most blocked first (label order among equals, as sorted above), then back to label order.
      const keep = (entries: [string, string][], blocked: Map<string, number>, max: number): [string, string][] => {
        const kept = new Set(
          entries
            .map((e, i) => ({ e, i, n: blocked.get(e[0]) ?? 0 }))
            .sort((a, b) => b.n - a.n || a.i - b.i)
            .slice(0, max)
            .map((x) => x.e[0]),
        );
        return entries.filter(([id]) => kept.has(id));
      };
      const allRows = rowEntries.length;
      const allColumns = columnEntries.length;
      if (trimRows) rowEntries = keep(rowEntries, rowBlocked, limits.maxRows);
      if (trimColumns) columnEntries = keep(columnEntries, columnBlocked, limits.maxColumns);
      title = `${title}; the ${rowEntries.length} of ${allRows} rows and ${columnEntries.length} of ${allColumns} columns with the most blocked connections`;
    }
    const rows = rowEntries.map(([id, label]) => ({ id, label }));
    const columns = columnEntries.map(([id, label]) => ({ id, label }));
    const cells: MatrixCell[] = [];
    for (const r of rows) {
      for (const c of columns) {
        const state = this.#cell(r.id, c.id);
        if (state === undefined || state.allowed + state.blocked === 0) {
          const detail = this.#notes.get(`${r.id}\u0000${c.id}`);
          cells.push(
            detail === undefined
              ? { row: r.id, column: c.id, state: 'not-applicable' }
              : { row: r.id, column: c.id, state: 'not-applicable', detail },
          );
          continue;
        }
        const total = state.allowed + state.blocked;
        if (state.blocked === 0) {
          cells.push({ row: r.id, column: c.id, state: 'allowed' });
          continue;
        }
        const policies = [...new Map(state.policies.map((p) => [`${p.namespace}/${p.name}`, p])).entries()]
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([, p]) => p);
        const blockedBy: ResourceRef[] = policies
          .slice(0, MAX_CELL_POLICIES)
          .map((p) => ({ kind: 'NetworkPolicy', namespace: p.namespace, name: p.name }));
        const more = policies.length > MAX_CELL_POLICIES ? ` (+${policies.length - MAX_CELL_POLICIES} more policies)` : '';
        const ports = [...new Set(state.ports.map(String))].sort((a, b) => Number(a) - Number(b) || (a < b ? -1 : 1)).join(', ');
        cells.push({
          row: r.id,
          column: c.id,
          state: state.allowed === 0 ? 'blocked' : 'partial',
          blockedBy,
          detail: `${state.blocked} of ${total} connections blocked on port ${ports}${more}`,
        });
      }
    }
    return { type: 'reachability-matrix', title, rows, columns, cells };
  }
}
