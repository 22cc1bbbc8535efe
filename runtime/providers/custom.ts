/**
 * `type: custom`: the webhook receives the platform payload itself (the webhook contract) and
 * answers `{ content, attachments?, metadata? }`.
 */
import { webhookReplySchema } from '../../schema/webhook.js';
import { payloadJson } from '../core/payload-json.js';
import type { WebhookReply } from '../core/message.js';
import { isRecord, shorten } from './parts.js';
import type { ParseResult, Provider, ProviderRequest } from './provider.js';
import { parseCustomStreamEvent } from './custom-stream.js';
import type { StreamDone } from './stream-step.js';

/** Matches any non-whitespace character (what `trim() !== ''` means, without copying the string). */
const NON_SPACE = /\S/;

/**
 * Validates a custom-webhook reply with `webhookReplySchema`. An empty `content` with no
 * attachments is a bad reply (nothing to send the user). Shared by `echo`.
 */
export function parseCustomReply(body: unknown): ParseResult {
  if (!isRecord(body)) return { ok: false, reason: 'invalid_shape', message: 'the reply is not a JSON object' };
  if (!('content' in body)) return { ok: false, reason: 'missing_content', message: 'the reply has no "content" field' };
  // The common reply, { content: "…" } (other keys are ignored, as the schema strips them),
  // without a zod pass that copies the object.
  if (typeof body.content === 'string' && body.attachments === undefined && body.metadata === undefined) {
    return !NON_SPACE.test(body.content) ? { ok: false, reason: 'empty', message: 'the reply has empty "content" and no attachments' } : { ok: true, reply: { content: body.content } };
  }
  const parsed = webhookReplySchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `"${issue.path.join('.')}"` : 'the reply';
    return { ok: false, reason: 'invalid_shape', message: `${where}: ${issue?.message ?? 'invalid'}` };
  }
  const reply: WebhookReply = parsed.data;
  if (!NON_SPACE.test(reply.content) && (reply.attachments?.length ?? 0) === 0) {
    return { ok: false, reason: 'empty', message: 'the reply has empty "content" and no attachments' };
  }
  return { ok: true, reply };
}

/** Best-effort message from a custom webhook's error body: `error.message`, `error` or `message`. */
export function describeCustomError(status: number, body: unknown): string | undefined {
  if (!isRecord(body)) return undefined;
  const err = body.error;
  const text = isRecord(err) && typeof err.message === 'string' ? err.message : typeof err === 'string' ? err : typeof body.message === 'string' ? body.message : undefined;
  return text ? `${status}: ${shorten(text, 200)}` : undefined;
}

/** The final reply of a custom stream: `done.content` replaces the assembled text; validated like a JSON reply. */
export function finishCustomStream(text: string, done: StreamDone): ParseResult {
  const reply: Record<string, unknown> = { content: done.content ?? text };
  if (done.attachments !== undefined) reply.attachments = done.attachments;
  if (done.metadata !== undefined) reply.metadata = done.metadata;
  return parseCustomReply(reply);
}

/** Accept header of a streaming custom request: SSE preferred, plain JSON still fine. */
export const CUSTOM_STREAM_ACCEPT = 'text/event-stream, application/json';

export const customProvider: Provider = {
  type: 'custom',
  buildRequest(payload, integration): ProviderRequest {
    const body = payloadJson(payload);
    if (integration.stream !== true) return { body, headers: {} };
    // The payload is a JSON object, so the flag goes before its closing brace.
    return { body: `${body.slice(0, -1)},"stream":true}`, headers: { Accept: CUSTOM_STREAM_ACCEPT } };
  },
  parseReply: parseCustomReply,
  describeError: describeCustomError,
  stream: { parseEvent: parseCustomStreamEvent, finish: finishCustomStream },
};
