import { describe, expect, it } from 'vitest';
import type { WebhookRequest } from '../../runtime/core/message.js';
import { customProvider, describeCustomError, parseCustomReply } from '../../runtime/providers/custom.js';
import { getProvider } from '../../runtime/providers/index.js';
import { providerFixture } from '../helpers/fake-openai.js';

const payload = providerFixture<WebhookRequest>('platform-payload');

describe('custom provider', () => {
  it('posts the platform payload unchanged', () => {
    const built = customProvider.buildRequest(payload, {
      name: 'c',
      type: 'custom',
      url: 'https://x',
      headers: {},
      timeoutMs: 1000,
      signingSecrets: [],
      source: { file: 'f', line: 1 },
    });
    expect(JSON.parse(built.body)).toEqual(payload);
    expect(built.headers).toEqual({});
  });

  it('accepts content, attachments and metadata', () => {
    const body = {
      content: 'Here you go',
      attachments: [{ type: 'image', url: 'https://cdn.example.com/a.png', name: 'a.png', mime_type: 'image/png' }],
      metadata: { model: 'in-house-7b', confidence: 0.9 },
    };
    expect(parseCustomReply(body)).toEqual({ ok: true, reply: body });
  });

  it('accepts empty content when there are attachments', () => {
    expect(parseCustomReply({ content: '', attachments: [{ type: 'file', url: 'https://f/x.pdf' }] }).ok).toBe(true);
  });

  it('rejects missing, mistyped and empty content, bad attachments and non-objects', () => {
    expect(parseCustomReply({ text: 'hi' })).toEqual({ ok: false, reason: 'missing_content', message: 'the reply has no "content" field' });
    expect(parseCustomReply({ content: 42 })).toMatchObject({ ok: false, reason: 'invalid_shape', message: expect.stringMatching(/^"content": /) });
    expect(parseCustomReply({ content: ' ' })).toEqual({ ok: false, reason: 'empty', message: 'the reply has empty "content" and no attachments' });
    expect(parseCustomReply({ content: 'x', attachments: [{ type: 'sticker', url: 'u' }] })).toMatchObject({
      ok: false,
      reason: 'invalid_shape',
      message: expect.stringMatching(/^"attachments\.0\.type": /),
    });
    expect(parseCustomReply(['content'])).toEqual({ ok: false, reason: 'invalid_shape', message: 'the reply is not a JSON object' });
  });

  it('describes common error bodies', () => {
    expect(describeCustomError(500, { error: { message: 'db down' } })).toBe('500: db down');
    expect(describeCustomError(400, { error: 'bad input' })).toBe('400: bad input');
    expect(describeCustomError(503, { message: 'maintenance' })).toBe('503: maintenance');
    expect(describeCustomError(500, 'html')).toBeUndefined();
  });

  it('getProvider maps every type, defaulting to custom', () => {
    expect(getProvider(undefined).type).toBe('custom');
    expect(getProvider('custom').type).toBe('custom');
    expect(getProvider('echo').type).toBe('echo');
    expect(getProvider('openai').type).toBe('openai');
    expect(getProvider('anthropic').type).toBe('anthropic');
  });
});
