import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedIntegration } from '../../runtime/config/snapshot.js';
import type { ChatMessage, WebhookRequest } from '../../runtime/core/message.js';
import { anthropicProvider, describeAnthropicError, parseAnthropicReply, toAnthropicMessages } from '../../runtime/providers/anthropic.js';
import { callIntegration } from '../../runtime/webhook/client.js';
import { checkMessagesBody, FAKE_ANTHROPIC_KEY, startFakeAnthropic, type FakeAnthropic } from '../helpers/fake-anthropic.js';
import { providerFixture, type ResponseFixture } from '../helpers/fake-openai.js';

const payload = providerFixture<WebhookRequest>('platform-payload');

function integration(url: string, over: Partial<ResolvedIntegration> = {}): ResolvedIntegration {
  return {
    name: 'support-claude',
    type: 'anthropic',
    url,
    headers: { 'x-api-key': FAKE_ANTHROPIC_KEY },
    timeoutMs: 2000,
    model: 'claude-3-5-haiku-latest',
    signingSecrets: [],
    source: { file: 'integrations/claude.yaml', line: 1 },
    ...over,
  };
}

describe('anthropic provider (pure)', () => {
  it('builds the recorded Messages API request: top-level system, alternating roles, url image/document blocks, default max_tokens', () => {
    const built = anthropicProvider.buildRequest(payload, integration('https://api.anthropic.com/v1/messages'));
    expect(JSON.parse(built.body)).toEqual(providerFixture('anthropic-request'));
    expect(built.headers).toEqual({ 'anthropic-version': '2023-06-01' });
  });

  it('uses maxTokens and clamps temperature to the API range', () => {
    const body = JSON.parse(anthropicProvider.buildRequest(payload, integration('https://x', { maxTokens: 64, temperature: 1.5 })).body);
    expect(body.max_tokens).toBe(64);
    expect(body.temperature).toBe(1);
  });

  it('merges same-role runs, drops empty turns and leading assistant turns', () => {
    const messages: ChatMessage[] = [
      { role: 'assistant', content: 'earlier reply' },
      { role: 'user', content: '' },
      { role: 'user', content: 'a' },
      { role: 'system', content: 'late system note' },
      { role: 'user', content: [{ type: 'text', text: 'b' }] },
      { role: 'assistant', content: 'c' },
      { role: 'assistant', content: [{ type: 'image_url', image_url: { url: 'https://i/y.png' } }] },
      { role: 'user', content: 'd' },
    ];
    expect(toAnthropicMessages(messages)).toEqual({
      system: 'late system note',
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] },
        { role: 'assistant', content: [{ type: 'text', text: 'c' }, { type: 'text', text: '[image: https://i/y.png]' }] },
        { role: 'user', content: [{ type: 'text', text: 'd' }] },
      ],
    });
    expect(toAnthropicMessages([{ role: 'assistant', content: 'only' }])).toEqual({ messages: [{ role: 'user', content: [{ type: 'text', text: '(empty message)' }] }] });
  });

  it('parses the recorded response (text blocks joined) and rejects empty text', () => {
    expect(parseAnthropicReply(providerFixture('anthropic-response'))).toEqual({
      ok: true,
      reply: {
        content: 'Thanks! Order 4411 shipped on Monday. I have asked the carrier for an update.',
        metadata: {
          model: 'claude-3-5-haiku-20241022',
          stop_reason: 'end_turn',
          usage: { input_tokens: 187, output_tokens: 23, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, service_tier: 'standard' },
        },
      },
    });
    expect(parseAnthropicReply({ type: 'message', content: [], stop_reason: 'max_tokens' })).toEqual({
      ok: false,
      reason: 'empty',
      message: 'the reply has no text content (stop_reason max_tokens)',
    });
    expect(parseAnthropicReply({ choices: [] })).toMatchObject({ ok: false, reason: 'invalid_shape' });
  });

  it('describes error bodies', () => {
    const e401 = providerFixture<ResponseFixture>('anthropic-error-401');
    expect(describeAnthropicError(e401.status, e401.body)).toBe('Anthropic authentication failed (401 authentication_error): invalid x-api-key');
    const e529 = providerFixture<ResponseFixture>('anthropic-error-529');
    expect(describeAnthropicError(e529.status, e529.body)).toBe('Anthropic overloaded (529 overloaded_error): Overloaded');
    const e429 = providerFixture<ResponseFixture>('anthropic-error-429');
    expect(describeAnthropicError(e429.status, e429.body, e429.headers)).toMatch(
      /^Anthropic rate limited \(429 rate_limit_error\): Number of request tokens .*… \[retry-after 45, requests-remaining 0, requests-reset 2025-04-28T12:00:45Z, tokens-remaining 12000\]$/,
    );
  });
});

describe('the fake Anthropic server is strict', () => {
  const ok = providerFixture<Record<string, unknown>>('anthropic-request');
  const user = (text: string) => ({ role: 'user', content: text });
  it('rejects what the real API rejects', () => {
    expect(checkMessagesBody(ok)).toBeNull();
    expect(checkMessagesBody({ ...ok, max_tokens: undefined })).toBe('max_tokens: Field required');
    expect(checkMessagesBody({ ...ok, model: undefined })).toBe('model: Field required');
    expect(checkMessagesBody({ ...ok, messages: [{ role: 'assistant', content: 'x' }, user('y')] })).toBe('messages: first message must use the "user" role');
    expect(checkMessagesBody({ ...ok, messages: [user('x'), user('y')] })).toBe(
      'messages: roles must alternate between "user" and "assistant", but found multiple "user" roles in a row',
    );
    expect(checkMessagesBody({ ...ok, messages: [{ role: 'system', content: 's' }, user('y')] })).toMatch(/^messages: Unexpected role "system"/);
    expect(checkMessagesBody({ ...ok, messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'u' } }] }] })).toMatch(
      /^messages\.0\.content\.0: Input tag 'image_url'/,
    );
    expect(checkMessagesBody({ ...ok, messages: [{ role: 'user', content: [{ type: 'text', text: '' }] }] })).toBe('messages: text content blocks must be non-empty');
    expect(checkMessagesBody({ ...ok, temperature: 1.5 })).toBe('temperature: Input should be less than or equal to 1');
    expect(checkMessagesBody({ ...ok, maxTokens: 5 })).toBe('maxTokens: Extra inputs are not permitted');
    // The OpenAI-format payload itself is rejected (why a proxy was needed before).
    expect(checkMessagesBody(payload)).toBe('conversation_id: Extra inputs are not permitted');
  });
});

describe('anthropic provider against the fake server', () => {
  let fake: FakeAnthropic;
  beforeAll(async () => {
    fake = await startFakeAnthropic();
  });
  afterAll(async () => {
    await fake.close();
  });
  const opts = { requestId: 'req-claude-1', allowPrivateNetwork: true };

  it('sends the recorded request with key and version headers and returns the reply', async () => {
    const before = fake.requests.length;
    const result = await callIntegration(integration(fake.url), payload, opts);
    expect(result).toMatchObject({ ok: true, status: 200, retried: false });
    expect(result.ok && result.reply.content).toBe('Thanks! Order 4411 shipped on Monday. I have asked the carrier for an update.');
    const sent = fake.requests[before];
    expect(sent?.json).toEqual(providerFixture('anthropic-request'));
    expect(sent?.headers['x-api-key']).toBe(FAKE_ANTHROPIC_KEY);
    expect(sent?.headers['anthropic-version']).toBe('2023-06-01');
  });

  it('a configured anthropic-version wins over the default', async () => {
    const before = fake.requests.length;
    const result = await callIntegration(integration(fake.url, { headers: { 'x-api-key': FAKE_ANTHROPIC_KEY, 'Anthropic-Version': '2023-01-01' } }), payload, opts);
    expect(result.ok).toBe(true);
    expect(fake.requests[before]?.headers['anthropic-version']).toBe('2023-01-01');
  });

  it('maps a missing key to http_status 401 (the key comes only from headers)', async () => {
    const result = await callIntegration(integration(fake.url, { headers: {} }), payload, opts);
    expect(result).toMatchObject({ ok: false, failure: 'http_status', status: 401, message: 'Anthropic authentication failed (401 authentication_error): x-api-key header is required' });
  });

  it('maps 529 overloaded and a 429 whose Retry-After does not fit', async () => {
    fake.respondNext(providerFixture<ResponseFixture>('anthropic-error-529'));
    expect(await callIntegration(integration(fake.url), payload, opts)).toMatchObject({ ok: false, failure: 'http_status', status: 529 });
    fake.respondNext(providerFixture<ResponseFixture>('anthropic-error-429'));
    const before = fake.requests.length;
    expect(await callIntegration(integration(fake.url), payload, opts)).toMatchObject({ ok: false, failure: 'http_status', status: 429, retried: false });
    expect(fake.requests.length - before).toBe(1);
  });
});
