/**
 * The per-minute timeline: counts land in the right minute and integration, hour hashes
 * are merged across replicas sharing one Redis, and each hour's hash expires 25 h after
 * its last write.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStatsRecorder, type StatsRecorder } from '../../runtime/stats/stats-recorder.js';
import { buildTimeline, minuteOf, TIMELINE_MINUTES, timelineKeys } from '../../runtime/stats/timeline.js';
import { createMemoryStore } from '../../runtime/store/memory-store.js';
import { createRedisStore } from '../../runtime/store/redis-store.js';
import { startRedis, type RedisHandle } from '../helpers/redis.js';
import { makeBot } from '../routing/fixtures.js';

const bot = makeBot([
  { name: 'gpt', weight: 50 },
  { name: 'claude', weight: 50 },
]);
// 10:58 UTC on some day: the scenario crosses an hour boundary.
const T0 = Date.UTC(2026, 11, 1, 10, 58, 5);

function scenario(stats: StatsRecorder, clock: { t: number }): void {
  clock.t = T0;
  stats.record({ type: 'attempt', bot: bot.name, integration: 'gpt', fallback: false, outcome: 'ok', latencyMs: 40 });
  stats.record({ type: 'attempt', bot: bot.name, integration: 'gpt', fallback: false, outcome: 'timeout', latencyMs: 30_000 });
  clock.t = T0 + 60_000; // 10:59
  stats.record({ type: 'attempt', bot: bot.name, integration: 'claude', fallback: true, outcome: 'ok', latencyMs: 900 });
  clock.t = T0 + 120_000; // 11:00, the next hour's hash
  stats.record({ type: 'attempt', bot: bot.name, integration: 'gpt', fallback: false, outcome: 'ok', latencyMs: 120 });
  stats.record({ type: 'assignment', bot: bot.name, integration: 'gpt' });
}

describe('timeline (memory store)', () => {
  it('puts each attempt in its minute and integration', async () => {
    const clock = { t: T0 };
    const stats = createStatsRecorder({ store: createMemoryStore(), now: () => clock.t });
    scenario(stats, clock);
    const tl = await stats.readTimeline(bot, 5);
    const m0 = minuteOf(T0);
    expect(tl.minutes).toEqual([m0 - 2, m0 - 1, m0, m0 + 1, m0 + 2].map((m) => m * 60));
    const gpt = tl.integrations.find((s) => s.name === 'gpt');
    const claude = tl.integrations.find((s) => s.name === 'claude');
    expect(gpt?.requests).toEqual([0, 0, 2, 0, 1]);
    expect(gpt?.errors).toEqual([0, 0, 1, 0, 0]);
    expect(claude?.requests).toEqual([0, 0, 0, 1, 0]);
    expect(claude?.fallbacks).toEqual([0, 0, 0, 1, 0]);
    expect(gpt?.p50Ms[2]).toBeGreaterThan(25);
    expect(gpt?.p50Ms[2]).toBeLessThanOrEqual(50);
    expect(gpt?.p50Ms[0]).toBeNull();
    expect(claude?.p95Ms[3]).toBeGreaterThan(750);
    expect((await stats.readTimeline(bot)).minutes).toHaveLength(TIMELINE_MINUTES);
    await stats.close();
  });

  it('ignores fields outside the window and malformed ones', () => {
    const tl = buildTimeline(bot, [{ '100:gpt:requests': 3, '99:gpt:requests': 7, 'x:gpt:requests': 1, '100:gpt': 2, '101:gpt:requests': Number.NaN }], 100, 101);
    expect(tl.integrations.find((s) => s.name === 'gpt')?.requests).toEqual([3, 0]);
    expect(timelineKeys('b', 119, 121)).toEqual(['statsm:b:1', 'statsm:b:2']);
  });
});

describe('timeline over Redis (shared by replicas)', () => {
  let redis: RedisHandle;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('merges two replicas and expires each hour 25 h after its last write', async () => {
    const prefix = `swbtest:timeline:${process.pid}:`;
    const clock = { t: T0 };
    const stores = [createRedisStore(redis.url, { keyPrefix: prefix }), createRedisStore(redis.url, { keyPrefix: prefix })];
    await Promise.all(stores.map((s) => s.ready()));
    const [a, b] = stores.map((store) => createStatsRecorder({ store, flushIntervalMs: 60_000, now: () => clock.t })) as [StatsRecorder, StatsRecorder];
    scenario(a, clock);
    scenario(b, clock);
    await a.flush();
    await b.flush();
    const tl = await b.readTimeline(bot, 5);
    expect(tl.integrations.find((s) => s.name === 'gpt')?.requests).toEqual([0, 0, 4, 0, 2]);
    expect(tl.integrations.find((s) => s.name === 'claude')?.requests).toEqual([0, 0, 0, 2, 0]);

    const raw = new Redis(redis.url);
    try {
      for (const key of timelineKeys(bot.name, minuteOf(T0), minuteOf(T0) + 2)) {
        const ttl = await raw.ttl(`${prefix}${key}`);
        expect(ttl, key).toBeGreaterThan(25 * 3600 - 120);
        expect(ttl, key).toBeLessThanOrEqual(25 * 3600);
      }
      // The totals hash keeps its own (long) TTL.
      expect(await raw.ttl(`${prefix}stats:${bot.name}`)).toBeGreaterThan(25 * 3600);
    } finally {
      raw.disconnect();
    }
    for (const r of [a, b]) await r.close();
    for (const s of stores) await s.close();
  });
});
