/**
 * `type: anthropic`: the Messages API (`POST /v1/messages`). The key comes from the
 * configured headers (`x-api-key: ${ANTHROPIC_API_KEY}`); this provider adds
 * `anthropic-version`. Differences from the OpenAI format handled here: the system prompt
 * is a top-level `system`, roles must alternate starting with `user`, `max_tokens` is
 * required, and images are `{type:'image', source:{type:'url', url}}` blocks.
 */
import type { ChatMessage, ContentPart } from '../core/message.js';
import { flattenContent, isRecord, maskKeys, mentionOf, partsOf, shorten } from './parts.js';
import type { ParseResult, Provider } from './provider.js';
import { finishAnthropicStream, parseAnthropicStreamEvent } from './anthropic-stream.js';

export const ANTHROPIC_VERSION = '2023-06-01';
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 1024;

type AnthropicBlock =
  | { type: 'text'; text: string }
  | { type: 'image'; source: { type: 'url'; url: string } }
  | { type: 'document'; source: { type: 'url'; url: string } };
type AnthropicMessage = { role: 'user' | 'assistant'; content: AnthropicBlock[] };

function userBlock(part: ContentPart): AnthropicBlock | null {
  switch (part.type) {
    case 'text':
      return part.text === '' ? null : { type: 'text', text: part.text };
    case 'image_url':
      return { type: 'image', source: { type: 'url', url: part.image_url.url } };
    case 'file':
      // PDFs can be given by URL; anything else becomes a text mention.
      return part.file.mime_type === 'application/pdf'
        ? { type: 'document', source: { type: 'url', url: part.file.url } }
        : { type: 'text', text: mentionOf(part) };
  }
}

/**
 * Platform messages → Messages API `system` + `messages`: system turns joined into
 * `system`; empty turns dropped; consecutive same-role turns merged so roles alternate;
 * leading assistant turns dropped so the first is `user` (a pruned history window may start
 * with an assistant reply).
 */
export function toAnthropicMessages(messages: readonly ChatMessage[]): { system?: string; messages: AnthropicMessage[] } {
  const system: string[] = [];
  const out: AnthropicMessage[] = [];
  for (const m of messages) {
    if (m.role === 'system') {
      const text = flattenContent(m.content);
      if (text !== '') system.push(text);
      continue;
    }
    const blocks: AnthropicBlock[] =
      m.role === 'user'
        ? partsOf(m.content).flatMap((p) => userBlock(p) ?? [])
        : ((text) => (text === '' ? [] : [{ type: 'text' as const, text }]))(flattenContent(m.content));
    if (blocks.length === 0) continue;
    const last = out[out.length - 1];
    if (last && last.role === m.role) last.content.push(...blocks);
    else if (out.length > 0 || m.role === 'user') out.push({ role: m.role, content: blocks });
  }
  if (out.length === 0) out.push({ role: 'user', content: [{ type: 'text', text: '(empty message)' }] });
  return system.length > 0 ? { system: system.join('\n\n'), messages: out } : { messages: out };
}

/** Parses a Messages API response: the text blocks of `content`, joined; empty is a bad reply. */
export function parseAnthropicReply(body: unknown): ParseResult {
  if (!isRecord(body) || !Array.isArray(body.content)) {
    return { ok: false, reason: 'invalid_shape', message: 'the reply has no "content" block list (is this a Messages API endpoint?)' };
  }
  const text = body.content
    .flatMap((b: unknown) => (isRecord(b) && b.type === 'text' && typeof b.text === 'string' ? [b.text] : []))
    .join('');
  if (text.trim() === '') {
    const stop = typeof body.stop_reason === 'string' ? ` (stop_reason ${body.stop_reason})` : '';
    return { ok: false, reason: 'empty', message: `the reply has no text content${stop}` };
  }
  const metadata: Record<string, unknown> = {};
  if (typeof body.model === 'string') metadata.model = body.model;
  if (typeof body.stop_reason === 'string') metadata.stop_reason = body.stop_reason;
  if (isRecord(body.usage)) metadata.usage = body.usage;
  return { ok: true, reply: { content: text, metadata } };
}

const RATE_LIMIT_HEADERS = [
  'retry-after',
  'anthropic-ratelimit-requests-remaining',
  'anthropic-ratelimit-requests-reset',
  'anthropic-ratelimit-tokens-remaining',
  'anthropic-ratelimit-tokens-reset',
] as const;

/** Describes `{type:'error', error:{type,message}}` bodies (401, 429 with rate-limit headers, 529 overloaded, 5xx). */
export function describeAnthropicError(
  status: number,
  body: unknown,
  headers?: Readonly<Record<string, string | string[] | undefined>>,
): string | undefined {
  const err = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  const type = err && typeof err.type === 'string' ? err.type : undefined;
  const text = err && typeof err.message === 'string' ? maskKeys(shorten(err.message, 240)) : undefined;
  const kind =
    status === 401 || status === 403
      ? 'authentication failed'
      : status === 429
        ? 'rate limited'
        : status === 529
          ? 'overloaded'
          : status >= 500
            ? 'server error'
            : 'request rejected';
  let out = `Anthropic ${kind} (${status}${type ? ` ${type}` : ''})${text ? `: ${text}` : ''}`;
  if (status === 429 && headers) {
    const limits = RATE_LIMIT_HEADERS.flatMap((h) => (typeof headers[h] === 'string' ? [`${h.replace('anthropic-ratelimit-', '')} ${headers[h] as string}`] : []));
    if (limits.length > 0) out += ` [${limits.join(', ')}]`;
  }
  return out;
}

export const anthropicProvider: Provider = {
  type: 'anthropic',
  buildRequest(payload, integration) {
    const { system, messages } = toAnthropicMessages(payload.messages);
    const request: Record<string, unknown> = {
      model: integration.model,
      max_tokens: integration.maxTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
    };
    if (system !== undefined) request.system = system;
    request.messages = messages;
    // The Messages API takes 0..1; the config schema allows 0..2 (OpenAI's range).
    if (integration.temperature !== undefined) request.temperature = Math.min(integration.temperature, 1);
    if (integration.stream === true) request.stream = true;
    return { body: JSON.stringify(request), headers: { 'anthropic-version': ANTHROPIC_VERSION } };
  },
  parseReply: parseAnthropicReply,
  describeError: describeAnthropicError,
  stream: { parseEvent: parseAnthropicStreamEvent, finish: finishAnthropicStream },
};
