/**
 * Markdown to Telegram messages as formatting entities (`entities` with `sendMessage`, no
 * `parse_mode`).
 *
 * Entities rather than HTML: the text is sent exactly as the user sees it, so nothing in a
 * reply (a stray `<`, `&`, `*` or `_`) can make Telegram's parser fail; entity offsets are
 * UTF-16 code units like JavaScript strings, so the 4096 limit is measured on the visible
 * text exactly; and splitting is slicing plus clipping, with no tags to close and reopen.
 * What Telegram can still reject (e.g. a link URL it refuses) is covered by the plain-text
 * retry: {@link telegramPlainFallback}.
 */
import type { ReplyFormat } from '../../schema/config.js';
import { markdownToRich } from './markdown-to-rich.js';
import type { RichText, SpanType } from './rich-text.js';
import { splitRich } from './split-rich.js';

/** Telegram's limit on one message's text (UTF-16 code units after entity parsing). */
export const TELEGRAM_TEXT_LIMIT = 4096;

/** A Bot API `MessageEntity`. */
export interface TelegramEntity {
  type: 'bold' | 'italic' | 'strikethrough' | 'code' | 'pre' | 'text_link' | 'blockquote';
  offset: number;
  length: number;
  url?: string;
  language?: string;
}

/** One `sendMessage` worth of text: `text` plus `entities` (omit the field when empty). */
export interface TelegramMessage {
  text: string;
  entities: TelegramEntity[];
}

const entityType: Record<SpanType, TelegramEntity['type']> = {
  bold: 'bold',
  italic: 'italic',
  strike: 'strikethrough',
  code: 'code',
  pre: 'pre',
  link: 'text_link',
  quote: 'blockquote',
};

function toMessage(rich: RichText): TelegramMessage {
  const entities = rich.spans.map((s): TelegramEntity => {
    const e: TelegramEntity = { type: entityType[s.type], offset: s.start, length: s.end - s.start };
    if (s.url !== undefined) e.url = s.url;
    if (s.language !== undefined) e.language = s.language;
    return e;
  });
  return { text: rich.text, entities };
}

/**
 * Renders CommonMark `markdown` into one or more Telegram messages of at most `limit`
 * characters each, formatting carried across the cuts. An empty reply gives one message with
 * empty text (the caller decides whether to send it).
 */
export function renderTelegram(markdown: string, limit = TELEGRAM_TEXT_LIMIT): TelegramMessage[] {
  return splitRich(markdownToRich(markdown), limit).map(toMessage);
}

/**
 * A reply's `content` as Telegram messages for the bot's `format`: `markdown` rendered into
 * entities, `plain` sent as written (no entities), each at most `limit` characters.
 */
export function renderTelegramReply(content: string, format: ReplyFormat, limit = TELEGRAM_TEXT_LIMIT): TelegramMessage[] {
  if (format === 'markdown') return renderTelegram(content, limit);
  return splitRich({ text: content, spans: [] }, limit).map(toMessage);
}

/**
 * The same message without entities, for the retry after Telegram rejected them: link URLs
 * are written after their text so nothing is lost. Split again if that made it too long.
 */
export function telegramPlainFallback(message: TelegramMessage, limit = TELEGRAM_TEXT_LIMIT): string[] {
  const links = message.entities.filter((e) => e.type === 'text_link' && e.url !== undefined).sort((a, b) => b.offset + b.length - (a.offset + a.length));
  let text = message.text;
  for (const e of links) {
    const end = e.offset + e.length;
    const shown = text.slice(e.offset, end);
    const bare = (e.url as string).replace(/^mailto:/i, '');
    if (shown !== e.url && shown !== bare) text = `${text.slice(0, end)} (${bare})${text.slice(end)}`;
  }
  return splitRich({ text, spans: [] }, limit).map((r) => r.text);
}

/**
 * True when a Bot API 400 description is about formatting (entities, their URLs), the case
 * where resending as plain text helps.
 */
export function isTelegramFormattingError(description: string): boolean {
  return /can't parse entities|entit(y|ies)|can't find end|unsupported (url|start tag)|wrong http url/i.test(description);
}
