import { createHmac } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ResolvedIntegration } from '../../runtime/config/snapshot.js';
import type { WebhookRequest } from '../../runtime/core/message.js';
import type { SentRequest } from '../../runtime/webhook/attempt.js';
import { callIntegration } from '../../runtime/webhook/client.js';
import { Deadline } from '../../runtime/webhook/deadline.js';
import { derive } from '../../runtime/webhook/derived.js';
import { MAX_REPLY_BYTES } from '../../runtime/webhook/read-body.js';
import { SWITCHBOARD_VERSION } from '../../runtime/webhook/user-agent.js';
import { sendJson, startFakeServer, type FakeServer, type RecordedRequest } from '../helpers/fake-webhook.js';

const payload: WebhookRequest = {
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: [{ type: 'text', text: 'hello' }, { type: 'image_url', image_url: { url: 'https://files.example.com/a.png' } }] },
  ],
  conversation_id: 'conv-1',
  user: { id: 'u-1', platform: 'http', name: 'Ada' },
  bot: { id: 'support', name: 'Support Bot' },
  metadata: { channel: 'http', chat_id: 'conv-1' },
};

const SECRET_A = `whsec_${Buffer.from('first-key-0123456789abcdef').toString('base64')}`;
const SECRET_B = `whsec_${Buffer.from('second-key-fedcba9876543210').toString('base64')}`;

/** Routes by path: each test uses its own path on one shared server. */
const routes = new Map<string, (req: RecordedRequest, res: ServerResponse, n: number) => void>();
const timers = new Set<NodeJS.Timeout>();
let server: FakeServer;

beforeAll(async () => {
  server = await startFakeServer((req, res) => {
    const route = routes.get(req.path);
    if (!route) return sendJson(res, 404, { error: 'no route' });
    const n = server.requests.filter((r) => r.path === req.path).length;
    return route(req, res, n);
  });
});
afterAll(async () => {
  for (const t of timers) clearInterval(t);
  await server.close();
});

function integration(path: string, over: Partial<ResolvedIntegration> = {}): ResolvedIntegration {
  return {
    name: 'backend',
    type: 'custom',
    url: `${server.origin}${path}`,
    headers: { Authorization: 'Bearer tok-configured-SECRET-1234' },
    timeoutMs: 2000,
    signingSecrets: [],
    source: { file: 'integrations/backend.yaml', line: 1 },
    ...over,
  };
}
const opts = { requestId: 'req-abc', allowPrivateNetwork: true };
const hits = (path: string) => server.requests.filter((r) => r.path === path);

describe('callIntegration: custom webhook', () => {
  it('posts the payload with the contract headers and returns the reply', async () => {
    routes.set('/ok', (_req, res) => sendJson(res, 200, { content: 'hi there' }));
    const result = await callIntegration(integration('/ok'), payload, opts);
    expect(result).toMatchObject({ ok: true, status: 200, retried: false, reply: { content: 'hi there' } });
    const [req] = hits('/ok');
    expect(req?.method).toBe('POST');
    expect(req?.json).toEqual(payload);
    expect(req?.headers['content-type']).toBe('application/json');
    expect(req?.headers['user-agent']).toBe(`Switchboard/${SWITCHBOARD_VERSION}`);
    expect(SWITCHBOARD_VERSION).toMatch(/^\d+\.\d+\.\d+/);
    expect(req?.headers['x-bot-id']).toBe('support');
    expect(req?.headers['x-integration-id']).toBe('backend');
    expect(req?.headers['x-request-id']).toBe('req-abc');
    expect(req?.headers.authorization).toBe('Bearer tok-configured-SECRET-1234');
    expect(req?.headers['webhook-id']).toBeUndefined();
    expect(req?.headers['webhook-signature']).toBeUndefined();
  });

  it('passes attachments and metadata through', async () => {
    const reply = {
      content: 'Your chart',
      attachments: [{ type: 'image', url: 'https://cdn.example.com/chart.png', name: 'chart.png', mime_type: 'image/png' }],
      metadata: { model: 'in-house', tokens: 42 },
    };
    routes.set('/attach', (_req, res) => sendJson(res, 201, reply));
    expect(await callIntegration(integration('/attach'), payload, opts)).toMatchObject({ ok: true, status: 201, reply });
  });

  it('configured headers replace User-Agent but cannot replace the contract headers', async () => {
    routes.set('/hdr', (_req, res) => sendJson(res, 200, { content: 'x' }));
    const headers = { 'user-agent': 'custom-agent', 'x-bot-id': 'forged', 'X-Custom': 'yes', 'content-type': 'text/plain' };
    await callIntegration(integration('/hdr', { headers }), payload, opts);
    const [req] = hits('/hdr');
    expect(req?.headers['user-agent']).toBe('custom-agent');
    expect(req?.headers['x-bot-id']).toBe('support');
    expect(req?.headers['x-custom']).toBe('yes');
    expect(req?.headers['content-type']).toBe('application/json');
  });

  it('non-2xx is http_status with the described error, secrets scrubbed', async () => {
    routes.set('/500', (req, res) => sendJson(res, 500, { error: { message: `db down for ${String(req.headers.authorization)}` } }));
    const result = await callIntegration(integration('/500'), payload, opts);
    expect(result).toMatchObject({ ok: false, failure: 'http_status', status: 500, retried: false, message: '500: db down for [redacted]' });
    routes.set('/404', (_req, res) => res.writeHead(404).end('<html>nope</html>'));
    expect(await callIntegration(integration('/404'), payload, opts)).toMatchObject({ ok: false, failure: 'http_status', status: 404, message: 'the webhook answered 404' });
  });

  it('invalid JSON, missing content and empty content are bad replies', async () => {
    routes.set('/html', (_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<html>ok</html>'));
    expect(await callIntegration(integration('/html'), payload, opts)).toMatchObject({
      ok: false,
      failure: 'bad_reply',
      status: 200,
      reason: 'invalid_json',
      message: 'the reply is not valid JSON (Content-Type: text/html)',
    });
    routes.set('/latin1', (_req, res) => res.writeHead(200).end(Buffer.from([0x7b, 0x22, 0x63, 0xe9, 0x22, 0x7d])));
    expect(await callIntegration(integration('/latin1'), payload, opts)).toMatchObject({ failure: 'bad_reply', reason: 'invalid_json', message: 'the reply is not valid UTF-8' });
    routes.set('/nocontent', (_req, res) => sendJson(res, 200, { reply: 'hi' }));
    expect(await callIntegration(integration('/nocontent'), payload, opts)).toMatchObject({
      failure: 'bad_reply',
      reason: 'missing_content',
      message: 'the reply has no "content" field',
    });
    routes.set('/empty', (_req, res) => sendJson(res, 200, { content: '' }));
    expect(await callIntegration(integration('/empty'), payload, opts)).toMatchObject({ failure: 'bad_reply', reason: 'empty' });
  });

  it('replies over 1 MiB are bad replies, with or without Content-Length', async () => {
    const big = JSON.stringify({ content: 'x'.repeat(MAX_REPLY_BYTES) });
    routes.set('/big-cl', (_req, res) => res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(big.length) }).end(big));
    routes.set('/big-chunked', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      for (let i = 0; i < big.length; i += 65536) res.write(big.slice(i, i + 65536));
      res.end();
    });
    for (const path of ['/big-cl', '/big-chunked']) {
      expect(await callIntegration(integration(path), payload, opts)).toMatchObject({
        ok: false,
        failure: 'bad_reply',
        reason: 'too_large',
        message: 'the reply is larger than 1048576 bytes (1 MiB)',
      });
    }
    // Exactly at the cap is accepted.
    const exact = JSON.stringify({ content: 'y'.repeat(MAX_REPLY_BYTES - 14) });
    expect(exact.length).toBe(MAX_REPLY_BYTES);
    routes.set('/exact', (_req, res) => res.writeHead(200).end(exact));
    expect((await callIntegration(integration('/exact'), payload, opts)).ok).toBe(true);
  });

  it('a slowly dripping body is cut at the deadline', async () => {
    routes.set('/drip', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"content":"');
      const t = setInterval(() => res.write('z'), 40);
      timers.add(t);
      res.on('close', () => clearInterval(t));
    });
    const started = Date.now();
    const result = await callIntegration(integration('/drip', { timeoutMs: 300 }), payload, opts);
    const took = Date.now() - started;
    expect(result).toMatchObject({ ok: false, failure: 'timeout', status: 200, message: 'no complete reply within 300 ms' });
    // Never before its deadline (a hang instead would fail on the test timeout).
    expect(took).toBeGreaterThanOrEqual(290);
  });

  it('a server that never answers times out; opts.timeoutMs overrides the integration timeout', async () => {
    routes.set('/silent', () => undefined);
    // With the integration's 60 s the call would outlive the test timeout and fail it.
    const result = await callIntegration(integration('/silent', { timeoutMs: 60_000 }), payload, { ...opts, timeoutMs: 200 });
    expect(result).toMatchObject({ ok: false, failure: 'timeout', message: 'no complete reply within 200 ms' });
  });

  it('retries a 503 with a fitting Retry-After once, with the same webhook-id and fresh valid signatures', async () => {
    routes.set('/retry', (_req, res, n) => (n === 1 ? sendJson(res, 503, { error: 'busy' }, { 'retry-after': '0' }) : sendJson(res, 200, { content: 'second time' })));
    const sent: SentRequest[] = [];
    const result = await callIntegration(integration('/retry', { signingSecrets: [SECRET_A] }), payload, { ...opts, onRequest: (r) => sent.push(r) });
    expect(result).toMatchObject({ ok: true, retried: true, reply: { content: 'second time' } });
    const [first, second] = hits('/retry');
    expect(hits('/retry')).toHaveLength(2);
    expect(first?.headers['webhook-id']).toMatch(/^msg_[A-Za-z0-9_-]{24}$/);
    expect(second?.headers['webhook-id']).toBe(first?.headers['webhook-id']);
    expect(sent).toHaveLength(2);
    for (const req of [first, second]) {
      const key = Buffer.from(SECRET_A.slice('whsec_'.length), 'base64');
      const expected = createHmac('sha256', key).update(`${String(req?.headers['webhook-id'])}.${String(req?.headers['webhook-timestamp'])}.${req?.body}`).digest('base64');
      expect(req?.headers['webhook-signature']).toBe(`v1,${expected}`);
    }
  });

  it('retries a 429 whose Retry-After is an HTTP date already past', async () => {
    routes.set('/retry-date', (_req, res, n) =>
      n === 1 ? sendJson(res, 429, {}, { 'retry-after': new Date(Date.now() - 5000).toUTCString() }) : sendJson(res, 200, { content: 'ok' }),
    );
    expect(await callIntegration(integration('/retry-date'), payload, opts)).toMatchObject({ ok: true, retried: true });
    expect(hits('/retry-date')).toHaveLength(2);
  });

  it('retries at most once, and not when Retry-After does not fit or is absent', async () => {
    routes.set('/always-503', (_req, res) => sendJson(res, 503, { error: 'busy' }, { 'retry-after': '0' }));
    expect(await callIntegration(integration('/always-503'), payload, opts)).toMatchObject({ ok: false, failure: 'http_status', status: 503, retried: true });
    expect(hits('/always-503')).toHaveLength(2);

    routes.set('/late', (_req, res) => sendJson(res, 429, { error: 'slow down' }, { 'retry-after': '1' }));
    // A Retry-After that does not fit in the deadline is not waited for at all.
    const sleeps = vi.spyOn(Deadline.prototype, 'sleep');
    try {
      expect(await callIntegration(integration('/late', { timeoutMs: 500 }), payload, opts)).toMatchObject({ ok: false, status: 429, retried: false });
      expect(sleeps).not.toHaveBeenCalled();
    } finally {
      sleeps.mockRestore();
    }
    expect(hits('/late')).toHaveLength(1);

    routes.set('/no-header', (_req, res) => sendJson(res, 503, {}));
    expect(await callIntegration(integration('/no-header'), payload, opts)).toMatchObject({ ok: false, status: 503, retried: false });
    expect(hits('/no-header')).toHaveLength(1);

    routes.set('/500-ra', (_req, res) => sendJson(res, 500, {}, { 'retry-after': '0' }));
    expect(await callIntegration(integration('/500-ra'), payload, opts)).toMatchObject({ ok: false, status: 500, retried: false });
  });

  it('does not follow redirects', async () => {
    routes.set('/target', (_req, res) => sendJson(res, 200, { content: 'should not be reached' }));
    routes.set('/moved', (_req, res) => res.writeHead(307, { location: `${server.origin}/target` }).end());
    expect(await callIntegration(integration('/moved'), payload, opts)).toMatchObject({
      ok: false,
      failure: 'http_status',
      status: 307,
      message: 'the webhook answered 307 (a redirect); redirects are not followed, configure the final URL',
    });
    expect(hits('/target')).toHaveLength(0);
  });

  it('signs with every secret during a rotation', async () => {
    routes.set('/signed', (_req, res) => sendJson(res, 200, { content: 'ok' }));
    const now = () => 1_750_000_000_123;
    await callIntegration(integration('/signed', { signingSecrets: [SECRET_A, SECRET_B] }), payload, { ...opts, now });
    const [req] = hits('/signed');
    expect(req?.headers['webhook-timestamp']).toBe('1750000000');
    const signed = `${String(req?.headers['webhook-id'])}.1750000000.${req?.body}`;
    const sig = (secret: string) => createHmac('sha256', Buffer.from(secret.slice(6), 'base64')).update(signed).digest('base64');
    expect(req?.headers['webhook-signature']).toBe(`v1,${sig(SECRET_A)} v1,${sig(SECRET_B)}`);
  });

  it('classifies connection refused as unreachable', async () => {
    const gone = await startFakeServer(() => undefined);
    const url = `${gone.origin}/x`;
    await gone.close();
    const result = await callIntegration(integration('/unused', { url }), payload, opts);
    expect(result).toMatchObject({ ok: false, failure: 'unreachable', message: 'connection refused (ECONNREFUSED)' });
  });

  it('a missing url or malformed signing secret fails before dispatch, naming no secret', async () => {
    expect(await callIntegration(integration('/x', { url: undefined }), payload, opts)).toMatchObject({
      ok: false,
      failure: 'unreachable',
      message: 'integration "backend" has no url',
    });
    const bad = await callIntegration(integration('/x', { signingSecrets: ['whsec_not base64!'] }), payload, opts);
    expect(bad).toMatchObject({ ok: false, failure: 'unreachable', message: 'integration "backend": signing secret is not "whsec_" followed by base64' });
  });

  it('derives per-integration data once per integration object', () => {
    const a = integration('/ok');
    expect(derive(a)).toBe(derive(a));
    expect(derive({ ...a })).not.toBe(derive(a));
    expect(derive(a).fixedHeaders).toEqual({
      'User-Agent': `Switchboard/${SWITCHBOARD_VERSION}`,
      Authorization: 'Bearer tok-configured-SECRET-1234',
      'Content-Type': 'application/json',
      'X-Integration-ID': 'backend',
    });
  });
});
