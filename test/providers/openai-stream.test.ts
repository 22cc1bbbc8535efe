/**
 * OpenAI Chat Completions streaming: the request flags, the pure chunk parser, and the
 * whole path against the fake server streaming in the real chunk format.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedIntegration } from '../../runtime/config/snapshot.js';
import type { WebhookRequest } from '../../runtime/core/message.js';
import { openaiProvider } from '../../runtime/providers/openai.js';
import { parseOpenAIStreamEvent } from '../../runtime/providers/openai-stream.js';
import type { StreamState } from '../../runtime/providers/stream-step.js';
import type { StreamResult } from '../../runtime/webhook/attempt-stream.js';
import { streamIntegration } from '../../runtime/webhook/client.js';
import { FAKE_OPENAI_KEY, openaiStreamFrames, providerFixture, sseFrame, startFakeOpenAI, wordDeltas, type FakeOpenAI } from '../helpers/fake-openai.js';

const payload = providerFixture<WebhookRequest>('platform-payload');
const response = providerFixture<Record<string, unknown>>('openai-response');
const content = (response.choices as Array<{ message: { content: string } }>)[0]?.message.content as string;

function integration(url: string, over: Partial<ResolvedIntegration> = {}): ResolvedIntegration {
  return {
    name: 'support-gpt',
    type: 'openai',
    url,
    headers: { Authorization: `Bearer ${FAKE_OPENAI_KEY}` },
    timeoutMs: 10_000,
    stream: true,
    model: 'gpt-4o-mini',
    signingSecrets: [],
    source: { file: 'integrations/gpt.yaml', line: 1 },
    ...over,
  };
}

const state = (): StreamState => ({ metadata: {} });
const data = (frame: string): string => frame.replace(/^data: /, '').trim();

describe('openai stream (pure)', () => {
  it('asks for a stream with usage only when stream: true', () => {
    expect(JSON.parse(openaiProvider.buildRequest(payload, integration('https://x')).body)).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    const plain = JSON.parse(openaiProvider.buildRequest(payload, integration('https://x', { stream: false })).body) as object;
    expect(plain).not.toHaveProperty('stream');
    expect(plain).not.toHaveProperty('stream_options');
  });

  it('turns the real chunk sequence into deltas, finish_reason, usage and [DONE]', () => {
    const s = state();
    const steps = openaiStreamFrames(response, true).map((f) => parseOpenAIStreamEvent({ data: data(f) }, s));
    expect(steps[0]).toEqual({ type: 'delta', text: '' });
    const texts = steps.flatMap((x) => (x.type === 'delta' && x.text !== '' ? [x.text] : []));
    expect(texts.join('')).toBe(content);
    expect(steps.at(-1)).toEqual({ type: 'done', done: {} });
    expect(s.metadata).toEqual({ model: response.model, finish_reason: 'stop', usage: response.usage });
  });

  it('a mid-stream error object is an error step, with keys masked', () => {
    const step = parseOpenAIStreamEvent({ data: JSON.stringify({ error: { message: 'bad key sk-abcdefghijklmnopqrstuvwxyz012345', type: 'server_error' } }) }, state());
    expect(step.type).toBe('error');
    expect(step.type === 'error' && step.message).toContain('OpenAI stream error (server_error)');
    expect(step.type === 'error' && step.message).not.toContain('sk-abcdefghijklmnopqrstuvwxyz012345');
  });

  it('a chunk that is not JSON is invalid', () => {
    expect(parseOpenAIStreamEvent({ data: '{"choices": [' }, state())).toMatchObject({ type: 'invalid', reason: 'invalid_json' });
  });
});

describe('openai stream against the fake API', () => {
  let api: FakeOpenAI;
  beforeAll(async () => {
    api = await startFakeOpenAI();
  });
  afterAll(() => api.close());
  const opts = { requestId: 'req-1', allowPrivateNetwork: true };

  async function run(over: Partial<ResolvedIntegration> = {}): Promise<{ deltas: string[]; result: StreamResult }> {
    const s = streamIntegration(integration(api.url, over), payload, opts);
    const deltas: string[] = [];
    for await (const d of s) deltas.push(d.delta);
    return { deltas, result: await s.result };
  }

  it('streams the reply word by word with model, finish_reason and usage', async () => {
    const { deltas, result } = await run();
    expect(deltas).toEqual(wordDeltas(content));
    expect(result.ok && result.reply).toEqual({ content, metadata: { model: response.model, finish_reason: 'stop', usage: response.usage } });
    expect(result.stream).toMatchObject({ streamed: true, deltas: deltas.length, textProduced: true });
  });

  it('a role-only chunk is no first token', async () => {
    api.streamNext({ frames: openaiStreamFrames(response, true).slice(0, 1), end: 'hang' });
    const { result } = await run({ firstTokenTimeoutMs: 300 });
    expect(!result.ok && result.failure).toBe('first_token_timeout');
    expect(result.stream.textProduced).toBe(false);
  });

  it('a stream cut before [DONE] is interrupted, even after finish_reason', async () => {
    const frames = openaiStreamFrames(response, true);
    api.streamNext({ frames: frames.slice(0, -1), end: 'end' });
    const { result } = await run();
    expect(!result.ok && result.failure).toBe('interrupted');
    expect(result.stream).toMatchObject({ textProduced: true, text: content });
  });

  it('an in-band error before any text is a stream_error without text', async () => {
    api.streamNext({ frames: [sseFrame({ error: { message: 'The server had an error while processing your request.', type: 'server_error' } })], end: 'end' });
    const { result } = await run();
    expect(!result.ok && result.failure).toBe('stream_error');
    expect(result.stream.textProduced).toBe(false);
  });

  it('a stream of only a refusal is an empty reply that names it', async () => {
    const head = { id: 'c', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { role: 'assistant', refusal: "I can't help with that." }, finish_reason: null }] };
    api.streamNext({ frames: [sseFrame(head), sseFrame({ ...head, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }), 'data: [DONE]\n\n'], end: 'end' });
    const { result } = await run();
    expect(!result.ok && result.reason).toBe('empty');
    expect(!result.ok && result.message).toContain("the model refused: I can't help with that.");
  });
});
