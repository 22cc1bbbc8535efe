import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBackend } from '../../examples/backends/custom-backend.js';
import type { ResolvedIntegration } from '../../runtime/config/snapshot.js';
import type { WebhookRequest } from '../../runtime/core/message.js';
import { callIntegration } from '../../runtime/webhook/client.js';

const SECRET = `whsec_${Buffer.from('example-backend-signing-key-32by').toString('base64')}`;
const OLD = `whsec_${Buffer.from('retired-backend-signing-key-32b').toString('base64')}`;

const payload: WebhookRequest = {
  messages: [
    { role: 'system', content: 'Be nice.' },
    { role: 'user', content: 'earlier' },
    { role: 'assistant', content: 'earlier reply' },
    {
      role: 'user',
      content: [
        { type: 'text', text: 'look at this' },
        { type: 'image_url', image_url: { url: 'https://sb.example.com/files/img' } },
        { type: 'file', file: { url: 'https://sb.example.com/files/doc', name: 'doc.pdf', mime_type: 'application/pdf' } },
      ],
    },
  ],
  conversation_id: '99',
  user: { id: '7', platform: 'telegram', name: 'Grace' },
  bot: { id: 'support', name: 'Support' },
  metadata: { channel: 'telegram', chat_id: '99', message_id: '5' },
};

let app: FastifyInstance;
let url: string;
beforeAll(async () => {
  app = buildBackend({ signingSecret: SECRET });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  url = `${address}/webhook`;
});
afterAll(() => app.close());

const integration = (over: Partial<ResolvedIntegration> = {}): ResolvedIntegration => ({
  name: 'example-backend',
  type: 'custom',
  url,
  headers: {},
  timeoutMs: 2000,
  signingSecrets: [SECRET],
  source: { file: 'integrations/example.yaml', line: 1 },
  ...over,
});
const opts = { requestId: 'req-1', allowPrivateNetwork: true };

describe('examples/backends/custom-backend', () => {
  it('verifies the signature and answers with content, attachments and metadata', async () => {
    const result = await callIntegration(integration(), payload, opts);
    expect(result).toEqual({
      ok: true,
      status: 200,
      retried: false,
      latencyMs: expect.any(Number),
      reply: {
        content: 'Hello Grace, you said: look at this',
        attachments: [
          { type: 'image', url: 'https://sb.example.com/files/img' },
          { type: 'file', url: 'https://sb.example.com/files/doc', name: 'doc.pdf', mime_type: 'application/pdf' },
        ],
        metadata: { backend: 'example-custom', history: 3, channel: 'telegram', test: false },
      },
    });
  });

  it('accepts a rotation where Switchboard signs with the old and the new secret', async () => {
    expect((await callIntegration(integration({ signingSecrets: [OLD, SECRET] }), payload, opts)).ok).toBe(true);
  });

  it('rejects unsigned requests and requests signed with another secret (401 → http_status)', async () => {
    expect(await callIntegration(integration({ signingSecrets: [] }), payload, opts)).toMatchObject({ ok: false, failure: 'http_status', status: 401 });
    expect(await callIntegration(integration({ signingSecrets: [OLD] }), payload, opts)).toMatchObject({ ok: false, failure: 'http_status', status: 401 });
  });

  it('rejects stale timestamps', async () => {
    const stale = await callIntegration(integration(), payload, { ...opts, now: () => Date.now() - 10 * 60 * 1000 });
    expect(stale).toMatchObject({ ok: false, status: 401 });
  });

  it('validates the payload against the generated JSON Schema after the signature', async () => {
    const res = await app.inject({ method: 'POST', url: '/webhook', payload: { messages: [] } });
    expect(res.statusCode).toBe(401);
    const open = buildBackend();
    const bad = await open.inject({ method: 'POST', url: '/webhook', payload: { messages: [], conversation_id: 'c' } });
    expect(bad.statusCode).toBe(400);
    const good = await open.inject({ method: 'POST', url: '/webhook', payload: { ...payload, metadata: { ...payload.metadata, test: true } } });
    expect(good.statusCode).toBe(200);
    expect(good.json()).toMatchObject({ metadata: { test: true } });
    await open.close();
  });
});
