/**
 * The Redis store sends the pipelines started in one event-loop turn in one write (the
 * socket is corked until the check phase). These tests pin what that must not change:
 * every call of a burst gets its own, correct answer, a pipeline started from a
 * setImmediate callback still goes out, and the burst really shares writes.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
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

  it('sends a pipeline started from a setImmediate callback (uncorked on the next turn)', async () => {
    const turn = await new Promise((resolve, reject) => {
      setImmediate(() => {
        store.beginTurn({ historyKey: 'h0', limit: 5 }).then(resolve, reject);
      });
    });
    expect(turn).toEqual({ history: [{ role: 'user', content: 'm0' }], assignment: null, assigned: false });
  });

  it('puts the pipelines of one turn into one socket write', async () => {
    // Start from a quiet socket (no cork left from an earlier call), in a fresh loop turn.
    await new Promise((resolve) => setImmediate(resolve));
    // Only the store's socket writes while the burst is sent from this process.
    const writes = vi.spyOn(net.Socket.prototype as unknown as { _write: () => void }, '_write');
    const writevs = vi.spyOn(net.Socket.prototype as unknown as { _writev: () => void }, '_writev');
    try {
      await Promise.all(Array.from({ length: 20 }, (_, i) => store.beginTurn({ historyKey: `h${i}`, limit: 5 })));
      expect(writes.mock.calls.length + writevs.mock.calls.length).toBe(1);
    } finally {
      writes.mockRestore();
      writevs.mockRestore();
    }
  });
});
