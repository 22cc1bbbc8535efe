/**
 * Builds the platform payload (CONTRACT §4) from one inbound message, the bot and its
 * history: system prompt first (never pruned), the `contextWindow` most recent stored
 * messages, the current message last.
 */
import type { ResolvedBot } from '../config/snapshot.js';
import type { ChatMessage, ContentPart, InboundMessage, StoredMessage, WebhookRequest } from '../core/message.js';

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

export function buildPayload(bot: ResolvedBot, message: InboundMessage, history: readonly StoredMessage[], current: ChatMessage): WebhookRequest {
  const messages: ChatMessage[] = [];
  if (bot.systemPrompt) messages.push({ role: 'system', content: bot.systemPrompt });
  const window = bot.contextWindow > 0 ? history.slice(-bot.contextWindow) : [];
  for (const m of window) messages.push(m);
  messages.push(current);
  const user: WebhookRequest['user'] = { id: message.user.id, platform: message.channel };
  if (message.user.name !== undefined) user.name = message.user.name;
  if (message.user.username !== undefined) user.username = message.user.username;
  const metadata: WebhookRequest['metadata'] = { ...message.metadata, channel: message.channel, chat_id: message.chatId };
  if (message.messageId !== undefined) metadata.message_id = message.messageId;
  return {
    messages,
    conversation_id: message.conversationId,
    user,
    bot: { id: bot.name, name: bot.displayName },
    metadata,
  };
}
