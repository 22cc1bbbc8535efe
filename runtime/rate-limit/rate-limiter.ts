/**
 * Per-user rate limiting: one interface, two implementations (memory for one process, Redis
 * for replicas sharing a limit), both a sliding window log.
 *
 * Why a sliding log and not GCRA or fixed windows: the configured promise is "at most N
 * messages in any window of `per`". A log of accepted timestamps is the only one of the three
 * that keeps it exactly (a fixed window lets 2N through around a boundary; GCRA spreads the
 * quota evenly and, after a burst, admits one message every per/N, so any window can hold up
 * to ~2N). Its cost is N timestamps per active user, bounded by `messages` (at most 10,000)
 * and gone one window after the user's last message.
 *
 * Rejected messages are not logged: a user who keeps sending while blocked is not blocked
 * for longer.
 */

import { createHash } from 'node:crypto';

/** What a limiter answers for one message. */
export interface RateLimitDecision {
  /** True when the message fits in the window (and was counted). */
  allowed: boolean;
  /** When rejected: milliseconds until one more message would fit (≥ 1). 0 when allowed. */
  retryAfterMs: number;
  /**
   * True on a rejection when no rejection was flagged in the last window: the moment for
   * Telegram and Slack to send the notice, so it goes out at most once per window even
   * across replicas.
   */
  firstRejectionInWindow: boolean;
  /** Messages still allowed in the window after this one (0 when rejected). */
  remaining: number;
  /** True when the limiter could not decide (Redis unreachable) and let the message pass. */
  failedOpen?: boolean;
}

/** Counts messages per key in a sliding window. */
export interface RateLimiter {
  /**
   * Counts one message for `key` if fewer than `limit` were counted in the last `windowMs`
   * (the window is `(now - windowMs, now]`). `now` defaults to the limiter's clock; pass it
   * only in tests. The Redis implementation throws a `SwitchboardError`
   * (`SWB_ERR_STORE_UNAVAILABLE`) when Redis cannot answer; wrap it with {@link failOpen}.
   */
  consume(key: string, limit: number, windowMs: number, now?: number): Promise<RateLimitDecision>;
  /** Forgets everything counted for `key` (user erasure). */
  reset(key: string): Promise<void>;
}

/** A user's identity for rate limiting: bot + platform + user id. */
export interface RateLimitSubject {
  bot: string;
  platform: 'http' | 'telegram' | 'slack';
  userId: string;
}

/**
 * The limiter key of one user, relative to the Redis key prefix (so `swb:{rl:support:telegram:42}`
 * in Redis). The braces are a Redis Cluster hash tag; each call touches only this one key,
 * so the script is cluster-safe either way. Bot names and platforms contain no `:`, so the
 * user id (which may) cannot make two users collide. Ids longer than 200 characters are
 * replaced by `#` + their sha256.
 */
export function rateLimitKey(subject: RateLimitSubject): string {
  // Like the assignment keys: a very long id is replaced by its digest to bound key size.
  const id = subject.userId.length > MAX_KEY_ID_LENGTH ? `#${createHash('sha256').update(subject.userId).digest('hex')}` : subject.userId;
  return `{rl:${subject.bot}:${subject.platform}:${id}}`;
}

const MAX_KEY_ID_LENGTH = 200;

/** The `Retry-After` header value for a rejection: whole seconds, at least 1. */
export function retryAfterSeconds(retryAfterMs: number): number {
  return Math.max(1, Math.ceil(retryAfterMs / 1000));
}

/**
 * A limiter that lets every message pass when `inner` fails, reporting the error to
 * `onError` (log it, count it): an outage of the counting store must not block users.
 */
export function failOpen(inner: RateLimiter, onError: (err: unknown, key: string) => void): RateLimiter {
  return {
    async consume(key, limit, windowMs, now) {
      try {
        return await inner.consume(key, limit, windowMs, now);
      } catch (err) {
        onError(err, key);
        return { allowed: true, retryAfterMs: 0, firstRejectionInWindow: false, remaining: 0, failedOpen: true };
      }
    },
    reset: (key) => inner.reset(key),
  };
}
