import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedIntegration } from '../../runtime/config/snapshot.js';
import type { WebhookRequest } from '../../runtime/core/message.js';
import { describeOpenAIError, openaiProvider, parseOpenAIReply } from '../../runtime/providers/openai.js';
import { callIntegration } from '../../runtime/webhook/client.js';
import { checkChatCompletionsBody, FAKE_OPENAI_KEY, providerFixture, startFakeOpenAI, type FakeOpenAI, type ResponseFixture } from '../helpers/fake-openai.js';

const payload = providerFixture<WebhookRequest>('platform-payload');

function integration(url: string, over: Partial<ResolvedIntegration> = {}): ResolvedIntegration {
  return {
    name: 'support-gpt',
    type: 'openai',
    url,
    headers: { Authorization: `Bearer ${FAKE_OPENAI_KEY}` },
    timeoutMs: 2000,
    model: 'gpt-4o-mini',
    temperature: 0.2,
    maxTokens: 300,
    signingSecrets: [],
    source: { file: 'integrations/gpt.yaml', line: 1 },
    ...over,
  };
}

describe('openai provider (pure)', () => {
  it('builds the recorded Chat Completions request from the platform payload', () => {
    const built = openaiProvider.buildRequest(payload, integration('https://api.openai.com/v1/chat/completions'));
    expect(JSON.parse(built.body)).toEqual(providerFixture('openai-request'));
    expect(built.headers).toEqual({});
  });

  it('omits temperature and max_tokens when not configured', () => {
    const built = openaiProvider.buildRequest(payload, integration('https://x', { temperature: undefined, maxTokens: undefined }));
    expect(Object.keys(JSON.parse(built.body) as object)).toEqual(['model', 'messages']);
  });

  it('flattens image parts in assistant turns to a text mention', () => {
    const p: WebhookRequest = {
      ...payload,
      messages: [{ role: 'assistant', content: [{ type: 'text', text: 'see' }, { type: 'image_url', image_url: { url: 'https://i/x.png' } }] }],
    };
    expect(JSON.parse(openaiProvider.buildRequest(p, integration('https://x')).body).messages).toEqual([
      { role: 'assistant', content: 'see\n[image: https://i/x.png]' },
    ]);
  });

  it('parses the recorded response into content and metadata', () => {
    expect(parseOpenAIReply(providerFixture('openai-response'))).toEqual({
      ok: true,
      reply: {
        content: 'Thanks! Order 4411 shipped on Monday; the receipt matches. I have asked the carrier for an update.',
        metadata: {
          model: 'gpt-4o-mini-2024-07-18',
          finish_reason: 'stop',
          usage: (providerFixture('openai-response') as { usage: unknown }).usage,
        },
      },
    });
  });

  it('treats null and empty content as a bad reply', () => {
    const refusal = { choices: [{ index: 0, message: { role: 'assistant', content: null, refusal: 'I cannot help with that.' }, finish_reason: 'stop' }] };
    expect(parseOpenAIReply(refusal)).toEqual({
      ok: false,
      reason: 'missing_content',
      message: 'choices[0].message.content is missing (finish_reason stop); the model refused: I cannot help with that.',
    });
    expect(parseOpenAIReply({ choices: [{ message: { content: '  ' } }] })).toEqual({ ok: false, reason: 'empty', message: 'choices[0].message.content is empty' });
    expect(parseOpenAIReply({ content: 'hi' })).toMatchObject({ ok: false, reason: 'invalid_shape' });
  });

  it('describes error bodies without echoing key fragments, with rate-limit headers on 429', () => {
    const e401 = providerFixture<ResponseFixture>('openai-error-401');
    expect(describeOpenAIError(e401.status, e401.body)).toBe(
      'OpenAI authentication failed (401 invalid_api_key): Incorrect API key provided: sk-…. You can find your API key at https://platform.openai.com/account/api-keys.',
    );
    const e429 = providerFixture<ResponseFixture>('openai-error-429');
    expect(describeOpenAIError(e429.status, e429.body, e429.headers)).toBe(
      'OpenAI rate limited (429 rate_limit_exceeded): Rate limit reached for gpt-4o-mini in organization org-abc123 on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s. Visit https://platform.openai.com/account/rate-limits to learn more. [remaining-requests 0, reset-requests 20s, remaining-tokens 39863, reset-tokens 205ms]',
    );
    const e500 = providerFixture<ResponseFixture>('openai-error-500');
    expect(describeOpenAIError(e500.status, e500.body)).toBe(
      'OpenAI server error (500 server_error): The server had an error while processing your request. Sorry about that!',
    );
    expect(describeOpenAIError(502, 'not json')).toBe('OpenAI server error (502)');
  });
});

describe('the fake OpenAI server is strict', () => {
  it('rejects what the real API rejects', () => {
    expect(checkChatCompletionsBody({ messages: [{ role: 'user', content: 'hi' }] })?.message).toBe('you must provide a model parameter');
    expect(checkChatCompletionsBody({ model: 'm', messages: [] })?.code).toBe('empty_array');
    expect(checkChatCompletionsBody({ model: 'm', messages: [{ role: 'bot', content: 'x' }] })?.param).toBe('messages[0].role');
    expect(checkChatCompletionsBody({ model: 'm', messages: [{ role: 'assistant', content: [{ type: 'image_url', image_url: { url: 'u' } }] }] })?.param).toBe(
      'messages[0].content[0].type',
    );
    expect(
      checkChatCompletionsBody({ model: 'm', messages: [{ role: 'user', content: [{ type: 'file', file: { url: 'https://f', name: 'a', mime_type: 'b' } }] }] })?.param,
    ).toBe('messages[0].content[0].file');
    expect(checkChatCompletionsBody({ model: 'm', messages: [{ role: 'user', content: 'x' }], temperature: 3 })?.param).toBe('temperature');
    expect(checkChatCompletionsBody({ model: 'm', messages: [{ role: 'user', content: 'x' }], maxTokens: 3 })?.message).toBe(
      'Unrecognized request argument supplied: maxTokens',
    );
    expect(checkChatCompletionsBody(providerFixture('openai-request'))).toBeNull();
    // The platform payload itself is not a Chat Completions body (why `custom` cannot point at OpenAI).
    expect(checkChatCompletionsBody(payload)?.message).toBe('Unrecognized request argument supplied: conversation_id');
  });
});

describe('openai provider against the fake server', () => {
  let fake: FakeOpenAI;
  beforeAll(async () => {
    fake = await startFakeOpenAI();
  });
  afterAll(async () => {
    await fake.close();
  });
  const opts = { requestId: 'req-openai-1', allowPrivateNetwork: true };

  it('sends the recorded request and returns the reply', async () => {
    const before = fake.requests.length;
    const result = await callIntegration(integration(fake.url), payload, opts);
    expect(result).toMatchObject({ ok: true, status: 200, retried: false });
    expect(result.ok && result.reply.content).toBe('Thanks! Order 4411 shipped on Monday; the receipt matches. I have asked the carrier for an update.');
    const sent = fake.requests[before];
    expect(sent?.json).toEqual(providerFixture('openai-request'));
    expect(sent?.headers.authorization).toBe(`Bearer ${FAKE_OPENAI_KEY}`);
    expect(sent?.headers['content-type']).toBe('application/json');
    expect(sent?.headers['x-bot-id']).toBe('support');
    expect(sent?.headers['x-integration-id']).toBe('support-gpt');
    expect(sent?.headers['x-request-id']).toBe('req-openai-1');
  });

  it('maps a wrong key to http_status 401 without leaking the key', async () => {
    const wrong = 'sk-wrong-0000000000000000000000001234';
    const result = await callIntegration(integration(fake.url, { headers: { Authorization: `Bearer ${wrong}` } }), payload, opts);
    expect(result).toMatchObject({ ok: false, failure: 'http_status', status: 401 });
    expect(!result.ok && result.message).toBe(
      'OpenAI authentication failed (401 invalid_api_key): Incorrect API key provided: sk-…. You can find your API key at https://platform.openai.com/account/api-keys.',
    );
    expect(JSON.stringify(result)).not.toContain('1234');
  });

  it('reports a missing model as the API says it', async () => {
    const result = await callIntegration(integration(fake.url, { model: undefined }), payload, opts);
    expect(result).toMatchObject({ ok: false, failure: 'http_status', status: 400, message: 'OpenAI request rejected (400 invalid_request_error): you must provide a model parameter' });
  });

  it('does not retry a 429 whose Retry-After does not fit, and names the rate-limit headers', async () => {
    fake.respondNext(providerFixture<ResponseFixture>('openai-error-429'));
    const before = fake.requests.length;
    const result = await callIntegration(integration(fake.url), payload, opts);
    expect(fake.requests.length - before).toBe(1);
    expect(result).toMatchObject({ ok: false, failure: 'http_status', status: 429, retried: false });
    expect(!result.ok && result.message).toContain('[remaining-requests 0, reset-requests 20s, remaining-tokens 39863, reset-tokens 205ms]');
  });

  it('maps 5xx to http_status with the server message', async () => {
    fake.respondNext(providerFixture<ResponseFixture>('openai-error-500'));
    const result = await callIntegration(integration(fake.url), payload, opts);
    expect(result).toMatchObject({ ok: false, failure: 'http_status', status: 500 });
  });

  it('reports null content from a compatible server as a bad reply', async () => {
    fake.respondNext({ status: 200, headers: {}, body: { choices: [{ index: 0, message: { role: 'assistant', content: null }, finish_reason: 'length' }] } });
    const result = await callIntegration(integration(fake.url), payload, opts);
    expect(result).toMatchObject({ ok: false, failure: 'bad_reply', status: 200, reason: 'missing_content', message: 'choices[0].message.content is missing (finish_reason length)' });
  });
});
