/**
 * Delivers a pipeline reply to Slack with `chat.postMessage` in the thread of the user's
 * message. Text is rendered for the bot's `format` (Markdown as mrkdwn; `&`, `<`, `>` escaped
 * either way) and split at 3000 characters (the limit of a section block). Image attachments become image blocks on the last message; other
 * attachments become links in its text. If Slack refuses the blocks (`invalid_blocks`: it
 * could not fetch an image), the message is re-sent with every attachment as a link.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Attachment, OutboundReply } from '../core/message.js';
import { logApiError } from './log-api-error.js';
import { SlackApiError, type SlackApi } from './slack-api.js';
import type { ReplyFormat } from '../../schema/config.js';
import { renderSlackReply } from '../render/slack-render.js';
import { splitText } from './telegram-text.js';

/** Longest text per Slack message/section block we send. */
export const SLACK_MAX_TEXT = 3000;

export interface SlackTarget {
  channel: string;
  threadTs: string;
}

/** Escapes the three characters Slack's mrkdwn reserves. */
export function escapeSlackText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A Slack link `<url|label>`, with the characters that would break it escaped. */
export function slackLink(a: Pick<Attachment, 'url' | 'name'>): string {
  const url = a.url.replace(/>/g, '%3E').replace(/\|/g, '%7C');
  return a.name ? `<${url}|${escapeSlackText(a.name).replace(/\|/g, '¦')}>` : `<${url}>`;
}

/** Appends link lines to the last chunk while they fit, else in new chunks. */
function appendLines(chunks: string[], lines: readonly string[]): void {
  for (const line of lines) {
    const last = chunks.at(-1);
    if (last !== undefined && last.length + 1 + line.length <= SLACK_MAX_TEXT) chunks[chunks.length - 1] = `${last}\n${line}`;
    else chunks.push(...splitText(line, SLACK_MAX_TEXT));
  }
}

/** Logs a failed Web API call with Slack's own error code, never the token. */
export function logSlackError(log: FastifyBaseLogger, api: SlackApi, method: string, err: unknown): void {
  const answered = err instanceof SlackApiError ? { error: err.error, status: err.httpStatus } : undefined;
  logApiError(log, { channel: 'slack', platform: 'Slack', redact: api.redact }, method, err, answered);
}

/**
 * Posts `reply` in the thread. Failures are logged, not thrown (the ack was sent long ago).
 * Resolves with the number of messages Slack accepted.
 */
export async function deliverSlackReply(
  api: SlackApi,
  target: SlackTarget,
  reply: Pick<OutboundReply, 'content' | 'attachments'>,
  log: FastifyBaseLogger,
  format: ReplyFormat = 'markdown',
): Promise<number> {
  const images = reply.attachments.filter((a) => a.type === 'image');
  const others = reply.attachments.filter((a) => a.type !== 'image');
  const chunks = reply.content.trim() === '' ? [] : renderSlackReply(reply.content, format, SLACK_MAX_TEXT);
  if (others.length > 0) appendLines(chunks, others.map(slackLink));
  let delivered = 0;

  /** Resolves with null when Slack accepted the message, else with its error. */
  const post = async (params: Record<string, unknown>): Promise<unknown> => {
    try {
      await api.call('chat.postMessage', { channel: target.channel, thread_ts: target.threadTs, ...params });
      delivered++;
      return null;
    } catch (err) {
      logSlackError(log, api, 'chat.postMessage', err);
      return err;
    }
  };

  const last = images.length > 0 ? chunks.pop() : undefined;
  for (const chunk of chunks) await post({ text: chunk });
  if (images.length > 0) {
    const blocks: unknown[] = [];
    if (last) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: last } });
    for (const img of images.slice(0, 49)) {
      const block: Record<string, unknown> = { type: 'image', image_url: img.url, alt_text: img.name ?? 'image' };
      if (img.name) block.title = { type: 'plain_text', text: img.name.slice(0, 2000) };
      blocks.push(block);
    }
    const fallbackText = last ?? images.map((i) => i.name ?? 'image').join(', ');
    const err = await post({ text: fallbackText, blocks });
    if (err instanceof SlackApiError && err.error.startsWith('invalid_blocks')) {
      const links = [last, ...images.map(slackLink)].filter(Boolean).join('\n');
      for (const chunk of splitText(links, SLACK_MAX_TEXT)) await post({ text: chunk });
    }
  }
  return delivered;
}
