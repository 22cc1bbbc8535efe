import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SwitchboardError } from '../../runtime/core/errors.js';
import { createRedisStore, redactUrl, type RedisStore } from '../../runtime/store/redis-store.js';
import type { CounterIncrement } from '../../runtime/store/store.js';
import { EXTERNAL_REDIS_SKIP_REASON, redisIsExternal, startRedis, type RedisHandle } from '../helpers/redis.js';
import { waitFor } from '../helpers/config-tree.js';
import { storeContract } from './store.contract.js';

let redis: RedisHandle;
let raw: Redis;

beforeAll(async () => {
  redis = await startRedis();
  raw = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await raw.connect();
});
afterAll(async () => {
  raw?.disconnect();
  await redis?.stop();
});

const prefixOf = (ns: string): string => `swbtest:${ns}`;

storeContract('redis', {
  async make(ns) {
    const store = createRedisStore(redis.url, { keyPrefix: prefixOf(ns) });
    await store.ready();
    return { store, ttl: (key) => raw.ttl(prefixOf(ns) + key), close: () => store.close() };
  },
  async peer(_h, ns) {
    const store = createRedisStore(redis.url, { keyPrefix: prefixOf(ns) });
    await store.ready();
    return store;
  },
});

describe('redis store specifics', () => {
  it('one command per round trip: a turn is one EVALSHA each way, and still works after SCRIPT FLUSH (a restarted Redis)', async () => {
    const store = createRedisStore(redis.url, { keyPrefix: prefixOf('scripts') });
    await store.ready();
    try {
      const turn = () => store.beginTurn({ historyKey: 'h', limit: 5, assignment: { key: 'a', candidate: 'x', ttlSeconds: 60 } });
      expect(await turn()).toEqual({ history: [], assignment: 'x', assigned: true });
      await store.endTurn({ historyKey: 'h', messages: [{ role: 'user', content: 'one' }, { role: 'assistant', content: 'two' }], maxLength: 3, ttlSeconds: 60 });
      const before = await commandCalls();
      expect(await turn()).toEqual({ history: [{ role: 'user', content: 'one' }, { role: 'assistant', content: 'two' }], assignment: 'x', assigned: false });
      await store.endTurn({ historyKey: 'h', messages: [{ role: 'user', content: 'three' }], maxLength: 3, ttlSeconds: 60 });
      const after = await commandCalls();
      expect(after.evalsha - before.evalsha).toBe(2);
      // Commands run inside the scripts count in commandstats too: one LRANGE, one RPUSH.
      expect(after.lrange - before.lrange).toBe(1);
      expect(after.rpush - before.rpush).toBe(1);
      // Trimmed to the last 3, TTL set.
      expect(await raw.lrange(`${prefixOf('scripts')}h`, 0, -1)).toEqual(['{"role":"user","content":"one"}', '{"role":"assistant","content":"two"}', '{"role":"user","content":"three"}'].slice(-3));
      expect(await raw.ttl(`${prefixOf('scripts')}h`)).toBeGreaterThan(0);

      await raw.script('FLUSH');
      expect((await turn()).history.map((m) => m.content)).toEqual(['one', 'two', 'three']);
      await store.endTurn({ historyKey: 'h', messages: [{ role: 'assistant', content: 'four' }], maxLength: 3, ttlSeconds: 60 });
      expect(await raw.lrange(`${prefixOf('scripts')}h`, 0, -1)).toEqual(['{"role":"assistant","content":"two"}', '{"role":"user","content":"three"}', '{"role":"assistant","content":"four"}']);
    } finally {
      await store.close();
    }
  });

  it('prefixes every key with swb: by default and bounds them with TTLs', async () => {
    const store = createRedisStore(redis.url);
    await store.ready();
    const id = `prefix-${process.pid}-${Date.now()}`;
    await store.endTurn({ historyKey: `h:${id}`, messages: [{ role: 'user', content: 'x' }], maxLength: 5, ttlSeconds: 60 });
    await store.beginTurn({ historyKey: `h:${id}`, limit: 1, assignment: { key: `a:${id}`, candidate: 'gpt', ttlSeconds: 90 } });
    await store.incrementCounters!([{ key: `stats:${id}`, field: 'f', by: 1 }]);
    expect(await raw.lrange(`swb:h:${id}`, 0, -1)).toEqual(['{"role":"user","content":"x"}']);
    expect(await raw.get(`swb:a:${id}`)).toBe('gpt');
    expect(await raw.ttl(`swb:stats:${id}`)).toBe(90 * 24 * 3600);
    expect(await raw.exists(`h:${id}`)).toBe(0);
    await store.close();
  });

  it('skips corrupt history entries instead of failing the turn', async () => {
    const store = createRedisStore(redis.url, { keyPrefix: 'swbtest:corrupt:' });
    await store.ready();
    await raw.del('swbtest:corrupt:h');
    await raw.rpush('swbtest:corrupt:h', '{"role":"user","content":"ok"}', 'not json');
    await raw.expire('swbtest:corrupt:h', 60);
    expect((await store.beginTurn({ historyKey: 'h', limit: 10 })).history).toEqual([{ role: 'user', content: 'ok' }]);
    await store.close();
  });

  it('does not log or report the password of the URL', () => {
    expect(redactUrl('redis://user:s3cret@redis.internal:6380/2')).toBe('redis://user:***@redis.internal:6380/2');
    expect(redactUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });

  it('reports down (and rejects fast) when nothing listens, logging it once', async () => {
    const warnings: string[] = [];
    const log = { info: () => {}, warn: (_o: object, msg: string) => void warnings.push(msg) };
    const store = createRedisStore('redis://127.0.0.1:1', { maxReconnectDelayMs: 100, log });
    await expect(store.ready(300)).rejects.toThrow(/not connected after 300 ms/);
    const started = Date.now();
    await expect(store.beginTurn({ historyKey: 'h', limit: 1 })).rejects.toMatchObject({ code: 'SWB_ERR_STORE_UNAVAILABLE' });
    expect(Date.now() - started).toBeLessThan(100);
    expect(store.health()).toMatchObject({ kind: 'redis', state: 'down' });
    expect(store.health().lastError).toMatch(/ECONNREFUSED|writeable/);
    // Several reconnect attempts have failed by now (100 ms cap), one warning.
    expect(warnings).toEqual(['history store is down: answering without history until it is back']);
    await store.close();
  });
});

describe.skipIf(redisIsExternal())(`redis outage (skipped if ${EXTERNAL_REDIS_SKIP_REASON})`, () => {
  let own: RedisHandle;
  let store: RedisStore;
  const logs: string[] = [];
  const log = {
    info: (_o: object, msg: string) => void logs.push(`info: ${msg}`),
    warn: (_o: object, msg: string) => void logs.push(`warn: ${msg}`),
  };

  beforeAll(async () => {
    own = await startRedis();
    store = createRedisStore(own.url, { commandTimeoutMs: 500, maxReconnectDelayMs: 100, log });
    await store.ready();
  });
  afterAll(async () => {
    await store?.close();
    await own?.stop();
  });

  const waitUntilUp = async (ms: number): Promise<void> => {
    await waitFor(() => store.health().state === 'up', ms, `the store to be up (last error: ${store.health().lastError})`, 20);
  };

  it('killed server: every call rejects within the command timeout, health is down, it recovers after restart', async () => {
    await store.endTurn({ historyKey: 'h', messages: [{ role: 'user', content: 'before' }], maxLength: 10, ttlSeconds: 60 });
    expect(store.health()).toEqual({ kind: 'redis', state: 'up' });
    expect(logs).toEqual(['info: history store connected']);

    await own.kill();
    const counters: CounterIncrement[] = [{ key: 'stats:b', field: 'x:requests', by: 1 }];

    const calls: Array<[string, () => Promise<unknown>]> = [
      ['beginTurn', () => store.beginTurn({ historyKey: 'h', limit: 5, assignment: { key: 'a', candidate: 'x', ttlSeconds: 60 } })],
      ['endTurn', () => store.endTurn({ historyKey: 'h', messages: [{ role: 'user', content: 'lost' }], maxLength: 10, ttlSeconds: 60, counters })],
      ['setAssignment', () => store.setAssignment('a', 'y', 60)],
      ['claimOnce', () => store.claimOnce('d', 60)],
      ['releaseClaim', () => store.releaseClaim('d')],
      ['readCounters', () => store.readCounters!('stats:b')],
      ['incrementCounters', () => store.incrementCounters!([{ key: 'stats:b', field: 'f', by: 1 }])],
    ];
    for (const [name, call] of calls) {
      const started = Date.now();
      const err = await call().then(
        () => new Error(`${name} resolved during the outage`),
        (e: unknown) => e,
      );
      const elapsed = Date.now() - started;
      expect(err, name).toBeInstanceOf(SwitchboardError);
      expect((err as SwitchboardError).code, name).toBe('SWB_ERR_STORE_UNAVAILABLE');
      expect(elapsed, name).toBeLessThan(1500);
    }
    expect(store.health().state).toBe('down');
    expect(store.health().lastError).toBeTruthy();
    // Logged once, not once per failed command or reconnect attempt: let it reconnect to a
    // listener on its port that drops every connection, and count the attempts.
    let attempts = 0;
    const dropper = createServer((socket) => {
      attempts++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => dropper.listen(own.port, '127.0.0.1', resolve));
    try {
      await waitFor(() => attempts >= 3, 10_000, 'three reconnect attempts');
    } finally {
      await new Promise((resolve) => dropper.close(resolve));
    }
    expect(store.health().state).toBe('down');
    expect(logs.filter((l) => l.startsWith('warn'))).toHaveLength(1);

    await own.restart();
    await waitUntilUp(10_000);
    expect(store.health()).toEqual({ kind: 'redis', state: 'up' });
    expect(logs.slice(1)).toEqual(['warn: history store is down: answering without history until it is back', 'info: history store is back up']);
    // Works again (the restarted server is empty).
    expect(await store.beginTurn({ historyKey: 'h', limit: 5, assignment: { key: 'a', candidate: 'x', ttlSeconds: 60 } })).toEqual({
      history: [],
      assignment: 'x',
      assigned: true,
    });
    expect(await store.claimOnce('d', 60)).toBe(true);
  });

  it('a client that ioredis gave up on (status end) is started again by the store', async () => {
    await waitUntilUp(3000);
    // What a failed reconnect attempt leaves behind inside ioredis: a client that no longer retries.
    const ended = new Promise((resolve) => store.client.once('end', resolve));
    store.client.disconnect();
    await ended;
    await expect(store.claimOnce('ended', 60)).rejects.toMatchObject({ code: 'SWB_ERR_STORE_UNAVAILABLE' });
    await waitFor(() => store.client.status === 'ready', 5000, 'the client to be connected again', 20);
    expect(await store.claimOnce('ended', 60)).toBe(true);
  });

  it('hung server (no replies): calls reject at the command timeout, then recover by themselves', async () => {
    await waitUntilUp(3000);
    logs.length = 0;
    await own.pause();
    try {
      const started = Date.now();
      await expect(store.beginTurn({ historyKey: 'h', limit: 5 })).rejects.toMatchObject({ code: 'SWB_ERR_STORE_UNAVAILABLE' });
      const elapsed = Date.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(450);
      expect(elapsed).toBeLessThan(1500);
      expect(store.health()).toMatchObject({ state: 'down', lastError: 'Command timed out' });
    } finally {
      await own.resume();
    }
    // No traffic needed: the store probes (or reconnects) and reports up again.
    await waitUntilUp(4000);
    expect(await store.claimOnce('after-pause', 60)).toBe(true);
    expect(logs.filter((l) => l.startsWith('warn'))).toHaveLength(1);
  });
});

/** Calls per command since the server started (INFO commandstats). */
async function commandCalls(): Promise<{ evalsha: number; lrange: number; rpush: number }> {
  const info = await raw.info('commandstats');
  const calls = (name: string): number => Number(new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(info)?.[1] ?? 0);
  return { evalsha: calls('evalsha'), lrange: calls('lrange'), rpush: calls('rpush') };
}
