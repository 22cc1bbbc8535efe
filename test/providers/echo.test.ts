import { describe, expect, it } from 'vitest';
import type { ResolvedIntegration } from '../../runtime/config/snapshot.js';
import type { WebhookRequest } from '../../runtime/core/message.js';
import { echoReply } from '../../runtime/providers/echo.js';
import { callIntegration } from '../../runtime/webhook/client.js';

function payload(messages: WebhookRequest['messages']): WebhookRequest {
  return {
    messages,
    conversation_id: 'c1',
    user: { id: 'u1', platform: 'http' },
    bot: { id: 'b', name: 'B' },
    metadata: { channel: 'http', chat_id: 'c1' },
  };
}

describe('echo provider', () => {
  it('echoes the last user message text, parts joined by newlines', () => {
    expect(
      echoReply(
        payload([
          { role: 'system', content: 'sys' },
          { role: 'user', content: 'older' },
          { role: 'assistant', content: 'reply' },
          { role: 'user', content: [{ type: 'text', text: 'line 1' }, { type: 'image_url', image_url: { url: 'https://i' } }, { type: 'text', text: 'line 2' }] },
        ]),
      ),
    ).toEqual({ content: 'line 1\nline 2' });
  });

  it('says what arrived when there is no text', () => {
    expect(echoReply(payload([{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://i' } }] }]))).toEqual({
      content: '(received 1 attachment)',
    });
    expect(
      echoReply(
        payload([
          {
            role: 'user',
            content: [
              { type: 'image_url', image_url: { url: 'https://i' } },
              { type: 'file', file: { url: 'https://f', name: 'a.pdf', mime_type: 'application/pdf' } },
            ],
          },
        ]),
      ),
    ).toEqual({ content: '(received 2 attachments)' });
    expect(echoReply(payload([{ role: 'user', content: '' }]))).toEqual({ content: '(empty message)' });
  });

  it('is answered by the client without any network call, even with a bogus url and no private-network allowance', async () => {
    const integration: ResolvedIntegration = {
      name: 'e',
      type: 'echo',
      url: 'http://127.0.0.1:1/never',
      headers: {},
      timeoutMs: 100,
      signingSecrets: [],
      source: { file: 'f', line: 1 },
    };
    const result = await callIntegration(integration, payload([{ role: 'user', content: 'ping' }]), { requestId: 'r', allowPrivateNetwork: false });
    expect(result).toMatchObject({ ok: true, status: 200, retried: false, reply: { content: 'ping' } });
  });
});
