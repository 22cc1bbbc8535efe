/**
 * The deterministic part of A/B selection: the same (bot, key) maps to the same number on
 * every replica, in every process, during a Redis outage and after a restart.
 */
import { hash } from 'node:crypto';

const TWO_POW_48 = 2 ** 48;

/**
 * Maps bot + sticky key to a number in [0, 1): the first 6 bytes (48 bits, exact in a
 * double) of sha256(`bot` NUL `key`), divided by 2^48. Uniform enough that weighted picks
 * over many users match the weights (see test/routing/distribution.test.ts).
 *
 * @example stickyHash('support', 'user:telegram:42') // → 0.7384… (always the same)
 */
export function stickyHash(bot: string, key: string): number {
  // crypto.hash: one-shot, no Hash object per message (same digest as createHash().update()…).
  return hash('sha256', `${bot}\u0000${key}`, 'buffer').readUIntBE(0, 6) / TWO_POW_48;
}
