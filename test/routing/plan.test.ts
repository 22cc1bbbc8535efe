import { describe, expect, it } from 'vitest';
import { assignmentKey, decideRoute, planRoute, stickyKey } from '../../runtime/routing/plan.js';
import { stickyHash } from '../../runtime/routing/sticky-hash.js';
import { pickWeighted } from '../../runtime/routing/weights.js';
import { makeBot } from './fixtures.js';

const entries = [
  { name: 'gpt', weight: 70 },
  { name: 'claude', weight: 30, fallback: true },
  { name: 'echo', weight: 0, fallback: true },
];
const ctx = { platform: 'telegram', userId: '42', conversationId: '42' };

describe('planRoute', () => {
  it('stickiness user: key is bot + platform + user id, candidate is the weighted hash', () => {
    const bot = makeBot(entries, 'user');
    const candidate = pickWeighted(entries, stickyHash('support', 'user:telegram:42'));
    expect(planRoute(bot, ctx)).toEqual({
      candidate,
      assignment: { key: 'a:support:user:telegram:42', candidate, ttlSeconds: 30 * 24 * 3600 },
    });
    // Same user id on another platform is another user.
    expect(planRoute(bot, { ...ctx, platform: 'slack' }).assignment?.key).toBe('a:support:user:slack:42');
  });

  it('stickiness conversation: key is bot + platform + conversation id', () => {
    const bot = makeBot(entries, 'conversation');
    const plan = planRoute(bot, { platform: 'slack', userId: 'U1', conversationId: 'C1:1700000000.1' }, { assignmentTtlSeconds: 60 });
    const candidate = pickWeighted(entries, stickyHash('support', 'conversation:slack:C1:1700000000.1'));
    expect(plan).toEqual({ candidate, assignment: { key: 'a:support:conversation:slack:C1:1700000000.1', candidate, ttlSeconds: 60 } });
  });

  it('stickiness none: no key, a random weighted pick per message', () => {
    const bot = makeBot(entries, 'none');
    expect(stickyKey(bot, ctx)).toBeUndefined();
    expect(planRoute(bot, ctx, { random: () => 0.1 })).toEqual({ candidate: 'gpt' });
    expect(planRoute(bot, ctx, { random: () => 0.8 })).toEqual({ candidate: 'claude' });
  });

  it('no integration with weight > 0: no candidate, nothing to claim', () => {
    const bot = makeBot([{ name: 'echo', weight: 0, fallback: true }]);
    expect(planRoute(bot, ctx)).toEqual({ candidate: undefined });
  });

  it('hashes very long ids in the store key', () => {
    const long = 'x'.repeat(5000);
    const key = assignmentKey('support', `user:http:${long}`);
    expect(key).toMatch(/^a:support:#[0-9a-f]{64}$/);
    expect(assignmentKey('support', `user:http:${long}`)).toBe(key);
    expect(assignmentKey('support', `user:http:${long}y`)).not.toBe(key);
  });
});

describe('decideRoute', () => {
  const bot = makeBot(entries);
  const planFor = (candidate: string) => ({ candidate, assignment: { key: 'a:k', candidate, ttlSeconds: 60 } });

  it('keeps a recorded arm with weight > 0; fallbacks follow, the primary skipped', () => {
    expect(decideRoute(bot, planFor('gpt'), 'claude')).toEqual({ order: ['claude', 'echo'], primary: 'claude' });
    expect(decideRoute(bot, planFor('claude'), 'gpt')).toEqual({ order: ['gpt', 'claude', 'echo'], primary: 'gpt' });
  });

  it('nothing recorded (store down, or stickiness none): the plan candidate, nothing to record', () => {
    expect(decideRoute(bot, planFor('claude'), null)).toEqual({ order: ['claude', 'echo'], primary: 'claude' });
    expect(decideRoute(makeBot(entries, 'none'), { candidate: 'gpt' }, null)).toEqual({ order: ['gpt', 'claude', 'echo'], primary: 'gpt' });
  });

  it('recorded arm at weight 0 or removed: re-pick the candidate and ask to record it', () => {
    expect(decideRoute(bot, planFor('gpt'), 'echo')).toEqual({ order: ['gpt', 'claude', 'echo'], primary: 'gpt', reassign: 'gpt' });
    expect(decideRoute(bot, planFor('claude'), 'removed-one')).toEqual({ order: ['claude', 'echo'], primary: 'claude', reassign: 'claude' });
  });

  it('no weighted entry: fallbacks only, no primary', () => {
    const onlyFallbacks = makeBot([
      { name: 'echo', weight: 0, fallback: true },
      { name: 'spare', weight: 0, fallback: true },
    ]);
    expect(decideRoute(onlyFallbacks, { candidate: undefined }, null)).toEqual({ order: ['echo', 'spare'], primary: undefined });
    expect(decideRoute(onlyFallbacks, { candidate: undefined }, 'gone')).toEqual({ order: ['echo', 'spare'], primary: undefined });
  });
});
