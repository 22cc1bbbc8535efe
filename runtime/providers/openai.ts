/**
 * `type: openai`: the Chat Completions API (`POST /v1/chat/completions`), and servers that
 * speak it (vLLM, Ollama, LiteLLM, Azure-style gateways…). The platform payload is
 * already in OpenAI message format; only what Chat Completions cannot take is changed.
 */
import type { ChatMessage } from '../core/message.js';
import { flattenContent, isRecord, maskKeys, mentionOf, shorten } from './parts.js';
import type { ParseResult, Provider } from './provider.js';
import { finishOpenAIStream, parseOpenAIStreamEvent } from './openai-stream.js';

type OpenAIUserPart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } };
type OpenAIMessage = { role: 'system' | 'user' | 'assistant'; content: string | OpenAIUserPart[] };

/**
 * One platform message → one Chat Completions message. User turns keep image parts
 * (`image_url`); files become a text mention with their URL (Chat Completions cannot
 * fetch arbitrary file URLs). System and assistant turns accept text only, so they are
 * flattened to a string.
 */
export function toOpenAIMessage(message: ChatMessage): OpenAIMessage {
  if (message.role !== 'user' || typeof message.content === 'string') {
    return { role: message.role, content: flattenContent(message.content) };
  }
  return {
    role: 'user',
    content: message.content.map((part): OpenAIUserPart =>
      part.type === 'image_url' ? { type: 'image_url', image_url: { url: part.image_url.url } } : { type: 'text', text: mentionOf(part) },
    ),
  };
}

/** Parses a Chat Completions response: `choices[0].message.content` must be a non-empty string. */
export function parseOpenAIReply(body: unknown): ParseResult {
  const choice = isRecord(body) && Array.isArray(body.choices) ? (body.choices[0] as unknown) : undefined;
  const message = isRecord(choice) ? choice.message : undefined;
  if (!isRecord(body) || !isRecord(message)) {
    return { ok: false, reason: 'invalid_shape', message: 'the reply has no choices[0].message (is this a Chat Completions endpoint?)' };
  }
  const content = message.content;
  if (typeof content !== 'string' || content.trim() === '') {
    const refusal = typeof message.refusal === 'string' ? `; the model refused: ${shorten(message.refusal, 200)}` : '';
    const finish = isRecord(choice) && typeof choice.finish_reason === 'string' ? ` (finish_reason ${choice.finish_reason})` : '';
    return {
      ok: false,
      reason: typeof content === 'string' ? 'empty' : 'missing_content',
      message: `choices[0].message.content is ${typeof content === 'string' ? 'empty' : 'missing'}${finish}${refusal}`,
    };
  }
  const metadata: Record<string, unknown> = {};
  if (typeof body.model === 'string') metadata.model = body.model;
  if (isRecord(choice) && typeof choice.finish_reason === 'string') metadata.finish_reason = choice.finish_reason;
  if (isRecord(body.usage)) metadata.usage = body.usage;
  return { ok: true, reply: { content, metadata } };
}

const RATE_LIMIT_HEADERS = [
  'x-ratelimit-remaining-requests',
  'x-ratelimit-reset-requests',
  'x-ratelimit-remaining-tokens',
  'x-ratelimit-reset-tokens',
] as const;

/** Describes `{error:{message,type,code}}` bodies: 401 auth, 429 with x-ratelimit-* headers, 5xx. */
export function describeOpenAIError(status: number, body: unknown, headers?: Readonly<Record<string, string | string[] | undefined>>): string | undefined {
  const err = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  const code = err && (typeof err.code === 'string' ? err.code : typeof err.type === 'string' ? err.type : undefined);
  const text = err && typeof err.message === 'string' ? maskKeys(shorten(err.message, 240)) : undefined;
  const kind =
    status === 401 || status === 403 ? 'authentication failed' : status === 429 ? 'rate limited' : status >= 500 ? 'server error' : 'request rejected';
  let out = `OpenAI ${kind} (${status}${code ? ` ${code}` : ''})${text ? `: ${text}` : ''}`;
  if (status === 429 && headers) {
    const limits = RATE_LIMIT_HEADERS.flatMap((h) => (typeof headers[h] === 'string' ? [`${h.slice('x-ratelimit-'.length)} ${headers[h] as string}`] : []));
    if (limits.length > 0) out += ` [${limits.join(', ')}]`;
  }
  return out;
}

export const openaiProvider: Provider = {
  type: 'openai',
  buildRequest(payload, integration) {
    const request: Record<string, unknown> = {
      model: integration.model,
      messages: payload.messages.map(toOpenAIMessage),
    };
    if (integration.temperature !== undefined) request.temperature = integration.temperature;
    if (integration.maxTokens !== undefined) request.max_tokens = integration.maxTokens;
    if (integration.stream === true) {
      request.stream = true;
      // Without it the stream carries no token usage.
      request.stream_options = { include_usage: true };
    }
    return { body: JSON.stringify(request), headers: {} };
  },
  parseReply: parseOpenAIReply,
  describeError: describeOpenAIError,
  stream: { parseEvent: parseOpenAIStreamEvent, finish: finishOpenAIStream },
};
