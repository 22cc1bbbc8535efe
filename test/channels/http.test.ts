/**
 * The HTTP channel through the whole server: real webhook servers on 127.0.0.1, the real
 * webhook client, the memory store. Routing here is the simplest fixed order (first entry
 * with weight > 0, then fallbacks) so these tests are about the server and the pipeline;
 * weighted A/B is covered in test/routing and test/e2e.
 */
import { VERSION } from '../../runtime/core/version.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedBot } from '../../runtime/config/snapshot.js';
import type { Router } from '../../runtime/routing/router.js';
import { buildServer, type SwitchboardApp } from '../../runtime/server.js';
import { createMemoryStore } from '../../runtime/store/memory-store.js';
import type { Store } from '../../runtime/store/store.js';
import { callIntegration } from '../../runtime/webhook/client.js';
import { sendJson, startFakeServer, type FakeServer } from '../helpers/fake-webhook.js';
import { bot, integration, snapshot } from '../helpers/snapshot.js';

const fixedOrder: Router = {
  plan: (b: ResolvedBot) => ({ candidate: b.integrations.find((e) => e.weight > 0)?.name }),
  decide: (b: ResolvedBot, plan) => ({ primary: plan.candidate, order: [...(plan.candidate ? [plan.candidate] : []), ...b.integrations.filter((e) => e.fallback && e.name !== plan.candidate).map((e) => e.name)] }),
  record: () => undefined,
};

let ok: FakeServer;
let failing: FakeServer;
let slow: FakeServer;

beforeAll(async () => {
  ok = await startFakeServer((req, res) => {
    const body = req.json as { messages: Array<{ role: string; content: unknown }> };
    const last = body.messages.at(-1)?.content;
    sendJson(res, 200, { content: `ok:${typeof last === 'string' ? last : JSON.stringify(last)}`, metadata: { n: body.messages.length } });
  });
  failing = await startFakeServer((_req, res) => sendJson(res, 500, { error: 'down' }));
  slow = await startFakeServer(async (_req, res) => {
    await new Promise((r) => setTimeout(r, 80));
    sendJson(res, 200, { content: 'slow' });
  });
});
afterAll(async () => {
  await Promise.all([ok.close(), failing.close(), slow.close()]);
});

let app: SwitchboardApp | undefined;
let store: Store;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function serve(bots: ResolvedBot[], over: { adminToken?: string } = {}) {
  store = createMemoryStore();
  const snap = snapshot(bots, [
    integration('primary', { url: `${ok.origin}/hook` }),
    integration('broken', { url: `${failing.origin}/hook` }),
    integration('slow', { url: `${slow.origin}/hook` }),
    integration('echo', { type: 'echo', url: undefined }),
  ]);
  app = await buildServer({ config: { current: () => snap }, store, router: fixedOrder, call: callIntegration, ...over });
  return app;
}

const send = (a: SwitchboardApp, botName: string, payload: unknown, headers: Record<string, string> = {}) =>
  a.inject({ method: 'POST', url: `/channels/http/${botName}`, headers: { 'content-type': 'application/json', ...headers }, payload: typeof payload === 'string' ? payload : JSON.stringify(payload) });

describe('HTTP channel', () => {
  it('answers with the webhook reply and names the integration', async () => {
    const a = await serve([bot('support')]);
    const res = await send(a, 'support', { user: { id: 'u1', name: 'Ada' }, text: 'hello' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ content: 'ok:hello', metadata: { n: 1 }, integration: 'primary' });
    const sent = ok.requests.at(-1)!;
    expect(sent.json).toMatchObject({
      messages: [{ role: 'user', content: 'hello' }],
      conversation_id: 'u1',
      user: { id: 'u1', platform: 'http', name: 'Ada' },
      bot: { id: 'support', name: 'support' },
      metadata: { channel: 'http', chat_id: 'u1' },
    });
    expect(sent.headers['x-bot-id']).toBe('support');
    expect(sent.headers['x-integration-id']).toBe('primary');
    expect(sent.headers['x-request-id']).toBe(res.headers['x-request-id']);
  });

  it('keeps history within contextWindow, system prompt first, current message last', async () => {
    const a = await serve([bot('support', { contextWindow: 2, systemPrompt: 'Be brief.' })]);
    for (const text of ['one', 'two', 'three']) {
      expect((await send(a, 'support', { user: { id: 'u2' }, conversation_id: 'c9', text })).statusCode).toBe(200);
    }
    const body = ok.requests.at(-1)!.json as { messages: unknown[]; conversation_id: string };
    expect(body.conversation_id).toBe('c9');
    expect(body.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'two' },
      { role: 'assistant', content: 'ok:two' },
      { role: 'user', content: 'three' },
    ]);
  });

  it('contextWindow 0 sends no history', async () => {
    const a = await serve([bot('support', { contextWindow: 0 })]);
    await send(a, 'support', { user: { id: 'u3' }, text: 'a' });
    await send(a, 'support', { user: { id: 'u3' }, text: 'b' });
    expect((ok.requests.at(-1)!.json as { messages: unknown[] }).messages).toEqual([{ role: 'user', content: 'b' }]);
  });

  it('processes two messages of one conversation in order, both land in history', async () => {
    const a = await serve([bot('support', { integrations: [{ name: 'slow', weight: 1, fallback: false }] })]);
    const [r1, r2] = await Promise.all([send(a, 'support', { user: { id: 'u4' }, text: 'first' }), send(a, 'support', { user: { id: 'u4' }, text: 'second' })]);
    expect([r1.statusCode, r2.statusCode]).toEqual([200, 200]);
    const lastTwo = slow.requests.slice(-2).map((r) => (r.json as { messages: Array<{ content: string }> }).messages.map((m) => m.content));
    expect(lastTwo[0]).toEqual(['first']);
    expect(lastTwo[1]).toEqual(['first', 'slow', 'second']);
  });

  it('falls back in order, then sends fallbackMessage with an error and no integration', async () => {
    const a = await serve([
      bot('fb', { integrations: [{ name: 'broken', weight: 1, fallback: false }, { name: 'primary', weight: 0, fallback: true }] }),
      bot('dead', { integrations: [{ name: 'broken', weight: 1, fallback: false }], fallbackMessage: 'Try later.' }),
    ]);
    const res = await send(a, 'fb', { user: { id: 'u5' }, text: 'hi' });
    expect(res.json()).toMatchObject({ content: 'ok:hi', integration: 'primary' });
    const dead = await send(a, 'dead', { user: { id: 'u6' }, text: 'hi' });
    expect(dead.statusCode).toBe(200);
    const body = dead.json();
    expect(body.content).toBe('Try later.');
    expect(body.integration).toBeUndefined();
    expect(body.error.code).toBe('SWB_ERR_WEBHOOK_HTTP_STATUS');
    // History keeps the user's message, not the apology.
    await send(a, 'fb', { user: { id: 'u6' }, text: 'again' });
    const turn = await store.beginTurn({ historyKey: 'h:dead:http:u6', limit: 10 });
    expect(turn.history).toEqual([{ role: 'user', content: 'hi' }]);
  });

  it('passes attachments as OpenAI parts', async () => {
    const a = await serve([bot('support')]);
    const res = await send(a, 'support', { user: { id: 'u7' }, text: 'look', attachments: [{ type: 'image', url: 'https://example.com/a.png' }, { type: 'file', url: 'https://example.com/b.pdf', name: 'b.pdf', mime_type: 'application/pdf' }] });
    expect(res.statusCode).toBe(200);
    expect((ok.requests.at(-1)!.json as { messages: unknown[] }).messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'look' }, { type: 'image_url', image_url: { url: 'https://example.com/a.png' } }, { type: 'file', file: { url: 'https://example.com/b.pdf', name: 'b.pdf', mime_type: 'application/pdf' } }] },
    ]);
  });
});

describe('HTTP channel bad input and status order', () => {
  it('404 unknown bot, unknown channel, channel not enabled', async () => {
    const a = await serve([bot('tg-only', { channels: { telegram: { token: 't', secretToken: 's', apiUrl: 'http://127.0.0.1:1' } } })]);
    for (const url of ['/channels/http/nobody', '/channels/fax/tg-only', '/channels/http/tg-only']) {
      const res = await a.inject({ method: 'POST', url, payload: { user: { id: 'x' }, text: 'hi' } });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().error.code).toBe('SWB_ERR_HTTP_NOT_FOUND');
    }
    const unknownRoute = await a.inject({ method: 'GET', url: '/nope' });
    expect(unknownRoute.statusCode).toBe(404);
    expect(unknownRoute.json()).toEqual({ error: { code: 'SWB_ERR_HTTP_NOT_FOUND', message: 'no route GET /nope' } });
  });

  it('401 without the bearer token, before 413 and 400', async () => {
    const a = await serve([bot('locked', { channels: { http: { token: 's3cret-token' } } })]);
    const big = JSON.stringify({ user: { id: 'x' }, text: 'x'.repeat(1100 * 1024) });
    expect((await send(a, 'locked', big)).statusCode).toBe(401);
    expect((await send(a, 'locked', '{bad json')).statusCode).toBe(401);
    expect((await send(a, 'locked', { user: { id: 'x' }, text: 'hi' }, { authorization: 'Bearer wrong' })).statusCode).toBe(401);
    const good = await send(a, 'locked', { user: { id: 'x' }, text: 'hi' }, { authorization: 'Bearer s3cret-token' });
    expect(good.statusCode).toBe(200);
    expect(good.json().content).toBe('ok:hi');
    const tooBig = await send(a, 'locked', big, { authorization: 'Bearer s3cret-token' });
    expect(tooBig.statusCode).toBe(413);
    expect(tooBig.json().error.code).toBe('SWB_ERR_HTTP_BODY_TOO_LARGE');
  });

  it('400 for invalid JSON, missing user.id, wrong types, no text nor attachments', async () => {
    const a = await serve([bot('support')]);
    const cases: Array<[unknown, string]> = [
      ['{not json', 'SWB_ERR_HTTP_INVALID_JSON'],
      [{ text: 'hi' }, 'user'],
      [{ user: {}, text: 'hi' }, 'user.id'],
      [{ user: { id: 'x' }, text: 5 }, 'text'],
      [{ user: { id: 'x' } }, 'needs "text" or "attachments"'],
      [{ user: { id: 'x' }, text: '' }, 'needs "text" or "attachments"'],
      [{ user: { id: 'x' }, text: 'hi', wieght: 1 }, 'wieght'],
      [{ user: { id: 'x' }, attachments: [{ type: 'image', url: 'ftp://x' }] }, 'attachments.0.url'],
      [[1, 2], 'JSON object'],
    ];
    for (const [payload, expected] of cases) {
      const res = await send(a, 'support', payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      const err = res.json().error;
      expect(`${err.code} ${err.message}`).toContain(expected);
    }
    const wrongType = await a.inject({ method: 'POST', url: '/channels/http/support', headers: { 'content-type': 'text/plain' }, payload: 'hi' });
    expect(wrongType.statusCode).toBe(400);
    expect(wrongType.json().error.code).toBe('SWB_ERR_HTTP_UNSUPPORTED_MEDIA_TYPE');
  });

  it('keeps a sane X-Request-ID and replaces an insane one', async () => {
    const a = await serve([bot('support')]);
    const res = await send(a, 'support', { user: { id: 'x' }, text: 'hi' }, { 'x-request-id': 'abc-123' });
    expect(res.headers['x-request-id']).toBe('abc-123');
    expect(ok.requests.at(-1)!.headers['x-request-id']).toBe('abc-123');
    const bad = await send(a, 'support', { user: { id: 'x' }, text: 'hi' }, { 'x-request-id': 'a b\u00e9<script>' });
    expect(bad.headers['x-request-id']).toMatch(/^req_[A-Za-z0-9_-]{12}$/);
  });
});

describe('admin routes', () => {
  it('healthz, readyz, config without secrets, metrics; admin token enforced', async () => {
    const a = await serve([bot('support')], { adminToken: 'adm1n-token' });
    expect((await a.inject('/healthz')).json()).toEqual({ status: 'ok', version: VERSION });
    const ready = await a.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ready', config: { revision: 'test' }, store: { kind: 'memory', state: 'up' } });
    for (const url of ['/config', '/metrics', '/bots/support/stats']) {
      const res = await a.inject(url);
      expect(res.statusCode, url).toBe(401);
    }
    const auth = { authorization: 'Bearer adm1n-token' };
    const config = await a.inject({ url: '/config', headers: auth });
    expect(config.statusCode).toBe(200);
    expect(config.json()).toMatchObject({ version: VERSION, revision: 'test', files: ['test.yaml'], bots: [{ name: 'support' }] });
    await send(a, 'support', { user: { id: 'x' }, text: 'hi' });
    const metrics = await a.inject({ url: '/metrics', headers: auth });
    expect(metrics.body).toContain('switchboard_webhook_attempts_total{bot="support",integration="primary",role="primary",outcome="ok"} 1');
    expect(metrics.body).toContain('switchboard_messages_total{bot="support",channel="http",outcome="answered"} 1');
  });
});
