/**
 * The behaviour every rate limiter must have (memory and Redis run the same suite): a
 * sliding window log with an injected clock, the notice flag at most once per window, keys
 * independent, reset.
 */
import { describe, expect, it } from 'vitest';
import type { RateLimiter } from '../../runtime/rate-limit/rate-limiter.js';

export interface LimiterFactory {
  /** A fresh limiter whose keys do not overlap any other test's; `clock` is its default time. */
  make(clock: () => number): Promise<RateLimiter>;
}

const T = 1_764_000_000_000;
const MIN = 60_000;
let n = 0;
const freshKey = (): string => `{rl:test:http:u${++n}-${Math.random().toString(36).slice(2)}}`;

export function rateLimiterContract(name: string, factory: LimiterFactory): void {
  describe(`rate limiter contract: ${name}`, () => {
    const make = (clock: () => number = () => T): Promise<RateLimiter> => factory.make(clock);

    it('allows N messages in the window, then rejects with the time until the oldest leaves it', async () => {
      const rl = await make();
      const key = freshKey();
      const got = [];
      for (let i = 0; i < 5; i++) got.push(await rl.consume(key, 3, MIN, T + i * 1000));
      expect(got.map((d) => [d.allowed, d.remaining])).toEqual([
        [true, 2],
        [true, 1],
        [true, 0],
        [false, 0],
        [false, 0],
      ]);
      expect(got.slice(0, 3).every((d) => d.retryAfterMs === 0 && !d.firstRejectionInWindow)).toBe(true);
      expect(got[3]).toMatchObject({ retryAfterMs: MIN - 3000, firstRejectionInWindow: true });
      expect(got[4]).toMatchObject({ retryAfterMs: MIN - 4000, firstRejectionInWindow: false });
    });

    it('window boundaries: an entry leaves exactly one window after it was counted', async () => {
      const rl = await make();
      const key = freshKey();
      await rl.consume(key, 2, MIN, T);
      await rl.consume(key, 2, MIN, T + 10_000);
      expect(await rl.consume(key, 2, MIN, T + MIN - 1)).toMatchObject({ allowed: false, retryAfterMs: 1 });
      expect(await rl.consume(key, 2, MIN, T + MIN)).toMatchObject({ allowed: true, remaining: 0 });
      // The second slot frees at T + 10s + 1 min, the third at T + 2 min.
      expect(await rl.consume(key, 2, MIN, T + MIN + 1)).toMatchObject({ allowed: false, retryAfterMs: 10_000 - 1 });
      expect(await rl.consume(key, 2, MIN, T + MIN + 10_000)).toMatchObject({ allowed: true });
    });

    it('rejected messages are not counted: hammering does not extend the block', async () => {
      const rl = await make();
      const key = freshKey();
      await rl.consume(key, 1, MIN, T);
      for (let i = 1; i < 50; i++) expect((await rl.consume(key, 1, MIN, T + i * 1000)).allowed).toBe(false);
      expect((await rl.consume(key, 1, MIN, T + MIN)).allowed).toBe(true);
    });

    it('flags the notice at most once per window, not once per run of rejections', async () => {
      const rl = await make();
      const key = freshKey();
      for (const at of [0, 10_000, 20_000]) await rl.consume(key, 3, MIN, T + at);
      expect(await rl.consume(key, 3, MIN, T + 30_000)).toMatchObject({ allowed: false, firstRejectionInWindow: true });
      expect(await rl.consume(key, 3, MIN, T + 31_000)).toMatchObject({ allowed: false, firstRejectionInWindow: false });
      // A slot frees and fills again within a minute of the notice: no second notice.
      expect((await rl.consume(key, 3, MIN, T + MIN + 1)).allowed).toBe(true);
      expect(await rl.consume(key, 3, MIN, T + MIN + 2)).toMatchObject({ allowed: false, firstRejectionInWindow: false });
      // A full window after the notice, the next rejection is flagged again.
      for (const at of [MIN + 10_000, MIN + 20_000]) expect((await rl.consume(key, 3, MIN, T + at)).allowed).toBe(true);
      expect(await rl.consume(key, 3, MIN, T + MIN + 30_000)).toMatchObject({ allowed: false, firstRejectionInWindow: true });
    });

    it('a lowered limit waits for enough entries to leave', async () => {
      const rl = await make();
      const key = freshKey();
      for (let i = 0; i < 5; i++) await rl.consume(key, 5, MIN, T + i * 1000);
      // 5 counted, the limit is now 3: one more fits once the first three have left.
      expect(await rl.consume(key, 3, MIN, T + 5000)).toMatchObject({ allowed: false, retryAfterMs: MIN + 2000 - 5000 });
    });

    it('keys are independent and reset forgets one key', async () => {
      const rl = await make();
      const a = freshKey();
      const b = freshKey();
      await rl.consume(a, 1, MIN, T);
      expect((await rl.consume(a, 1, MIN, T + 1)).allowed).toBe(false);
      expect((await rl.consume(b, 1, MIN, T + 1)).allowed).toBe(true);
      await rl.reset(a);
      expect(await rl.consume(a, 1, MIN, T + 2)).toMatchObject({ allowed: true, remaining: 0 });
      expect((await rl.consume(b, 1, MIN, T + 2)).allowed).toBe(false);
    });

    it('uses its injected clock when no time is passed', async () => {
      let now = T;
      const rl = await make(() => now);
      const key = freshKey();
      expect((await rl.consume(key, 1, MIN)).allowed).toBe(true);
      now += MIN - 1;
      expect(await rl.consume(key, 1, MIN)).toMatchObject({ allowed: false, retryAfterMs: 1 });
      now += 1;
      expect((await rl.consume(key, 1, MIN)).allowed).toBe(true);
    });
  });
}
