/**
 * Shows a streamed reply in Slack while it is generated: `chat.startStream` in the thread
 * (with the recipient user and team), buffered `chat.appendStream` calls at most one per
 * `intervalMs`, then `chat.stopStream`. Where the workspace refuses streaming (any error
 * from `chat.startStream` but a rate limit), the reply is a `chat.postMessage` kept up to
 * date with throttled `chat.update`s. A stream Slack has ended (`message_not_in_streaming_state`,
 * after ~5 idle minutes) continues in a new stream with the text not yet shown. A reply that
 * did not stream is delivered exactly as before (`deliverSlackReply`).
 */
import type { FastifyBaseLogger } from 'fastify';
import type { ReplyFormat } from '../../schema/config.js';
import type { ReplyStream } from '../pipeline/reply-stream.js';
import { SlackApiError, type SlackApi } from './slack-api.js';
import { deliverSlackReply, escapeSlackText, logSlackError, type SlackTarget } from './slack-send.js';
import { ThrottledText } from './throttled-text.js';

export interface SlackStreamTarget extends SlackTarget {
  /** The user the reply is for, and their team (Slack requires them for streams in channels). */
  recipientUserId?: string;
  recipientTeamId?: string;
}

export interface SlackStreamOptions {
  /** Shortest gap between two appends (or updates) of one reply. */
  intervalMs: number;
  /** How a reply that did not stream, and attachments, are rendered (`bot.format`). */
  format: ReplyFormat;
}

const retryAfterOf = (err: unknown): number | undefined => (err instanceof SlackApiError && err.httpStatus === 429 ? (err.retryAfter ?? 1) : undefined);
const expired = (err: unknown): boolean => err instanceof SlackApiError && err.error === 'message_not_in_streaming_state';

/**
 * One live Slack message. `send` gets the whole text so far and shows what is new: an
 * append to the stream, or (once streaming was refused) an update of a posted message.
 */
function liveSlackMessage(live: SlackApi, target: SlackStreamTarget, log: FastifyBaseLogger) {
  let mode: 'stream' | 'post' = 'stream';
  let ts: string | undefined;
  /** Text already in the current stream message (so only the rest is appended). */
  let shown = '';
  let offset = 0;

  const startStream = async (markdown: string): Promise<void> => {
    const params: Record<string, unknown> = { channel: target.channel, thread_ts: target.threadTs, markdown_text: markdown };
    if (target.recipientUserId !== undefined) params.recipient_user_id = target.recipientUserId;
    if (target.recipientTeamId !== undefined) params.recipient_team_id = target.recipientTeamId;
    ts = String((await live.call<{ ts?: unknown }>('chat.startStream', params)).ts);
  };

  const post = async (text: string): Promise<void> => {
    const body = escapeSlackText(text.slice(offset));
    if (ts === undefined) ts = String((await live.call<{ ts?: unknown }>('chat.postMessage', { channel: target.channel, thread_ts: target.threadTs, text: body })).ts);
    else await live.call('chat.update', { channel: target.channel, ts, text: body });
  };

  const send = async (text: string): Promise<void> => {
    if (mode === 'post') return post(text);
    const piece = text.slice(shown.length);
    if (ts === undefined) {
      try {
        await startStream(piece);
      } catch (err) {
        if (retryAfterOf(err) !== undefined) throw err;
        logSlackError(log, live, 'chat.startStream', err);
        log.info({ channel: 'slack' }, 'Slack refused a stream; posting the reply and updating it');
        mode = 'post';
        return post(text);
      }
    } else {
      try {
        await live.call('chat.appendStream', { channel: target.channel, ts, markdown_text: piece });
      } catch (err) {
        if (!expired(err)) throw err;
        // Slack ended the stream: what it holds stays, the rest goes into a new one.
        ts = undefined;
        offset = shown.length;
        await startStream(piece);
      }
    }
    shown = text;
  };

  const stop = async (): Promise<void> => {
    if (mode !== 'stream' || ts === undefined) return;
    try {
      await live.call('chat.stopStream', { channel: target.channel, ts });
    } catch (err) {
      if (!expired(err)) logSlackError(log, live, 'chat.stopStream', err);
    }
  };
  return { send, stop };
}

/**
 * Relays `stream` to the thread and delivers its final reply. `live` is a client without
 * internal 429 retries (the throttle waits them out); `api` sends the final parts.
 */
export async function deliverSlackStream(api: SlackApi, live: SlackApi, target: SlackStreamTarget, stream: ReplyStream, opts: SlackStreamOptions, log: FastifyBaseLogger): Promise<void> {
  let full = '';
  let message: ReturnType<typeof liveSlackMessage> | undefined;
  let text: ThrottledText | undefined;
  for await (const { delta } of stream) {
    if (message === undefined) {
      const m = liveSlackMessage(live, target, log);
      message = m;
      text = new ThrottledText({ send: m.send, intervalMs: opts.intervalMs, retryAfterOf, onError: (err) => logSlackError(log, live, 'chat.appendStream', err) });
    }
    full += delta;
    if (full.trim() !== '') text?.update(full);
  }
  const reply = await stream.reply;
  if (message === undefined || text === undefined) {
    await deliverSlackReply(api, target, reply, log, opts.format);
    return;
  }
  // A final text that extends what was streamed is appended; one that replaced it is posted after the stream.
  const final = reply.content.startsWith(full) ? reply.content : full;
  if (final.trim() !== '') await text.finish(final);
  else await text.stop();
  await message.stop();
  const rest = final === reply.content ? '' : reply.content;
  if (rest !== '' || reply.attachments.length > 0) await deliverSlackReply(api, target, { content: rest, attachments: reply.attachments }, log, opts.format);
}
