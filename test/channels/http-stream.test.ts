/**
 * The HTTP channel's event stream through the whole server, listening on 127.0.0.1: real
 * streaming webhook servers (custom SSE with gaps, cuts and error events), the real webhook
 * client, the memory store, and an undici client reading the events as they arrive. Each
 * case checks the failover rule: fallbacks before the first shown delta, an interrupted
 * reply after it.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import type { ServerResponse } from 'node:http';
import type { ResolvedBot } from '../../runtime/config/snapshot.js';
import type { Router } from '../../runtime/routing/router.js';
import { buildServer, type SwitchboardApp } from '../../runtime/server.js';
import { createMemoryStore } from '../../runtime/store/memory-store.js';
import { callIntegration, streamIntegration } from '../../runtime/webhook/client.js';
import { closedByClient, gate, keepAlive, sseComment, sseEvent, startSse } from '../helpers/fake-sse.js';
import { sendJson, startFakeServer, type FakeServer, type RecordedRequest } from '../helpers/fake-webhook.js';
import { bot, integration, snapshot } from '../helpers/snapshot.js';

const fixedOrder: Router = {
  plan: (b: ResolvedBot) => ({ candidate: b.integrations.find((e) => e.weight > 0)?.name }),
  decide: (b: ResolvedBot, plan) => ({ primary: plan.candidate, order: [...(plan.candidate ? [plan.candidate] : []), ...b.integrations.filter((e) => e.fallback && e.name !== plan.candidate).map((e) => e.name)] }),
  record: () => undefined,
};

/** Opened by the test once the client has seen the first delta of `/gated`. */
let gated = gate();
/** Resolves with whether the client closed `/hang` before it ended. */
let hangClosed: Promise<boolean> | undefined;
let hangStarted = gate();

function handle(req: RecordedRequest, res: ServerResponse): unknown {
  const last = (req.json as { messages: Array<{ content: unknown }> }).messages.at(-1)?.content;
  switch (req.path) {
    case '/backup':
      return sendJson(res, 200, { content: 'from backup' });
    case '/plain':
      return sendJson(res, 200, { content: `plain:${String(last)}` });
    case '/words': {
      startSse(res);
      for (const w of ['Order ', '4411 ', 'shipped.']) sseEvent(res, { delta: w });
      sseEvent(res, { done: true, metadata: { model: 'm1' } });
      return res.end();
    }
    case '/gated':
      startSse(res);
      sseEvent(res, { delta: 'Hel' });
      return gated.promise.then(() => {
        sseEvent(res, { delta: 'lo' });
        sseEvent(res, '[DONE]');
        res.end();
      });
    case '/cut-after':
      startSse(res);
      sseEvent(res, { delta: 'partial ' });
      sseEvent(res, { delta: 'answer' });
      // Give the client the events before the connection breaks.
      return new Promise<void>((resolve) => res.write('', () => resolve())).then(() => res.destroy());
    case '/cut-before':
      startSse(res);
      sseComment(res);
      return new Promise<void>((resolve) => res.write('', () => resolve())).then(() => res.destroy());
    case '/error-before':
      startSse(res);
      sseEvent(res, { delta: '' });
      sseEvent(res, { error: { message: 'overloaded' } });
      return res.end();
    case '/silent':
      startSse(res);
      return keepAlive(res, 50);
    case '/idle':
      startSse(res);
      sseEvent(res, { delta: 'one ' });
      return keepAlive(res, 50);
    case '/hang':
      startSse(res);
      hangClosed = closedByClient(res);
      sseEvent(res, { delta: 'x' });
      hangStarted.open();
      return keepAlive(res, 1000);
    default:
      return sendJson(res, 404, { error: 'no such path' });
  }
}

let hooks: FakeServer;
beforeAll(async () => {
  hooks = await startFakeServer(handle);
});
afterAll(() => hooks.close());

let app: SwitchboardApp | undefined;
let base = '';
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const streaming = (name: string, over: Parameters<typeof integration>[1] = {}) => integration(name, { url: `${hooks.origin}/${name}`, stream: true, timeoutMs: 20_000, ...over });

/** A bot per primary integration, each with `backup` as its fallback. */
async function serve(): Promise<void> {
  const primaries = ['words', 'gated', 'cut-after', 'cut-before', 'error-before', 'silent', 'idle', 'hang', 'plain'];
  const bots = primaries.map((p) => bot(p, { integrations: [{ name: p, weight: 1, fallback: false }, { name: 'backup', weight: 0, fallback: true }] }));
  bots.push(bot('limited', { integrations: [{ name: 'words', weight: 1, fallback: false }], rateLimit: { messages: 1, perMs: 60_000, message: 'Slow down.' } }));
  const snap = snapshot(bots, [
    ...['words', 'gated', 'cut-after', 'cut-before', 'error-before', 'hang'].map((n) => streaming(n)),
    // The deadlines only fire on a webhook that is silent on purpose, so they can be generous.
    streaming('silent', { firstTokenTimeoutMs: 400 }),
    streaming('idle', { idleTimeoutMs: 400 }),
    integration('plain', { url: `${hooks.origin}/plain` }),
    integration('backup', { url: `${hooks.origin}/backup` }),
  ]);
  app = await buildServer({ config: { current: () => snap }, store: createMemoryStore(), router: fixedOrder, call: callIntegration, stream: streamIntegration });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
}

interface SseEvent {
  event: string;
  data: unknown;
}

/** Posts a message asking for an event stream; `onEvent` sees each event as it arrives. */
async function streamMessage(botName: string, text: string, onEvent: (e: SseEvent) => void = () => undefined, body: Record<string, unknown> = {}) {
  const res = await request(`${base}/channels/http/${botName}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ user: { id: 'u1' }, text, ...body }),
  });
  const events: SseEvent[] = [];
  let buffer = '';
  for await (const chunk of res.body) {
    buffer += (chunk as Buffer).toString('utf8');
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
      const data = /^data: (.*)$/m.exec(block)?.[1];
      const e = { event, data: data === undefined ? undefined : JSON.parse(data) };
      events.push(e);
      onEvent(e);
    }
  }
  return { status: res.statusCode, type: String(res.headers['content-type']), events, done: events.filter((e) => e.event === 'done'), deltas: events.filter((e) => e.event === 'delta').map((e) => (e.data as { delta: string }).delta) };
}

const requestsTo = (path: string) => hooks.requests.filter((r) => r.path === path).length;

describe('HTTP channel: Accept text/event-stream', () => {
  it('relays each delta before the webhook has finished, then one done with the JSON reply', async () => {
    await serve();
    gated = gate();
    // The webhook holds the rest of its stream until this client has seen the first delta.
    const got = await streamMessage('gated', 'hi', (e) => {
      if (e.event === 'delta') gated.open();
    });
    expect(got.status).toBe(200);
    expect(got.type).toMatch(/^text\/event-stream/);
    expect(got.events).toEqual([
      { event: 'delta', data: { delta: 'Hel' } },
      { event: 'delta', data: { delta: 'lo' } },
      { event: 'done', data: { content: 'Hello', integration: 'gated' } },
    ]);
  });

  it('makes done exactly the body of the same request without the Accept header', async () => {
    await serve();
    const got = await streamMessage('words', 'where is my order?', undefined, { conversation_id: 'c-words-1' });
    expect(got.deltas).toEqual(['Order ', '4411 ', 'shipped.']);
    const plain = await request(`${base}/channels/http/words`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: { id: 'u1' }, text: 'where is my order?', conversation_id: 'c-words-2' }) });
    expect(plain.headers['content-type']).toMatch(/^application\/json/);
    const json = await plain.body.json();
    expect(got.done).toEqual([{ event: 'done', data: json }]);
    expect(json).toEqual({ content: 'Order 4411 shipped.', metadata: { model: 'm1' }, integration: 'words' });
  });

  it('answers a non-streaming integration with done alone', async () => {
    await serve();
    const got = await streamMessage('plain', 'hi');
    expect(got.events).toEqual([{ event: 'done', data: { content: 'plain:hi', integration: 'plain' } }]);
  });

  it.each([
    ['first-token timeout', 'silent'],
    ['a stream cut before any text', 'cut-before'],
    ['an in-band error event before any text', 'error-before'],
  ])('goes to the fallback after %s', async (_why, primary) => {
    await serve();
    const got = await streamMessage(primary, 'hi');
    expect(got.deltas).toEqual([]);
    expect(got.events).toEqual([{ event: 'done', data: { content: 'from backup', integration: 'backup' } }]);
  });

  it('keeps what was shown after a cut, marks it interrupted and tries no fallback', async () => {
    await serve();
    const backups = requestsTo('/backup');
    const got = await streamMessage('cut-after', 'hi');
    expect(got.deltas).toEqual(['partial ', 'answer']);
    expect(got.done).toHaveLength(1);
    expect(got.done[0]?.data).toEqual({ content: 'partial answer', integration: 'cut-after', error: { code: 'SWB_ERR_STREAM_INTERRUPTED', message: expect.any(String) } });
    expect(requestsTo('/backup')).toBe(backups);
  });

  it('ends an idle stream after its text as interrupted, naming the idle timeout', async () => {
    await serve();
    const got = await streamMessage('idle', 'hi');
    expect(got.deltas).toEqual(['one ']);
    const done = got.done[0]?.data as { content: string; error: { code: string; message: string } };
    expect(done.content).toBe('one ');
    expect(done.error.code).toBe('SWB_ERR_STREAM_INTERRUPTED');
    expect(done.error.message).toMatch(/idleTimeout/);
  });

  it('stores what the user saw: the next request sends the interrupted text as history', async () => {
    await serve();
    await streamMessage('cut-after', 'first', undefined, { conversation_id: 'hist-1' });
    await streamMessage('cut-after', 'second', undefined, { conversation_id: 'hist-1' });
    const sent = hooks.requests.filter((r) => r.path === '/cut-after').at(-1)?.json as { messages: Array<{ role: string; content: unknown }> };
    expect(sent.messages).toEqual([
      { role: 'user', content: 'first' },
      { role: 'assistant', content: 'partial answer' },
      { role: 'user', content: 'second' },
    ]);
  });

  it('without the Accept header assembles the stream, so a cut stream (nothing shown) goes to the fallback', async () => {
    await serve();
    const res = await request(`${base}/channels/http/cut-after`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: { id: 'u2' }, text: 'hi' }) });
    expect(await res.body.json()).toEqual({ content: 'from backup', integration: 'backup' });
  });

  it('cancels the upstream request when the client disconnects (the webhook sees its socket close)', async () => {
    await serve();
    hangStarted = gate();
    hangClosed = undefined;
    const controller = new AbortController();
    const res = await request(`${base}/channels/http/hang`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ user: { id: 'u3' }, text: 'hi' }),
      signal: controller.signal,
    });
    for await (const chunk of res.body) if ((chunk as Buffer).toString().includes('event: delta')) break;
    await hangStarted.promise;
    controller.abort();
    expect(await hangClosed).toBe(true);
  });

  it('answers a rate-limited message with a plain JSON 429, not an event stream', async () => {
    await serve();
    const first = await streamMessage('limited', 'one');
    expect(first.deltas).toEqual(['Order ', '4411 ', 'shipped.']);
    const res = await request(`${base}/channels/http/limited`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream' }, body: JSON.stringify({ user: { id: 'u1' }, text: 'two' }) });
    expect(res.statusCode).toBe(429);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['retry-after']).toBeDefined();
    expect(await res.body.json()).toMatchObject({ error: { code: 'SWB_ERR_HTTP_RATE_LIMITED' } });
  });

  it('keeps errors found before the webhook as plain JSON', async () => {
    await serve();
    const headers = { 'content-type': 'application/json', accept: 'text/event-stream' };
    const missing = await request(`${base}/channels/http/nobody`, { method: 'POST', headers, body: JSON.stringify({ user: { id: 'u1' }, text: 'hi' }) });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toMatch(/^application\/json/);
    expect(await missing.body.json()).toMatchObject({ error: { code: 'SWB_ERR_HTTP_NOT_FOUND' } });
    const bad = await request(`${base}/channels/http/words`, { method: 'POST', headers, body: JSON.stringify({ user: { id: 'u1' } }) });
    expect(bad.statusCode).toBe(400);
    expect(await bad.body.json()).toMatchObject({ error: { code: 'SWB_ERR_HTTP_BAD_REQUEST' } });
  });
});
