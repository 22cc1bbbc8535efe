import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProxy } from '../../examples/backends/openai-proxy.js';
import type { ResolvedIntegration } from '../../runtime/config/snapshot.js';
import type { WebhookRequest } from '../../runtime/core/message.js';
import { callIntegration } from '../../runtime/webhook/client.js';
import { FAKE_OPENAI_KEY, providerFixture, startFakeOpenAI, type FakeOpenAI, type ResponseFixture } from '../helpers/fake-openai.js';

const SECRET = `whsec_${Buffer.from('proxy-signing-key-0123456789abcd').toString('base64')}`;
const payload = providerFixture<WebhookRequest>('platform-payload');

let openai: FakeOpenAI;
let proxy: FastifyInstance;
let integration: ResolvedIntegration;
beforeAll(async () => {
  openai = await startFakeOpenAI();
  proxy = buildProxy({ openaiUrl: openai.url, apiKey: FAKE_OPENAI_KEY, model: 'gpt-4o-mini', signingSecret: SECRET });
  const address = await proxy.listen({ port: 0, host: '127.0.0.1' });
  integration = {
    name: 'gpt-proxy',
    type: 'custom',
    url: `${address}/webhook`,
    headers: {},
    timeoutMs: 3000,
    signingSecrets: [SECRET],
    source: { file: 'integrations/proxy.yaml', line: 1 },
  };
});
afterAll(async () => {
  await proxy.close();
  await openai.close();
});
const opts = { requestId: 'req-p', allowPrivateNetwork: true };

describe('examples/backends/openai-proxy', () => {
  it('answers 502 when OpenAI cannot be reached (a gateway error, not the proxy\'s own 500)', async () => {
    const closed = await import('node:net').then(({ createServer }) => new Promise<number>((r) => { const s = createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => r(p)); }); }));
    const down = buildProxy({ openaiUrl: `http://127.0.0.1:${closed}/v1/chat/completions`, apiKey: FAKE_OPENAI_KEY });
    try {
      const res = await down.inject({ method: 'POST', url: '/webhook', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(payload) });
      expect(res.statusCode).toBe(502);
      expect(res.json()).toEqual({ error: { message: 'OpenAI could not be reached' } });
    } finally {
      await down.close();
    }
  });

  it('binds to loopback unless HOST says otherwise', async () => {
    const { readFileSync } = await import('node:fs');
    for (const file of ['openai-proxy.ts', 'custom-backend.ts']) {
      const source = readFileSync(new URL(`../../examples/backends/${file}`, import.meta.url), 'utf8');
      expect(source, file).toContain("host: process.env.HOST ?? '127.0.0.1'");
      expect(source, file).not.toContain('0.0.0.0\'');
    }
  });

  it('turns the platform payload into a Chat Completions request the strict fake accepts', async () => {
    const before = openai.requests.length;
    const result = await callIntegration(integration, payload, opts);
    expect(result).toMatchObject({
      ok: true,
      reply: {
        content: 'Thanks! Order 4411 shipped on Monday; the receipt matches. I have asked the carrier for an update.',
        metadata: { model: 'gpt-4o-mini-2024-07-18' },
      },
    });
    const sent = openai.requests[before]?.json as { model: string; messages: unknown[] };
    const expected = providerFixture<{ messages: unknown[] }>('openai-request');
    expect(sent).toEqual({ model: 'gpt-4o-mini', messages: expected.messages });
  });

  it('passes 429 with Retry-After through so Switchboard can retry once', async () => {
    openai.respondNext({ ...providerFixture<ResponseFixture>('openai-error-429'), headers: { 'retry-after': '0' } });
    const before = openai.requests.length;
    const result = await callIntegration(integration, payload, opts);
    expect(result).toMatchObject({ ok: true, retried: true });
    expect(openai.requests.length - before).toBe(2);
  });

  it('maps other upstream errors to 502 and refuses unsigned calls', async () => {
    openai.respondNext(providerFixture<ResponseFixture>('openai-error-500'));
    expect(await callIntegration(integration, payload, opts)).toMatchObject({
      ok: false,
      failure: 'http_status',
      status: 502,
      message: '502: OpenAI answered 500: The server had an error while processing your request. Sorry about that!',
    });
    expect(await callIntegration({ ...integration, signingSecrets: [] }, payload, opts)).toMatchObject({ ok: false, status: 401 });
  });
});
