/**
 * Example: the "proxy" pattern. Switchboard can call OpenAI directly (`type: openai`), so
 * you need this only if you want your own code between the two (prompt rewriting, tools,
 * logging, a model router…). It receives the platform payload (`type: custom`), verifies
 * the signature, converts the messages to Chat Completions and answers `{ content, metadata }`.
 *
 * Run it (PORT default 8788, HOST default 127.0.0.1: set HOST=0.0.0.0 in a container):
 *   OPENAI_API_KEY=sk-... WEBHOOK_SIGNING_SECRET=whsec_... PORT=8788 npx tsx examples/backends/openai-proxy.ts
 * Optional: OPENAI_URL (any OpenAI-compatible Chat Completions endpoint, default OpenAI's),
 * OPENAI_MODEL (default gpt-4o-mini).
 */
import { pathToFileURL } from 'node:url';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { verifyWebhook, type WebhookReply, type WebhookRequest } from '../../runtime/webhook-kit.js';

export interface ProxyOptions {
  /** Chat Completions endpoint; any OpenAI-compatible server works. */
  openaiUrl?: string;
  apiKey: string;
  model?: string;
  signingSecret?: string | string[];
  /** Deadline for the OpenAI call; keep it below the integration's `timeout`. */
  timeoutMs?: number;
  logger?: boolean;
}

type ChatPart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } };
type ChatMessage = { role: 'system' | 'user' | 'assistant'; content: string | ChatPart[] };

/** Platform messages → Chat Completions messages: images stay, files become a text mention with their URL. */
export function toChatMessages(payload: WebhookRequest): ChatMessage[] {
  return payload.messages.map((m) => {
    if (typeof m.content === 'string') return { role: m.role, content: m.content };
    const parts: ChatPart[] = m.content.map((p) =>
      p.type === 'text' ? p : p.type === 'image_url' ? p : { type: 'text', text: `[file: ${p.file.name} (${p.file.mime_type}) ${p.file.url}]` },
    );
    // Only user turns may carry images.
    if (m.role !== 'user') return { role: m.role, content: parts.map((p) => (p.type === 'text' ? p.text : `[image: ${p.image_url.url}]`)).join('\n') };
    return { role: m.role, content: parts };
  });
}

/** Builds the proxy app (not listening). */
export function buildProxy(opts: ProxyOptions): FastifyInstance {
  const app = Fastify({ logger: opts.logger ?? false, bodyLimit: 1024 * 1024 });
  const rawBodies = new WeakMap<FastifyRequest, Buffer>();
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    rawBodies.set(req, body as Buffer);
    try {
      done(null, JSON.parse((body as Buffer).toString('utf8')));
    } catch {
      done(Object.assign(new Error('body is not valid JSON'), { statusCode: 400 }), undefined);
    }
  });

  app.post<{ Body: WebhookRequest; Reply: WebhookReply | { error: { message: string } } }>('/webhook', async (req, reply) => {
    if (opts.signingSecret !== undefined && !verifyWebhook(opts.signingSecret, req.headers, rawBodies.get(req) ?? '')) {
      return reply.code(401).send({ error: { message: 'missing or invalid webhook signature' } });
    }
    let upstream: Response;
    try {
      upstream = await fetch(opts.openaiUrl ?? 'https://api.openai.com/v1/chat/completions', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${opts.apiKey}` },
        body: JSON.stringify({ model: opts.model ?? 'gpt-4o-mini', messages: toChatMessages(req.body) }),
        signal: AbortSignal.timeout(opts.timeoutMs ?? 25_000),
      });
    } catch (err) {
      // Unreachable or too slow is the upstream's failure, not this proxy's: a gateway error.
      const timedOut = (err as Error).name === 'TimeoutError';
      return reply.code(timedOut ? 504 : 502).send({ error: { message: timedOut ? 'OpenAI did not answer in time' : 'OpenAI could not be reached' } });
    }
    const data = (await upstream.json().catch(() => null)) as {
      model?: string;
      usage?: unknown;
      choices?: Array<{ message?: { content?: string | null } }>;
      error?: { message?: string };
    } | null;
    if (!upstream.ok) {
      // 429/503 pass through so Switchboard can honour Retry-After; everything else is a 502.
      const status = upstream.status === 429 || upstream.status === 503 ? upstream.status : 502;
      const retryAfter = upstream.headers.get('retry-after');
      if (retryAfter) void reply.header('retry-after', retryAfter);
      return reply.code(status).send({ error: { message: `OpenAI answered ${upstream.status}: ${data?.error?.message ?? 'no details'}` } });
    }
    const content = data?.choices?.[0]?.message?.content;
    if (typeof content !== 'string' || content === '') return reply.code(502).send({ error: { message: 'OpenAI returned no content' } });
    return { content, metadata: { model: data?.model, usage: data?.usage } };
  });
  return app;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const apiKey = process.env.OPENAI_API_KEY;
  if (!apiKey) throw new Error('set OPENAI_API_KEY');
  const app = buildProxy({
    apiKey,
    openaiUrl: process.env.OPENAI_URL,
    model: process.env.OPENAI_MODEL,
    signingSecret: process.env.WEBHOOK_SIGNING_SECRET,
    logger: true,
  });
  await app.listen({ port: Number(process.env.PORT ?? 8788), host: process.env.HOST ?? '127.0.0.1' });
}
