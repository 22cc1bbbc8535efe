/**
 * The Redis rate limiter: a sliding window log in one sorted set per user (score = time of an
 * accepted message), checked and updated by one Lua script, so concurrent messages on any
 * number of replicas are counted exactly. The script is registered with ioredis
 * `defineCommand`, which sends EVALSHA and falls back to EVAL on NOSCRIPT (a restarted or
 * failed-over Redis), per node on a cluster. Each call touches one key, so it is
 * cluster-safe.
 *
 * The flagged rejection ("send the notice now") is the member `notice` of the same set,
 * scored with its time: it leaves the window exactly like an accepted message does, so the
 * notice goes out at most once per window. The key expires one window after its newest
 * entry.
 *
 * Times come from the calling replica's clock (injectable for tests); NTP-level skew between
 * replicas shifts a window edge by that much and nothing else.
 */
import { randomBytes } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { SwitchboardError } from '../core/errors.js';
import type { RateLimitDecision, RateLimiter } from './rate-limiter.js';

/**
 * KEYS[1] the user's log. ARGV: now, cutoff (now - window; entries at or before it have
 * left the window), limit, a unique member for this message, window in ms.
 * Returns {allowed 0|1, retryAfterMs, firstRejection 0|1, remaining}.
 */
export const RATE_LIMIT_LUA = `
local key = KEYS[1]
local now = tonumber(ARGV[1])
local limit = tonumber(ARGV[3])
local window = tonumber(ARGV[5])
redis.call('ZREMRANGEBYSCORE', key, '-inf', ARGV[2])
local count = redis.call('ZCARD', key)
local noticed = redis.call('ZSCORE', key, 'notice')
if noticed then count = count - 1 end
if count < limit then
  redis.call('ZADD', key, ARGV[1], ARGV[4])
  redis.call('PEXPIRE', key, window)
  return {1, 0, 0, limit - count - 1}
end
local need = count - limit
local entries = redis.call('ZRANGE', key, 0, need + 1, 'WITHSCORES')
local seen = 0
local at = now
for i = 1, #entries, 2 do
  if entries[i] ~= 'notice' then
    if seen == need then
      at = tonumber(entries[i + 1])
      break
    end
    seen = seen + 1
  end
end
local retry = at + window - now
if retry < 1 then retry = 1 end
local first = 0
if not noticed then
  redis.call('ZADD', key, ARGV[1], 'notice')
  redis.call('PEXPIRE', key, window)
  first = 1
end
return {0, retry, first, 0}
`;

export interface RedisRateLimiterOptions {
  /** Milliseconds since the epoch (default `Date.now`); inject one in tests. */
  clock?: () => number;
}

type Scripted = { swbRateLimit(key: string, now: string, cutoff: string, limit: string, member: string, windowMs: string): Promise<number[]> };

/**
 * A rate limiter on an existing ioredis client or cluster (its `keyPrefix` applies, so keys
 * are `swb:{rl:…}` with the default prefix). The client's own settings decide timeouts and
 * queueing; any failure is thrown as `SWB_ERR_STORE_UNAVAILABLE` for the caller to fail open.
 */
export function createRedisRateLimiter(redis: Redis | Cluster, opts: RedisRateLimiterOptions = {}): RateLimiter {
  const clock = opts.clock ?? Date.now;
  if (!('swbRateLimit' in redis)) redis.defineCommand('swbRateLimit', { numberOfKeys: 1, lua: RATE_LIMIT_LUA });
  const scripted = redis as unknown as Scripted;
  // Members must be unique per accepted message, across replicas and within one millisecond.
  const origin = randomBytes(6).toString('base64url');
  let seq = 0;

  const fail = (err: unknown): SwitchboardError => {
    const message = err instanceof Error ? err.message : String(err);
    return new SwitchboardError('SWB_ERR_STORE_UNAVAILABLE', `rate limit store unavailable: ${message}`, { cause: err });
  };

  return {
    async consume(key, limit, windowMs, now = clock()) {
      const t = Math.floor(now);
      const w = Math.max(1, Math.floor(windowMs));
      seq = (seq + 1) % Number.MAX_SAFE_INTEGER;
      let reply: number[];
      try {
        reply = await scripted.swbRateLimit(key, String(t), String(t - w), String(limit), `${t}:${origin}:${seq}`, String(w));
      } catch (err) {
        throw fail(err);
      }
      const [allowed, retryAfterMs, first, remaining] = reply;
      const decision: RateLimitDecision = {
        allowed: allowed === 1,
        retryAfterMs: retryAfterMs ?? 0,
        firstRejectionInWindow: first === 1,
        remaining: remaining ?? 0,
      };
      return decision;
    },
    async reset(key) {
      try {
        await redis.del(key);
      } catch (err) {
        throw fail(err);
      }
    },
  };
}
