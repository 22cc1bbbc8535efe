/**
 * The Telegram channel (`POST /channels/telegram/:bot`): a Bot API webhook.
 *
 * 1. `authenticate` compares `X-Telegram-Bot-Api-Secret-Token` with the bot's `secretToken`
 *    in constant time (401 before the body is read).
 * 2. `triage` parses the update without any API call and describes the job: the claim
 *    `tg:<bot>:<update_id>` (the server's gate drops a re-delivery and answers 503 on a
 *    store outage so Telegram re-sends) and the conversation it queues under.
 * 3. `run`, after the ack, decides group addressing (getMe, cached), shows `typing`, runs the
 *    pipeline and delivers the reply (`sendMessage`, media by URL). Files the user sent reach
 *    the webhook as signed `/files/...` links; `openFile` streams them from Telegram.
 */
import { safeEqual } from '../core/safe-equal.js';
import type { IncomingHttpHeaders } from 'node:http';
import type { ResolvedBot } from '../config/snapshot.js';
import { errorResponse, SwitchboardError } from '../core/errors.js';
import type { ChannelAdapter, ChannelFile, ChannelJob, ChannelRequest, JobContext, Triage } from './channel.js';
import { processWithFallback } from './process-with-fallback.js';
import { apiTuning, channelFileOf } from './channel-api.js';
import { botIdFromToken, createTelegramApi, TelegramApiError, type TelegramApi, type TelegramIdentity } from './telegram-api.js';
import { logTelegramError, startTyping, type TelegramTarget } from './telegram-send.js';
import { deliverTelegramStream } from './telegram-stream.js';
import { isAddressedToBot, isTelegramUpdate, telegramInbound, triageUpdate, type TgMessage } from './telegram-update.js';

export interface TelegramAdapterOptions {
  /** How often `typing` is repeated while the webhook works (default 4000 ms). */
  typingIntervalMs?: number;
  /** Shortest gap between two `sendMessageDraft` calls of one streamed reply (default 500 ms). */
  draftIntervalMs?: number;
  /** Shortest gap between two `editMessageText` calls of one streamed reply in a group (default 1000 ms). */
  editIntervalMs?: number;
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

/** What triage hands to the job (plain data): the message and what addressing needs. */
export interface TelegramPayload {
  message: TgMessage;
  conversationId: string;
  needsIdentity: boolean;
}

/** Creates the Telegram adapter; `telegramAdapter` is the default instance the registry uses. */
export function createTelegramAdapter(options: TelegramAdapterOptions = {}): ChannelAdapter<TelegramPayload> {
  const typingIntervalMs = options.typingIntervalMs ?? 4000;
  const dedupeTtl = options.dedupeTtlSeconds ?? 24 * 3600;

  const tuning = apiTuning(options);
  const apiFor = (cfg: TelegramConfig, ctx: Pick<JobContext, 'dispatcher'>): TelegramApi => createTelegramApi({ token: cfg.token, apiUrl: cfg.apiUrl, dispatcher: ctx.dispatcher, ...tuning });
  // Drafts and edits of a live reply: a 429 pushes the next one back instead of blocking in a retry.
  const liveApiFor = (cfg: TelegramConfig, ctx: Pick<JobContext, 'dispatcher'>): TelegramApi => createTelegramApi({ token: cfg.token, apiUrl: cfg.apiUrl, dispatcher: ctx.dispatcher, ...tuning, maxRetries: 0 });
  const draftIntervalMs = options.draftIntervalMs ?? 500;
  const editIntervalMs = options.editIntervalMs ?? 1000;

  const authenticate = (headers: IncomingHttpHeaders, bot: ResolvedBot): boolean => {
    const expected = bot.channels.telegram?.secretToken;
    const given = headers['x-telegram-bot-api-secret-token'];
    if (!expected || typeof given !== 'string' || given === '') return false;
    return safeEqual(given, expected);
  };

    /** The work done after the ack: addressing, typing, pipeline, delivery. Never throws. */
  const run = async (job: ChannelJob<TelegramPayload>, bot: ResolvedBot, ctx: JobContext): Promise<undefined> => {
    const { message, conversationId, needsIdentity } = job.payload;
    const cfg = bot.channels.telegram as TelegramConfig;
    const log = ctx.log;
    const api = apiFor(cfg, ctx);
    let me: TelegramIdentity | undefined;
    // `/cmd@username` in a private chat: the username decides whether it is this bot's command.
    const namedCommand = bot.commands.size > 0 && /^\s*\/[^\s@]+@\S+\s*$/.test(message.text ?? '');
    if (needsIdentity || namedCommand || message.chat.type !== 'private') {
      try {
        me = await api.identity();
      } catch (err) {
        logTelegramError(log, api, 'getMe', err);
        const id = botIdFromToken(cfg.token);
        if (id === undefined) return undefined;
        me = { id };
      }
      if (!isAddressedToBot(message, me)) {
        log.debug({ channel: 'telegram', bot: bot.name }, 'group message not addressed to the bot; ignored');
        return undefined;
      }
    }
    const target: TelegramTarget = { chatId: message.chat.id };
    if (message.chat.type !== 'private') target.replyTo = message.message_id;
    if (message.is_topic_message && message.message_thread_id !== undefined) target.threadId = message.message_thread_id;

    // Typing starts once the message goes to the webhook: a command or a rate-limited message
    // is answered at once (or not at all) and shows none; it stops once text is shown.
    let stopTyping = (): void => undefined;
    const onForward = (): void => {
      stopTyping = startTyping(api, target, typingIntervalMs, log);
    };
    try {
      const stream = processWithFallback(
        ctx,
        bot,
        'telegram',
        log,
        () =>
          telegramInbound(message, {
            bot: bot.name,
            conversationId,
            requestId: job.requestId,
            ...(me ? { me } : {}),
            sign: (file) => ctx.fileUrl({ channel: 'telegram', bot: bot.name, ...file }),
          }),
        me?.username !== undefined ? { botUsername: me.username, onForward, live: true } : { onForward, live: true },
      );
      const live = liveApiFor(cfg, ctx);
      await deliverTelegramStream(api, live, target, stream, { private: message.chat.type === 'private', draftIntervalMs, editIntervalMs, format: bot.format, onText: () => stopTyping() }, log);
    } finally {
      stopTyping();
    }
    return undefined;
  };

  return {
    name: 'telegram',
    mode: 'ack',
    platform: 'Telegram',
    noun: 'update',
    authenticate,
    run,

    triage(request: ChannelRequest, bot: ResolvedBot): Triage<TelegramPayload> {
      const cfg = bot.channels.telegram as TelegramConfig;
      const update = request.body;
      if (!isTelegramUpdate(update)) return { kind: 'answer', response: errorResponse('SWB_ERR_HTTP_BAD_REQUEST', 'The body is not a Telegram update') };
      const triage = triageUpdate(update, botIdFromToken(cfg.token));
      if (triage.kind === 'ignore') {
        request.log.debug({ channel: 'telegram', bot: bot.name, update_id: update.update_id, reason: triage.reason }, 'update ignored');
        return { kind: 'answer', response: { status: 200 } };
      }
      return {
        kind: 'job',
        job: {
          channel: 'telegram',
          bot: bot.name,
          requestId: request.requestId,
          conversationKey: `telegram:${bot.name}:${triage.conversationId}`,
          claim: { key: `tg:${bot.name}:${triage.updateId}`, ttlSeconds: dedupeTtl, logFields: { update_id: triage.updateId } },
          payload: { message: triage.message, conversationId: triage.conversationId, needsIdentity: triage.needsIdentity },
        },
      };
    },

    async openFile(bot: ResolvedBot, ref: string, ctx: JobContext): Promise<ChannelFile> {
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
export const telegramAdapter: ChannelAdapter<TelegramPayload> = createTelegramAdapter();
