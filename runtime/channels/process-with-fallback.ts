/**
 * The step of an acked job that must always leave the user with an answer.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { ResolvedBot } from '../config/snapshot.js';
import { errorMessage } from '../core/error-message.js';
import type { ChannelName, InboundMessage, OutboundReply } from '../core/message.js';
import { replyOnly, type ReplyStream } from '../pipeline/reply-stream.js';
import type { JobContext, ProcessOptions } from './channel.js';

/**
 * Builds the inbound message and runs the pipeline. The pipeline answers failures with the
 * fallback itself; a throw here (from `build` or `process`) is unexpected, so it is logged
 * and answered with `bot.fallbackMessage` rather than leaving the user without a reply:
 * the returned stream's `reply` never rejects.
 */
export function processWithFallback(ctx: JobContext, bot: ResolvedBot, channel: ChannelName, log: FastifyBaseLogger, build: () => InboundMessage, options?: ProcessOptions): ReplyStream {
  const fallback = (err: unknown): OutboundReply => {
    log.error({ channel, bot: bot.name, err: errorMessage(err) }, 'message processing failed; sending the fallback message');
    return { content: bot.fallbackMessage, attachments: [] };
  };
  let stream: ReplyStream;
  try {
    stream = ctx.process(build(), options);
  } catch (err) {
    return replyOnly(Promise.resolve(fallback(err)));
  }
  return { reply: stream.reply.catch(fallback), each: (fn) => stream.each(fn), [Symbol.asyncIterator]: () => stream[Symbol.asyncIterator]() };
}
