/**
 * Delivers a pipeline reply to a Telegram chat: the text with `sendMessage` (rendered for the
 * bot's `format`: Markdown as formatting entities, split at 4096 without breaking one; as a
 * reply in groups, in the same forum topic), then each attachment by URL with
 * `sendPhoto` / `sendAudio` / `sendVideo` / `sendDocument`. While the webhook works, a
 * `typing` chat action is repeated (Telegram shows it for ~5 s).
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Attachment, OutboundReply } from '../core/message.js';
import { logApiError } from './log-api-error.js';
import { TelegramApiError, type TelegramApi } from './telegram-api.js';
import type { ReplyFormat } from '../../schema/config.js';
import { isTelegramFormattingError, renderTelegramReply, telegramPlainFallback, type TelegramMessage } from '../render/telegram-render.js';

export interface TelegramTarget {
  chatId: number;
  /** Message to reply to (groups). */
  replyTo?: number;
  /** Forum topic of the inbound message. */
  threadId?: number;
}

const MEDIA: Record<string, { method: string; field: string }> = {
  image: { method: 'sendPhoto', field: 'photo' },
  audio: { method: 'sendAudio', field: 'audio' },
  video: { method: 'sendVideo', field: 'video' },
};

/** Logs a failed Bot API call with Telegram's own code and description, never the token. */
export function logTelegramError(log: FastifyBaseLogger, api: TelegramApi, method: string, err: unknown): void {
  const answered = err instanceof TelegramApiError ? { error_code: err.errorCode, description: err.description } : undefined;
  logApiError(log, { channel: 'telegram', platform: 'Telegram', redact: api.redact }, method, err, answered);
}

/**
 * Sends `reply` to the chat. Each part is sent on its own: a failed attachment falls back to
 * a text link; failures are logged, not thrown (the ack was sent long ago).
 * Resolves with the number of parts that reached Telegram.
 */
export async function deliverTelegramReply(
  api: TelegramApi,
  target: TelegramTarget,
  reply: Pick<OutboundReply, 'content' | 'attachments'>,
  log: FastifyBaseLogger,
  format: ReplyFormat = 'markdown',
): Promise<number> {
  const common: Record<string, unknown> = { chat_id: target.chatId };
  if (target.threadId !== undefined) common.message_thread_id = target.threadId;
  let replyParameters: Record<string, unknown> | undefined =
    target.replyTo !== undefined ? { reply_parameters: { message_id: target.replyTo, allow_sending_without_reply: true } } : undefined;
  let delivered = 0;

  /** Resolves with null when Telegram accepted the call, else with its error. */
  const attempt = async (method: string, params: Record<string, unknown>): Promise<unknown> => {
    try {
      await api.call(method, { ...common, ...replyParameters, ...params });
      replyParameters = undefined; // only the first part quotes the user's message
      delivered++;
      return null;
    } catch (err) {
      return err;
    }
  };
  const send = async (method: string, params: Record<string, unknown>): Promise<boolean> => {
    const err = await attempt(method, params);
    if (err !== null) logTelegramError(log, api, method, err);
    return err === null;
  };
  const sendRendered = async (message: TelegramMessage): Promise<void> => {
    if (message.entities.length === 0) return void (await send('sendMessage', { text: message.text }));
    const err = await attempt('sendMessage', { text: message.text, entities: message.entities });
    if (err === null) return;
    logTelegramError(log, api, 'sendMessage', err);
    if (err instanceof TelegramApiError && err.errorCode === 400 && isTelegramFormattingError(err.description)) {
      log.info({ channel: 'telegram' }, 'Telegram rejected the formatting; sending the message as plain text');
      for (const text of telegramPlainFallback(message)) await send('sendMessage', { text });
    }
  };

  const text = reply.content.trim() === '' ? '' : reply.content;
  if (text) for (const message of renderTelegramReply(text, format)) await sendRendered(message);
  for (const a of reply.attachments) {
    const media = MEDIA[a.type] ?? { method: 'sendDocument', field: 'document' };
    if (!(await send(media.method, { [media.field]: a.url }))) await send('sendMessage', { text: attachmentLink(a) });
  }
  return delivered;
}

function attachmentLink(a: Attachment): string {
  return a.name ? `${a.name}: ${a.url}` : a.url;
}

/**
 * Sends `typing` now and every `intervalMs` until the returned stop function is called.
 * Failures are logged at debug level only (typing is cosmetic).
 */
export function startTyping(api: TelegramApi, target: TelegramTarget, intervalMs: number, log: FastifyBaseLogger): () => void {
  const params: Record<string, unknown> = { chat_id: target.chatId, action: 'typing' };
  if (target.threadId !== undefined) params.message_thread_id = target.threadId;
  let stopped = false;
  const tick = (): void => {
    if (stopped) return;
    api.call('sendChatAction', params).catch((err: unknown) => {
      log.debug({ channel: 'telegram', method: 'sendChatAction', error: api.redact(err instanceof Error ? err.message : String(err)) }, 'typing action failed');
    });
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
