/**
 * The in-memory `IdempotencyStore`: one process only. Records expire after 24 h (in-flight
 * ones after 5 minutes); expired records are swept as new ones arrive.
 */
import { IDEMPOTENCY_PENDING_MS, IDEMPOTENCY_TTL_MS, type IdempotencyRecord, type IdempotencyStore } from './idempotency.js';

/** Creates the store; `now` is injectable for tests. */
export function createMemoryIdempotency(opts: { now?: () => number; maxEntries?: number } = {}): IdempotencyStore {
  const now = opts.now ?? Date.now;
  const maxEntries = opts.maxEntries ?? 100_000;
  // Insertion order is expiry order for finished records, close enough for pending ones.
  const records = new Map<string, IdempotencyRecord & { expires: number }>();
  const sweep = (): void => {
    const t = now();
    for (const [k, r] of records) {
      if (r.expires > t && records.size <= maxEntries) break;
      records.delete(k);
    }
  };
  return {
    async claim(bot, key, fingerprint) {
      const id = `${bot}\n${key}`;
      const existing = records.get(id);
      if (existing && existing.expires > now()) return existing;
      sweep();
      records.delete(id);
      records.set(id, { fingerprint, expires: now() + IDEMPOTENCY_PENDING_MS });
      return undefined;
    },
    async finish(bot, key, record) {
      const id = `${bot}\n${key}`;
      records.delete(id);
      records.set(id, { ...record, expires: now() + IDEMPOTENCY_TTL_MS });
    },
    async abandon(bot, key) {
      records.delete(`${bot}\n${key}`);
    },
  };
}
