/**
 * Read-only maps for the snapshot. `Object.freeze` does not stop `Map#set`, so these maps throw
 * on set/delete/clear. They iterate in key order, whatever the history of edits. Successive
 * snapshots of a large tree share structure: a new map is the previous one's base plus a small
 * cumulative delta, so publishing a snapshot after one file changed costs O(changes), not a copy
 * of 10,000 entries.
 */

function refuse(): never {
  throw new TypeError('the config snapshot is immutable');
}

const DELETED: unique symbol = Symbol('deleted');
type Slot<V> = V | typeof DELETED;

/** An immutable map: a shared, never-mutated base plus an own delta. */
export class FrozenMap<K extends string, V> implements ReadonlyMap<K, V> {
  readonly size: number;
  /** Keys in the delta that the base lacks, sorted. */
  private readonly added: readonly K[];

  /** @internal use {@link frozenMap} / {@link nextFrozenMap}. */
  constructor(
    private readonly base: ReadonlyMap<K, V>,
    private readonly delta: ReadonlyMap<K, Slot<V>>,
  ) {
    let size = base.size;
    const added: K[] = [];
    for (const [k, v] of delta) {
      if (base.has(k)) size -= v === DELETED ? 1 : 0;
      else if (v !== DELETED) added.push(k);
    }
    this.size = size + added.length;
    this.added = added.sort();
    Object.freeze(this);
  }

  get(key: K): V | undefined {
    const d = this.delta.get(key);
    if (d !== undefined) return d === DELETED ? undefined : d;
    return this.base.get(key);
  }

  has(key: K): boolean {
    const d = this.delta.get(key);
    if (d !== undefined) return d !== DELETED;
    return this.base.has(key);
  }

  *entries(): MapIterator<[K, V]> {
    let i = 0;
    for (const [k, v] of this.base) {
      for (; i < this.added.length && (this.added[i] as K) < k; i++) yield [this.added[i] as K, this.delta.get(this.added[i] as K) as V];
      const d = this.delta.get(k);
      if (d === undefined) yield [k, v];
      else if (d !== DELETED) yield [k, d];
    }
    for (; i < this.added.length; i++) yield [this.added[i] as K, this.delta.get(this.added[i] as K) as V];
  }

  *keys(): MapIterator<K> {
    for (const [k] of this.entries()) yield k;
  }

  *values(): MapIterator<V> {
    for (const [, v] of this.entries()) yield v;
  }

  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }

  forEach(fn: (value: V, key: K, map: ReadonlyMap<K, V>) => void, thisArg?: unknown): void {
    for (const [k, v] of this.entries()) fn.call(thisArg, v, k, this);
  }

  get [Symbol.toStringTag](): string {
    return 'FrozenMap';
  }

  set(): never {
    return refuse();
  }

  delete(): never {
    return refuse();
  }

  clear(): never {
    return refuse();
  }

  /** The map after changing `changed` keys to their values in `current` (absent = deleted). */
  next(current: ReadonlyMap<K, V>, changed: Iterable<K>): FrozenMap<K, V> {
    const delta = new Map<K, Slot<V>>(this.delta);
    for (const k of changed) delta.set(k, current.has(k) ? (current.get(k) as V) : DELETED);
    // Re-base once the delta is a noticeable share of the map, keeping lookups two probes.
    if (delta.size > 64 && delta.size * 8 > this.base.size) return frozenMap(current);
    return new FrozenMap(this.base, delta);
  }
}

/** A frozen copy of `entries`, in key order. */
export function frozenMap<K extends string, V>(entries: Iterable<readonly [K, V]>): FrozenMap<K, V> {
  const sorted = [...entries].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return new FrozenMap<K, V>(new Map<K, V>(sorted), new Map());
}
