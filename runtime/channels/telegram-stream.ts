/**
 * Shows a streamed reply in Telegram while it is generated. Private chats: the text so far
 * as a `sendMessageDraft` (one `draft_id` per message), then the finished text once with
 * `sendMessage`. Groups: `sendMessage` with the first text, then `editMessageText` with the
 * text so far, at least `editIntervalMs` apart and later when a 429 asks for it. Text past
 * 4096 characters closes the message and continues in a new one. A reply that did not
 * stream is delivered exactly as before (`deliverTelegramReply`).
 */
import { randomInt } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { OutboundReply } from '../core/message.js';
import type { ReplyFormat } from '../../schema/config.js';
import type { ReplyStream } from '../pipeline/reply-stream.js';
import { TelegramApiError, type TelegramApi } from './telegram-api.js';
import { deliverTelegramReply, logTelegramError, type TelegramTarget } from './telegram-send.js';
import { renderTelegramReply } from '../render/telegram-render.js';
import { splitText, TELEGRAM_MAX_TEXT } from './telegram-text.js';
import { ThrottledText } from './throttled-text.js';

export interface TelegramStreamOptions {
  /** Private chat: the draft is shown as a draft (else: sendMessage + editMessageText). */
  private: boolean;
  /** Gap between two drafts of one message. */
  draftIntervalMs: number;
  /** Gap between two edits of one message (Telegram allows about one per second). */
  editIntervalMs: number;
  /** How the text is rendered (`bot.format`): the live drafts and edits as well as the final parts. */
  format: ReplyFormat;
  /** Called once, when the first text is on its way (the typing indicator stops). */
  onText(): void;
}

const retryAfterOf = (err: unknown): number | undefined => (err instanceof TelegramApiError && err.errorCode === 429 ? (err.retryAfter ?? 1) : undefined);

/** One live Telegram message: a draft, or a sent message being edited. */
interface LiveMessage {
  text: ThrottledText;
  /** Makes `text` the final content of this message. */
  close(text: string): Promise<void>;
}

/**
 * Relays `stream` to the chat and delivers its final reply. `live` is a client without
 * internal 429 retries (the throttle waits them out instead); `api` sends the final parts.
 */
export async function deliverTelegramStream(api: TelegramApi, live: TelegramApi, target: TelegramTarget, stream: ReplyStream, opts: TelegramStreamOptions, log: FastifyBaseLogger): Promise<void> {
  const common: Record<string, unknown> = { chat_id: target.chatId };
  if (target.threadId !== undefined) common.message_thread_id = target.threadId;
  let quote = target.replyTo !== undefined ? { reply_parameters: { message_id: target.replyTo, allow_sending_without_reply: true } } : undefined;
  const onError = (method: string) => (err: unknown) => logTelegramError(log, api, method, err);
  // The text so far, rendered like the final message (Markdown as entities), so a draft or an
  // edit never shows literal `**`. A live part is at most 4096 raw characters, and rendering
  // only removes characters, so it fits one message.
  const shown = (t: string): { text: string; entities?: unknown[] } => {
    const m = renderTelegramReply(t, opts.format)[0];
    if (!m || m.text === '') return { text: t };
    return m.entities.length > 0 ? { text: m.text, entities: m.entities } : { text: m.text };
  };

  const open = (): LiveMessage => {
    if (opts.private) {
      const params = { ...common, draft_id: randomInt(1, 2 ** 31 - 1) };
      const text = new ThrottledText({ send: (t) => live.call('sendMessageDraft', { ...params, ...shown(t) }).then(() => undefined), intervalMs: opts.draftIntervalMs, retryAfterOf, onError: onError('sendMessageDraft') });
      return {
        text,
        close: async (final) => {
          await text.stop();
          await deliverTelegramReply(api, target, { content: final, attachments: [] }, log, opts.format);
        },
      };
    }
    let messageId: number | undefined;
    const send = async (t: string): Promise<void> => {
      if (messageId === undefined) {
        const sent = await live.call<{ message_id: number }>('sendMessage', { ...common, ...quote, ...shown(t) });
        messageId = sent.message_id;
        quote = undefined;
      } else {
        await live.call('editMessageText', { chat_id: target.chatId, message_id: messageId, ...shown(t) });
      }
    };
    const text = new ThrottledText({ send, intervalMs: opts.editIntervalMs, retryAfterOf, onError: onError('editMessageText') });
    return { text, close: (final) => text.finish(final).then(() => undefined) };
  };

  let full = '';
  let current = '';
  let message: LiveMessage | undefined;
  for await (const { delta } of stream) {
    if (message === undefined) {
      opts.onText();
      message = open();
    }
    full += delta;
    current += delta;
    while (current.length > TELEGRAM_MAX_TEXT) {
      const head = splitText(current, TELEGRAM_MAX_TEXT)[0] as string;
      await message.close(head);
      current = current.slice(head.length).replace(/^\s+/, '');
      message = open();
    }
    if (current.trim() !== '') message.text.update(current);
  }
  const reply = await stream.reply;
  if (message === undefined) {
    opts.onText();
    await deliverTelegramReply(api, target, reply, log, opts.format);
    return;
  }
  await finishStreamed(message, reply, full, current, () => deliverTelegramReply(api, target, { content: reply.content, attachments: [] }, log, opts.format));
  if (reply.attachments.length > 0) await deliverTelegramReply(api, target, { content: '', attachments: reply.attachments }, log, opts.format);
}

/**
 * The final reply of a streamed message: usually the streamed text itself; when the
 * backend's final `content` replaced it, that content is what the user ends up with.
 */
async function finishStreamed(message: LiveMessage, reply: OutboundReply, full: string, current: string, sendWhole: () => Promise<unknown>): Promise<void> {
  if (reply.content === full || reply.content === '') {
    if (current.trim() !== '') await message.close(current);
    else await message.text.stop();
    return;
  }
  // Replaced text that fits the live message: show it there; otherwise close what was shown and send it whole.
  if (current === full && reply.content.length <= TELEGRAM_MAX_TEXT) {
    await message.close(reply.content);
    return;
  }
  await message.close(current);
  await sendWhole();
}
