/**
 * Export and erasure through the admin routes, on the memory store and on real Redis: every
 * conversation of the user (HTTP with and without `conversation_id`, Telegram private and
 * group `chat:user`, Slack threads), their assignments and rate-limit state; other users
 * untouched; 401 without the admin token; on Redis, no key of the user left (SCAN).
 */
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { InboundMessage } from '../../runtime/core/message.js';
import { createMemoryRateLimiter } from '../../runtime/rate-limit/memory-rate-limiter.js';
import type { RateLimiter } from '../../runtime/rate-limit/rate-limiter.js';
import { createMemoryStore } from '../../runtime/store/memory-store.js';
import { createRedisStore } from '../../runtime/store/redis-store.js';
import type { Store } from '../../runtime/store/store.js';
import { startRedis, type RedisHandle } from '../helpers/redis.js';
import { bot as makeBot } from '../helpers/snapshot.js';
import { buildControlsWorld, supportBot, type ControlsWorld } from './controls-world.js';

const ADMIN = 'admin-token-for-user-routes';
const AUTH = { authorization: `Bearer ${ADMIN}` };

let redis: RedisHandle;
let ns = 0;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});

interface Backend {
  name: string;
  make(): Promise<{ store: Store; limiter: RateLimiter; prefix?: string }>;
}

const backends: Backend[] = [
  { name: 'memory', make: async () => ({ store: createMemoryStore(), limiter: createMemoryRateLimiter() }) },
  {
    name: 'redis',
    make: async () => {
      const prefix = `swbtest:users:${process.pid}:${++ns}:`;
      const store = createRedisStore(redis.url, { keyPrefix: prefix });
      await store.ready();
      return { store, limiter: store.rateLimiter(), prefix };
    },
  },
];

const rateLimit = { messages: 100, perMs: 60_000, message: 'Slow down.' };
const bots = [
  supportBot({ rateLimit, channels: { http: {}, telegram: { token: '1:x', secretToken: 's', apiUrl: 'http://127.0.0.1:1' }, slack: { botToken: 'xoxb-1', signingSecret: 's', apiUrl: 'http://127.0.0.1:1' } } }),
  makeBot('sales', { rateLimit, stickiness: 'conversation' }),
];

function inbound(channel: InboundMessage['channel'], userId: string, conversationId: string, text: string, bot = 'support'): InboundMessage {
  return { bot, channel, conversationId, chatId: conversationId.split(':')[0] ?? conversationId, user: { id: userId }, text, attachments: [], requestId: 'req_test' };
}

async function scan(client: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch.map((k) => k.slice(prefix.length)));
  } while (cursor !== '0');
  return keys.sort();
}

for (const backend of backends) {
  describe(`user export and erasure (${backend.name} store)`, () => {
    let world: ControlsWorld;
    let store: Store;
    let prefix: string | undefined;

    afterEach(async () => {
      await world.app.close();
      await store.close();
    });

    /** u2's traffic, then u1's: HTTP (default and own conversation ids, two bots), Telegram, Slack. */
    async function populate(): Promise<void> {
      const made = await backend.make();
      store = made.store;
      prefix = made.prefix;
      world = await buildControlsWorld({ bots, store, limiter: made.limiter, adminToken: ADMIN });
      expect((await world.say('u2', 'hello from u2')).statusCode).toBe(200);
      expect((await world.say('u2', 'shared room', { conversationId: 'room-9' })).statusCode).toBe(200);
      expect((await world.say('u1', 'hello')).statusCode).toBe(200);
      expect((await world.say('u1', 'in a named conversation', { conversationId: 'c-42' })).statusCode).toBe(200);
      expect((await world.say('u1', 'to sales', { conversationId: 'deal-1', bot: 'sales' })).statusCode).toBe(200);
      // Telegram: a private chat (chat.id) and a group conversation (chat.id:from.id); Slack: a thread.
      await world.app.pipeline.process(world.snapshot, inbound('telegram', '77', '77', 'tg private')).reply;
      await world.app.pipeline.process(world.snapshot, inbound('telegram', '77', '-100555:77', 'tg group')).reply;
      await world.app.pipeline.process(world.snapshot, inbound('telegram', '78', '-100555:78', 'someone else in the group')).reply;
      await world.app.pipeline.process(world.snapshot, inbound('slack', 'U1', 'C1:1700000000.000100', 'slack thread')).reply;
    }

    it('401 without the admin token on both routes', async () => {
      await populate();
      for (const method of ['GET', 'DELETE'] as const) {
        const url = method === 'GET' ? '/users/http/u1/history' : '/users/http/u1';
        const res = await world.app.inject({ method, url });
        expect(res.statusCode).toBe(401);
        expect(res.json()).toMatchObject({ error: { code: 'SWB_ERR_HTTP_UNAUTHORIZED' } });
        const wrong = await world.app.inject({ method, url, headers: { authorization: 'Bearer nope' } });
        expect(wrong.statusCode).toBe(401);
      }
      // Nothing was erased.
      expect((await world.app.inject({ method: 'GET', url: '/users/http/u1/history', headers: AUTH })).json().conversations).toHaveLength(3);
      expect((await world.app.inject({ method: 'GET', url: '/users/fax/u1/history', headers: AUTH })).statusCode).toBe(404);
    });

    it('GET exports every conversation of the user, filtered by ?bot=', async () => {
      await populate();
      const res = await world.app.inject({ method: 'GET', url: '/users/http/u1/history', headers: AUTH });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        user: { channel: 'http', id: 'u1' },
        conversations: [
          { bot: 'sales', conversation_id: 'deal-1', messages: [{ role: 'user', content: 'to sales' }, { role: 'assistant', content: 'reply: to sales' }] },
          { bot: 'support', conversation_id: 'c-42', messages: [{ role: 'user', content: 'in a named conversation' }, { role: 'assistant', content: 'reply: in a named conversation' }] },
          { bot: 'support', conversation_id: 'u1', messages: [{ role: 'user', content: 'hello' }, { role: 'assistant', content: 'reply: hello' }] },
        ],
      });
      const sales = await world.app.inject({ method: 'GET', url: '/users/http/u1/history?bot=sales', headers: AUTH });
      expect(sales.json().conversations.map((c: { conversation_id: string }) => c.conversation_id)).toEqual(['deal-1']);
      const tg = await world.app.inject({ method: 'GET', url: '/users/telegram/77/history', headers: AUTH });
      expect(tg.json().conversations.map((c: { conversation_id: string }) => c.conversation_id)).toEqual(['-100555:77', '77']);
      const slack = await world.app.inject({ method: 'GET', url: '/users/slack/U1/history', headers: AUTH });
      expect(slack.json().conversations.map((c: { conversation_id: string }) => c.conversation_id)).toEqual(['C1:1700000000.000100']);
      const nobody = await world.app.inject({ method: 'GET', url: '/users/http/nobody/history', headers: AUTH });
      expect(nobody.json()).toEqual({ user: { channel: 'http', id: 'nobody' }, conversations: [] });
    });

    it('DELETE erases histories, assignments and rate-limit state; other users untouched; next message starts fresh', async () => {
      await populate();
      const del = await world.app.inject({ method: 'DELETE', url: '/users/http/u1', headers: AUTH });
      expect(del.statusCode).toBe(200);
      // support: user-sticky assignment; sales: conversation-sticky assignment of deal-1.
      expect(del.json()).toEqual({ deleted: { conversations: 3, assignments: 2 } });
      expect((await world.app.inject({ method: 'GET', url: '/users/http/u1/history', headers: AUTH })).json().conversations).toEqual([]);
      expect((await world.app.inject({ method: 'DELETE', url: '/users/http/u1', headers: AUTH })).json()).toEqual({ deleted: { conversations: 0, assignments: 0 } });
      const u2 = (await world.app.inject({ method: 'GET', url: '/users/http/u2/history', headers: AUTH })).json();
      expect(u2.conversations.map((c: { conversation_id: string }) => c.conversation_id)).toEqual(['room-9', 'u2']);
      const before = world.payloads.length;
      await world.say('u1', 'hello again');
      expect(world.payloads.slice(before)[0]?.messages.map((m) => m.content)).toEqual(['hello again']);

      const tg = await world.app.inject({ method: 'DELETE', url: '/users/telegram/77', headers: AUTH });
      expect(tg.json()).toEqual({ deleted: { conversations: 2, assignments: 1 } });
      const other = (await world.app.inject({ method: 'GET', url: '/users/telegram/78/history', headers: AUTH })).json();
      expect(other.conversations).toHaveLength(1);
    });

    it('DELETE ?bot= erases only that bot’s data', async () => {
      await populate();
      const del = await world.app.inject({ method: 'DELETE', url: '/users/http/u1?bot=sales', headers: AUTH });
      expect(del.json()).toEqual({ deleted: { conversations: 1, assignments: 1 } });
      const left = (await world.app.inject({ method: 'GET', url: '/users/http/u1/history', headers: AUTH })).json();
      expect(left.conversations.map((c: { bot: string; conversation_id: string }) => `${c.bot}/${c.conversation_id}`)).toEqual(['support/c-42', 'support/u1']);
    });

    it.runIf(backend.name === 'redis')('after DELETE no key of that user remains in Redis (SCAN)', async () => {
      await populate();
      const client = new Redis(redis.url);
      try {
        const all = await scan(client, prefix as string);
        const ofU1 = all.filter((k) => k.includes('u1') || k.includes('c-42') || k.includes('deal-1'));
        // History ×3, index, rate-limit state ×2 (support, sales), support's user assignment, sales' conversation assignment.
        expect(ofU1).toEqual([
          'a:sales:conversation:http:deal-1',
          'a:support:user:http:u1',
          'h:sales:http:deal-1',
          'h:support:http:c-42',
          'h:support:http:u1',
          '{rl:sales:http:u1}',
          '{rl:support:http:u1}',
          '{u:http:u1}:keys',
        ]);
        expect((await world.app.inject({ method: 'DELETE', url: '/users/http/u1', headers: AUTH })).statusCode).toBe(200);
        const after = await scan(client, prefix as string);
        expect(after.filter((k) => ofU1.includes(k))).toEqual([]);
        expect(after).toEqual(all.filter((k) => !ofU1.includes(k)));
        expect(after).toContain('h:support:http:u2');
        expect(after).toContain('{u:http:u2}:keys');
      } finally {
        client.disconnect();
      }
    });
  });
}
