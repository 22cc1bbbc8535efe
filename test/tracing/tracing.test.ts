import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTracing, injectTraceparent, tracingOptionsFromEnv } from '../../runtime/tracing/tracing.js';
import { parseTraceparent } from '../../runtime/tracing/trace-ids.js';
import { usageTokens } from '../../runtime/tracing/usage.js';
import { waitFor } from '../helpers/config-tree.js';
import { startOtlpReceiver, type OtlpReceiver } from '../helpers/otlp-receiver.js';

const INBOUND = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]$/;

describe('parseTraceparent', () => {
  it('accepts a valid header and rejects malformed ones', () => {
    expect(parseTraceparent(INBOUND)).toMatchObject({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1, isRemote: true });
    for (const bad of [undefined, '', 'nonsense', ['a'], '00-00000000000000000000000000000000-b7ad6b7169203331-01', '00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01', 'ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', `${INBOUND}-extra`, '00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01']) {
      expect(parseTraceparent(bad as string | undefined), String(bad)).toBeUndefined();
    }
    // A future version may append fields.
    expect(parseTraceparent('01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-future')).toBeDefined();
  });
});

describe('usageTokens', () => {
  it('reads the OpenAI and Anthropic shapes and ignores junk', () => {
    expect(usageTokens({ usage: { prompt_tokens: 12, completion_tokens: 5 } })).toEqual({ input: 12, output: 5 });
    expect(usageTokens({ usage: { input_tokens: 7, output_tokens: 3 } })).toEqual({ input: 7, output: 3 });
    expect(usageTokens({ usage: { input_tokens: '7', output_tokens: -1 } })).toEqual({});
    expect(usageTokens({ usage: 'x' })).toEqual({});
    expect(usageTokens(undefined)).toEqual({});
  });
});

describe('tracing without an exporter (propagation only)', () => {
  const tracing = createTracing({ version: '1.2.3' });

  it('records nothing and continues an inbound traceparent with a new span id per attempt', () => {
    expect(tracing.recording).toBe(false);
    const inbound = tracing.startInboundSpan({ traceparent: INBOUND }, { channel: 'http', bot: 'b' });
    expect(inbound.isRecording()).toBe(false);
    const a1 = tracing.startAttemptSpan(inbound, { bot: 'b', integration: 'i', type: 'custom', conversationId: 'c', role: 'primary' });
    const a2 = tracing.startAttemptSpan(inbound, { bot: 'b', integration: 'j', type: 'custom', conversationId: 'c', role: 'fallback' });
    const h1: Record<string, string> = {};
    const h2: Record<string, string> = {};
    injectTraceparent(h1, a1);
    injectTraceparent(h2, a2);
    const [, t1, s1] = TRACEPARENT.exec(h1.traceparent ?? '') ?? [];
    const [, t2, s2] = TRACEPARENT.exec(h2.traceparent ?? '') ?? [];
    expect(t1).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(t2).toBe(t1);
    expect(s1).not.toBe('b7ad6b7169203331');
    expect(s2).not.toBe(s1);
    expect(h1.traceparent?.endsWith('-01')).toBe(true);
  });

  it('starts a new trace when no (or a malformed) traceparent came in', () => {
    const ids = new Set<string>();
    for (const headers of [{}, { traceparent: 'garbage' }]) {
      const inbound = tracing.startInboundSpan(headers, { channel: 'http', bot: 'b' });
      const h: Record<string, string> = {};
      injectTraceparent(h, tracing.startAttemptSpan(inbound, { bot: 'b', integration: 'i', type: 'echo', conversationId: 'c', role: 'primary' }));
      const m = TRACEPARENT.exec(h.traceparent ?? '');
      expect(m, h.traceparent).not.toBeNull();
      ids.add(m?.[1] ?? '');
    }
    expect(ids.size).toBe(2);
  });

  it('reads the endpoint from the standard variables', () => {
    expect(tracingOptionsFromEnv({}, '1').endpoint).toBeUndefined();
    expect(tracingOptionsFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x:4318' }, '1').endpoint).toBe('http://x:4318');
    expect(createTracing(tracingOptionsFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: '' }, '1')).recording).toBe(false);
  });
});

describe('tracing with an OTLP/HTTP exporter', () => {
  let receiver: OtlpReceiver;
  beforeEach(async () => {
    receiver = await startOtlpReceiver();
  });
  afterEach(async () => {
    await receiver.close();
  });

  it('exports the span tree of one message with GenAI attributes', async () => {
    const tracing = createTracing({ endpoint: `${receiver.endpoint}/`, version: '1.2.3' });
    expect(tracing.recording).toBe(true);
    const inbound = tracing.startInboundSpan({ traceparent: INBOUND }, { channel: 'telegram', bot: 'support', requestId: 'req_1' });
    tracing.startStoreSpan(inbound, 'begin_turn').end();
    const failed = tracing.startAttemptSpan(inbound, { bot: 'support', integration: 'gpt', type: 'openai', model: 'gpt-4o-mini', conversationId: 'conv-1', role: 'primary' });
    const headers: Record<string, string> = {};
    injectTraceparent(headers, failed);
    tracing.endAttemptSpan(failed, { ok: false, failure: 'timeout', message: 'the webhook did not answer within 100 ms' });
    const ok = tracing.startAttemptSpan(inbound, { bot: 'support', integration: 'claude-hook', type: 'anthropic', conversationId: 'conv-1', role: 'fallback' });
    tracing.endAttemptSpan(ok, { ok: true, status: 200, metadata: { model: 'claude-x', usage: { input_tokens: 11, output_tokens: 4 } } });
    tracing.startStoreSpan(inbound, 'end_turn').end();
    tracing.startDeliverySpan(inbound, 'telegram').end();
    inbound.end();
    await tracing.forceFlush();

    const spans = await waitFor(() => (receiver.spans.length >= 6 ? receiver.spans : undefined), 10_000, 'six spans');
    expect(receiver.requests[0]).toMatchObject({ path: '/v1/traces' });
    expect(receiver.requests[0]?.contentType).toContain('json');
    const byName = new Map(spans.map((s) => [s.name, s]));
    const root = byName.get('message telegram');
    expect(root).toMatchObject({ traceId: '0af7651916cd43dd8448eb211c80319c', parentSpanId: 'b7ad6b7169203331', kind: 2 });
    expect(root?.attributes).toMatchObject({ 'switchboard.bot': 'support', 'switchboard.channel': 'telegram', 'switchboard.request_id': 'req_1' });
    expect(root?.resource).toMatchObject({ 'service.name': 'switchboard', 'service.version': '1.2.3' });
    for (const s of spans) {
      expect(s.traceId).toBe(root?.traceId);
      if (s !== root) expect(s.parentSpanId, s.name).toBe(root?.spanId);
    }
    expect(new Set(spans.map((s) => s.name))).toEqual(new Set(['message telegram', 'store begin_turn', 'store end_turn', 'chat gpt-4o-mini', 'chat claude-hook', 'deliver telegram']));

    const gpt = byName.get('chat gpt-4o-mini');
    expect(gpt?.kind).toBe(3);
    expect(gpt?.spanId).toBe(TRACEPARENT.exec(headers.traceparent ?? '')?.[2]);
    expect(gpt?.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.conversation.id': 'conv-1',
      'switchboard.integration': 'gpt',
      'switchboard.attempt.role': 'primary',
      'error.type': 'timeout',
    });
    expect(gpt?.status.code).toBe(2);
    const claude = byName.get('chat claude-hook');
    expect(claude?.attributes).toMatchObject({ 'gen_ai.provider.name': 'anthropic', 'gen_ai.usage.input_tokens': 11, 'gen_ai.usage.output_tokens': 4, 'gen_ai.response.model': 'claude-x', 'http.response.status_code': 200, 'switchboard.attempt.role': 'fallback' });
    expect(claude?.attributes['gen_ai.request.model']).toBeUndefined();
    expect(claude?.attributes['error.type']).toBeUndefined();
    await tracing.shutdown();
  });

  it('starts a new trace (no parent) when none came in', async () => {
    const tracing = createTracing({ endpoint: receiver.endpoint, version: '1' });
    tracing.startInboundSpan({}, { channel: 'http', bot: 'b' }).end();
    await tracing.forceFlush();
    const [span] = await waitFor(() => (receiver.spans.length >= 1 ? receiver.spans : undefined), 10_000, 'one span');
    expect(span?.parentSpanId).toBeUndefined();
    expect(span?.traceId).toMatch(/^[0-9a-f]{32}$/);
    await tracing.shutdown();
  });
});
