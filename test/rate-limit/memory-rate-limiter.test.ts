import { describe, expect, it } from 'vitest';
import { createMemoryRateLimiter } from '../../runtime/rate-limit/memory-rate-limiter.js';
import { failOpen, rateLimitKey, retryAfterSeconds, type RateLimiter } from '../../runtime/rate-limit/rate-limiter.js';
import { rateLimiterContract } from './rate-limiter.contract.js';

rateLimiterContract('memory', { make: async (clock) => createMemoryRateLimiter({ clock }) });

describe('memory rate limiter specifics', () => {
  it('a concurrent burst lets exactly N through', async () => {
    const rl = createMemoryRateLimiter();
    const out = await Promise.all(Array.from({ length: 40 }, () => rl.consume('k', 7, 60_000)));
    expect(out.filter((d) => d.allowed)).toHaveLength(7);
    expect(out.filter((d) => d.firstRejectionInWindow)).toHaveLength(1);
  });

  it('keeps at most maxKeys users, dropping the least recently used', async () => {
    const rl = createMemoryRateLimiter({ maxKeys: 2 });
    await rl.consume('a', 1, 60_000, 0);
    await rl.consume('b', 1, 60_000, 0);
    await rl.consume('a', 1, 60_000, 1); // touches a: b is now the oldest
    await rl.consume('c', 1, 60_000, 2);
    expect((await rl.consume('a', 1, 60_000, 3)).allowed).toBe(false);
    expect((await rl.consume('b', 1, 60_000, 3)).allowed).toBe(true);
  });
});

describe('rate limiter helpers', () => {
  it('keys carry bot, platform and user inside one hash tag', () => {
    expect(rateLimitKey({ bot: 'support', platform: 'telegram', userId: '42' })).toBe('{rl:support:telegram:42}');
    expect(rateLimitKey({ bot: 'a', platform: 'http', userId: 'x:y' })).not.toBe(rateLimitKey({ bot: 'a:x', platform: 'http', userId: 'y' }));
    const long = rateLimitKey({ bot: 'support', platform: 'http', userId: 'u'.repeat(500) });
    expect(long).toMatch(/^\{rl:support:http:#[0-9a-f]{64}\}$/);
    expect(long).not.toBe(rateLimitKey({ bot: 'support', platform: 'http', userId: 'u'.repeat(501) }));
  });

  it.each([
    [1, 1],
    [999, 1],
    [1000, 1],
    [1001, 2],
    [59_997, 60],
  ])('Retry-After of %i ms is %i s', (ms, s) => {
    expect(retryAfterSeconds(ms)).toBe(s);
  });

  it('failOpen lets the message through and reports the error', async () => {
    const broken: RateLimiter = {
      consume: () => Promise.reject(new Error('connection refused')),
      reset: () => Promise.resolve(),
    };
    const seen: string[] = [];
    const rl = failOpen(broken, (err, key) => seen.push(`${key}: ${(err as Error).message}`));
    expect(await rl.consume('k', 1, 1000)).toEqual({ allowed: true, retryAfterMs: 0, firstRejectionInWindow: false, remaining: 0, failedOpen: true });
    expect(seen).toEqual(['k: connection refused']);
  });

  it('failOpen passes decisions through untouched', async () => {
    const rl = failOpen(createMemoryRateLimiter(), () => {
      throw new Error('not called');
    });
    await rl.consume('k', 1, 1000, 0);
    expect(await rl.consume('k', 1, 1000, 1)).toEqual({ allowed: false, retryAfterMs: 999, firstRejectionInWindow: true, remaining: 0 });
  });
});
