import { describe, expect, it } from 'vitest';
import { stickyHash } from '../../runtime/routing/sticky-hash.js';

describe('stickyHash', () => {
  it('is sha256(bot NUL key), first 48 bits over 2^48: pinned so replicas and versions agree', () => {
    expect(stickyHash('support', 'user:telegram:42')).toBe(0.502399177050112);
  });

  it('is deterministic and depends on both bot and key', () => {
    const a = stickyHash('support', 'user:http:alice');
    expect(stickyHash('support', 'user:http:alice')).toBe(a);
    expect(stickyHash('sales', 'user:http:alice')).not.toBe(a);
    expect(stickyHash('support', 'user:http:bob')).not.toBe(a);
    // The separator keeps (bot, key) pairs apart: "ab"+"c" ≠ "a"+"bc".
    expect(stickyHash('ab', 'c')).not.toBe(stickyHash('a', 'bc'));
  });

  it('stays in [0, 1) and spreads evenly over ten deciles (100,000 keys, within 5 sigma)', () => {
    const n = 100_000;
    const deciles = new Array<number>(10).fill(0);
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const h = stickyHash('support', `user:http:${i}`);
      if (!(h >= 0 && h < 1)) outside++;
      else deciles[Math.floor(h * 10)]!++;
    }
    expect(outside).toBe(0);
    // Binomial(n, 0.1): sigma = sqrt(n·0.1·0.9) ≈ 94.9; 5 sigma ≈ 474.
    const sigma = Math.sqrt(n * 0.1 * 0.9);
    for (const count of deciles) expect(Math.abs(count - n / 10)).toBeLessThanOrEqual(5 * sigma);
  });
});
