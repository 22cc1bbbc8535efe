/**
 * The step of an acked job that must always leave the user with an answer.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { ResolvedBot } from '../config/snapshot.js';
import { errorMessage } from '../core/error-message.js';
import type { ChannelName, InboundMessage, OutboundReply } from '../core/message.js';
import type { JobContext, ProcessOptions } from './channel.js';

/**
 * Builds the inbound message and runs the pipeline. The pipeline answers failures with the
 * fallback itself; a throw here (from `build` or `process`) is unexpected, so it is logged
 * and answered with `bot.fallbackMessage` rather than leaving the user without a reply.
 */
export async function processWithFallback(ctx: JobContext, bot: ResolvedBot, channel: ChannelName, log: FastifyBaseLogger, build: () => InboundMessage, opts?: ProcessOptions): Promise<Pick<OutboundReply, 'content' | 'attachments'>> {
  try {
    return await ctx.process(build(), opts);
  } catch (err) {
    log.error({ channel, bot: bot.name, err: errorMessage(err) }, 'message processing failed; sending the fallback message');
    return { content: bot.fallbackMessage, attachments: [] };
  }
}
