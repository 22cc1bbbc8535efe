/**
 * Anthropic Messages API streaming: the request flag, the pure event parser, and the whole
 * path against the fake server streaming in the real event format.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedIntegration } from '../../runtime/config/snapshot.js';
import type { WebhookRequest } from '../../runtime/core/message.js';
import { anthropicProvider } from '../../runtime/providers/anthropic.js';
import { parseAnthropicStreamEvent } from '../../runtime/providers/anthropic-stream.js';
import type { StreamState } from '../../runtime/providers/stream-step.js';
import type { StreamResult } from '../../runtime/webhook/attempt-stream.js';
import { streamIntegration } from '../../runtime/webhook/client.js';
import { anthropicStreamFrames, FAKE_ANTHROPIC_KEY, startFakeAnthropic, type FakeAnthropic } from '../helpers/fake-anthropic.js';
import { providerFixture, sseFrame, wordDeltas } from '../helpers/fake-openai.js';

const payload = providerFixture<WebhookRequest>('platform-payload');
const response = providerFixture<Record<string, unknown>>('anthropic-response');
const content = (response.content as Array<{ text: string }>).map((b) => b.text).join('');

function integration(url: string, over: Partial<ResolvedIntegration> = {}): ResolvedIntegration {
  return {
    name: 'support-claude',
    type: 'anthropic',
    url,
    headers: { 'x-api-key': FAKE_ANTHROPIC_KEY },
    timeoutMs: 10_000,
    stream: true,
    model: 'claude-3-5-haiku-latest',
    signingSecrets: [],
    source: { file: 'integrations/claude.yaml', line: 1 },
    ...over,
  };
}

/** `event: x\ndata: {...}` → the parsed event. */
function parse(frame: string): { event?: string; data: string } {
  const event = /^event: (.*)$/m.exec(frame)?.[1];
  const data = /^data: (.*)$/m.exec(frame)?.[1] ?? '';
  return event === undefined ? { data } : { event, data };
}
const state = (): StreamState => ({ metadata: {} });

describe('anthropic stream (pure)', () => {
  it('asks for a stream only when stream: true', () => {
    expect(JSON.parse(anthropicProvider.buildRequest(payload, integration('https://x')).body)).toMatchObject({ stream: true });
    expect(JSON.parse(anthropicProvider.buildRequest(payload, integration('https://x', { stream: false })).body)).not.toHaveProperty('stream');
  });

  it('turns the real event sequence into text deltas, stop_reason, merged usage and the end', () => {
    const s = state();
    const steps = anthropicStreamFrames(response).map((f) => parseAnthropicStreamEvent(parse(f), s));
    expect(steps.flatMap((x) => (x.type === 'delta' ? [x.text] : [])).join('')).toBe(content);
    expect(steps.at(-1)).toEqual({ type: 'done', done: {} });
    expect(steps.filter((x) => x.type === 'done')).toHaveLength(1);
    expect(s.metadata).toEqual({ model: response.model, stop_reason: 'end_turn', usage: response.usage });
  });

  it('ping, tool-input and thinking deltas are not text', () => {
    for (const delta of [{ type: 'input_json_delta', partial_json: '{"a"' }, { type: 'thinking_delta', thinking: 'hmm' }]) {
      expect(parseAnthropicStreamEvent({ event: 'content_block_delta', data: JSON.stringify({ type: 'content_block_delta', index: 0, delta }) }, state())).toEqual({ type: 'ignore' });
    }
    expect(parseAnthropicStreamEvent({ event: 'ping', data: '{"type": "ping"}' }, state())).toEqual({ type: 'ignore' });
  });

  it('an error event (overloaded_error) is an error step', () => {
    const step = parseAnthropicStreamEvent({ event: 'error', data: JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }) }, state());
    expect(step).toEqual({ type: 'error', message: 'Anthropic stream error (overloaded_error): Overloaded' });
  });
});

describe('anthropic stream against the fake API', () => {
  let api: FakeAnthropic;
  beforeAll(async () => {
    api = await startFakeAnthropic();
  });
  afterAll(() => api.close());
  const opts = { requestId: 'req-1', allowPrivateNetwork: true };

  async function run(over: Partial<ResolvedIntegration> = {}): Promise<{ deltas: string[]; result: StreamResult }> {
    const s = streamIntegration(integration(api.url, over), payload, opts);
    const deltas: string[] = [];
    for await (const d of s) deltas.push(d.delta);
    return { deltas, result: await s.result };
  }

  it('streams the reply word by word with model, stop_reason and usage', async () => {
    const { deltas, result } = await run();
    expect(deltas).toEqual((response.content as Array<{ text: string }>).flatMap((b) => wordDeltas(b.text)));
    expect(result.ok && result.reply).toEqual({ content, metadata: { model: response.model, stop_reason: 'end_turn', usage: response.usage } });
    const sent = api.requests.at(-1)?.json as { stream?: unknown };
    expect(sent.stream).toBe(true);
  });

  it('overloaded_error before any text fails without text (the pipeline may fall back)', async () => {
    const frames = anthropicStreamFrames(response);
    api.streamNext({ frames: [...frames.slice(0, 3), sseFrame({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, 'error')], end: 'end' });
    const { result } = await run();
    expect(!result.ok && result.failure).toBe('stream_error');
    expect(!result.ok && result.message).toContain('overloaded_error');
    expect(result.stream.textProduced).toBe(false);
  });

  it('overloaded_error after text reports the text produced', async () => {
    const frames = anthropicStreamFrames(response);
    api.streamNext({ frames: [...frames.slice(0, 5), sseFrame({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, 'error')], end: 'end' });
    const { deltas, result } = await run();
    expect(!result.ok && result.failure).toBe('stream_error');
    expect(result.stream.textProduced).toBe(true);
    expect(result.stream.text).toBe(deltas.join(''));
  });

  it('pings alone are no first token', async () => {
    api.streamNext({ frames: [...anthropicStreamFrames(response).slice(0, 3)], end: 'hang' });
    const { result } = await run({ firstTokenTimeoutMs: 300 });
    expect(!result.ok && result.failure).toBe('first_token_timeout');
  });

  it('a connection cut before message_stop is interrupted', async () => {
    api.streamNext({ frames: anthropicStreamFrames(response).slice(0, -1), end: 'cut' });
    const { result } = await run();
    expect(!result.ok && result.failure).toBe('interrupted');
    expect(result.stream.text).toBe(content);
  });
});
