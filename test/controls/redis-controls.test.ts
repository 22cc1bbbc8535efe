/**
 * Conversation controls on real Redis: one limit shared by two runtime replicas, window
 * boundaries with an injected clock, fail-open during an outage (logged once per interval,
 * counted), and `historyTtl` as the TTL Redis holds for the history and the user index.
 */
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStore, type RedisStore } from '../../runtime/store/redis-store.js';
import { captureLogger } from '../channels/channel-test-context.js';
import { lastUserText } from '../channels/channel.contract.js';
import { redisIsExternal, startRedis, type RedisHandle } from '../helpers/redis.js';
import { buildControlsWorld, supportBot, type ControlsWorld } from './controls-world.js';

let redis: RedisHandle;
let ns = 0;
const open: Array<{ world: ControlsWorld; store: RedisStore }> = [];

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});
afterEach(async () => {
  for (const { world, store } of open.splice(0)) {
    await world.app.close();
    await store.close();
  }
});

const prefix = (): string => `swbtest:controls:${process.pid}:${++ns}:`;

async function replica(keyPrefix: string, bots = [supportBot({ rateLimit: { messages: 5, perMs: 60_000, message: 'Slow down.' } })], opts: { clock?: () => number; logger?: ReturnType<typeof captureLogger>['log'] } = {}) {
  const store = createRedisStore(redis.url, { keyPrefix, maxReconnectDelayMs: 100 });
  await store.ready();
  const world = await buildControlsWorld({ bots, store, limiter: store.rateLimiter(opts.clock ? { clock: opts.clock } : {}), ...(opts.logger ? { logger: opts.logger } : {}) });
  open.push({ world, store });
  return { world, store };
}

describe('rateLimit on Redis', () => {
  it('two replicas sharing one Redis share the limit: a concurrent burst lets exactly N through', async () => {
    const p = prefix();
    const a = await replica(p);
    const b = await replica(p);
    const sends = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).world.say('u1', `m${i}`, { conversationId: `c${i}` }));
    const res = await Promise.all(sends);
    expect(res.filter((r) => r.statusCode === 200)).toHaveLength(5);
    const rejected = res.filter((r) => r.statusCode === 429);
    expect(rejected).toHaveLength(15);
    for (const r of rejected) expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(a.world.payloads.length + b.world.payloads.length).toBe(5);
  });

  it('window boundaries follow the injected clock on both replicas', async () => {
    let t = 5_000_000;
    const now = (): number => t;
    const p = prefix();
    const bot = supportBot({ rateLimit: { messages: 2, perMs: 10_000, message: 'Slow down.' } });
    const a = await replica(p, [bot], { clock: now });
    const b = await replica(p, [bot], { clock: now });
    expect((await a.world.say('u1', 'one')).statusCode).toBe(200);
    t += 4_000;
    expect((await b.world.say('u1', 'two')).statusCode).toBe(200);
    t += 1_000;
    const over = await a.world.say('u1', 'three');
    expect(over.statusCode).toBe(429);
    expect(over.headers['retry-after']).toBe('5');
    t += 4_999;
    expect((await b.world.say('u1', 'still early')).statusCode).toBe(429);
    t += 1;
    expect((await b.world.say('u1', 'four')).statusCode).toBe(200);
    expect([...a.world.payloads, ...b.world.payloads].map(lastUserText).sort()).toEqual(['four', 'one', 'two']);
  });

  it.skipIf(redisIsExternal())('Redis down: messages pass (fail open), the failure is counted and logged once per interval', async () => {
    // Its own server, so killing it does not disturb the other tests.
    const own = await startRedis();
    const { log, lines } = captureLogger();
    const store = createRedisStore(own.url, { keyPrefix: prefix(), maxReconnectDelayMs: 100, commandTimeoutMs: 300 });
    await store.ready();
    const world = await buildControlsWorld({ bots: [supportBot({ rateLimit: { messages: 1, perMs: 60_000, message: 'Slow down.' } })], store, limiter: store.rateLimiter(), logger: log });
    open.push({ world, store });
    try {
      expect((await world.say('u1', 'before')).statusCode).toBe(200);
      expect((await world.say('u1', 'limited')).statusCode).toBe(429);
      await own.kill();
      for (const text of ['during 1', 'during 2', 'during 3']) {
        const res = await world.say('u1', text);
        expect(res.statusCode).toBe(200);
        expect(res.json()).toMatchObject({ content: `reply: ${text}` });
      }
      const metrics = await world.app.metrics.registry.getSingleMetricAsString('switchboard_rate_limit_errors_total');
      expect(metrics).toMatch(/switchboard_rate_limit_errors_total 3$/m);
      expect(lines.filter((l) => l.includes('rate limit store unavailable'))).toHaveLength(1);
    } finally {
      await own.stop();
    }
  });
});

describe('historyTtl on Redis', () => {
  it('is the TTL Redis holds for the history key and the user index', async () => {
    const p = prefix();
    const { world } = await replica(p, [supportBot({ historyTtlMs: 2 * 3600_000 })]);
    expect((await world.say('u1', 'hi', { conversationId: 'c-1' })).statusCode).toBe(200);
    const client = new Redis(redis.url);
    try {
      const history = await client.ttl(`${p}h:support:http:c-1`);
      const index = await client.ttl(`${p}{u:http:u1}:keys`);
      expect(history).toBeGreaterThan(7100);
      expect(history).toBeLessThanOrEqual(7200);
      expect(index).toBeGreaterThan(7100);
      expect(index).toBeLessThanOrEqual(7200);
      // The assignment keeps its own 30 days.
      expect(await client.ttl(`${p}a:support:user:http:u1`)).toBeGreaterThan(29 * 86_400);
    } finally {
      client.disconnect();
    }
  });
});
