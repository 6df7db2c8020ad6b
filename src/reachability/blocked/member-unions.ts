// The source groups of a sweep (classes no connection tells apart as a source) as sets of member
// labels and keys, and the unions a collector group needs of them: a group that took whole source
// groups at once (BlockedCollector.addRest) lists its sources as one bit per source group, and
// the sorted union of the members is built once per distinct set of source groups.

/**
 * The members of one source group (classes no connection tells apart as a source), in the
 * caller's order: their labels and keys, and the last position of each key.
 */
export interface SourceMembers {
  readonly labels: readonly string[];
  readonly keys: readonly string[];
  readonly lastIndex: ReadonlyMap<string, number>;
}

/** Builds a SourceMembers from parallel label and key lists. */
export function sourceMembers(labels: readonly string[], keys: readonly string[]): SourceMembers {
  const lastIndex = new Map<string, number>();
  keys.forEach((k, i) => lastIndex.set(k, i));
  return { labels, keys, lastIndex };
}

type MemberField = 'labels' | 'keys';

/**
 * A sorted list of member labels that may stand for thousands (every meshed workload but a
 * namespace's): its length and its first entries cost no more than the few it leaves out; it is
 * built in full only when iterated. A plain array is one.
 */
export interface MemberList extends Iterable<string> {
  readonly length: number;
  slice(start?: number, end?: number): string[];
  join(separator?: string): string;
}

/**
 * The source groups taken at once into one collector group (addRest), each with the first member
 * position taken. A sweep takes most of them from their first member, in nearly every group: those
 * are one bit per registered source group, the others a (small) map; a 50k-object cluster has
 * ~9,000 groups × ~570 source groups of them.
 */
export class BulkSet {
  readonly #unions: MemberUnions;
  #bits: Uint32Array<ArrayBuffer> = new Uint32Array(0);
  #from: Map<SourceMembers, number> | undefined;
  #size = 0;

  constructor(unions: MemberUnions) {
    this.#unions = unions;
  }

  get size(): number {
    return this.#size;
  }

  /** Records every member of the source groups whose registered ids are set in `bits` as taken (take(members, 0) for each). */
  takeBits(bits: Uint32Array): void {
    if (this.#bits.length < bits.length) this.#bits = grow(this.#bits, (bits.length - 1) * 32);
    for (let w = 0; w < bits.length; w++) {
      const added = bits[w]! & ~this.#bits[w]!;
      if (added === 0) continue;
      this.#bits[w]! |= added;
      this.#size += popcount(added);
    }
    if (this.#from === undefined) return;
    for (const members of [...this.#from.keys()]) {
      // Counted once more above: its bit is set now.
      if (hasBit(bits, this.#unions.idOf(members))) {
        this.#from.delete(members);
        this.#size--;
      }
    }
  }

  /** Records members `from..` of a source group as taken (the smallest `from` wins). */
  take(members: SourceMembers, from: number): void {
    const id = this.#unions.idOf(members);
    if (this.#has(id)) return;
    const before = this.#from?.get(members);
    if (from === 0) {
      if (id >>> 5 >= this.#bits.length) this.#bits = grow(this.#bits, id);
      this.#bits[id >>> 5]! |= 1 << (id & 31);
      if (before === undefined) this.#size++;
      else this.#from!.delete(members);
      return;
    }
    if (before === undefined) {
      (this.#from ??= new Map()).set(members, from);
      this.#size++;
    } else if (from < before) this.#from!.set(members, from);
  }

  /** The first position taken of a source group, or undefined. */
  get(members: SourceMembers): number | undefined {
    return this.#has(this.#unions.idOf(members)) ? 0 : this.#from?.get(members);
  }

  /** The source groups taken after their first member, with that position. */
  partial(): Iterable<[SourceMembers, number]> {
    return this.#from ?? [];
  }

  /** The set of source groups, as one bit per registered id (do not mutate). */
  groupBits(): Uint32Array {
    if (this.#from === undefined || this.#from.size === 0) return this.#bits;
    let bits = this.#bits.slice();
    for (const members of this.#from.keys()) {
      const id = this.#unions.idOf(members);
      if (id >>> 5 >= bits.length) bits = grow(bits, id);
      bits[id >>> 5]! |= 1 << (id & 31);
    }
    return bits;
  }

  #has(id: number): boolean {
    return id >>> 5 < this.#bits.length && (this.#bits[id >>> 5]! & (1 << (id & 31))) !== 0;
  }
}

function grow(bits: Uint32Array, id: number): Uint32Array<ArrayBuffer> {
  const next = new Uint32Array((id >>> 5) + 1);
  next.set(bits);
  return next;
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

export function hasBit(bits: Uint32Array, id: number): boolean {
  return id >>> 5 < bits.length && (bits[id >>> 5]! & (1 << (id & 31))) !== 0;
}

/** A bit set as a Map key: equal sets, equal keys (trailing empty words ignored). */
function bitsKey(bits: Uint32Array): string {
  let end = bits.length;
  while (end > 0 && bits[end - 1] === 0) end--;
  let key = '';
  for (let i = 0; i < end; i++) key += String.fromCharCode(bits[i]! & 0xffff, bits[i]! >>> 16);
  return key;
}

/**
 * `set` ∪ the members `from..` of each source group taken at once (`bulk`), sorted or counted.
 * Many groups share the same bulk source groups (every namespace's sources blocked the same way),
 * so the union U of all their members is built once per distinct set of source groups; a group's
 * answer is `set` ∪ U less the few members seen only before `from` and not in `set`.
 */
export class MemberUnions {
  /** Per distinct set of bulk source groups: the unions. */
  readonly #unions = new Map<string, UnionEntry>();
  readonly #ids = new Map<SourceMembers, number>();
  readonly #all: SourceMembers[] = [];
  /** Which source groups hold a member, per field. */
  readonly #owners: Record<MemberField, Map<string, SourceMembers[]>> = { labels: new Map(), keys: new Map() };
  /** Every member registered so far, sorted, per field (rebuilt after a registration). */
  #order: Partial<Record<MemberField, readonly string[]>> = {};

  /** `all`: the source groups the collectors will see (others are registered when first met). */
  constructor(all: readonly SourceMembers[] = []) {
    for (const members of all) this.register(members);
  }

  sorted(set: ReadonlySet<string>, bulk: BulkSet, field: MemberField): MemberList {
    if (bulk.size === 0) return [...set].sort();
    const full = this.#fullOf(bulk, field);
    const missing = this.#prefixOnly(set, bulk, field);
    const extra: string[] = [];
    for (const x of set) if (!full.has(x)) extra.push(x);
    return new SortedMembers(full.order, full.excluded, missing, extra.sort());
  }

  size(set: ReadonlySet<string>, bulk: BulkSet, field: MemberField): number {
    if (bulk.size === 0) return set.size;
    const full = this.#fullOf(bulk, field);
    let size = full.order.length - full.excluded.size - this.#prefixOnly(set, bulk, field).size;
    for (const x of set) if (!full.has(x)) size++;
    return size;
  }

  /** The union of every member of the bulk source groups: sorted, and a membership test. */
  #fullOf(bulk: BulkSet, field: MemberField): Union {
    const bits = bulk.groupBits();
    const key = bitsKey(bits);
    let entry = this.#unions.get(key);
    if (entry === undefined) {
      entry = { bits: bits.slice() }; // a copy: the group's own bits may still grow
      this.#unions.set(key, entry);
    }
    let full = entry[field];
    if (full === undefined) {
      const owners = this.#owners[field];
      const groups = entry.bits;
      const has = (x: string): boolean => owners.get(x)?.some((o) => hasBit(groups, this.#ids.get(o)!)) === true;
      // The registered members' sorted order less those of the source groups left out (usually
      // few): no sort, and no lookup per member, per union.
      const excluded = new Set<string>();
      // The source groups left out, word by word (usually a few of thousands).
      const all = this.#all;
      for (let w = 0; w << 5 < all.length; w++) {
        let out = ~(groups[w] ?? 0);
        while (out !== 0) {
          const bit = 31 - Math.clz32(out & -out);
          out &= out - 1;
          const other = all[(w << 5) + bit];
          if (other === undefined) break;
          for (const x of other[field]) if (!excluded.has(x) && !has(x)) excluded.add(x);
        }
      }
      const order = (this.#order[field] ??= [...owners.keys()].sort());
      full = { order, excluded, has };
      entry[field] = full;
    }
    return full;
  }

  /** The source groups a key belongs to (registered ones). */
  ownersOf(key: string): readonly SourceMembers[] {
    return this.#owners.keys.get(key) ?? [];
  }

  /** A source group's id (0, 1, …), registering it when new. */
  idOf(members: SourceMembers): number {
    let id = this.#ids.get(members);
    if (id === undefined) {
      this.register(members);
      id = this.#ids.get(members)!;
    }
    return id;
  }

  /** When a source group was registered (1, 2, …; 0 when it was not), and how many are. */
  registered(members?: SourceMembers): number {
    return members === undefined ? this.#ids.size : (this.#ids.get(members) ?? -1) + 1;
  }

  /** Registers a source group (collectors that share this object then find its members' owners fast). */
  register(members: SourceMembers): void {
    if (this.#ids.has(members)) return;
    this.#ids.set(members, this.#all.length);
    this.#all.push(members);
    for (const field of ['labels', 'keys'] as const) {
      let added = false;
      for (const x of members[field]) {
        const list = this.#owners[field].get(x);
        if (list === undefined) {
          this.#owners[field].set(x, [members]);
          added = true;
        } else if (list[list.length - 1] !== members) list.push(members);
      }
      if (added) delete this.#order[field];
    }
  }

  /** Members seen only before their group's `from` (in no bulk part) and not in `set`: in the union of all members, but not in the answer. */
  #prefixOnly(set: ReadonlySet<string>, bulk: BulkSet, field: MemberField): ReadonlySet<string> {
    let out: Set<string> | undefined;
    for (const [members, from] of bulk.partial()) {
      const list = members[field];
      for (let i = 0; i < from; i++) {
        const x = list[i]!;
        if (set.has(x) || out?.has(x) === true) continue;
        const inRest = this.#owners[field].get(x)!.some((other) => {
          const otherFrom = bulk.get(other);
          if (otherFrom === undefined) return false;
          return field === 'keys' ? other.lastIndex.get(x)! >= otherFrom : other.labels.lastIndexOf(x) >= otherFrom;
        });
        if (!inRest) (out ??= new Set()).add(x);
      }
    }
    return out ?? EMPTY;
  }
}

/** Every registered member (`order`, sorted) less `excluded`. */
interface Union {
  order: readonly string[];
  excluded: ReadonlySet<string>;
  has(x: string): boolean;
}

/** `order` less `excluded` and `missing` (disjoint, both within `order`), merged with `extra` (sorted, outside the rest). */
class SortedMembers implements MemberList {
  readonly length: number;
  readonly #order: readonly string[];
  readonly #excluded: ReadonlySet<string>;
  readonly #missing: ReadonlySet<string>;
  readonly #extra: readonly string[];

  constructor(order: readonly string[], excluded: ReadonlySet<string>, missing: ReadonlySet<string>, extra: readonly string[]) {
    this.#order = order;
    this.#excluded = excluded;
    this.#missing = missing;
    this.#extra = extra;
    this.length = order.length - excluded.size - missing.size + extra.length;
  }

  *[Symbol.iterator](): Iterator<string> {
    const order = this.#order;
    const extra = this.#extra;
    let j = 0;
    for (let i = 0; i < order.length; i++) {
      const x = order[i]!;
      if (this.#excluded.has(x) || this.#missing.has(x)) continue;
      while (j < extra.length && extra[j]! <= x) yield extra[j++]!;
      yield x;
    }
    while (j < extra.length) yield extra[j++]!;
  }

  slice(start = 0, end = this.length): string[] {
    const out: string[] = [];
    if (end <= start) return out;
    let at = 0;
    for (const x of this) {
      if (at >= end) break;
      if (at++ >= start) out.push(x);
    }
    return out;
  }

  join(separator = ','): string {
    return [...this].join(separator);
  }
}

interface UnionEntry {
  bits: Uint32Array;
  labels?: Union;
  keys?: Union;
}

const EMPTY: ReadonlySet<string> = new Set();
