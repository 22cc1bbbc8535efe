/**
 * Example: a custom Switchboard webhook backend (`type: custom`) in Fastify.
 *
 * - verifies the Standard Webhooks signature over the RAW body (`signingSecret` in the
 *   Integration document; the same `whsec_…` value here), rejecting unsigned or stale requests;
 * - validates the payload against the generated JSON Schema (schema/generated/);
 * - answers `{ content, attachments?, metadata? }`.
 *
 * Run it:  WEBHOOK_SIGNING_SECRET=whsec_... PORT=8787 npx tsx examples/backends/custom-backend.ts
 * (HOST default 127.0.0.1: set HOST=0.0.0.0 in a container.)
 * Integration:  type: custom, url: https://your-host/webhook, signingSecret: ${WEBHOOK_SIGNING_SECRET}
 *
 * In your own project import the helper and types from the package instead:
 *   import { verifyWebhook, type WebhookRequest, type WebhookReply } from 'switchboard/webhook';
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { verifyWebhook, type WebhookReply, type WebhookRequest } from '../../runtime/webhook-kit.js';

export interface BackendOptions {
  /** The integration's `signingSecret` (a list during rotation). Omit only for local experiments: unsigned requests are then accepted. */
  signingSecret?: string | string[];
  /** Clock for the timestamp tolerance (tests). */
  now?: () => number;
  logger?: boolean;
}

type ErrorReply = { error: { code: string; message: string } };

const requestSchema = JSON.parse(readFileSync(new URL('../../schema/generated/webhook-request.schema.json', import.meta.url), 'utf8')) as object;

/** Text of the current (last) user message. */
function lastUserText(payload: WebhookRequest): string {
  const last = [...payload.messages].reverse().find((m) => m.role === 'user');
  if (!last) return '';
  if (typeof last.content === 'string') return last.content;
  return last.content.flatMap((p) => (p.type === 'text' ? [p.text] : [])).join('\n');
}

/** The "AI": replace this with your model call. */
export function answer(payload: WebhookRequest): WebhookReply {
  const text = lastUserText(payload);
  const last = payload.messages[payload.messages.length - 1];
  const parts = last && typeof last.content !== 'string' ? last.content : [];
  const images = parts.flatMap((p) => (p.type === 'image_url' ? [p.image_url.url] : []));
  const files = parts.flatMap((p) => (p.type === 'file' ? [p.file] : []));
  const reply: WebhookReply = {
    content: `Hello ${payload.user.name ?? payload.user.id}, you said: ${text || '(no text)'}`,
    metadata: {
      backend: 'example-custom',
      history: payload.messages.length - 1,
      channel: payload.metadata.channel,
      test: payload.metadata.test === true,
    },
  };
  // Send the images back, and a receipt for each file, to show the attachment format.
  const attachments: NonNullable<WebhookReply['attachments']> = [
    ...images.map((url) => ({ type: 'image' as const, url })),
    ...files.map((f) => ({ type: 'file' as const, url: f.url, name: f.name, mime_type: f.mime_type })),
  ];
  if (attachments.length > 0) reply.attachments = attachments;
  return reply;
}

/** Builds the backend app (not listening, so tests can start it on any port). */
export function buildBackend(opts: BackendOptions = {}): FastifyInstance {
  const app = Fastify({ logger: opts.logger ?? false, bodyLimit: 1024 * 1024 });
  const rawBodies = new WeakMap<FastifyRequest, Buffer>();

  // Keep the raw bytes: the signature covers the body exactly as sent.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    rawBodies.set(req, body as Buffer);
    try {
      done(null, JSON.parse((body as Buffer).toString('utf8')));
    } catch {
      done(Object.assign(new Error('body is not valid JSON'), { statusCode: 400 }), undefined);
    }
  });

  app.get('/healthz', async () => ({ ok: true }));

  app.post<{ Body: WebhookRequest; Reply: WebhookReply | ErrorReply }>(
    '/webhook',
    {
      schema: { body: requestSchema },
      // Check the signature before looking at the payload.
      preValidation: async (req, reply) => {
        if (opts.signingSecret === undefined) return;
        const ok = verifyWebhook(opts.signingSecret, req.headers, rawBodies.get(req) ?? '', opts.now ? { now: opts.now } : {});
        if (!ok) await reply.code(401).send({ error: { code: 'bad_signature', message: 'missing or invalid webhook signature' } });
      },
    },
    async (req) => {
      req.log.info({ bot: req.headers['x-bot-id'], webhookId: req.headers['webhook-id'] }, 'switchboard request');
      return answer(req.body);
    },
  );
  return app;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const signingSecret = process.env.WEBHOOK_SIGNING_SECRET;
  const app = buildBackend({ signingSecret, logger: true });
  if (!signingSecret) app.log.warn('WEBHOOK_SIGNING_SECRET is not set: accepting unsigned requests');
  await app.listen({ port: Number(process.env.PORT ?? 8787), host: process.env.HOST ?? '127.0.0.1' });
}
