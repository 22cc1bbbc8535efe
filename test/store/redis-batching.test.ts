/**
 * Bursts against the Redis store: every call of a burst started in one event-loop turn
 * gets its own, correct answer, and a call started from a setImmediate callback goes out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStore, type RedisStore } from '../../runtime/store/redis-store.js';
import { startRedis, type RedisHandle } from '../helpers/redis.js';

let redis: RedisHandle;
let store: RedisStore;

beforeAll(async () => {
  redis = await startRedis();
  store = createRedisStore(redis.url, { keyPrefix: `swbtest:batch:${process.pid}:` });
  await store.ready();
});
afterAll(async () => {
  await store?.close();
  await redis?.stop();
});

const write = (key: string, text: string) => store.endTurn({ historyKey: key, messages: [{ role: 'user', content: text }], maxLength: 10, ttlSeconds: 60 });

describe('redis store write batching', () => {
  it('answers every call of a burst started in one turn with its own result', async () => {
    await Promise.all(Array.from({ length: 50 }, (_, i) => write(`h${i}`, `m${i}`)));
    const turns = await Promise.all(
      Array.from({ length: 50 }, (_, i) => store.beginTurn({ historyKey: `h${i}`, limit: 5, assignment: { key: `a${i}`, candidate: i % 2 ? 'x' : 'y', ttlSeconds: 60 } })),
    );
    turns.forEach((t, i) => {
      expect(t).toEqual({ history: [{ role: 'user', content: `m${i}` }], assignment: i % 2 ? 'x' : 'y', assigned: true });
    });
  });

  it('sends a call started from a setImmediate callback', async () => {
    const turn = await new Promise((resolve, reject) => {
      setImmediate(() => {
        store.beginTurn({ historyKey: 'h0', limit: 5 }).then(resolve, reject);
      });
    });
    expect(turn).toEqual({ history: [{ role: 'user', content: 'm0' }], assignment: null, assigned: false });
  });
});
