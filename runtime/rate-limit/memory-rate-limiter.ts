/**
 * The in-process rate limiter: a sliding window log per key in a Map, for a single replica
 * (or tests). Keys are kept in least-recently-used order and dropped once their window has
 * passed, or when more than `maxKeys` users are tracked.
 */
import type { RateLimitDecision, RateLimiter } from './rate-limiter.js';

export interface MemoryRateLimiterOptions {
  /** Milliseconds since the epoch (default `Date.now`); inject one in tests. */
  clock?: () => number;
  /** Most keys kept; the least recently used go first (default 100,000). */
  maxKeys?: number;
}

interface Entry {
  /** Accepted message times, oldest first. */
  log: number[];
  /** Time of the last flagged rejection (the notice), if any. */
  noticeAt?: number;
  /** When everything in this entry has left its window. */
  expiresAt: number;
}

/** How many expired keys one call may sweep: keeps the cost of a call bounded. */
const SWEEP_PER_CALL = 8;

/** Creates a memory rate limiter. */
export function createMemoryRateLimiter(opts: MemoryRateLimiterOptions = {}): RateLimiter {
  const clock = opts.clock ?? Date.now;
  const maxKeys = opts.maxKeys ?? 100_000;
  const entries = new Map<string, Entry>();

  const sweep = (now: number): void => {
    let n = 0;
    for (const [key, e] of entries) {
      if (n++ >= SWEEP_PER_CALL || e.expiresAt > now) break;
      entries.delete(key);
    }
    while (entries.size > maxKeys) entries.delete(entries.keys().next().value as string);
  };

  return {
    consume(key, limit, windowMs, now = clock()) {
      const cutoff = now - windowMs;
      const e = entries.get(key) ?? { log: [], expiresAt: 0 };
      entries.delete(key);
      let drop = 0;
      while (drop < e.log.length && (e.log[drop] as number) <= cutoff) drop++;
      if (drop > 0) e.log.splice(0, drop);
      if (e.noticeAt !== undefined && e.noticeAt <= cutoff) delete e.noticeAt;
      let decision: RateLimitDecision;
      if (e.log.length < limit) {
        e.log.push(now);
        decision = { allowed: true, retryAfterMs: 0, firstRejectionInWindow: false, remaining: limit - e.log.length };
      } else {
        // One more fits once the entry at index (count - limit) has left the window.
        const retryAfterMs = Math.max(1, (e.log[e.log.length - limit] as number) + windowMs - now);
        const first = e.noticeAt === undefined;
        if (first) e.noticeAt = now;
        decision = { allowed: false, retryAfterMs, firstRejectionInWindow: first, remaining: 0 };
      }
      e.expiresAt = Math.max(e.log.at(-1) ?? 0, e.noticeAt ?? 0) + windowMs;
      entries.set(key, e);
      sweep(now);
      return Promise.resolve(decision);
    },
    reset(key) {
      entries.delete(key);
      return Promise.resolve();
    },
  };
}
