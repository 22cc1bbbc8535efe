/**
 * Constant-time string comparison for credentials (bearer tokens, Telegram secret tokens,
 * the admin token). Hashing both sides first makes the lengths equal and hides them.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
}
