/**
 * A Redis that answers with errors instead of being down (maxmemory reached, `OOM` on every
 * write): the store says `degraded` with the error in /readyz and /config, and the same error
 * is logged at most once per 10 s with a count (on an injected clock). Uses its own
 * redis-server: the test changes maxmemory with CONFIG SET.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedBot } from '../../runtime/config/snapshot.js';
import type { Router } from '../../runtime/routing/router.js';
import { buildServer, type SwitchboardApp } from '../../runtime/server.js';
import { createRedisStore, type RedisStore } from '../../runtime/store/redis-store.js';
import { redisIsExternal, EXTERNAL_REDIS_SKIP_REASON, startRedis, type RedisHandle } from '../helpers/redis.js';
import { bot, integration, snapshot } from '../helpers/snapshot.js';

const first: Router = {
  plan: (b: ResolvedBot) => ({ candidate: b.integrations[0]?.name }),
  decide: (_b, plan) => ({ primary: plan.candidate, order: plan.candidate ? [plan.candidate] : [] }),
  record: () => undefined,
};

interface Line {
  level: 'info' | 'warn';
  obj: Record<string, unknown>;
  msg: string;
}

describe.skipIf(redisIsExternal())(`Redis answering errors (${EXTERNAL_REDIS_SKIP_REASON.split(':')[0]} skips this)`, () => {
  let server: RedisHandle;
  let admin: Redis;
  let store: RedisStore;
  let app: SwitchboardApp;
  let clock = 1_000_000;
  const lines: Line[] = [];
  const logger = { level: 'info', info: (obj: object, msg: string) => lines.push({ level: 'info', obj: obj as Record<string, unknown>, msg }), warn: (obj: object, msg: string) => lines.push({ level: 'warn', obj: obj as Record<string, unknown>, msg }) };
  const errorLines = () => lines.filter((l) => l.level === 'warn' && /answers with errors/.test(l.msg));

  beforeAll(async () => {
    server = await startRedis();
    admin = new Redis(server.url);
    store = createRedisStore(server.url, { log: logger, now: () => clock });
    await store.ready(10_000);
    const snap = snapshot([bot('support', { integrations: [{ name: 'echo', weight: 1, fallback: false }] })], [integration('echo', { type: 'echo', url: undefined })]);
    app = await buildServer({ config: { current: () => snap }, store, router: first, call: async () => ({ ok: true, reply: { content: 'hi' }, status: 200, latencyMs: 1, retried: false }), adminToken: 'admin-token' });
  }, 30_000);
  afterAll(async () => {
    await app?.close();
    await store?.close();
    admin?.disconnect();
    await server?.stop();
  });

  const write = (i: number) => store.endTurn({ historyKey: `h:degraded:${i}`, messages: [{ role: 'user', content: 'x'.repeat(200) }], maxLength: 10, ttlSeconds: 60 });

  it('is up, then degraded with the OOM error once maxmemory is reached; one log line per 10 s with a count', async () => {
    await write(0);
    expect(store.health().state).toBe('up');
    await admin.config('SET', 'maxmemory-policy', 'noeviction');
    await admin.config('SET', 'maxmemory', '1mb');

    const results = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => write(i + 1)));
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    const health = store.health();
    expect(health.state).toBe('degraded');
    expect(health.lastError).toMatch(/OOM/);
    expect(errorLines()).toHaveLength(1);

    const readyz = await app.inject({ method: 'GET', url: '/readyz' });
    expect(readyz.statusCode).toBe(200);
    expect(readyz.json().store).toMatchObject({ kind: 'redis', state: 'degraded', lastError: expect.stringMatching(/OOM/) });
    const config = await app.inject({ method: 'GET', url: '/config', headers: { authorization: 'Bearer admin-token' } });
    expect(config.json().store).toMatchObject({ state: 'degraded', lastError: expect.stringMatching(/OOM/) });

    // Still inside the window: counted, not logged.
    clock += 9_999;
    await write(500).catch(() => undefined);
    expect(errorLines()).toHaveLength(1);
    clock += 1;
    await write(501).catch(() => undefined);
    expect(errorLines()).toHaveLength(2);
    expect(errorLines()[1]?.obj.repeated).toBe(200);
  });

  it('recovers to up once writes succeed again and no error came for 10 s', async () => {
    await admin.config('SET', 'maxmemory', '0');
    await write(600);
    // A success inside the window keeps it degraded (reads may pass while writes fail).
    expect(store.health().state).toBe('degraded');
    clock += 10_000;
    await write(601);
    expect(store.health()).toEqual({ kind: 'redis', state: 'up' });
    expect(lines.some((l) => l.level === 'info' && /back up/.test(l.msg))).toBe(true);
  });
});
