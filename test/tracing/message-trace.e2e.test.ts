/**
 * Tracing through a real runtime: the spans one message produces as an OTLP/HTTP receiver
 * gets them (inbound → store → webhook attempts → delivery), the webhook's `traceparent`
 * matching its attempt span, and propagation when no exporter is configured.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../runtime/runtime.js';
import { startFakeTelegram, type FakeTelegram } from '../helpers/fake-telegram.js';
import { sendJson, startFakeServer, type FakeServer } from '../helpers/fake-webhook.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../helpers/otlp-receiver.js';
import { chat, configDir, runtimeFor, waitFor } from '../e2e/helpers.js';

const INBOUND_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const INBOUND = `00-${INBOUND_TRACE}-00f067aa0ba902b7-01`;
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

let receiver: OtlpReceiver;
let hook: FakeServer;
let telegram: FakeTelegram;
let cfg: Awaited<ReturnType<typeof configDir>>;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  telegram = await startFakeTelegram();
  // /broken answers 500; /good answers with OpenAI-style usage in its metadata.
  hook = await startFakeServer((req, res) => {
    if (req.path.startsWith('/broken')) return sendJson(res, 500, { error: 'down' });
    return sendJson(res, 200, { content: 'hello back', metadata: { usage: { prompt_tokens: 9, completion_tokens: 2 } } });
  });
  cfg = await configDir({
    'all.yaml': `apiVersion: switchboard/v1
kind: Integration
name: broken
url: ${hook.origin}/broken
---
apiVersion: switchboard/v1
kind: Integration
name: good
url: ${hook.origin}/good
---
apiVersion: switchboard/v1
kind: Bot
name: traced
channels:
  http: {}
  telegram:
    token: ${telegram.token}
    secretToken: tg-secret
    apiUrl: ${telegram.url}
integrations:
  - name: broken
    weight: 100
  - name: good
    weight: 0
    fallback: true
`,
  });
});

afterAll(async () => {
  await hook?.close();
  await telegram?.close();
  await receiver?.close();
  await cfg?.remove();
});

const traceOf = (spans: ReceivedSpan[], traceId: string) => spans.filter((s) => s.traceId === traceId);

describe('tracing through the runtime', () => {
  let runtime: Runtime;
  beforeAll(async () => {
    runtime = await runtimeFor(cfg.dir, { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint });
  });
  afterAll(async () => {
    await runtime?.close();
  });

  it('exports inbound → store → attempts → delivery for an HTTP message, continuing its traceparent', async () => {
    const before = hook.requests.length;
    const res = await chat(runtime, 'traced', { user: { id: 'u1' }, conversation_id: 'conv-7', text: 'hi' }, { traceparent: INBOUND });
    expect(res.statusCode).toBe(200);
    expect(res.json().content).toBe('hello back');
    const sent = hook.requests.slice(before);
    expect(sent.map((r) => r.path)).toEqual(['/broken', '/good']);

    // The batch processor exports within a second or so.
    const spans = await waitFor(() => {
      const got = traceOf(receiver.spans, INBOUND_TRACE);
      return got.length >= 6 ? got : undefined;
    }, 15_000, 'the six spans of the message');
    const root = spans.find((s) => s.name === 'message http');
    expect(root).toMatchObject({ parentSpanId: '00f067aa0ba902b7', kind: 2 });
    for (const s of spans) if (s !== root) expect(s.parentSpanId, s.name).toBe(root?.spanId);
    expect(spans.map((s) => s.name).sort()).toEqual(['chat broken', 'chat good', 'deliver http', 'message http', 'store begin_turn', 'store end_turn']);

    // Each webhook request carried the traceparent of its own attempt span.
    for (const [i, name] of [[0, 'chat broken'], [1, 'chat good']] as const) {
      const m = TRACEPARENT.exec(String(sent[i]?.headers.traceparent));
      expect(m?.[1], name).toBe(INBOUND_TRACE);
      expect(m?.[2], name).toBe(spans.find((s) => s.name === name)?.spanId);
    }
    const broken = spans.find((s) => s.name === 'chat broken');
    expect(broken?.attributes).toMatchObject({ 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'switchboard.custom', 'gen_ai.conversation.id': 'conv-7', 'switchboard.bot': 'traced', 'switchboard.integration': 'broken', 'switchboard.attempt.role': 'primary', 'error.type': 'http_status', 'http.response.status_code': 500 });
    const good = spans.find((s) => s.name === 'chat good');
    expect(good?.attributes).toMatchObject({ 'switchboard.attempt.role': 'fallback', 'gen_ai.usage.input_tokens': 9, 'gen_ai.usage.output_tokens': 2 });
    expect(good?.attributes['error.type']).toBeUndefined();
  });
});

describe('tracing of a channel that acks first (Telegram)', () => {
  let runtime: Runtime;
  beforeAll(async () => {
    runtime = await runtimeFor(cfg.dir, { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint });
  });
  afterAll(async () => {
    await runtime?.close();
  });

  it('keeps the message span open until the background delivery is done', async () => {
    const update = { update_id: 41, message: { message_id: 41, date: 1_700_000_000, chat: { id: 77, type: 'private' }, from: { id: 77, is_bot: false, first_name: 'T' }, text: 'hey' } };
    const res = await runtime.app.inject({ method: 'POST', url: '/channels/telegram/traced', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'tg-secret' }, payload: JSON.stringify(update) });
    expect(res.statusCode).toBe(200);
    await telegram.waitFor('sendMessage', 1, 15_000);
    const root = await waitFor(() => receiver.spans.find((s) => s.name === 'message telegram'), 15_000, 'the telegram message span');
    const spans = await waitFor(() => {
      const got = traceOf(receiver.spans, root.traceId);
      return got.length >= 6 ? got : undefined;
    }, 15_000, 'the telegram trace');
    expect(root.parentSpanId).toBeUndefined();
    const delivery = spans.find((s) => s.name === 'deliver telegram');
    expect(delivery?.parentSpanId).toBe(root.spanId);
  });
});

describe('propagation without an exporter', () => {
  let runtime: Runtime;
  beforeAll(async () => {
    runtime = await runtimeFor(cfg.dir, {});
  });
  afterAll(async () => {
    await runtime?.close();
  });

  it('continues an inbound trace and starts one when none came in, with a new span id per request', async () => {
    const exported = receiver.spans.length;
    const before = hook.requests.length;
    await chat(runtime, 'traced', { user: { id: 'u2' }, text: 'one' }, { traceparent: INBOUND });
    await chat(runtime, 'traced', { user: { id: 'u3' }, text: 'two' });
    const sent = hook.requests.slice(before).map((r) => TRACEPARENT.exec(String(r.headers.traceparent)));
    expect(sent).toHaveLength(4);
    for (const m of sent) expect(m).not.toBeNull();
    expect(sent[0]?.[1]).toBe(INBOUND_TRACE);
    expect(sent[1]?.[1]).toBe(INBOUND_TRACE);
    expect(sent[0]?.[2]).not.toBe(sent[1]?.[2]);
    expect(sent[0]?.[2]).not.toBe('00f067aa0ba902b7');
    expect(sent[2]?.[1]).not.toBe(INBOUND_TRACE);
    expect(sent[3]?.[1]).toBe(sent[2]?.[1]);
    expect(receiver.spans.length).toBe(exported);
  });
});
