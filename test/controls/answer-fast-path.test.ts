/**
 * The controls decide synchronously when a message goes straight on to the pipeline (no
 * command matched, no rate limit): `answer` then returns plain undefined, so the job holds no
 * deferred reply for the whole webhook call. A command or a rate limit still answers through
 * a promise.
 */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createConversationControls } from '../../runtime/controls/conversation-controls.js';
import type { InboundMessage } from '../../runtime/core/message.js';
import { createMetrics } from '../../runtime/metrics/metrics.js';
import { createMemoryRateLimiter } from '../../runtime/rate-limit/memory-rate-limiter.js';
import { createMemoryStore } from '../../runtime/store/memory-store.js';
import { bot } from '../helpers/snapshot.js';

const message = (text: string): InboundMessage => ({ bot: 'b', channel: 'http', conversationId: 'c1', chatId: 'c1', user: { id: 'u1' }, text, attachments: [], requestId: 'r1' });

function controls() {
  return createConversationControls({ store: createMemoryStore(), limiter: createMemoryRateLimiter(), metrics: createMetrics(), log: pino({ level: 'silent' }) });
}

describe('conversation controls: the fast path', () => {
  it('returns plain undefined (no promise) for a message without command on a bot without rate limit', () => {
    expect(controls().answer(bot('b'), message('hello'))).toBeUndefined();
  });

  it('answers a command and a rate-limited message through a promise', async () => {
    const c = controls();
    const withCommand = bot('b', { commands: new Map([['/help', { reply: 'Help text' }]]) });
    await expect(c.answer(withCommand, message('/help'))).resolves.toMatchObject({ content: 'Help text' });
    const limited = bot('b', { rateLimit: { messages: 1, perMs: 60_000, message: 'slow down' } });
    await expect(c.answer(limited, message('one'))).resolves.toBeUndefined();
    await expect(c.answer(limited, message('two'))).resolves.toMatchObject({ content: 'slow down', limited: { retryAfterSeconds: expect.any(Number) } });
  });
});
