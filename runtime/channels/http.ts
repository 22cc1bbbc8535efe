/**
 * The synchronous HTTP channel: `POST /channels/http/:bot` with
 * `{ user: {id, name?, username?}, conversation_id?, text?, attachments? }`, answered with the
 * reply in the response body. Optional bearer token per bot (`channels.http.token`).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { z } from 'zod';
import type { ResolvedBot } from '../config/snapshot.js';
import { attachmentFromWire, attachmentToWire } from '../core/attachments.js';
import { bearerToken } from '../core/bearer.js';
import type { InboundMessage, OutboundReply } from '../core/message.js';
import { safeEqual } from '../core/safe-equal.js';
import { errorResponse } from '../core/errors.js';
import type { ChannelAdapter, ChannelResponse, Triage } from './channel.js';
import { acceptsEventStream, relayEventStream } from './http-event-stream.js';

const id = z.union([z.string().min(1).max(256), z.number().int()]).transform(String);

const httpMessage = z.strictObject({
  user: z.strictObject({
    id,
    name: z.string().max(256).optional(),
    username: z.string().max(256).optional(),
  }),
  conversation_id: id.optional(),
  text: z.string().max(100_000).optional(),
  attachments: z
    .array(
      z.strictObject({
        type: z.enum(['image', 'file', 'audio', 'video']),
        url: z.url({ protocol: /^https?$/ }),
        name: z.string().max(256).optional(),
        mime_type: z.string().max(256).optional(),
      }),
    )
    .max(10)
    .optional(),
});

type HttpMessage = z.output<typeof httpMessage>;

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isId = (v: unknown): v is string => typeof v === 'string' && v.length >= 1 && v.length <= 256;
const isShort = (v: unknown): boolean => v === undefined || (typeof v === 'string' && v.length <= 256);

/**
 * The common message — string ids, optional name/username/conversation_id/text, no
 * attachments, no other keys — checked by hand: zod copies every object it validates, and
 * this runs once per message. Anything else (numbers as ids, attachments, any problem)
 * returns undefined and goes through the zod schema, which also words the errors. The
 * result equals `httpMessage.parse(body)` (test/channels/http-fast-path.test.ts).
 */
export function parseCommonMessage(body: Record<string, unknown>): HttpMessage | undefined {
  for (const k in body) if (k !== 'user' && k !== 'text' && k !== 'conversation_id') return undefined;
  const user = body.user;
  if (!isPlainObject(user)) return undefined;
  for (const k in user) if (k !== 'id' && k !== 'name' && k !== 'username') return undefined;
  if (!isId(user.id) || !isShort(user.name) || !isShort(user.username)) return undefined;
  const conversation = body.conversation_id;
  if (conversation !== undefined && !isId(conversation)) return undefined;
  const text = body.text;
  if (text !== undefined && !(typeof text === 'string' && text.length <= 100_000)) return undefined;
  const out: HttpMessage = { user: { id: user.id } };
  if (user.name !== undefined) out.user.name = user.name as string;
  if (user.username !== undefined) out.user.username = user.username as string;
  if (conversation !== undefined) out.conversation_id = conversation;
  if (text !== undefined) out.text = text;
  return out;
}

/** Validates a channel body: the hand-checked common shape, else the zod schema. */
export function parseHttpMessage(body: Record<string, unknown>): { success: true; data: HttpMessage } | { success: false; error: z.ZodError } {
  const common = parseCommonMessage(body);
  if (common) return { success: true, data: common };
  return httpMessage.safeParse(body);
}

/** The zod schema of the HTTP channel's body (exported for the fast-path equivalence test). */
export { httpMessage as httpMessageSchema };

/** Names the first problem of a zod error as `path: message`. */
export function describeZodError(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid request';
  const path = issue.path.map(String).join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}

function bad(message: string): Triage<HttpPayload> {
  return { kind: 'answer', response: errorResponse('SWB_ERR_HTTP_BAD_REQUEST', message) };
}

/** The reply as the HTTP channel's response body. */
function replyBody(reply: OutboundReply): Record<string, unknown> {
  const out: Record<string, unknown> = { content: reply.content };
  if (reply.attachments.length > 0) out.attachments = reply.attachments.map(attachmentToWire);
  if (reply.metadata) out.metadata = reply.metadata;
  if (reply.integration) out.integration = reply.integration;
  if (reply.error) out.error = reply.error;
  return out;
}

/** The JSON answer to a waiting caller: the reply, or the 429 when the user is over the bot's `rateLimit`. */
function jsonResponse(reply: OutboundReply): ChannelResponse {
  return reply.limited ? rateLimitedResponse(reply.limited.retryAfterSeconds) : { status: 200, body: replyBody(reply) };
}

/** The 429 answer for a user over the bot's `rateLimit`. */
function rateLimitedResponse(retryAfterSeconds: number): ChannelResponse {
  const unit = retryAfterSeconds === 1 ? 'second' : 'seconds';
  return {
    ...errorResponse('SWB_ERR_HTTP_RATE_LIMITED', `too many messages: retry in ${retryAfterSeconds} ${unit}`),
    headers: { 'retry-after': String(retryAfterSeconds) },
  };
}

/** The job's payload: the message itself, flagged when the client asked for an event stream. */
export type HttpPayload = InboundMessage & { eventStream?: true };

/** The HTTP channel: the job's payload is the `InboundMessage` itself, its result the response. */
export const httpChannel: ChannelAdapter<HttpPayload> = {
  name: 'http',
  mode: 'reply',
  platform: 'HTTP',
  noun: 'message',

  authenticate(headers: IncomingHttpHeaders, bot: ResolvedBot): boolean {
    const token = bot.channels.http?.token;
    if (!token) return true;
    const given = bearerToken(headers.authorization);
    return given !== undefined && safeEqual(given, token);
  },

  triage(request, bot) {
    if (request.body === undefined || request.body === null || typeof request.body !== 'object' || Array.isArray(request.body)) {
      return bad('the body must be a JSON object');
    }
    const parsed = parseHttpMessage(request.body as Record<string, unknown>);
    if (!parsed.success) return bad(describeZodError(parsed.error));
    const body = parsed.data;
    const text = body.text && body.text.length > 0 ? body.text : undefined;
    const attachments = body.attachments ?? [];
    if (text === undefined && attachments.length === 0) return bad('a message needs "text" or "attachments"');
    const conversationId = body.conversation_id ?? body.user.id;
    const message: HttpPayload = {
      bot: bot.name,
      channel: 'http',
      conversationId,
      chatId: conversationId,
      user: { id: body.user.id, ...(body.user.name !== undefined ? { name: body.user.name } : {}), ...(body.user.username !== undefined ? { username: body.user.username } : {}) },
      ...(text !== undefined ? { text } : {}),
      attachments: attachments.map(attachmentFromWire),
      requestId: request.requestId,
    };
    if (acceptsEventStream(request.headers.accept)) message.eventStream = true;
    return { kind: 'job', job: { channel: 'http', bot: bot.name, requestId: request.requestId, conversationKey: `http:${bot.name}:${conversationId}`, payload: message } };
  },

  run(job, _bot, ctx) {
    // Not async: a waiting caller holds one promise reaction here, not a suspended frame.
    if (job.payload.eventStream !== true) return ctx.process(job.payload).reply.then(jsonResponse);
    const { eventStream: _flag, ...message } = job.payload;
    // A rate-limited message never reached the webhook: it stays a plain JSON 429.
    return relayEventStream(ctx, message, replyBody, (reply) => (reply.limited ? rateLimitedResponse(reply.limited.retryAfterSeconds) : undefined));
  },
};
