/**
 * Conversation controls: what the runtime answers itself, before routing, so it never
 * reaches a provider. A command (the whole text is one of the bot's `commands`) is answered
 * with its `reply`, after `action: reset` cleared the conversation's history; commands are
 * not counted. Otherwise a bot with `rateLimit` counts the message per user (bot + platform
 * + user id) and, over the limit, answers with the notice (once per window) and
 * `limited.retryAfterSeconds`.
 */
import type { FastifyBaseLogger } from 'fastify';
import { matchCommand } from '../commands/match-command.js';
import type { ResolvedBot } from '../config/snapshot.js';
import { createLogThrottle } from '../core/log-throttle.js';
import { errorMessage } from '../core/error-message.js';
import type { InboundMessage, OutboundReply } from '../core/message.js';
import type { Metrics } from '../metrics/metrics.js';
import { historyKey } from '../pipeline/pipeline.js';
import { failOpen, rateLimitKey, retryAfterSeconds, type RateLimiter } from '../rate-limit/rate-limiter.js';
import type { Store } from '../store/store.js';

export interface ControlOptions {
  /** Telegram: the bot's username, so `/cmd@username` matches. */
  botUsername?: string;
}

export interface ConversationControls {
  /**
   * The runtime's own answer to `message`, resolving to undefined when it goes on to the
   * pipeline. Plain undefined (no promise) when that is known at once — no command matched
   * and the bot has no rate limit, the common case — so the caller holds nothing extra for
   * the whole webhook call.
   */
  answer(bot: ResolvedBot, message: InboundMessage, opts?: ControlOptions): Promise<OutboundReply | undefined> | undefined;
}

export interface ConversationControlsDeps {
  store: Store;
  limiter: RateLimiter;
  metrics: Metrics;
  log: FastifyBaseLogger;
  /** At most one "rate limiting failed open" warning per this many ms (default 30 s). */
  warnEveryMs?: number;
  /** Milliseconds since the epoch (default `Date.now`), for the log throttle. */
  clock?: () => number;
}

/** Creates the controls; the limiter is wrapped so a Redis outage lets messages through. */
export function createConversationControls(deps: ConversationControlsDeps): ConversationControls {
  const { store, metrics, log } = deps;
  const warnings = createLogThrottle({ windowMs: deps.warnEveryMs ?? 30_000, now: deps.clock ?? Date.now });
  const limiter = failOpen(deps.limiter, (err) => {
    metrics.rateLimitErrors.inc();
    warnings.hit('store-unavailable', (suppressed) => log.warn({ err: errorMessage(err), suppressed }, 'rate limit store unavailable: letting messages through unlimited'));
  });

  async function runCommand(bot: ResolvedBot, message: InboundMessage, command: { reply?: string; action?: 'reset' }): Promise<OutboundReply> {
    if (command.action === 'reset') {
      try {
        await store.deleteKey(historyKey(message));
      } catch (err) {
        metrics.storeErrors.inc({ operation: 'reset' });
        log.warn({ requestId: message.requestId, bot: bot.name, err: errorMessage(err) }, 'history store unavailable: the conversation was not reset');
      }
    }
    metrics.messages.inc({ bot: bot.name, channel: message.channel, outcome: 'command' });
    return { content: command.reply ?? '', attachments: [] };
  }

  return {
    answer(bot, message, opts = {}) {
      if (message.text !== undefined && message.attachments.length === 0) {
        const matched = matchCommand(message.text, bot.commands, opts.botUsername !== undefined ? { botUsername: opts.botUsername } : {});
        if (matched) return runCommand(bot, message, matched.command);
      }
      const limit = bot.rateLimit;
      if (!limit) return undefined;
      return rateLimited(bot, message, limit);
    },
  };

  async function rateLimited(bot: ResolvedBot, message: InboundMessage, limit: NonNullable<ResolvedBot['rateLimit']>): Promise<OutboundReply | undefined> {
    const key = rateLimitKey({ bot: bot.name, platform: message.channel, userId: message.user.id });
    const decision = await limiter.consume(key, limit.messages, limit.perMs);
    if (decision.allowed) return undefined;
    metrics.messages.inc({ bot: bot.name, channel: message.channel, outcome: 'rate_limited' });
    log.info({ requestId: message.requestId, bot: bot.name, channel: message.channel, retryAfterMs: decision.retryAfterMs, notice: decision.firstRejectionInWindow }, 'rate limited: the webhook was not called');
    return {
      content: decision.firstRejectionInWindow ? limit.message : '',
      attachments: [],
      limited: { retryAfterSeconds: retryAfterSeconds(decision.retryAfterMs) },
    };
  }
}
