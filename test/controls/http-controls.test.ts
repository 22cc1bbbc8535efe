/**
 * Rate limit and commands over the HTTP channel through the real server, on the memory store
 * and the memory limiter with an injected clock (window boundaries without waiting).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryRateLimiter } from '../../runtime/rate-limit/memory-rate-limiter.js';
import { createMemoryStore, type MemoryStore } from '../../runtime/store/memory-store.js';
import { lastUserText } from '../channels/channel.contract.js';
import { buildControlsWorld, commands, supportBot, type ControlsWorld } from './controls-world.js';

let world: ControlsWorld | undefined;
afterEach(async () => {
  await world?.app.close();
  world = undefined;
});

function clock(start = 1_000_000): { now: () => number; advance(ms: number): void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

const limited = { rateLimit: { messages: 3, perMs: 60_000, message: 'Slow down.' } };

describe('rateLimit over HTTP', () => {
  it('lets N messages through per window, then 429 with an exact Retry-After and no webhook call', async () => {
    const c = clock();
    world = await buildControlsWorld({ bots: [supportBot(limited)], store: createMemoryStore(), limiter: createMemoryRateLimiter({ clock: c.now }) });
    for (const text of ['a', 'b', 'c']) {
      const res = await world.say('u1', text);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ content: `reply: ${text}`, integration: 'primary' });
      c.advance(10_000);
    }
    // Accepted at t0, t0+10s, t0+20s; now t0+30s: one slot frees at t0+60s.
    const over = await world.say('u1', 'd');
    expect(over.statusCode).toBe(429);
    expect(over.headers['retry-after']).toBe('30');
    expect(over.json()).toEqual({ error: { code: 'SWB_ERR_HTTP_RATE_LIMITED', message: 'too many messages: retry in 30 seconds' } });
    expect(world.payloads.map(lastUserText)).toEqual(['a', 'b', 'c']);
    // Another user and another bot-less count are not affected.
    expect((await world.say('u2', 'e')).statusCode).toBe(200);
  });

  it('window boundary: 1 ms before the oldest leaves, still 429 with Retry-After 1; at the boundary, allowed', async () => {
    const c = clock();
    world = await buildControlsWorld({ bots: [supportBot(limited)], store: createMemoryStore(), limiter: createMemoryRateLimiter({ clock: c.now }) });
    for (const text of ['a', 'b', 'c']) expect((await world.say('u1', text)).statusCode).toBe(200);
    c.advance(59_999);
    const early = await world.say('u1', 'early');
    expect(early.statusCode).toBe(429);
    expect(early.headers['retry-after']).toBe('1');
    c.advance(1);
    expect((await world.say('u1', 'on time')).statusCode).toBe(200);
    expect(world.payloads.map(lastUserText)).toEqual(['a', 'b', 'c', 'on time']);
  });

  it('a concurrent burst on one replica lets exactly N through', async () => {
    world = await buildControlsWorld({ bots: [supportBot(limited)], store: createMemoryStore() });
    const w = world;
    const res = await Promise.all(Array.from({ length: 12 }, (_, i) => w.say('u1', `m${i}`, { conversationId: `c${i}` })));
    expect(res.filter((r) => r.statusCode === 200)).toHaveLength(3);
    expect(res.filter((r) => r.statusCode === 429)).toHaveLength(9);
    expect(w.payloads).toHaveLength(3);
  });
});

describe('commands over HTTP', () => {
  const bot = supportBot({
    rateLimit: { messages: 1, perMs: 60_000, message: 'Slow down.' },
    commands: commands({ '/start': { reply: 'Hi! Ask me anything.' }, '/reset': { action: 'reset', reply: 'Done: I forgot our conversation.' }, '/forget': { action: 'reset' } }),
  });

  it('answers exact commands (case and surrounding space ignored) without the webhook and without integration', async () => {
    world = await buildControlsWorld({ bots: [bot], store: createMemoryStore() });
    for (const text of ['/start', '/START', '  /Start\n']) {
      const res = await world.say('u1', text);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ content: 'Hi! Ask me anything.' });
    }
    expect(world.payloads).toEqual([]);
    // Not a command: more text after it, or another bot's spelling on HTTP.
    expect((await world.say('u1', '/start now')).json()).toMatchObject({ content: 'reply: /start now', integration: 'primary' });
    expect(world.payloads).toHaveLength(1);
  });

  it('commands are not counted and are answered over the limit', async () => {
    world = await buildControlsWorld({ bots: [bot], store: createMemoryStore() });
    expect((await world.say('u1', '/start')).statusCode).toBe(200);
    expect((await world.say('u1', 'first')).statusCode).toBe(200);
    expect((await world.say('u1', 'second')).statusCode).toBe(429);
    const cmd = await world.say('u1', '/start');
    expect(cmd.statusCode).toBe(200);
    expect(cmd.json()).toEqual({ content: 'Hi! Ask me anything.' });
  });

  it('/reset clears only that conversation’s history and keeps the A/B assignment', async () => {
    const store: MemoryStore = createMemoryStore();
    world = await buildControlsWorld({ bots: [supportBot({ commands: bot.commands })], store });
    await world.say('u1', 'one');
    await world.say('u1', 'two');
    await world.say('u1', 'elsewhere', { conversationId: 'other' });
    expect(world.payloads[1]?.messages.map((m) => m.content)).toEqual(['one', 'reply: one', 'two']);
    expect((await world.say('u1', '/reset')).json()).toEqual({ content: 'Done: I forgot our conversation.' });
    await world.say('u1', 'three');
    expect(world.payloads.at(-1)?.messages.map((m) => m.content)).toEqual(['three']);
    await world.say('u1', 'again', { conversationId: 'other' });
    expect(world.payloads.at(-1)?.messages.map((m) => m.content)).toEqual(['elsewhere', 'reply: elsewhere', 'again']);
    expect(store.ttlOf('a:support:user:http:u1')).toBeGreaterThan(0);
    // A reset without reply answers with empty content.
    expect((await world.say('u1', '/forget')).json()).toEqual({ content: '' });
    await world.say('u1', 'four');
    expect(world.payloads.at(-1)?.messages.map((m) => m.content)).toEqual(['four']);
  });
});

describe('historyTtl on the memory store', () => {
  it('is the TTL of the history and of the user index', async () => {
    const store = createMemoryStore();
    world = await buildControlsWorld({ bots: [supportBot({ historyTtlMs: 2 * 3600_000 })], store });
    await world.say('u1', 'hi');
    expect(store.ttlOf('h:support:http:u1')).toBe(7200);
    expect(store.ttlOf('{u:http:u1}:keys')).toBe(7200);
  });
});
