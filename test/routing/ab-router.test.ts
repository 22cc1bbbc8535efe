import { describe, expect, it } from 'vitest';
import type { Router } from '../../runtime/routing/router.js';
import { createAbRouter } from '../../runtime/routing/ab-router.js';
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
    const plan = router.plan(bot, message);
    expect(plan).toEqual({ candidate: 'gpt', assignment: { key: 'a:support:user:http:u', candidate: 'gpt', ttlSeconds: 2_592_000 } });
    expect(router.decide(bot, plan, 'gone')).toEqual({ order: ['gpt', 'echo'], primary: 'gpt', reassign: 'gpt' });
    // Without a recorder, record() is a no-op.
    router.record(bot, { integration: 'gpt', outcome: 'ok', latencyMs: 1, primary: true, assigned: true });
  });
});
