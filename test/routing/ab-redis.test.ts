/**
 * Weighted sticky A/B selection end to end over a real Redis: the routing steps exactly as
 * the pipeline runs them (planRoute → store.beginTurn → decideRoute → setAssignment).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedBot } from '../../runtime/config/snapshot.js';
import { decideRoute, planRoute, type RouteDecision } from '../../runtime/routing/plan.js';
import { stickyHash } from '../../runtime/routing/sticky-hash.js';
import { pickWeighted } from '../../runtime/routing/weights.js';
import { createRedisStore, type RedisStore } from '../../runtime/store/redis-store.js';
import type { Store } from '../../runtime/store/store.js';
import { EXTERNAL_REDIS_SKIP_REASON, redisIsExternal, startRedis, type RedisHandle } from '../helpers/redis.js';
import { waitFor } from '../helpers/config-tree.js';
import { makeBot } from './fixtures.js';

let redis: RedisHandle;
const stores: RedisStore[] = [];
let prefixSeq = 0;

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await redis?.stop();
});

/** One replica's store; replicas created with the same prefix share data. */
async function replica(prefix: string, url = redis.url, commandTimeoutMs?: number): Promise<RedisStore> {
  const s = createRedisStore(url, { keyPrefix: prefix, maxReconnectDelayMs: 100, ...(commandTimeoutMs === undefined ? {} : { commandTimeoutMs }) });
  stores.push(s);
  await s.ready();
  return s;
}
const newPrefix = (): string => `swbtest:ab:${process.pid}:${++prefixSeq}:`;

interface Routed {
  decision: RouteDecision;
  assigned: boolean;
  degraded: boolean;
}

/** What the pipeline does for one message of `userId`, up to the first attempt. */
async function route(bot: ResolvedBot, store: Store, userId: string): Promise<Routed> {
  const plan = planRoute(bot, { platform: 'http', userId, conversationId: userId });
  let recorded: string | null = null;
  let assigned = false;
  let degraded = false;
  try {
    const turn = await store.beginTurn({ historyKey: `h:${bot.name}:http:${userId}`, limit: bot.contextWindow, ...(plan.assignment ? { assignment: plan.assignment } : {}) });
    recorded = turn.assignment;
    assigned = turn.assigned;
  } catch {
    degraded = true;
  }
  const decision = decideRoute(bot, plan, recorded);
  if (decision.reassign && plan.assignment && !degraded) await store.setAssignment(plan.assignment.key, decision.reassign, plan.assignment.ttlSeconds);
  return { decision, assigned, degraded };
}

/** Routes many users, `concurrency` at a time, and returns their primaries in order. */
async function routeAll(bot: ResolvedBot, store: Store, users: string[], concurrency = 50): Promise<Routed[]> {
  const out: Routed[] = new Array(users.length);
  for (let i = 0; i < users.length; i += concurrency) {
    const batch = users.slice(i, i + concurrency);
    const results = await Promise.all(batch.map((u) => route(bot, store, u)));
    results.forEach((r, j) => {
      out[i + j] = r;
    });
  }
  return out;
}

const users = (n: number, tag: string): string[] => Array.from({ length: n }, (_, i) => `${tag}-${i}`);
const count = (rs: Routed[], name: string): number => rs.filter((r) => r.decision.primary === name).length;

describe('weighted sticky A/B over Redis', () => {
  const bot7030 = makeBot([
    { name: 'gpt', weight: 70 },
    { name: 'claude', weight: 30 },
    { name: 'echo', weight: 0, fallback: true },
  ]);

  it('splits 10,000 distinct users 70/30 within 5 sigma (deterministic: the hash is)', async () => {
    const store = await replica(newPrefix());
    const rs = await routeAll(bot7030, store, users(10_000, 'dist'), 200);
    // Binomial(10,000, 0.7): sigma = sqrt(10,000 · 0.7 · 0.3) ≈ 45.8, 5 sigma ≈ 229. A correct
    // weighted hash lands inside essentially always (p ≈ 6e-7); because stickyHash is
    // deterministic the outcome is the same on every run, so this test cannot flake.
    const n = 10_000;
    const sigma = Math.sqrt(n * 0.7 * 0.3);
    const gpt = count(rs, 'gpt');
    expect(gpt + count(rs, 'claude')).toBe(n);
    expect(Math.abs(gpt - 0.7 * n)).toBeLessThanOrEqual(5 * sigma);
    expect(rs.every((r) => r.assigned && !r.degraded)).toBe(true);
    // Every first pick is the weighted hash of bot + platform + user id.
    const u = 'dist-123';
    expect(rs[123]!.decision.primary).toBe(pickWeighted(bot7030.integrations, stickyHash('support', `user:http:${u}`)));
  });

  it('keeps each user on one arm for 20 messages', async () => {
    const store = await replica(newPrefix());
    const group = users(40, 'sticky');
    const first = await routeAll(bot7030, store, group);
    expect(first.every((r) => r.assigned)).toBe(true);
    for (let m = 1; m < 20; m++) {
      const again = await routeAll(bot7030, store, group);
      expect(again.map((r) => r.decision.primary)).toEqual(first.map((r) => r.decision.primary));
      expect(again.some((r) => r.assigned || r.decision.reassign)).toBe(false);
    }
  });

  it('after a weight change, existing users keep their arm; new users follow the new weights', async () => {
    const store = await replica(newPrefix());
    const existing = users(1000, 'old');
    const before = await routeAll(bot7030, store, existing);
    const bot3070 = makeBot([
      { name: 'gpt', weight: 30 },
      { name: 'claude', weight: 70 },
      { name: 'echo', weight: 0, fallback: true },
    ]);
    // Without the store, some of these users would hash to the other arm under 30/70.
    const wouldMove = existing.filter((u, i) => pickWeighted(bot3070.integrations, stickyHash('support', `user:http:${u}`)) !== before[i]!.decision.primary);
    expect(wouldMove.length).toBeGreaterThan(300);
    const after = await routeAll(bot3070, store, existing);
    expect(after.map((r) => r.decision.primary)).toEqual(before.map((r) => r.decision.primary));
    expect(after.some((r) => r.assigned || r.decision.reassign)).toBe(false);

    const fresh = await routeAll(bot3070, store, users(2000, 'new'));
    // Binomial(2000, 0.3): sigma ≈ 20.5; 5 sigma ≈ 102.
    expect(Math.abs(count(fresh, 'gpt') - 600)).toBeLessThanOrEqual(5 * Math.sqrt(2000 * 0.3 * 0.7));
  });

  it('releases users whose arm went to weight 0 or was removed: re-pick, recorded once', async () => {
    for (const change of ['weight 0', 'removed'] as const) {
      const store = await replica(newPrefix());
      const group = users(300, `rel-${change}`);
      const before = await routeAll(bot7030, store, group);
      const onClaude = group.filter((_, i) => before[i]!.decision.primary === 'claude');
      expect(onClaude.length).toBeGreaterThan(50);
      const changed =
        change === 'weight 0'
          ? makeBot([
              { name: 'gpt', weight: 70 },
              { name: 'claude', weight: 0 },
              { name: 'echo', weight: 0, fallback: true },
            ])
          : makeBot([
              { name: 'gpt', weight: 70 },
              { name: 'echo', weight: 0, fallback: true },
            ]);
      const after = await routeAll(changed, store, group);
      after.forEach((r, i) => {
        expect(r.decision.primary, change).toBe('gpt');
        expect(r.decision.reassign, change).toBe(before[i]!.decision.primary === 'claude' ? 'gpt' : undefined);
      });
      // The re-pick was recorded: the next message needs no reassignment.
      const next = await routeAll(changed, store, onClaude);
      expect(next.every((r) => r.decision.primary === 'gpt' && r.decision.reassign === undefined && !r.assigned)).toBe(true);
      // And it sticks when claude comes back.
      const back = await routeAll(bot7030, store, onClaude);
      expect(back.every((r) => r.decision.primary === 'gpt')).toBe(true);
    }
  });

  it('two replicas on one Redis agree for every user, even racing with different weights', async () => {
    const prefix = newPrefix();
    const r1 = await replica(prefix);
    const r2 = await replica(prefix);
    // Replica 2 already runs the new config (a rollout in progress): their candidates differ.
    const bot2 = makeBot([
      { name: 'gpt', weight: 30 },
      { name: 'claude', weight: 70 },
      { name: 'echo', weight: 0, fallback: true },
    ]);
    const group = users(1000, 'replicas');
    const differing = group.filter(
      (u) => pickWeighted(bot7030.integrations, stickyHash('support', `user:http:${u}`)) !== pickWeighted(bot2.integrations, stickyHash('support', `user:http:${u}`)),
    );
    expect(differing.length).toBeGreaterThan(300);
    const [a, b] = await Promise.all([routeAll(bot7030, r1, group), routeAll(bot2, r2, group)]);
    expect(a.map((r) => r.decision.primary)).toEqual(b.map((r) => r.decision.primary));
    // Exactly one of the two claimed each user.
    expect(a.every((r, i) => Number(r.assigned) + Number(b[i]!.assigned) === 1)).toBe(true);
    // Later messages, on either replica, stay on the agreed arm.
    const later = await routeAll(bot2, r1, group);
    expect(later.map((r) => r.decision.primary)).toEqual(a.map((r) => r.decision.primary));
  });
});

describe.skipIf(redisIsExternal())(`A/B during a Redis outage (skipped if ${EXTERNAL_REDIS_SKIP_REASON})`, () => {
  let own: RedisHandle;
  beforeAll(async () => {
    own = await startRedis();
  });
  afterAll(async () => {
    await own?.stop();
  });

  it('selection stays stable through the hash and calls fail fast, then recovers after restart', async () => {
    // A command timeout far beyond the test timeout: a call that waited for it (or sat in a
    // queue until Redis is back) would fail the test instead of answering.
    const store = await replica('swbtest:outage:', own.url, 120_000);
    const bot = makeBot([
      { name: 'gpt', weight: 70 },
      { name: 'claude', weight: 30, fallback: true },
    ]);
    const group = users(200, 'outage');
    const before = await routeAll(bot, store, group);

    await own.kill();
    const during = await routeAll(bot, store, group, 20);
    expect(during.every((r) => r.degraded)).toBe(true);
    expect(during.map((r) => r.decision.primary)).toEqual(before.map((r) => r.decision.primary));
    expect(store.health().state).toBe('down');

    await own.restart();
    await waitFor(() => store.health().state === 'up', 10_000, 'the store to be up again', 20);
    // The restarted Redis is empty: users are claimed again, onto the same arms.
    const after = await routeAll(bot, store, group);
    expect(after.every((r) => !r.degraded && r.assigned)).toBe(true);
    expect(after.map((r) => r.decision.primary)).toEqual(before.map((r) => r.decision.primary));
  });
});
