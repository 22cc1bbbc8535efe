/**
 * The streaming webhook client against a real SSE server on 127.0.0.1: incremental
 * deltas, done/[DONE]/error events, comments and empty deltas, the three deadlines, cuts
 * before and after text, the size cap, the JSON fallback and cancellation (asserted on the
 * server side: the upstream socket is closed).
 */
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedIntegration } from '../../runtime/config/snapshot.js';
import type { WebhookRequest } from '../../runtime/core/message.js';
import { failureErrorCode } from '../../runtime/webhook/classify.js';
import { callIntegration, streamIntegration } from '../../runtime/webhook/client.js';
import type { StreamResult } from '../../runtime/webhook/attempt-stream.js';
import { MAX_REPLY_BYTES } from '../../runtime/webhook/read-body.js';
import { closedByClient, gate, keepAlive, sseComment, sseEvent, startSse } from '../helpers/fake-sse.js';
import { sendJson, startFakeServer, type FakeServer, type RecordedRequest } from '../helpers/fake-webhook.js';
import { integration as makeIntegration } from '../helpers/snapshot.js';

const payload: WebhookRequest = {
  messages: [{ role: 'user', content: 'hello' }],
  conversation_id: 'conv-1',
  user: { id: 'u-1', platform: 'http' },
  bot: { id: 'support', name: 'Support' },
  metadata: { channel: 'http', chat_id: 'conv-1' },
};

const routes = new Map<string, (req: RecordedRequest, res: ServerResponse) => unknown>();
let server: FakeServer;

beforeAll(async () => {
  server = await startFakeServer((req, res) => {
    const route = routes.get(req.path);
    if (!route) return sendJson(res, 404, { error: 'no route' });
    return route(req, res);
  });
});
afterAll(() => server.close());

let n = 0;
/** A streaming integration whose webhook is `handler`; deadlines in ms. */
function streaming(handler: (req: RecordedRequest, res: ServerResponse) => unknown, over: Partial<ResolvedIntegration> = {}): ResolvedIntegration {
  const path = `/s${++n}`;
  routes.set(path, handler);
  return makeIntegration(`stream-${n}`, { url: `${server.origin}${path}`, stream: true, timeoutMs: 10_000, ...over });
}

const opts = { requestId: 'req-1', allowPrivateNetwork: true };

async function collect(stream: AsyncIterable<{ delta: string }>): Promise<string[]> {
  const out: string[] = [];
  for await (const d of stream) out.push(d.delta);
  return out;
}

function failed(r: StreamResult): Extract<StreamResult, { ok: false }> {
  expect(r.ok, r.ok ? 'expected a failure' : r.message).toBe(false);
  return r as Extract<StreamResult, { ok: false }>;
}

describe('streamIntegration: the custom SSE format', () => {
  it('asks for a stream and hands on each delta before the webhook has finished', async () => {
    const release = gate();
    const i = streaming(async (_req, res) => {
      startSse(res);
      sseEvent(res, { delta: 'Hel' });
      await release.promise;
      sseEvent(res, { delta: 'lo' });
      sseEvent(res, { done: true });
      res.end();
    });
    const s = streamIntegration(i, payload, opts);
    const it = s[Symbol.asyncIterator]();
    const first = await it.next();
    expect(first.value).toEqual({ delta: 'Hel' });
    release.open();
    const rest: string[] = [];
    for (let r = await it.next(); !r.done; r = await it.next()) rest.push(r.value.delta);
    expect(rest).toEqual(['lo']);
    const result = await s.result;
    expect(result.ok && result.reply.content).toBe('Hello');
    expect(result.stream).toMatchObject({ streamed: true, deltas: 2, textProduced: true, text: 'Hello' });
    expect(result.stream.firstTokenMs).toBeGreaterThanOrEqual(0);
    const sent = server.requests.at(-1) as RecordedRequest;
    expect(sent.headers.accept).toBe('text/event-stream, application/json');
    expect((sent.json as { stream?: unknown }).stream).toBe(true);
    expect((sent.json as { messages: unknown }).messages).toEqual(payload.messages);
  });

  it('two consumers each get every delta', async () => {
    const release = gate();
    const i = streaming(async (_req, res) => {
      startSse(res);
      sseEvent(res, { delta: 'a' });
      await release.promise;
      sseEvent(res, { delta: 'b' });
      sseEvent(res, { done: true });
      res.end();
    });
    const s = streamIntegration(i, payload, opts);
    const both = Promise.all([collect(s), collect(s)]);
    release.open();
    expect(await both).toEqual([['a', 'b'], ['a', 'b']]);
  });

  it('done.content replaces the deltas and carries attachments and metadata', async () => {
    const i = streaming((_req, res) => {
      startSse(res);
      sseEvent(res, { delta: 'draft' });
      sseEvent(res, { done: true, content: 'Final text', attachments: [{ type: 'image', url: 'https://x.example/a.png' }], metadata: { k: 1 } });
      res.end();
    });
    const s = streamIntegration(i, payload, opts);
    expect(await collect(s)).toEqual(['draft']);
    const r = await s.result;
    expect(r.ok && r.reply).toEqual({ content: 'Final text', attachments: [{ type: 'image', url: 'https://x.example/a.png' }], metadata: { k: 1 } });
  });

  it('data: [DONE] ends it; comments, empty deltas, unknown keys and other event names are ignored', async () => {
    const i = streaming((_req, res) => {
      startSse(res);
      sseComment(res);
      sseEvent(res, { delta: '' });
      sseEvent(res, { delta: 'ignored' }, 'progress');
      sseEvent(res, { role: 'assistant' });
      sseEvent(res, { delta: 'A' }, 'delta');
      res.write('data: {"delta":\ndata: "B"}\n\n');
      sseEvent(res, '[DONE]');
    });
    const s = streamIntegration(i, payload, opts);
    expect(await collect(s)).toEqual(['A', 'B']);
    const r = await s.result;
    expect(r.ok && r.reply.content).toBe('AB');
    expect(r.stream.deltas).toBe(2);
  });

  it('an error event fails the attempt; before text it reports no text produced', async () => {
    const i = streaming((_req, res) => {
      startSse(res);
      sseEvent(res, { error: { message: 'model overloaded' } });
      res.end();
    });
    const r = failed(await streamIntegration(i, payload, opts).result);
    expect(r.failure).toBe('stream_error');
    expect(failureErrorCode(r.failure)).toBe('SWB_ERR_STREAM_ERROR');
    expect(r.message).toContain('model overloaded');
    expect(r.stream.textProduced).toBe(false);
  });

  it('an error event after text reports the text produced', async () => {
    const i = streaming((_req, res) => {
      startSse(res);
      sseEvent(res, { delta: 'Partial ' });
      sseEvent(res, { error: { message: 'boom' } }, 'error');
      res.end();
    });
    const r = failed(await streamIntegration(i, payload, opts).result);
    expect(r.failure).toBe('stream_error');
    expect(r.stream).toMatchObject({ textProduced: true, text: 'Partial ', deltas: 1 });
  });

  it('a stream that closes cleanly before it ended is interrupted, never a success', async () => {
    const before = streaming((_req, res) => {
      startSse(res);
      sseComment(res);
      res.end();
    });
    const r1 = failed(await streamIntegration(before, payload, opts).result);
    expect(r1.failure).toBe('interrupted');
    expect(failureErrorCode(r1.failure)).toBe('SWB_ERR_STREAM_INTERRUPTED');
    expect(r1.stream.textProduced).toBe(false);

    const after = streaming((_req, res) => {
      startSse(res);
      sseEvent(res, { delta: 'Half an ans' });
      res.end();
    });
    const r2 = failed(await streamIntegration(after, payload, opts).result);
    expect(r2.failure).toBe('interrupted');
    expect(r2.stream).toMatchObject({ textProduced: true, text: 'Half an ans' });
  });

  it('a connection cut mid-stream is interrupted, with the text so far', async () => {
    const i = streaming((_req, res) => {
      startSse(res);
      sseEvent(res, { delta: 'one ' });
      res.once('finish', () => undefined);
      setImmediate(() => res.socket?.destroy());
    });
    const r = failed(await streamIntegration(i, payload, opts).result);
    expect(r.failure).toBe('interrupted');
    expect(r.stream).toMatchObject({ textProduced: true, text: 'one ' });
  });

  it('an event that is not JSON is a bad reply', async () => {
    const i = streaming((_req, res) => {
      startSse(res);
      sseEvent(res, 'not json');
      res.end();
    });
    const r = failed(await streamIntegration(i, payload, opts).result);
    expect(r.failure).toBe('bad_reply');
    expect(r.reason).toBe('invalid_json');
  });

  it('the size cap applies to the assembled text', async () => {
    const piece = 'x'.repeat(64 * 1024);
    const i = streaming((_req, res) => {
      startSse(res);
      for (let k = 0; k <= MAX_REPLY_BYTES / piece.length; k++) sseEvent(res, { delta: piece });
      sseEvent(res, { done: true });
      res.end();
    });
    const r = failed(await streamIntegration(i, payload, opts).result);
    expect(r.failure).toBe('bad_reply');
    expect(r.reason).toBe('too_large');
    expect(Buffer.byteLength(r.stream.text)).toBeLessThanOrEqual(MAX_REPLY_BYTES);
  });

  it('an unterminated line longer than the cap is too large, not buffered without end', async () => {
    const i = streaming((_req, res) => {
      startSse(res);
      res.write(`data: ${'y'.repeat(MAX_REPLY_BYTES + 10)}`);
    });
    const r = failed(await streamIntegration(i, payload, opts).result);
    expect(r.reason).toBe('too_large');
  });

  it('a plain JSON reply still works with stream: true (a stream without deltas)', async () => {
    const i = streaming((_req, res) => sendJson(res, 200, { content: 'plain' }));
    const s = streamIntegration(i, payload, opts);
    expect(await collect(s)).toEqual([]);
    const r = await s.result;
    expect(r.ok && r.reply.content).toBe('plain');
    expect(r.stream).toMatchObject({ streamed: false, deltas: 0, textProduced: false });
  });

  it('callIntegration assembles a stream: true reply', async () => {
    const i = streaming((_req, res) => {
      startSse(res);
      sseEvent(res, { delta: 'a' });
      sseEvent(res, { delta: 'b' });
      sseEvent(res, { done: true });
      res.end();
    });
    const r = await callIntegration(i, payload, opts);
    expect(r.ok && r.reply.content).toBe('ab');
  });

  it('a non-streaming integration asks for no stream and yields no delta', async () => {
    const i = streaming((_req, res) => sendJson(res, 200, { content: 'json' }), { stream: false });
    const s = streamIntegration(i, payload, opts);
    expect(await collect(s)).toEqual([]);
    expect((await s.result).ok).toBe(true);
    const sent = server.requests.at(-1) as RecordedRequest;
    expect(sent.headers.accept).toBeUndefined();
    expect((sent.json as { stream?: unknown }).stream).toBeUndefined();
  });
});

describe('streamIntegration: deadlines', () => {
  it('firstTokenTimeout fires while waiting for the headers', async () => {
    const closed: Array<Promise<boolean>> = [];
    const i = streaming((_req, res) => void closed.push(closedByClient(res)), { firstTokenTimeoutMs: 300 });
    const r = failed(await streamIntegration(i, payload, opts).result);
    expect(r.failure).toBe('first_token_timeout');
    expect(failureErrorCode(r.failure)).toBe('SWB_ERR_STREAM_FIRST_TOKEN_TIMEOUT');
    expect(r.message).toContain('300 ms');
    expect(await closed[0]).toBe(true);
  });

  it('keep-alives, empty deltas and role-only events do not count as a first token', async () => {
    const i = streaming(
      (_req, res) => {
        startSse(res);
        keepAlive(res, 40);
        const t = setInterval(() => sseEvent(res, { delta: '' }), 40);
        res.once('close', () => clearInterval(t));
        sseEvent(res, { role: 'assistant' });
      },
      { firstTokenTimeoutMs: 400 },
    );
    const r = failed(await streamIntegration(i, payload, opts).result);
    expect(r.failure).toBe('first_token_timeout');
    expect(r.stream).toMatchObject({ textProduced: false, deltas: 0, streamed: true });
  });

  it('idleTimeout fires on a gap between deltas, keeping the text so far', async () => {
    const i = streaming(
      (_req, res) => {
        startSse(res);
        sseEvent(res, { delta: 'Hel' });
        keepAlive(res, 40);
      },
      { idleTimeoutMs: 300 },
    );
    const r = failed(await streamIntegration(i, payload, opts).result);
    expect(r.failure).toBe('idle_timeout');
    expect(failureErrorCode(r.failure)).toBe('SWB_ERR_STREAM_IDLE_TIMEOUT');
    expect(r.stream).toMatchObject({ textProduced: true, text: 'Hel', deltas: 1 });
  });

  it('steady deltas keep the idle deadline away; the whole-attempt timeout still ends the stream', async () => {
    const i = streaming(
      (_req, res) => {
        startSse(res);
        const t = setInterval(() => sseEvent(res, { delta: '.' }), 30);
        res.once('close', () => clearInterval(t));
      },
      // Without the refresh per delta the idle deadline would fire at 1.5 s; a loaded machine rarely stalls that long.
      { timeoutMs: 3000, idleTimeoutMs: 1500 },
    );
    const r = failed(await streamIntegration(i, payload, opts).result);
    expect(r.failure).toBe('timeout');
    expect(failureErrorCode(r.failure)).toBe('SWB_ERR_WEBHOOK_TIMEOUT');
    expect(r.stream.deltas).toBeGreaterThan(1);
  });
});

describe('streamIntegration: Retry-After', () => {
  it('a 429 with a Retry-After that fits is retried once, then streamed', async () => {
    let calls = 0;
    const i = streaming((_req, res) => {
      if (calls++ === 0) return sendJson(res, 429, { error: 'slow down' }, { 'retry-after': '0' });
      startSse(res);
      sseEvent(res, { delta: 'ok' });
      sseEvent(res, '[DONE]');
      return res.end();
    });
    const r = await streamIntegration(i, payload, opts).result;
    expect(r.ok && r.reply.content).toBe('ok');
    expect(r.retried).toBe(true);
    expect(calls).toBe(2);
  });

  it('a Retry-After past firstTokenTimeout is not waited for', async () => {
    let calls = 0;
    const i = streaming(
      (_req, res) => {
        calls++;
        sendJson(res, 429, { error: 'slow down' }, { 'retry-after': '2' });
      },
      { firstTokenTimeoutMs: 1000 },
    );
    const r = failed(await streamIntegration(i, payload, opts).result);
    expect(r.failure).toBe('http_status');
    expect(r.status).toBe(429);
    expect(calls).toBe(1);
  });
});

describe('streamIntegration: cancellation', () => {
  it('cancel() after the first delta closes the upstream connection', async () => {
    let closed: Promise<boolean> | undefined;
    const i = streaming((_req, res) => {
      closed = closedByClient(res);
      startSse(res);
      sseEvent(res, { delta: 'first' });
      keepAlive(res, 40);
    });
    const s = streamIntegration(i, payload, opts);
    const it = s[Symbol.asyncIterator]();
    expect((await it.next()).value).toEqual({ delta: 'first' });
    s.cancel();
    const r = failed(await s.result);
    expect(r.failure).toBe('cancelled');
    expect(failureErrorCode(r.failure)).toBe('SWB_ERR_STREAM_CANCELLED');
    expect(r.stream.textProduced).toBe(true);
    expect(await closed).toBe(true);
    expect((await it.next()).done).toBe(true);
  });

  it('an AbortSignal cancels a request still waiting for headers (also without stream: true)', async () => {
    let closed: Promise<boolean> | undefined;
    const arrived = gate();
    const i = streaming(
      (_req, res) => {
        closed = closedByClient(res);
        arrived.open();
      },
      { stream: false },
    );
    const ac = new AbortController();
    const s = streamIntegration(i, payload, { ...opts, signal: ac.signal });
    await arrived.promise;
    ac.abort();
    const r = failed(await s.result);
    expect(r.failure).toBe('cancelled');
    expect(await closed).toBe(true);
  });

  it('callIntegration honours a signal too', async () => {
    let closed: Promise<boolean> | undefined;
    const arrived = gate();
    const i = streaming(
      (_req, res) => {
        closed = closedByClient(res);
        arrived.open();
      },
      { stream: false },
    );
    const ac = new AbortController();
    const pending = callIntegration(i, payload, { ...opts, signal: ac.signal });
    await arrived.promise;
    ac.abort();
    const r = await pending;
    expect(!r.ok && r.failure).toBe('cancelled');
    expect(await closed).toBe(true);
  });

  it('an already aborted signal sends nothing', async () => {
    const before = server.requests.length;
    const i = streaming((_req, res) => sendJson(res, 200, { content: 'x' }));
    const ac = new AbortController();
    ac.abort();
    const r = failed(await streamIntegration(i, payload, { ...opts, signal: ac.signal }).result);
    expect(r.failure).toBe('cancelled');
    expect(server.requests.length).toBe(before);
  });
});
