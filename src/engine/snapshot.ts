// A snapshot: the objects of the kinds a run gathered, indexed for the lookups checks do.
// The same type comes out of the YAML source and the live source; checks read only this.

import { KINDS, kindIdOf, type KindId } from '../k8s/kinds.ts';
import type { KubeObject } from '../k8s/objects.ts';
import type { SourceLocation } from './types.ts';
import { namespaceOf } from '../k8s/names.ts';

/** Why a kind could not be gathered. `not-installed` is treated as "no objects". */
export interface GatherProblem {
  kind: KindId;
  reason: 'forbidden' | 'not-installed' | 'unreachable' | 'timeout' | 'server-error' | 'invalid';
  /** One sentence, including what to do. */
  message: string;
}

export class Snapshot {
  readonly #byKind = new Map<KindId, KubeObject[]>();
  readonly #byNs = new Map<string, KubeObject[]>();
  readonly #byName = new Map<string, KubeObject>();
  readonly #locations: WeakMap<object, SourceLocation>;
  /** The snapshot this one overlays: objects it kept are located there. */
  #under: Snapshot | undefined;
  /** Kinds this snapshot holds data for (possibly none of them). */
  readonly kinds: ReadonlySet<KindId>;
  readonly problems: ReadonlyMap<KindId, GatherProblem>;

  constructor(
    objects: Iterable<KubeObject>,
    options: { kinds: Iterable<KindId>; problems?: Iterable<GatherProblem>; locations?: WeakMap<object, SourceLocation> },
  ) {
    this.kinds = new Set(options.kinds);
    this.problems = new Map([...(options.problems ?? [])].map((p) => [p.kind, p]));
    this.#locations = options.locations ?? new WeakMap();
    for (const obj of objects) {
      const id = kindIdOf(obj.apiVersion, obj.kind);
      if (id === undefined || !this.kinds.has(id)) continue;
      const ns = KINDS[id].namespaced ? namespaceOf(obj) : '';
      const key = `${id}|${ns}|${obj.metadata.name}`;
      // Later duplicates win, as `kubectl apply` of the same files would leave them.
      const prev = this.#byName.get(key);
      this.#byName.set(key, obj);
      if (prev !== undefined) {
        replaceIn(this.#byKind.get(id), prev, obj);
        replaceIn(this.#byNs.get(`${id}|${ns}`), prev, obj);
        continue;
      }
      push(this.#byKind, id, obj);
      push(this.#byNs, `${id}|${ns}`, obj);
    }
  }

  list(kind: KindId, namespace?: string): readonly KubeObject[] {
    if (namespace === undefined) return this.#byKind.get(kind) ?? [];
    return this.#byNs.get(`${kind}|${namespace}`) ?? [];
  }

  find(kind: KindId, namespace: string, name: string): KubeObject | undefined {
    return this.#byName.get(`${kind}|${KINDS[kind].namespaced ? namespace : ''}|${name}`);
  }

  locate(object: object): SourceLocation | undefined {
    return this.#locations.get(object) ?? this.#under?.locate(object);
  }

  /**
   * This snapshot with `objects` applied as `kubectl apply` would: each one replaces the object
   * of the same kind, namespace and name, or is added. Kinds this snapshot does not hold are
   * left out (no check of the run reads them), and its gather problems stay.
   */
  overlay(objects: Iterable<KubeObject>, locations: WeakMap<object, SourceLocation>): Snapshot {
    const next = new Snapshot([...this.all(), ...objects], { kinds: this.kinds, problems: this.problems.values(), locations });
    next.#under = this;
    return next;
  }

  /** Every object, in kind order; used to write snapshots back out. */
  *all(): Iterable<KubeObject> {
    for (const list of this.#byKind.values()) yield* list;
  }

  get size(): number {
    return this.#byName.size;
  }
}

function push<K>(map: Map<K, KubeObject[]>, key: K, obj: KubeObject): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [obj]);
  else list.push(obj);
}

function replaceIn(list: KubeObject[] | undefined, prev: KubeObject, next: KubeObject): void {
  if (list === undefined) return;
  const i = list.indexOf(prev);
  if (i !== -1) list[i] = next;
}
