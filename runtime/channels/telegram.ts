/**
 * The Telegram channel (`POST /channels/telegram/:bot`): a Bot API webhook.
 *
 * 1. `authenticate` compares `X-Telegram-Bot-Api-Secret-Token` with the bot's `secretToken`
 *    in constant time (401 before the body is read).
 * 2. `handle` triages the update without any API call, claims `tg:<bot>:<update_id>` in the
 *    store (a re-delivery is acked and dropped; a store outage answers 503 so Telegram
 *    re-sends), queues the work with `ctx.background` keyed by conversation, and answers 200
 *    at once — a slow webhook never makes Telegram re-send.
 * 3. The background job decides group addressing (getMe, cached), shows `typing`, runs the
 *    pipeline and delivers the reply (`sendMessage`, media by URL). Files the user sent reach
 *    the webhook as signed `/files/...` links; `openFile` streams them from Telegram.
 */
import { safeEqual } from '../core/safe-equal.js';
import type { IncomingHttpHeaders } from 'node:http';
import type { ResolvedBot } from '../config/snapshot.js';
import type { OutboundReply } from '../core/message.js';
import { errorBody, SwitchboardError } from '../core/errors.js';
import { claimAndQueue, processWithFallback } from './ack-then-process.js';
import type { ChannelAdapter, ChannelContext, ChannelFile, ChannelRequest, ChannelResponse } from './channel.js';
import { apiTuning, channelFileOf } from './channel-api.js';
import { botIdFromToken, createTelegramApi, TelegramApiError, type TelegramApi, type TelegramIdentity } from './telegram-api.js';
import { deliverTelegramReply, logTelegramError, startTyping, type TelegramTarget } from './telegram-send.js';
import { isAddressedToBot, isTelegramUpdate, telegramInbound, triageUpdate, type TgMessage } from './telegram-update.js';

export interface TelegramAdapterOptions {
  /** How often `typing` is repeated while the webhook works (default 4000 ms). */
  typingIntervalMs?: number;
  /** Lifetime of an `update_id` claim (default 24 h: Telegram gives up re-sending well before). */
  dedupeTtlSeconds?: number;
  /** 429 handling: retries (default 2) and the longest `retry_after` honoured (default 30 s). */
  maxRetries?: number;
  maxRetryAfterSeconds?: number;
  /** Deadline of one Bot API call (default 30 s). */
  apiTimeoutMs?: number;
  /** How a 429's `retry_after` is waited out (default: a timer); tests inject one to observe it. */
  sleep?: (ms: number) => Promise<void>;
}

type TelegramConfig = NonNullable<ResolvedBot['channels']['telegram']>;

/** Creates the Telegram adapter; `telegramAdapter` is the default instance the registry uses. */
export function createTelegramAdapter(options: TelegramAdapterOptions = {}): ChannelAdapter {
  const typingIntervalMs = options.typingIntervalMs ?? 4000;
  const dedupeTtl = options.dedupeTtlSeconds ?? 24 * 3600;

  const tuning = apiTuning(options);
  const apiFor = (cfg: TelegramConfig, ctx: ChannelContext): TelegramApi => createTelegramApi({ token: cfg.token, apiUrl: cfg.apiUrl, dispatcher: ctx.dispatcher, ...tuning });

  const authenticate = (headers: IncomingHttpHeaders, bot: ResolvedBot): boolean => {
    const expected = bot.channels.telegram?.secretToken;
    const given = headers['x-telegram-bot-api-secret-token'];
    if (!expected || typeof given !== 'string' || given === '') return false;
    return safeEqual(given, expected);
  };

  /** The work done after the ack: addressing, typing, pipeline, delivery. Never throws. */
  const work = async (cfg: TelegramConfig, bot: ResolvedBot, ctx: ChannelContext, request: ChannelRequest, message: TgMessage, conversationId: string, needsIdentity: boolean): Promise<void> => {
    const log = request.log;
    const api = apiFor(cfg, ctx);
    let me: TelegramIdentity | undefined;
    if (needsIdentity || message.chat.type !== 'private') {
      try {
        me = await api.identity();
      } catch (err) {
        logTelegramError(log, api, 'getMe', err);
        const id = botIdFromToken(cfg.token);
        if (id === undefined) return;
        me = { id };
      }
      if (!isAddressedToBot(message, me)) {
        log.debug({ channel: 'telegram', bot: bot.name }, 'group message not addressed to the bot; ignored');
        return;
      }
    }
    const target: TelegramTarget = { chatId: message.chat.id };
    if (message.chat.type !== 'private') target.replyTo = message.message_id;
    if (message.is_topic_message && message.message_thread_id !== undefined) target.threadId = message.message_thread_id;

    const stopTyping = startTyping(api, target, typingIntervalMs, log);
    let reply: Pick<OutboundReply, 'content' | 'attachments'>;
    try {
      reply = await processWithFallback(ctx, bot, 'telegram', log, () =>
        telegramInbound(message, {
          bot: bot.name,
          conversationId,
          requestId: request.requestId,
          ...(me ? { me } : {}),
          sign: (file) => ctx.fileUrl({ channel: 'telegram', bot: bot.name, ...file }),
        }),
      );
    } finally {
      stopTyping();
    }
    await deliverTelegramReply(api, target, reply, log);
  };

  return {
    name: 'telegram',
    authenticate,

    async handle(request: ChannelRequest, bot: ResolvedBot, ctx: ChannelContext): Promise<ChannelResponse> {
      const cfg = bot.channels.telegram;
      if (!cfg) return { status: 404, body: errorBody('SWB_ERR_HTTP_NOT_FOUND', 'Channel telegram is not enabled for this bot') };
      if (!authenticate(request.headers, bot)) return { status: 401, body: errorBody('SWB_ERR_HTTP_UNAUTHORIZED', 'Invalid X-Telegram-Bot-Api-Secret-Token') };
      const update = request.body;
      if (!isTelegramUpdate(update)) return { status: 400, body: errorBody('SWB_ERR_HTTP_BAD_REQUEST', 'The body is not a Telegram update') };

      const triage = triageUpdate(update, botIdFromToken(cfg.token));
      if (triage.kind === 'ignore') {
        request.log.debug({ channel: 'telegram', bot: bot.name, update_id: update.update_id, reason: triage.reason }, 'update ignored');
        return { status: 200 };
      }

      return claimAndQueue({
        request,
        ctx,
        channel: 'telegram',
        bot: bot.name,
        platform: 'Telegram',
        noun: 'update',
        claimKey: `tg:${bot.name}:${triage.updateId}`,
        ttlSeconds: dedupeTtl,
        duplicateFields: { update_id: triage.updateId },
        queueKey: `telegram:${bot.name}:${triage.conversationId}`,
        job: () => work(cfg, bot, ctx, request, triage.message, triage.conversationId, triage.needsIdentity),
      });
    },

    async openFile(bot: ResolvedBot, ref: string, ctx: ChannelContext): Promise<ChannelFile> {
      const cfg = bot.channels.telegram;
      if (!cfg) throw new SwitchboardError('SWB_ERR_FILE_LINK_INVALID', 'Channel telegram is not enabled for this bot');
      const api = apiFor(cfg, ctx);
      let filePath: string | undefined;
      try {
        filePath = (await api.call<{ file_path?: string }>('getFile', { file_id: ref })).file_path;
      } catch (err) {
        logTelegramError(ctx.log, api, 'getFile', err);
        if (err instanceof TelegramApiError && err.errorCode === 400) throw new SwitchboardError('SWB_ERR_FILE_LINK_INVALID', 'The file is no longer available');
        throw err;
      }
      if (!filePath) throw new SwitchboardError('SWB_ERR_FILE_LINK_INVALID', 'The file is no longer available');
      try {
        // Telegram serves most files as application/octet-stream: leave the type (and the
        // name: Telegram's is `file_12.jpg`) to the signed link, which knows better.
        return channelFileOf(await api.download(filePath));
      } catch (err) {
        logTelegramError(ctx.log, api, 'file download', err);
        throw err;
      }
    },
  };
}

/** The Telegram adapter with default options (registered in `runtime/channels/index.ts`). */
export const telegramAdapter: ChannelAdapter = createTelegramAdapter();
