/**
 * Small helpers over the OpenAI-format message content the platform payload uses,
 * shared by the provider transforms.
 */
import type { ChatMessage, ContentPart, WebhookRequest } from '../core/message.js';

/** The content as a list of parts (a plain string becomes one text part). */
export function partsOf(content: ChatMessage['content']): ContentPart[] {
  return typeof content === 'string' ? [{ type: 'text', text: content }] : content;
}

/** A text stand-in for a part a target API cannot take (files, or images in non-user turns). */
export function mentionOf(part: ContentPart): string {
  switch (part.type) {
    case 'text':
      return part.text;
    case 'image_url':
      return `[image: ${part.image_url.url}]`;
    case 'file':
      return `[file: ${part.file.name} (${part.file.mime_type}) ${part.file.url}]`;
  }
}

/** All parts flattened to one string, non-text parts as mentions, joined by newlines. */
export function flattenContent(content: ChatMessage['content']): string {
  return typeof content === 'string' ? content : content.map(mentionOf).filter((t) => t !== '').join('\n');
}

/** The last `user` message of the payload (the current message), if any. */
export function lastUserMessage(payload: WebhookRequest): ChatMessage | undefined {
  for (let i = payload.messages.length - 1; i >= 0; i--) {
    const m = payload.messages[i];
    if (m?.role === 'user') return m;
  }
  return undefined;
}

/** True for a plain object (not an array or null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Trims an upstream message to one short line for logs and users. */
export function shorten(text: string, max = 300): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** Masks API-key-looking tokens an upstream may echo back ("Incorrect API key provided: sk-…"). */
export function maskKeys(text: string): string {
  return text.replace(/\b(sk|key|xai|gsk)-[A-Za-z0-9_*-]{4,}/g, '$1-…');
}
