/**
 * Builds the platform payload (the webhook contract) from one inbound message, the bot and its
 * history: system prompt first (never pruned), the `contextWindow` most recent stored
 * messages, the current message last.
 */
import type { ResolvedBot } from '../config/snapshot.js';
import type { ChatMessage, ContentPart, InboundMessage, StoredMessage, WebhookRequest } from '../core/message.js';
import { setPayloadSerializer } from '../core/payload-json.js';

/** The current user message in OpenAI format: a string, or parts when files are attached. */
export function userContent(message: InboundMessage): ChatMessage['content'] {
  if (message.attachments.length === 0) return message.text ?? '';
  const parts: ContentPart[] = [];
  if (message.text) parts.push({ type: 'text', text: message.text });
  for (const a of message.attachments) {
    if (a.type === 'image') parts.push({ type: 'image_url', image_url: { url: a.url } });
    else parts.push({ type: 'file', file: { url: a.url, name: a.name ?? 'file', mime_type: a.mimeType ?? 'application/octet-stream' } });
  }
  return parts;
}

/**
 * Builds the payload. `history` is parsed messages, or (from the memory store) the stored
 * JSON text of each message: then `messages` is parsed only if something reads it (the
 * OpenAI/Anthropic providers, `switchboard test`), and `payloadJson` (core/payload-json.ts)
 * serializes the payload by splicing the stored text, byte for byte what
 * JSON.stringify(payload) gives.
 */
export function buildPayload(bot: ResolvedBot, message: InboundMessage, history: readonly StoredMessage[] | readonly string[], current: ChatMessage): WebhookRequest {
  const window = bot.contextWindow > 0 ? history.slice(-bot.contextWindow) : [];
  const user: WebhookRequest['user'] = { id: message.user.id, platform: message.channel };
  if (message.user.name !== undefined) user.name = message.user.name;
  if (message.user.username !== undefined) user.username = message.user.username;
  const metadata: WebhookRequest['metadata'] = { ...message.metadata, channel: message.channel, chat_id: message.chatId };
  if (message.messageId !== undefined) metadata.message_id = message.messageId;
  const botRef = { id: bot.name, name: bot.displayName };

  if (window.length === 0 || typeof window[0] !== 'string') {
    return { messages: assemble(bot, window as StoredMessage[], current), conversation_id: message.conversationId, user, bot: botRef, metadata };
  }

  const texts = window as readonly string[];
  let messages: ChatMessage[] | undefined;
  const payload: WebhookRequest = {
    // Own, enumerable and first, like a data property: JSON.stringify and deep equality see it.
    get messages(): ChatMessage[] {
      messages ??= assemble(bot, texts.map((t) => JSON.parse(t) as ChatMessage), current);
      return messages;
    },
    set messages(value: ChatMessage[]) {
      messages = value;
    },
    conversation_id: message.conversationId,
    user,
    bot: botRef,
    metadata,
  };
  setPayloadSerializer(payload, () => {
    // Read or replaced since, or keys added/removed: serialize what is there.
    if (messages || Object.keys(payload).length !== 5) return JSON.stringify(payload);
    let out = '{"messages":[';
    if (bot.systemPrompt) out += `${systemJson(bot)},`;
    for (const t of texts) out += `${t},`;
    const rest = JSON.stringify({ conversation_id: payload.conversation_id, user: payload.user, bot: payload.bot, metadata: payload.metadata });
    return `${out}${JSON.stringify(current)}],${rest.slice(1)}`;
  });
  return payload;
}

/** System prompt first (never pruned), the history window, the current message last. */
function assemble(bot: ResolvedBot, window: readonly StoredMessage[], current: ChatMessage): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (bot.systemPrompt) messages.push({ role: 'system', content: bot.systemPrompt });
  for (const m of window) messages.push(m);
  messages.push(current);
  return messages;
}

const systemJsonCache = new WeakMap<ResolvedBot, string>();
function systemJson(bot: ResolvedBot): string {
  let json = systemJsonCache.get(bot);
  if (json === undefined) {
    json = JSON.stringify({ role: 'system', content: bot.systemPrompt });
    systemJsonCache.set(bot, json);
  }
  return json;
}
