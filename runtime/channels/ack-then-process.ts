/**
 * The ack-then-process flow the Telegram and Slack adapters share. The request side claims
 * the platform's delivery id once in the store and queues the work with `ctx.background`, so
 * the platform gets its 200 at once and a re-delivery is dropped; the job side runs the
 * pipeline and turns an unexpected throw into the bot's fallback message.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { ResolvedBot } from '../config/snapshot.js';
import type { ChannelName, InboundMessage, OutboundReply } from '../core/message.js';
import { errorBody } from '../core/errors.js';
import type { ChannelContext, ChannelRequest, ChannelResponse } from './channel.js';

export interface ClaimAndQueueOptions {
  request: ChannelRequest;
  ctx: ChannelContext;
  channel: ChannelName;
  bot: string;
  /** How log lines name the platform and what it delivers: `Telegram` / `update`, `Slack` / `event`. */
  platform: string;
  noun: string;
  /** Store key of the delivery id (`tg:<bot>:<update_id>`), claimed for `ttlSeconds`. */
  claimKey: string;
  ttlSeconds: number;
  /** Extra log fields of the "duplicate ignored" line (the delivery id, the retry number). */
  duplicateFields: Record<string, unknown>;
  /** `ctx.background` key: jobs of one conversation run in order. */
  queueKey: string;
  job: () => Promise<void>;
}

/**
 * Claims `claimKey` and queues `job`; resolves with the answer for the platform: 200 when
 * queued or a duplicate, 503 when the store is down or the job could not be queued (the claim
 * is then released) so the platform re-sends.
 */
export async function claimAndQueue(o: ClaimAndQueueOptions): Promise<ChannelResponse> {
  const { request, ctx, channel, bot } = o;
  let first: boolean;
  try {
    first = await ctx.store.claimOnce(o.claimKey, o.ttlSeconds);
  } catch (err) {
    request.log.warn({ channel, bot, err: err instanceof Error ? err.message : String(err) }, `store unavailable; asking ${o.platform} to re-send`);
    return { status: 503, body: errorBody('SWB_ERR_STORE_UNAVAILABLE', 'The history store is unavailable') };
  }
  if (!first) {
    request.log.info({ channel, bot, ...o.duplicateFields }, `duplicate ${o.noun} ignored`);
    return { status: 200 };
  }
  try {
    ctx.background(o.queueKey, o.job);
  } catch (err) {
    request.log.warn({ channel, bot, err: err instanceof Error ? err.message : String(err) }, `could not queue the ${o.noun}; asking ${o.platform} to re-send`);
    await ctx.store.releaseClaim(o.claimKey).catch(() => undefined);
    return { status: 503, body: errorBody('SWB_ERR_HTTP_UNAVAILABLE', 'Temporarily unavailable; retry later') };
  }
  return { status: 200 };
}

/**
 * Builds the inbound message and runs the pipeline. The pipeline answers failures with the
 * fallback itself; a throw here (from `build` or `process`) is unexpected, so it is logged
 * and answered with `bot.fallbackMessage` rather than leaving the user without a reply.
 */
export async function processWithFallback(ctx: ChannelContext, bot: ResolvedBot, channel: ChannelName, log: FastifyBaseLogger, build: () => InboundMessage): Promise<Pick<OutboundReply, 'content' | 'attachments'>> {
  try {
    return await ctx.process(build());
  } catch (err) {
    log.error({ channel, bot: bot.name, err: err instanceof Error ? err.message : String(err) }, 'message processing failed; sending the fallback message');
    return { content: bot.fallbackMessage, attachments: [] };
  }
}
