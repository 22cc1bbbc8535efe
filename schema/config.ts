/**
 * Zod schemas of the Switchboard YAML documents (`Integration`, `Bot`).
 *
 * This file is the single source of truth for the config format: `integrations.schema.json`
 * is generated from it (`npm run schema`) and the loader validates with it. Keep transforms
 * out of these schemas: `z.toJSONSchema` cannot express them.
 *
 * `schema/` imports nothing from `runtime/`.
 */
import { z } from 'zod';

export const API_VERSION = 'switchboard/v1';

/** Lowercase DNS label (RFC 1123), at most 63 characters. */
export const NAME_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';

/** A duration: a number of seconds, or a string such as `500ms`, `30s`, `2m`. */
export const DURATION_PATTERN = '^[0-9]+(\\.[0-9]+)?(ms|s|m)$';
/** A long duration (rate-limit windows, retention): also hours and days, e.g. `1h`, `7d`. */
export const LONG_DURATION_PATTERN = '^[0-9]+(\\.[0-9]+)?(ms|s|m|h|d)$';

/** Bounds for `timeout` (inclusive), in milliseconds. */
export const TIMEOUT_MIN_MS = 100;
export const TIMEOUT_MAX_MS = 5 * 60 * 1000;
export const TIMEOUT_DEFAULT_MS = 30_000;
export const CONTEXT_WINDOW_DEFAULT = 10;
export const CONTEXT_WINDOW_MAX = 100;
/** Bounds for `rateLimit` (inclusive): messages per window and the window, in milliseconds. */
export const RATE_LIMIT_MESSAGES_MAX = 10_000;
export const RATE_LIMIT_PER_MIN_MS = 1000;
export const RATE_LIMIT_PER_MAX_MS = 31 * 86_400_000;
/** Bounds and default for `historyTtl` (inclusive), in milliseconds. */
export const HISTORY_TTL_MIN_MS = 60_000;
export const HISTORY_TTL_MAX_MS = 365 * 86_400_000;
export const HISTORY_TTL_DEFAULT_MS = 7 * 86_400_000;
/** A command key: `/`, then 1 to 32 lowercase letters, digits, `_` or `-`, starting with a letter or digit. */
export const COMMAND_PATTERN = '^/[a-z0-9][a-z0-9_-]{0,31}$';

export const name = z
  .string()
  .max(63)
  .regex(new RegExp(NAME_PATTERN))
  .describe('Lowercase DNS label (a-z, 0-9, "-"; at most 63 characters), unique per kind across the config tree.');

const duration = z
  .union([
    z.number().positive().describe('Seconds.'),
    z.string().regex(new RegExp(DURATION_PATTERN)).describe('A duration such as "500ms", "30s" or "2m".'),
  ])
  .describe('Per-attempt deadline: a number of seconds or a duration ("500ms", "30s", "2m"); from 100ms to 5m. Default 30s.');

const longDuration = z.union([
  z.number().positive().describe('Seconds.'),
  z.string().regex(new RegExp(LONG_DURATION_PATTERN)).describe('A duration such as "30s", "10m", "1h" or "7d".'),
]);

const rateLimit = z
  .strictObject({
    messages: z.number().int().min(1).max(RATE_LIMIT_MESSAGES_MAX).describe(`At most this many messages per user in any window of "per" (1 to ${RATE_LIMIT_MESSAGES_MAX}).`),
    per: longDuration.describe('The window: seconds or a duration ("30s", "1m", "1h", "1d"); from 1s to 31d.'),
    message: z.string().min(1).describe('Sent on Telegram and Slack, at most once per window, when a user is over the limit (default: a short apology).').optional(),
  })
  .describe('Per-user message limit (bot + platform + user id), counted across replicas with Redis. Commands are not counted.');

const command = z
  .strictObject({
    reply: z.string().min(1).describe('The text the runtime answers with.').optional(),
    action: z.enum(['reset']).describe('reset: clear this conversation\'s history first (the A/B assignment stays).').optional(),
  })
  .describe('What the runtime does for this command; at least one of reply and action.');

const header = z.record(z.string(), z.string()).describe('HTTP headers sent with every request; values may reference env vars as ${VAR}.');

const common = {
  apiVersion: z.literal(API_VERSION).describe(`Always "${API_VERSION}".`),
  name,
};

export const integrationTypes = ['custom', 'openai', 'anthropic', 'echo'] as const;

export const integrationSchema = z
  .strictObject({
    ...common,
    kind: z.literal('Integration').describe('An AI backend reachable over HTTPS.'),
    type: z
      .enum(integrationTypes)
      .default('custom')
      .describe(
        'custom: receives the Switchboard/Chatbot Platform payload; openai: Chat Completions; anthropic: Messages API; echo: built-in, replies with the user text (for testing channels).',
      ),
    url: z.string().describe('The full HTTPS endpoint that is POSTed to. Required except for type echo.').optional(),
    headers: header.optional(),
    timeout: duration.optional(),
    stream: z
      .boolean()
      .describe(
        'true: ask the backend for a streamed reply (custom: "stream": true in the payload and Accept: text/event-stream, application/json; openai/anthropic: their stream protocol). A plain JSON reply still works. Default false.',
      )
      .optional(),
    firstTokenTimeout: duration
      .describe('Streaming: longest wait from sending the request to the first non-empty text delta; same form and range as timeout, at most timeout. Default: timeout.')
      .optional(),
    idleTimeout: duration
      .describe('Streaming: longest gap allowed between two text deltas; same form and range as timeout, at most timeout. Default: timeout.')
      .optional(),
    model: z.string().describe('Model name (openai, anthropic).').optional(),
    maxTokens: z.number().int().positive().describe('Maximum tokens of the reply (openai, anthropic; anthropic defaults to 1024).').optional(),
    temperature: z.number().min(0).max(2).describe('Sampling temperature (openai, anthropic).').optional(),
    signingSecret: z
      .union([z.string(), z.array(z.string()).min(1)])
      .describe(
        'A Standard Webhooks secret ("whsec_" + base64), or a list of them during a rotation; when set, every request carries webhook-id, webhook-timestamp and webhook-signature. Use ${VAR}.',
      )
      .optional(),
  })
  .describe('An Integration: one AI backend.');

const httpChannel = z
  .strictObject({
    token: z.string().describe('Optional bearer token callers must send as "Authorization: Bearer <token>".').optional(),
  })
  .describe('The synchronous HTTP channel, POST /channels/http/<bot>. Enabled when present.');

const telegramChannel = z
  .strictObject({
    token: z.string().describe('Bot token from @BotFather; use ${VAR}.'),
    secretToken: z.string().describe('The secret_token given to setWebhook; checked against X-Telegram-Bot-Api-Secret-Token. Use ${VAR}.'),
    apiUrl: z.string().describe('Bot API base URL (default https://api.telegram.org); calls go to {apiUrl}/bot{token}/{method}.').optional(),
  })
  .describe('Telegram Bot API webhook channel, POST /channels/telegram/<bot>.');

const slackChannel = z
  .strictObject({
    botToken: z.string().describe('Bot user OAuth token (xoxb-...); use ${VAR}.'),
    signingSecret: z.string().describe('The Slack app signing secret; use ${VAR}.'),
    apiUrl: z.string().describe('Web API base URL (default https://slack.com/api); calls go to {apiUrl}/{method}.').optional(),
  })
  .describe('Slack Events API channel, POST /channels/slack/<bot>.');

export const botIntegrationSchema = z
  .strictObject({
    name: name.describe('Name of an Integration document.'),
    weight: z
      .number()
      .int()
      .min(0)
      .default(1)
      .describe('Share of traffic for A/B tests, a non-negative integer (default 1); 0 turns the entry off for selection.'),
    fallback: z
      .boolean()
      .default(false)
      .describe('Tried in order when the picked integration fails (default false).'),
  })
  .describe('One integration the bot may use.');

export const stickinessValues = ['user', 'conversation', 'none'] as const;
export const formatValues = ['markdown', 'plain'] as const;

export const botSchema = z
  .strictObject({
    ...common,
    kind: z.literal('Bot').describe('What a channel talks to.'),
    displayName: z.string().describe('Sent to webhooks as bot.name (default: name).').optional(),
    systemPrompt: z.string().describe('Always first in messages, never pruned.').optional(),
    contextWindow: z
      .number()
      .int()
      .min(0)
      .max(CONTEXT_WINDOW_MAX)
      .default(CONTEXT_WINDOW_DEFAULT)
      .describe(`Number of past messages sent with each request (user and assistant each count one); default ${CONTEXT_WINDOW_DEFAULT}, 0 sends no history.`),
    channels: z
      .strictObject({
        http: httpChannel.optional(),
        telegram: telegramChannel.optional(),
        slack: slackChannel.optional(),
      })
      .describe('Channels the bot is reachable on; a channel is enabled when its key is present.'),
    integrations: z.array(botIntegrationSchema).min(1).describe('Integrations the bot uses, with A/B weights and fallbacks.'),
    stickiness: z
      .enum(stickinessValues)
      .default('user')
      .describe('user (default): a user keeps the integration first picked for them; conversation: per conversation; none: pick per message.'),
    fallbackMessage: z.string().describe('What the user gets when every attempt failed.').optional(),
    rateLimit: rateLimit.optional(),
    commands: z
      .record(z.string(), command)
      .describe('Commands answered by the runtime, never sent to the webhook: "/reset", "/start", ... (lowercase, starting with "/"); Telegram also accepts "/cmd@botusername".')
      .optional(),
    historyTtl: longDuration
      .describe('How long a conversation\'s history is kept after its last message: seconds or a duration ("30m", "12h", "7d"); from 1m to 365d. Default 7d.')
      .optional(),
    format: z
      .enum(formatValues)
      .default('markdown')
      .describe('markdown (default): reply content is CommonMark, rendered per channel (Telegram HTML, Slack mrkdwn; HTTP unchanged); plain: sent as is.'),
  })
  .describe('A Bot: channels, integrations and conversation settings.');

export const documentSchema = z
  .discriminatedUnion('kind', [integrationSchema, botSchema])
  .describe('One Switchboard document (apiVersion switchboard/v1): an Integration or a Bot.');

export type IntegrationDocument = z.output<typeof integrationSchema>;
export type BotDocument = z.output<typeof botSchema>;
export type SwitchboardDocument = z.output<typeof documentSchema>;
export type IntegrationType = (typeof integrationTypes)[number];
export type Stickiness = (typeof stickinessValues)[number];
export type ReplyFormat = (typeof formatValues)[number];
