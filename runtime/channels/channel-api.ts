/**
 * Building blocks the Telegram and Slack Web API clients share: the option defaults, the
 * 429 retry loop, the per-token identity cache, token redaction and the shape of a download.
 * Each client keeps what differs (URLs, auth, answer parsing, error classes) to itself.
 */
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { maskSecrets } from '../core/redact.js';
import type { ChannelFile } from './channel.js';

/** Tuning an adapter passes through to its API client (each unset member keeps the client default). */
export interface ApiTuning {
  /** Retries after a 429 (client default 2). */
  maxRetries?: number;
  /** A 429 asking to wait longer than this is not retried (client default 30 s). */
  maxRetryAfterSeconds?: number;
  /** Deadline of one call, in ms (client default 30 s). */
  timeoutMs?: number;
  /** How a 429's wait is spent (default: a timer); injectable so tests observe the wait without spending it. */
  sleep?: (ms: number) => Promise<void>;
}

/** The client settings after defaults: base URL without trailing slash, retry policy, deadline. */
export interface ApiSettings {
  base: string;
  maxRetries: number;
  maxRetryAfterSeconds: number;
  timeoutMs: number;
  sleep?: (ms: number) => Promise<void>;
}

/** Applies the defaults both clients use (2 retries, 30 s cap, 30 s deadline) and trims `apiUrl`. */
export function apiSettings(apiUrl: string, tuning: ApiTuning): ApiSettings {
  const settings: ApiSettings = {
    base: apiUrl.replace(/\/+$/, ''),
    maxRetries: tuning.maxRetries ?? 2,
    maxRetryAfterSeconds: tuning.maxRetryAfterSeconds ?? 30,
    timeoutMs: tuning.timeoutMs ?? 30_000,
  };
  if (tuning.sleep) settings.sleep = tuning.sleep;
  return settings;
}

/**
 * Copies the adapter's optional `maxRetries` / `maxRetryAfterSeconds` / `apiTimeoutMs` into
 * client options, leaving unset ones out (strict optional types forbid `undefined` members).
 */
export function apiTuning(options: { maxRetries?: number; maxRetryAfterSeconds?: number; apiTimeoutMs?: number; sleep?: (ms: number) => Promise<void> }): ApiTuning {
  const tuning: ApiTuning = {};
  if (options.sleep) tuning.sleep = options.sleep;
  if (options.maxRetries !== undefined) tuning.maxRetries = options.maxRetries;
  if (options.maxRetryAfterSeconds !== undefined) tuning.maxRetryAfterSeconds = options.maxRetryAfterSeconds;
  if (options.apiTimeoutMs !== undefined) tuning.timeoutMs = options.apiTimeoutMs;
  return tuning;
}

/** The default wait: a plain global timer (which fake clocks in tests can drive too). */
const timerSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface RateLimitPolicy {
  maxRetries: number;
  maxRetryAfterSeconds: number;
  /** Seconds the API asked to wait when `err` is a rate-limit answer; undefined for any other error. */
  retryAfterOf(err: unknown): number | undefined;
  /** Spends the wait (default: a timer). */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Runs `callOnce`, and again after the requested wait while it fails with a rate-limit answer,
 * at most `maxRetries` more times. A wait longer than `maxRetryAfterSeconds` is not honoured:
 * that error is thrown at once (a webhook job should not sleep for minutes).
 */
export async function retryRateLimited<T>(callOnce: () => Promise<T>, policy: RateLimitPolicy): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await callOnce();
    } catch (err) {
      const wait = policy.retryAfterOf(err);
      if (wait === undefined || attempt >= policy.maxRetries || wait > policy.maxRetryAfterSeconds) throw err;
      await (policy.sleep ?? timerSleep)(Math.max(0, wait) * 1000);
    }
  }
}

/**
 * The promise cached under `key`, or `load()` cached there. A rejected promise is removed, so
 * a failure (network, bad token) is retried by the next caller instead of cached for good.
 */
export function memoizeUntilRejected<T>(cache: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  let cached = cache.get(key);
  if (!cached) {
    cached = load();
    cache.set(key, cached);
    cached.catch(() => cache.delete(key));
  }
  return cached;
}

/** A function replacing every occurrence of `token` with `[REDACTED]` (for logs and errors). */
export function tokenRedactor(token: string): (text: string) => string {
  return (text) => maskSecrets(text, [token]);
}

/** A file body streamed from a channel API, with the type and size its headers gave. */
export interface ApiDownload {
  body: Readable;
  contentType?: string;
  size?: number;
}

/** The body of a successful download response, with `content-type` and a valid `content-length`. */
export function downloadOf(res: Dispatcher.ResponseData): ApiDownload {
  const out: ApiDownload = { body: res.body };
  const type = res.headers['content-type'];
  if (typeof type === 'string') out.contentType = type;
  const length = Number(res.headers['content-length']);
  if (Number.isSafeInteger(length) && length >= 0) out.size = length;
  return out;
}

/**
 * A download as the `/files` route serves it. `application/octet-stream` is dropped: both
 * APIs use it for files of any type, and the signed link knows the real type better.
 */
export function channelFileOf(file: ApiDownload): ChannelFile {
  const out: ChannelFile = { body: file.body };
  if (file.contentType && !file.contentType.startsWith('application/octet-stream')) out.contentType = file.contentType;
  if (file.size !== undefined) out.size = file.size;
  return out;
}
