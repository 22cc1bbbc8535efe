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
 */
export class TtlLru<V> {
  readonly #max: number;
  readonly #now: () => number;
  readonly #map = new Map<string, { value: V; expiresAt: number; moved: number }>();
  /** Operations so far (the clock of `moved`). */
  #ops = 0;
  readonly #moveAfter: number;

  constructor(maxEntries: number, now: () => number = Date.now) {
    if (!(maxEntries >= 1)) throw new RangeError('maxEntries must be ≥ 1');
    this.#max = Math.floor(maxEntries);
    this.#moveAfter = Math.floor(this.#max / 4);
    this.#now = now;
  }

  get size(): number {
    return this.#map.size;
  }

  /** The live value (and marks it recently used), or undefined when absent or expired. */
  get(key: string): V | undefined {
    const entry = this.#live(key);
    if (!entry) return undefined;
    this.#touch(key, entry);
    return entry.value;
  }

  /** The entry when present and not expired (an expired one is dropped). */
  #live(key: string): { value: V; expiresAt: number; moved: number } | undefined {
    const entry = this.#map.get(key);
    if (entry && entry.expiresAt <= this.#now()) {
      this.#map.delete(key);
      return undefined;
    }
    return entry;
  }

  #touch(key: string, entry: { value: V; expiresAt: number; moved: number }): void {
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

  /** Sets `value` for `ttlMs`, evicting the least recently used entries beyond the bound. */
  set(key: string, value: V, ttlMs: number): void {
    const entry = this.#map.get(key);
    if (entry) {
      // Update in place (no new entry object); move it when it is due.
      entry.value = value;
      entry.expiresAt = this.#now() + ttlMs;
      this.#touch(key, entry);
      return;
    }
    this.#map.set(key, { value, expiresAt: this.#now() + ttlMs, moved: ++this.#ops });
    while (this.#map.size > this.#max) {
      const oldest = this.#map.keys().next();
      if (oldest.done) break;
      this.#map.delete(oldest.value);
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
    return this.#map.delete(key);
  }

  clear(): void {
    this.#map.clear();
  }
}
