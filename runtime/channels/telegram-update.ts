/**
 * Pure functions that turn a Telegram update into an `InboundMessage` (or decide to ignore it):
 * which updates matter, whether a group message is addressed to the bot, the conversation id
 * (`chat.id` in private chats, `chat.id:from.id` in groups), and attachments as
 * signed `/files/...` links (never a token-bearing URL).
 */
import type { Attachment, InboundMessage } from '../core/message.js';
import type { TelegramIdentity } from './telegram-api.js';
import { tgMessageSchema } from './telegram-update-schema.js';

export interface TgUser {
  id: number;
  is_bot?: boolean;
  first_name?: string;
  last_name?: string;
  username?: string;
}
export interface TgEntity {
  type: string;
  offset: number;
  length: number;
  user?: TgUser;
}
interface TgFile {
  file_id: string;
  file_unique_id?: string;
  file_size?: number;
  file_name?: string;
  mime_type?: string;
  width?: number;
  height?: number;
}
export interface TgMessage {
  message_id: number;
  message_thread_id?: number;
  is_topic_message?: boolean;
  from?: TgUser;
  chat: { id: number; type: string };
  text?: string;
  caption?: string;
  entities?: TgEntity[];
  caption_entities?: TgEntity[];
  photo?: TgFile[];
  document?: TgFile;
  audio?: TgFile;
  voice?: TgFile;
  video?: TgFile;
  reply_to_message?: { from?: TgUser };
}

/** The result of the header-free first look at an update (no API call needed). */
export type UpdateTriage =
  | { kind: 'ignore'; reason: string }
  | { kind: 'candidate'; updateId: number; message: TgMessage; private: boolean; conversationId: string; needsIdentity: boolean };

/** True when `body` has the shape of an update (an object with an integer `update_id`). */
export function isTelegramUpdate(body: unknown): body is { update_id: number } & Record<string, unknown> {
  return typeof body === 'object' && body !== null && Number.isSafeInteger((body as { update_id?: unknown }).update_id);
}

/**
 * First look at an update. Everything but `message` is ignored (edited messages, channel posts,
 * callback queries…), as are messages from bots, service messages and group messages that
 * cannot be addressed to the bot. A group message with a mention or command still needs the
 * bot's username (`needsIdentity`) for the final decision by `isAddressedToBot`.
 */
export function triageUpdate(update: { update_id: number } & Record<string, unknown>, botId: number | undefined): UpdateTriage {
  const raw = update.message;
  if (!raw || typeof raw !== 'object') return { kind: 'ignore', reason: `unsupported update type (${Object.keys(update).filter((k) => k !== 'update_id').join(',') || 'empty'})` };
  // Badly typed optional fields are dropped here, so nothing below sees a wrong type.
  const parsed = tgMessageSchema.safeParse(raw);
  if (!parsed.success) return { kind: 'ignore', reason: 'malformed message' };
  const message: TgMessage = parsed.data;
  if (!message.from || !Number.isSafeInteger(message.from.id)) return { kind: 'ignore', reason: 'message without sender' };
  if (message.from.is_bot) return { kind: 'ignore', reason: 'message from a bot' };
  if (!hasContent(message)) return { kind: 'ignore', reason: 'no text or supported file' };
  const chat = message.chat;
  if (chat.type === 'private') {
    return { kind: 'candidate', updateId: update.update_id, message, private: true, conversationId: String(chat.id), needsIdentity: false };
  }
  if (chat.type !== 'group' && chat.type !== 'supergroup') return { kind: 'ignore', reason: `chat type ${String(chat.type)}` };
  const conversationId = `${chat.id}:${message.from.id}`;
  const base = { kind: 'candidate' as const, updateId: update.update_id, message, private: false, conversationId };
  if (botId !== undefined && message.reply_to_message?.from?.id === botId) return { ...base, needsIdentity: false };
  const entities = message.entities ?? message.caption_entities ?? [];
  if (entities.some((e) => e.type === 'mention' || e.type === 'bot_command' || (e.type === 'text_mention' && (botId === undefined || e.user?.id === botId)))) {
    return { ...base, needsIdentity: true };
  }
  if (botId === undefined && message.reply_to_message?.from?.is_bot) return { ...base, needsIdentity: true };
  return { kind: 'ignore', reason: 'group message not addressed to the bot' };
}

/**
 * Final decision for a group message: it mentions `@username`, is a command at the start of
 * the message (bare or `/cmd@username`), mentions the bot by id, or replies to the bot.
 */
export function isAddressedToBot(message: TgMessage, me: TelegramIdentity): boolean {
  if (message.chat.type === 'private') return true;
  if (message.reply_to_message?.from?.id === me.id) return true;
  const text = message.text ?? message.caption ?? '';
  const entities = message.entities ?? message.caption_entities ?? [];
  return entities.some((e) => entityTargetsBot(e, text, me));
}

function entityTargetsBot(e: TgEntity, text: string, me: TelegramIdentity): boolean {
  const part = text.slice(e.offset, e.offset + e.length);
  const username = me.username?.toLowerCase();
  if (e.type === 'text_mention') return e.user?.id === me.id;
  if (e.type === 'mention') return username !== undefined && part.toLowerCase() === `@${username}`;
  if (e.type === 'bot_command') {
    const at = part.indexOf('@');
    if (at < 0) return e.offset === 0;
    return username !== undefined && part.slice(at + 1).toLowerCase() === username;
  }
  return false;
}

/** Removes the bot's own mentions (and `@username` of commands) from the text; keeps it if nothing would be left. */
export function stripBotMentions(text: string, entities: readonly TgEntity[], me: TelegramIdentity): string {
  const username = me.username?.toLowerCase();
  let out = text;
  for (const e of [...entities].sort((a, b) => b.offset - a.offset)) {
    const part = out.slice(e.offset, e.offset + e.length);
    if (e.type === 'mention' && username !== undefined && part.toLowerCase() === `@${username}`) {
      out = out.slice(0, e.offset) + out.slice(e.offset + e.length);
    } else if (e.type === 'text_mention' && e.user?.id === me.id) {
      out = out.slice(0, e.offset) + out.slice(e.offset + e.length);
    } else if (e.type === 'bot_command' && username !== undefined && part.toLowerCase().endsWith(`@${username}`)) {
      out = out.slice(0, e.offset) + part.slice(0, part.length - username.length - 1) + out.slice(e.offset + e.length);
    }
  }
  const cleaned = out.replace(/[ \t]{2,}/g, ' ').trim();
  return cleaned === '' ? text.trim() : cleaned;
}

/** Signs a `/files/...` link for a Telegram file (the caller's `ctx.fileUrl` bound to channel + bot). */
export type TelegramFileSigner = (file: { ref: string; name: string; mimeType: string }) => string;

/** The message's files as attachments: the largest photo size, a document, audio, voice, video. */
export function telegramAttachments(message: TgMessage, sign: TelegramFileSigner): Attachment[] {
  const out: Attachment[] = [];
  const add = (type: string, file: TgFile, name: string, mimeType: string): void => {
    out.push({ type, url: sign({ ref: file.file_id, name, mimeType }), name, mimeType });
  };
  if (Array.isArray(message.photo) && message.photo.length > 0) {
    const largest = message.photo.reduce((a, b) => (area(b) >= area(a) ? b : a));
    add('image', largest, `photo-${largest.file_unique_id ?? message.message_id}.jpg`, 'image/jpeg');
  }
  if (message.document?.file_id) {
    const mime = message.document.mime_type ?? 'application/octet-stream';
    add(mime.startsWith('image/') ? 'image' : 'file', message.document, message.document.file_name ?? `document-${message.message_id}`, mime);
  }
  if (message.audio?.file_id) add('audio', message.audio, message.audio.file_name ?? `audio-${message.message_id}.mp3`, message.audio.mime_type ?? 'audio/mpeg');
  if (message.voice?.file_id) add('audio', message.voice, `voice-${message.message_id}.ogg`, message.voice.mime_type ?? 'audio/ogg');
  if (message.video?.file_id) add('video', message.video, message.video.file_name ?? `video-${message.message_id}.mp4`, message.video.mime_type ?? 'video/mp4');
  return out;
}

/** Builds the pipeline's `InboundMessage` from an addressed message. */
export function telegramInbound(
  message: TgMessage,
  opts: { bot: string; conversationId: string; requestId: string; me?: TelegramIdentity; sign: TelegramFileSigner },
): InboundMessage {
  const from = message.from as TgUser;
  const user: InboundMessage['user'] = { id: String(from.id) };
  const name = [from.first_name, from.last_name].filter((s) => typeof s === 'string' && s !== '').join(' ');
  if (name) user.name = name;
  if (from.username) user.username = from.username;
  const rawText = message.text ?? message.caption;
  const entities = message.entities ?? message.caption_entities ?? [];
  const text = rawText !== undefined && message.chat.type !== 'private' && opts.me ? stripBotMentions(rawText, entities, opts.me) : rawText;
  const inbound: InboundMessage = {
    bot: opts.bot,
    channel: 'telegram',
    conversationId: opts.conversationId,
    chatId: String(message.chat.id),
    messageId: String(message.message_id),
    user,
    attachments: telegramAttachments(message, opts.sign),
    metadata: { chat_type: message.chat.type },
    requestId: opts.requestId,
  };
  if (text !== undefined && text !== '') inbound.text = text;
  return inbound;
}

function hasContent(m: TgMessage): boolean {
  return (
    (typeof m.text === 'string' && m.text.trim() !== '') ||
    (typeof m.caption === 'string' && m.caption.trim() !== '') ||
    (Array.isArray(m.photo) && m.photo.length > 0) ||
    !!m.document?.file_id ||
    !!m.audio?.file_id ||
    !!m.voice?.file_id ||
    !!m.video?.file_id
  );
}

function area(f: TgFile): number {
  return (f.width ?? 0) * (f.height ?? 0) || (f.file_size ?? 0);
}
