/**
 * Renders every generated artefact (JSON Schemas, webhook TypeScript types) as text, keyed
 * by repository-relative path. Shared by `schema/generate.ts` and the drift test.
 */
import { z } from 'zod';
import { compile } from 'json-schema-to-typescript';
import { documentSchema } from './config.js';
import { webhookReplySchema, webhookRequestSchema, webhookStreamEventSchema } from './webhook.js';

const REGENERATE = 'Generated from schema/*.ts by `npm run schema`. Do not edit by hand.';

function jsonSchema(schema: z.ZodType, id: string, title: string): Record<string, unknown> {
  const generated = z.toJSONSchema(schema, { target: 'draft-7', io: 'input' }) as Record<string, unknown>;
  return { $comment: REGENERATE, $id: id, title, ...generated };
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Returns `{ path: content }` for every generated file. */
export async function renderAll(): Promise<Record<string, string>> {
  const config = jsonSchema(documentSchema, 'https://switchboard.dev/schema/v1/integrations.schema.json', 'Switchboard document');
  const request = jsonSchema(webhookRequestSchema, 'https://switchboard.dev/schema/v1/webhook-request.schema.json', 'WebhookRequest');
  const reply = jsonSchema(webhookReplySchema, 'https://switchboard.dev/schema/v1/webhook-reply.schema.json', 'WebhookReply');
  const streamEvent = jsonSchema(webhookStreamEventSchema, 'https://switchboard.dev/schema/v1/webhook-stream-event.schema.json', 'WebhookStreamEvent');
  const opts = { bannerComment: '', additionalProperties: false, strictIndexSignatures: true, format: true } as const;
  const types = [
    `/* ${REGENERATE} */`,
    '/* Types of the Switchboard webhook contract for webhook implementers. */',
    '',
    (await compile(request as never, 'WebhookRequest', opts)).trim(),
    '',
    (await compile(reply as never, 'WebhookReply', opts)).trim(),
    '',
    (await compile(streamEvent as never, 'WebhookStreamEvent', opts)).trim(),
    '',
  ].join('\n');
  return {
    'integrations.schema.json': json(config),
    'schema/generated/webhook-request.schema.json': json(request),
    'schema/generated/webhook-reply.schema.json': json(reply),
    'schema/generated/webhook-stream-event.schema.json': json(streamEvent),
    'schema/generated/webhook.ts': types,
  };
}
