/**
 * A size-bounded map whose entries expire: the memory store's building block, so a
 * long-running process without Redis cannot grow without bound. Map iteration order is
 * insertion order, so re-inserting on access keeps the least recently used entry first.
 *
 * Re-inserting on every access costs a delete + insert (and table churn) per read; an
 * entry is only moved when it was last moved more than a quarter of `maxEntries`
 * operations ago. That keeps the eviction guarantee that matters: an entry used at least
 * once every `maxEntries / 4` operations is never evicted (it always sits in the newest
 * quarter), and the least recently used entries are still the first to go.
 *
 * Besides the entry count, the map can be bounded by bytes: each `set` may give the entry's
 * accounted size, and least recently used entries are evicted while the total is over
 * `maxBytes` (never the entry being written, so an active conversation is not dropped by
 * its own growth; the caller keeps a single entry under the bound).
 */
interface Entry<V> {
  value: V;
  expiresAt: number;
  moved: number;
  bytes: number;
}

export class TtlLru<V> {
  readonly #max: number;
  readonly #maxBytes: number;
  readonly #now: () => number;
  readonly #map = new Map<string, Entry<V>>();
  /** Operations so far (the clock of `moved`). */
  #ops = 0;
  #bytes = 0;
  readonly #moveAfter: number;

  constructor(maxEntries: number, now: () => number = Date.now, maxBytes = Infinity) {
    if (!(maxEntries >= 1)) throw new RangeError('maxEntries must be ≥ 1');
    if (!(maxBytes >= 1)) throw new RangeError('maxBytes must be ≥ 1');
    this.#max = Math.floor(maxEntries);
    this.#maxBytes = maxBytes;
    this.#moveAfter = Math.floor(this.#max / 4);
    this.#now = now;
  }

  get size(): number {
    return this.#map.size;
  }

  /** The accounted bytes of all entries (as given to `set`). */
  get bytes(): number {
    return this.#bytes;
  }

  /** The accounted bytes of one entry, or undefined when absent. */
  bytesOf(key: string): number | undefined {
    return this.#map.get(key)?.bytes;
  }

  /** The live value (and marks it recently used), or undefined when absent or expired. */
  get(key: string): V | undefined {
    const entry = this.#live(key);
    if (!entry) return undefined;
    this.#touch(key, entry);
    return entry.value;
  }

  /** The entry when present and not expired (an expired one is dropped). */
  #live(key: string): Entry<V> | undefined {
    const entry = this.#map.get(key);
    if (entry && entry.expiresAt <= this.#now()) {
      this.delete(key);
      return undefined;
    }
    return entry;
  }

  #touch(key: string, entry: Entry<V>): void {
    const ops = ++this.#ops;
    if (ops - entry.moved <= this.#moveAfter) return;
    entry.moved = ops;
    this.#map.delete(key);
    this.#map.set(key, entry);
  }

  /** The live value without marking it recently used (a write that follows will). */
  peek(key: string): V | undefined {
    return this.#live(key)?.value;
  }

  /**
   * Sets `value` for `ttlMs` (accounted as `bytes`), evicting the least recently used other
   * entries beyond the count and byte bounds.
   */
  set(key: string, value: V, ttlMs: number, bytes = 0): void {
    const entry = this.#map.get(key);
    if (entry) {
      // Update in place (no new entry object); move it when it is due.
      this.#bytes += bytes - entry.bytes;
      entry.value = value;
      entry.bytes = bytes;
      entry.expiresAt = this.#now() + ttlMs;
      this.#touch(key, entry);
    } else {
      this.#map.set(key, { value, expiresAt: this.#now() + ttlMs, moved: ++this.#ops, bytes });
      this.#bytes += bytes;
    }
    if (this.#map.size <= this.#max && this.#bytes <= this.#maxBytes) return;
    for (const oldest of this.#map.keys()) {
      if (this.#map.size <= this.#max && this.#bytes <= this.#maxBytes) break;
      if (oldest !== key) this.delete(oldest);
    }
  }

  /** Milliseconds left before `key` expires, or undefined when absent. */
  ttlMs(key: string): number | undefined {
    const entry = this.#map.get(key);
    if (!entry) return undefined;
    const left = entry.expiresAt - this.#now();
    return left > 0 ? left : undefined;
  }

  delete(key: string): boolean {
    const entry = this.#map.get(key);
    if (!entry) return false;
    this.#bytes -= entry.bytes;
    return this.#map.delete(key);
  }

  clear(): void {
    this.#map.clear();
    this.#bytes = 0;
  }
}
