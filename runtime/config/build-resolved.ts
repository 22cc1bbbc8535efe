/**
 * Builds the frozen runtime view of one valid document: defaults applied (timeout → timeoutMs,
 * firstTokenTimeout/idleTimeout → their ms, defaulting to timeoutMs,
 * displayName → name, fallbackMessage, channel apiUrl) and everything derived once per snapshot.
 */
import { HISTORY_TTL_DEFAULT_MS, TIMEOUT_DEFAULT_MS, type BotDocument, type IntegrationDocument } from '../../schema/config.js';
import { durationToMs } from './duration.js';
import { frozenMap } from './frozen-map.js';
import {
  DEFAULT_FALLBACK_MESSAGE,
  DEFAULT_RATE_LIMIT_MESSAGE,
  type ResolvedBot,
  type ResolvedCommand,
  type ResolvedIntegration,
  type ResolvedRateLimit,
  type SourceLocation,
} from './snapshot.js';

/** Default Telegram Bot API base URL. */
export const TELEGRAM_API_URL = 'https://api.telegram.org';
/** Default Slack Web API base URL. */
export const SLACK_API_URL = 'https://slack.com/api';

/** `apiUrl` without trailing slashes, so `{apiUrl}/{method}` never doubles them. */
function baseUrl(url: string | undefined, fallback: string): string {
  return (url ?? fallback).replace(/\/+$/, '');
}

/** The resolved form of a schema-valid `Integration` document. */
export function buildIntegration(doc: IntegrationDocument, source: SourceLocation): ResolvedIntegration {
  const secrets = doc.signingSecret === undefined ? [] : typeof doc.signingSecret === 'string' ? [doc.signingSecret] : [...doc.signingSecret];
  const timeoutMs = Math.round(durationToMs(doc.timeout) ?? TIMEOUT_DEFAULT_MS);
  const out: ResolvedIntegration = {
    name: doc.name,
    type: doc.type,
    headers: Object.freeze({ ...(doc.headers ?? {}) }),
    timeoutMs,
    stream: doc.stream === true,
    firstTokenTimeoutMs: Math.round(durationToMs(doc.firstTokenTimeout) ?? timeoutMs),
    idleTimeoutMs: Math.round(durationToMs(doc.idleTimeout) ?? timeoutMs),
    signingSecrets: Object.freeze(secrets),
    source: Object.freeze({ ...source }),
  };
  if (doc.url !== undefined) out.url = doc.url;
  if (doc.model !== undefined) out.model = doc.model;
  if (doc.maxTokens !== undefined) out.maxTokens = doc.maxTokens;
  if (doc.temperature !== undefined) out.temperature = doc.temperature;
  return Object.freeze(out);
}

/** The resolved form of a schema-valid `Bot` document. */
export function buildBot(doc: BotDocument, source: SourceLocation): ResolvedBot {
  const channels: ResolvedBot['channels'] = {};
  const { http, telegram, slack } = doc.channels;
  if (http) channels.http = Object.freeze(http.token !== undefined ? { token: http.token } : {});
  if (telegram) {
    channels.telegram = Object.freeze({
      token: telegram.token,
      secretToken: telegram.secretToken,
      apiUrl: baseUrl(telegram.apiUrl, TELEGRAM_API_URL),
    });
  }
  if (slack) {
    channels.slack = Object.freeze({
      botToken: slack.botToken,
      signingSecret: slack.signingSecret,
      apiUrl: baseUrl(slack.apiUrl, SLACK_API_URL),
    });
  }
  const out: ResolvedBot = {
    name: doc.name,
    displayName: doc.displayName ?? doc.name,
    contextWindow: doc.contextWindow,
    channels: Object.freeze(channels),
    integrations: Object.freeze(doc.integrations.map((e) => Object.freeze({ name: e.name, weight: e.weight, fallback: e.fallback }))),
    stickiness: doc.stickiness,
    fallbackMessage: doc.fallbackMessage ?? DEFAULT_FALLBACK_MESSAGE,
    commands: buildCommands(doc.commands),
    historyTtlMs: Math.round(durationToMs(doc.historyTtl, 'long') ?? HISTORY_TTL_DEFAULT_MS),
    format: doc.format,
    source: Object.freeze({ ...source }),
  };
  if (doc.systemPrompt !== undefined) out.systemPrompt = doc.systemPrompt;
  if (doc.rateLimit) out.rateLimit = buildRateLimit(doc.rateLimit);
  return Object.freeze(out);
}

function buildRateLimit(doc: NonNullable<BotDocument['rateLimit']>): ResolvedRateLimit {
  return Object.freeze({
    messages: doc.messages,
    perMs: Math.round(durationToMs(doc.per, 'long') ?? 0),
    message: doc.message ?? DEFAULT_RATE_LIMIT_MESSAGE,
  });
}

function buildCommands(doc: BotDocument['commands']): ReadonlyMap<string, ResolvedCommand> {
  const entries = Object.entries(doc ?? {}).map(([name, rule]): [string, ResolvedCommand] => {
    const c: ResolvedCommand = {};
    if (rule.reply !== undefined) c.reply = rule.reply;
    if (rule.action !== undefined) c.action = rule.action;
    return [name, Object.freeze(c)];
  });
  return frozenMap(entries);
}
