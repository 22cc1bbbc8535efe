/**
 * The deterministic part of A/B selection: the same (bot, key) maps to the same number on
 * every replica, in every process, during a Redis outage and after a restart.
 */
import { hash } from 'node:crypto';

const TWO_POW_48 = 2 ** 48;

/**
 * Maps bot + sticky key to a number in [0, 1): the first 6 bytes (48 bits, exact in a
 * double) of sha256(`bot` NUL `key`), divided by 2^48. Uniform enough that weighted picks
 * over many users match the weights (test/routing/sticky-hash.test.ts checks the spread).
 *
 * @example stickyHash('support', 'user:telegram:42') // → 0.7384… (always the same)
 */
export function stickyHash(bot: string, key: string): number {
  const input = `${bot}\u0000${key}`;
  const cached = recent.get(input);
  if (cached !== undefined) return cached;
  // crypto.hash: one-shot, no Hash object per message (same digest as createHash().update()…).
  const value = hash('sha256', input, 'buffer').readUIntBE(0, 6) / TWO_POW_48;
  // A user's every message hashes the same input; a sha256 costs ~1.5 µs, a lookup ~0.1.
  if (recent.size >= MAX_CACHED) recent.clear();
  recent.set(input, value);
  return value;
}

/** Recently hashed inputs (bounded: cleared when full, so memory stays ~5 MB at most). */
const recent = new Map<string, number>();
const MAX_CACHED = 50_000;
