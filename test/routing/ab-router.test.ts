import { describe, expect, it } from 'vitest';
import type { Router } from '../../runtime/routing/router.js';
import { createAbRouter } from '../../runtime/routing/ab-router.js';
import { assignmentKey, decideRoute, planRoute, stickyKey } from '../../runtime/routing/plan.js';
import { DEFAULT_ASSIGNMENT_TTL_SECONDS } from '../../runtime/store/defaults.js';
import { makeBot } from './fixtures.js';

describe('createAbRouter', () => {
  it("fits the pipeline's Router interface and routes like planRoute/decideRoute", () => {
    // Compile-time: fails typecheck if the pipeline's Router and this facade drift apart.
    const router: Router = createAbRouter();
    const bot = makeBot([
      { name: 'gpt', weight: 1 },
      { name: 'echo', weight: 0, fallback: true },
    ]);
    const message = { bot: 'support', channel: 'http' as const, conversationId: 'c', chatId: 'c', user: { id: 'u' }, attachments: [], requestId: 'r' };
    const ctx = { platform: message.channel, userId: message.user.id, conversationId: message.conversationId };
    const plan = router.plan(bot, message);
    expect(plan).toEqual(planRoute(bot, ctx));
    // The message's channel and user (not its conversation) make the sticky key, kept for the default TTL.
    expect(plan.assignment).toEqual({ key: assignmentKey(bot.name, stickyKey(bot, ctx) as string), candidate: 'gpt', ttlSeconds: DEFAULT_ASSIGNMENT_TTL_SECONDS });
    expect(plan.assignment?.key).toContain(`${message.channel}:${message.user.id}`);
    expect(router.plan(bot, { ...message, conversationId: 'other' })).toEqual(plan);
    expect(router.plan(bot, { ...message, user: { id: 'someone-else' } }).assignment?.key).not.toBe(plan.assignment?.key);
    expect(router.decide(bot, plan, 'gone')).toEqual(decideRoute(bot, plan, 'gone'));
    expect(router.decide(bot, plan, 'gone')).toEqual({ order: ['gpt', 'echo'], primary: 'gpt', reassign: 'gpt' });
    // Without a recorder, record() is a no-op.
    router.record(bot, { integration: 'gpt', outcome: 'ok', latencyMs: 1, primary: true, assigned: true });
  });

  it('passes its plan options on to planRoute', () => {
    const bot = makeBot([{ name: 'gpt', weight: 1 }]);
    const message = { channel: 'telegram' as const, conversationId: 'c', user: { id: '42' } };
    const ttlSeconds = DEFAULT_ASSIGNMENT_TTL_SECONDS + 17;
    const plan = createAbRouter({ assignmentTtlSeconds: ttlSeconds }).plan(bot, message);
    expect(plan.assignment?.ttlSeconds).toBe(ttlSeconds);
    expect(plan).toEqual(planRoute(bot, { platform: 'telegram', userId: '42', conversationId: 'c' }, { assignmentTtlSeconds: ttlSeconds }));
  });
});
