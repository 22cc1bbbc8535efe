/**
 * The Slack channel (`POST /channels/slack/:bot`): the Events API.
 *
 * 1. `authenticate` checks the signature headers' presence, format and freshness (401 before
 *    the body is read); `triage` verifies the `v0` HMAC of the raw body (401 on mismatch).
 * 2. `url_verification` is answered with its challenge. An `event_callback` for a DM message
 *    or an `app_mention` becomes a job claimed under `slack:<bot>:<event_id>` (the server's
 *    gate claims only when it is about to queue, so a retry whose first delivery never
 *    started is still processed once, and answers 503 on a store outage so Slack re-sends);
 *    everything else that is not for the bot is acked and dropped.
 * 3. `run`, after the ack, runs the pipeline and posts the reply in the message's thread.
 *    Files reach the webhook as signed `/files/...` links; `openFile` fetches `url_private`
 *    with the bot token.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { ResolvedBot } from '../config/snapshot.js';
import { errorResponse, SwitchboardError } from '../core/errors.js';
import type { ChannelAdapter, ChannelFile, ChannelJob, ChannelRequest, ChannelResponse, JobContext, Triage } from './channel.js';
import { processWithFallback } from './process-with-fallback.js';
import { apiTuning, channelFileOf } from './channel-api.js';
import { createSlackApi, SlackApiError, type SlackApi } from './slack-api.js';
import { slackInbound, triageSlackEvent, type SlackMessageEvent } from './slack-event.js';
import { logSlackError } from './slack-send.js';
import { deliverSlackStream, type SlackStreamTarget } from './slack-stream.js';
import { checkSlackHeaders, slackVerifyMessages, verifySlackSignature } from './slack-verify.js';

export interface SlackAdapterOptions {
  /** Lifetime of an `event_id` claim (default 24 h; Slack retries within minutes). */
  dedupeTtlSeconds?: number;
  /** 429 handling: retries (default 2) and the longest `Retry-After` honoured (default 30 s). */
  maxRetries?: number;
  maxRetryAfterSeconds?: number;
  /** Deadline of one Web API call (default 30 s). */
  apiTimeoutMs?: number;
  /** Shortest gap between two `chat.appendStream` (or `chat.update`) calls of one streamed reply (default 1000 ms). */
  streamIntervalMs?: number;
  /** Clock in ms for the signature's freshness check (default `Date.now`). */
  now?: () => number;
}

type SlackConfig = NonNullable<ResolvedBot['channels']['slack']>;

/** What triage hands to the job (plain data): the event and who the bot is, when the envelope said. */
export interface SlackPayload {
  event: SlackMessageEvent;
  conversationId: string;
  selfUserId?: string;
  /** The envelope's `team_id` (a stream's `recipient_team_id` when the event has no `team`). */
  teamId?: string;
}

const answer = (response: ChannelResponse): Triage<SlackPayload> => ({ kind: 'answer', response });

/** Creates the Slack adapter; `slackAdapter` is the default instance the registry uses. */
export function createSlackAdapter(options: SlackAdapterOptions = {}): ChannelAdapter<SlackPayload> {
  const dedupeTtl = options.dedupeTtlSeconds ?? 24 * 3600;
  const now = options.now ?? Date.now;

  const tuning = apiTuning(options);
  const apiFor = (cfg: SlackConfig, ctx: Pick<JobContext, 'dispatcher'>): SlackApi => createSlackApi({ botToken: cfg.botToken, apiUrl: cfg.apiUrl, dispatcher: ctx.dispatcher, ...tuning });
  // Appends and updates of a live reply: a 429 pushes the next one back instead of blocking in a retry.
  const liveApiFor = (cfg: SlackConfig, ctx: Pick<JobContext, 'dispatcher'>): SlackApi => createSlackApi({ botToken: cfg.botToken, apiUrl: cfg.apiUrl, dispatcher: ctx.dispatcher, ...tuning, maxRetries: 0 });
  const streamIntervalMs = options.streamIntervalMs ?? 1000;

  /** The work done after the ack: self check, pipeline, delivery. Never throws. */
  const run = async (job: ChannelJob<SlackPayload>, bot: ResolvedBot, ctx: JobContext): Promise<undefined> => {
    const { event, conversationId, selfUserId: selfFromEnvelope } = job.payload;
    const cfg = bot.channels.slack as SlackConfig;
    const log = ctx.log;
    const api = apiFor(cfg, ctx);
    let selfUserId = selfFromEnvelope;
    if (selfUserId === undefined) {
      try {
        selfUserId = (await api.identity()).userId;
      } catch (err) {
        logSlackError(log, api, 'auth.test', err);
      }
    }
    if (selfUserId !== undefined && event.user === selfUserId) {
      log.debug({ channel: 'slack', bot: bot.name }, 'own message ignored');
      return undefined;
    }
    const stream = processWithFallback(
      ctx,
      bot,
      'slack',
      log,
      () =>
        slackInbound(event, {
          bot: bot.name,
          conversationId,
          requestId: job.requestId,
          ...(selfUserId !== undefined ? { selfUserId } : {}),
          sign: (file) => ctx.fileUrl({ channel: 'slack', bot: bot.name, ...file }),
        }),
      { live: true },
    );
    const target: SlackStreamTarget = { channel: event.channel, threadTs: event.thread_ts ?? event.ts, recipientUserId: event.user };
    const teamId = event.team ?? job.payload.teamId;
    if (teamId !== undefined) target.recipientTeamId = teamId;
    await deliverSlackStream(api, liveApiFor(cfg, ctx), target, stream, { intervalMs: streamIntervalMs, format: bot.format }, log);
    return undefined;
  };

  return {
    name: 'slack',
    mode: 'ack',
    platform: 'Slack',
    noun: 'event',
    run,

    authenticate(headers: IncomingHttpHeaders, bot: ResolvedBot): boolean {
      if (!bot.channels.slack?.signingSecret) return false;
      return checkSlackHeaders({ timestamp: headers['x-slack-request-timestamp'], signature: headers['x-slack-signature'], nowMs: now() }) === null;
    },

    triage(request: ChannelRequest, bot: ResolvedBot): Triage<SlackPayload> {
      const cfg = bot.channels.slack as SlackConfig;
      const verdict = verifySlackSignature({
        signingSecret: cfg.signingSecret,
        timestamp: request.headers['x-slack-request-timestamp'],
        signature: request.headers['x-slack-signature'],
        rawBody: request.rawBody,
        nowMs: now(),
      });
      if (!verdict.ok) {
        request.log.info({ channel: 'slack', bot: bot.name, reason: verdict.reason }, 'Slack signature rejected');
        return answer(errorResponse('SWB_ERR_HTTP_UNAUTHORIZED', slackVerifyMessages[verdict.reason]));
      }
      const body = request.body;
      if (typeof body !== 'object' || body === null || Array.isArray(body)) return answer(errorResponse('SWB_ERR_HTTP_BAD_REQUEST', 'The body is not a Slack event'));
      const envelope = body as Record<string, unknown>;

      if (envelope.type === 'url_verification') {
        if (typeof envelope.challenge !== 'string') return answer(errorResponse('SWB_ERR_HTTP_BAD_REQUEST', 'url_verification without challenge'));
        return answer({ status: 200, body: { challenge: envelope.challenge } });
      }
      if (envelope.type !== 'event_callback') {
        request.log.debug({ channel: 'slack', bot: bot.name, type: String(envelope.type) }, 'Slack request ignored');
        return answer({ status: 200 });
      }

      const triage = triageSlackEvent(envelope);
      if (triage.kind === 'ignore') {
        request.log.debug({ channel: 'slack', bot: bot.name, event_id: envelope.event_id, reason: triage.reason }, 'event ignored');
        return answer({ status: 200 });
      }
      const payload: SlackPayload = { event: triage.event, conversationId: triage.conversationId };
      if (triage.selfUserId !== undefined) payload.selfUserId = triage.selfUserId;
      if (typeof envelope.team_id === 'string') payload.teamId = envelope.team_id;
      return {
        kind: 'job',
        job: {
          channel: 'slack',
          bot: bot.name,
          requestId: request.requestId,
          conversationKey: `slack:${bot.name}:${triage.conversationId}`,
          claim: { key: `slack:${bot.name}:${triage.eventId}`, ttlSeconds: dedupeTtl, logFields: { event_id: triage.eventId, retry: request.headers['x-slack-retry-num'] } },
          payload,
        },
      };
    },

    async openFile(bot: ResolvedBot, ref: string, ctx: JobContext): Promise<ChannelFile> {
      const cfg = bot.channels.slack;
      if (!cfg) throw new SwitchboardError('SWB_ERR_FILE_LINK_INVALID', 'Channel slack is not enabled for this bot');
      const api = apiFor(cfg, ctx);
      let url = ref;
      try {
        if (ref.startsWith('id:')) {
          const info = await api.call<{ file?: { url_private?: string; url_private_download?: string } }>('files.info', { file: ref.slice(3) }, { form: true });
          const found = info.file?.url_private ?? info.file?.url_private_download;
          if (!found) throw new SwitchboardError('SWB_ERR_FILE_LINK_INVALID', 'The file is no longer available');
          url = found;
        }
        return channelFileOf(await api.download(url));
      } catch (err) {
        if (err instanceof SlackApiError) {
          logSlackError(ctx.log, api, err.method, err);
          if (err.error === 'file_not_found' || err.error === 'file_deleted' || err.httpStatus === 404) throw new SwitchboardError('SWB_ERR_FILE_LINK_INVALID', 'The file is no longer available');
        }
        throw err;
      }
    },
  };
}

/** The Slack adapter with default options (registered in `runtime/channels/index.ts`). */
export const slackAdapter: ChannelAdapter<SlackPayload> = createSlackAdapter();
