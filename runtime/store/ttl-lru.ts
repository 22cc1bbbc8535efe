/**
 * A size-bounded map whose entries expire: the memory store's building block, so a
 * long-running process without Redis cannot grow without bound. Map iteration order is
 * insertion order, so re-inserting on access keeps the least recently used entry first.
 */
export class TtlLru<V> {
  readonly #max: number;
  readonly #now: () => number;
  readonly #map = new Map<string, { value: V; expiresAt: number }>();

  constructor(maxEntries: number, now: () => number = Date.now) {
    if (!(maxEntries >= 1)) throw new RangeError('maxEntries must be ≥ 1');
    this.#max = Math.floor(maxEntries);
    this.#now = now;
  }

  get size(): number {
    return this.#map.size;
  }

  /** The live value (and marks it recently used), or undefined when absent or expired. */
  get(key: string): V | undefined {
    const entry = this.#map.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.#map.delete(key);
      return undefined;
    }
    this.#map.delete(key);
    this.#map.set(key, entry);
    return entry.value;
  }

  /** The live value without marking it recently used (a write that follows will). */
  peek(key: string): V | undefined {
    const entry = this.#map.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.#map.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** Sets `value` for `ttlMs`, evicting the least recently used entries beyond the bound. */
  set(key: string, value: V, ttlMs: number): void {
    this.#map.delete(key);
    this.#map.set(key, { value, expiresAt: this.#now() + ttlMs });
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
