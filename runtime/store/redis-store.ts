/**
 * Redis store (ioredis), shared by every runtime replica.
 *
 * One message costs two round trips of one command each: `beginTurn` and `endTurn` are Lua
 * scripts (redis-scripts.ts); `endTurn` is pipelined with the counter increments it is
 * handed (HINCRBY). Commands of one event-loop turn share one socket write
 * (redis-commands.ts). An outage cannot hang a request or grow memory: commands time out
 * (`commandTimeout`), nothing is queued while disconnected (`enableOfflineQueue: false`),
 * reconnects back off up to a cap and never stop, and every failure rejects with
 * `SWB_ERR_STORE_UNAVAILABLE` so the caller degrades. `health()` follows the state machine
 * in redis-health.ts.
 */
import { Redis, type ChainableCommander } from 'ioredis';
import type { StoredMessage } from '../core/message.js';
import { SwitchboardError } from '../core/errors.js';
import {
  clampHistoryLength,
  DEFAULT_COMMAND_TIMEOUT_MS,
  DEFAULT_COUNTER_TTL_SECONDS,
  DEFAULT_KEY_PREFIX,
  DEFAULT_MAX_RECONNECT_DELAY_MS,
  ttlSeconds as wholeSeconds,
} from './defaults.js';
import { createRedisCommands } from './redis-commands.js';
import { watchRedisHealth, type StoreLogger } from './redis-health.js';
import { defineTurnScripts, type TurnPipeline } from './redis-scripts.js';
import { createRedisRateLimiter, type RedisRateLimiterOptions } from '../rate-limit/redis-rate-limiter.js';
import type { RateLimiter } from '../rate-limit/rate-limiter.js';
import type { BeginTurnQuery, BeginTurnResult, CounterIncrement, EndTurnWrite, Store } from './store.js';

export type { StoreLogger } from './redis-health.js';

export interface RedisStoreOptions {
  /** Prefix of every key (default `swb:`). */
  keyPrefix?: string;
  /** A command (or pipeline) rejects after this long (default 500 ms). */
  commandTimeoutMs?: number;
  /** Gives up one connection attempt after this long (default 2 s). */
  connectTimeoutMs?: number;
  /** Reconnect backoff cap (default 2 s; the backoff starts at 50 ms and doubles). */
  maxReconnectDelayMs?: number;
  /** A/B counter hashes expire this long after their last increment (default 90 days). */
  counterTtlSeconds?: number;
  log?: StoreLogger;
  /** Clock of the health state and its log throttle (tests). */
  now?: () => number;
}

export interface RedisStore extends Store {
  readonly kind: 'redis';
  /** Resolves once connected (or rejects after `timeoutMs`); commands before that reject. */
  ready(timeoutMs?: number): Promise<void>;
  /** A rate limiter sharing this store's connection (same key prefix and outage behaviour). */
  rateLimiter(opts?: RedisRateLimiterOptions): RateLimiter;
}

/** The ioredis client with the store's outage behaviour (see the file header). */
function connect(url: string, opts: RedisStoreOptions): Redis {
  const maxDelay = opts.maxReconnectDelayMs ?? DEFAULT_MAX_RECONNECT_DELAY_MS;
  const commandTimeout = opts.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  return new Redis(url, {
    keyPrefix: opts.keyPrefix ?? DEFAULT_KEY_PREFIX,
    commandTimeout,
    // A hung server (socket open, no replies) would keep timed-out commands queued: drop the
    // socket once replies are overdue, which rejects them and reconnects.
    socketTimeout: Math.max(2 * commandTimeout, 1000),
    connectTimeout: opts.connectTimeoutMs ?? 2000,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    // Never give up: the store must come back by itself once Redis does.
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times - 1, 16), maxDelay),
    lazyConnect: false,
  });
}

/** Creates the Redis store; it connects in the background (see `ready()`). */
export function createRedisStore(url: string, opts: RedisStoreOptions = {}): RedisStore {
  const counterTtl = wholeSeconds(opts.counterTtlSeconds ?? DEFAULT_COUNTER_TTL_SECONDS);
  const redis = defineTurnScripts(connect(url, opts));
  const health = watchRedisHealth(redis, redactUrl(url), opts.log, opts.now);
  const { run, one } = createRedisCommands(redis, health);
  let closed = false;

  function addCounters(p: ChainableCommander, increments: readonly CounterIncrement[]): void {
    const keys = new Map<string, number>();
    for (const { key, field, by, ttlSeconds } of increments) {
      p.hincrby(key, field, by);
      keys.set(key, ttlSeconds === undefined ? counterTtl : wholeSeconds(ttlSeconds));
    }
    for (const [key, ttl] of keys) p.expire(key, ttl);
  }

  return {
    kind: 'redis',

    async beginTurn(query: BeginTurnQuery): Promise<BeginTurnResult> {
      const limit = Math.max(0, Math.floor(query.limit));
      const a = query.assignment;
      const res = a
        ? await one(() => redis.swbBeginTurn(2, query.historyKey, a.key, limit, a.candidate, wholeSeconds(a.ttlSeconds)))
        : await one(() => redis.swbBeginTurn(1, query.historyKey, limit));
      const history = limit > 0 ? parseHistory(res[0]) : [];
      if (!a) return { history, assignment: null, assigned: false };
      return { history, assignment: res[2] ?? a.candidate, assigned: res[1] === 1 };
    },

    async setAssignment(key, value, ttlSeconds) {
      await one(() => redis.set(key, value, 'EX', wholeSeconds(ttlSeconds)));
    },

    async endTurn(write: EndTurnWrite): Promise<void> {
      const max = clampHistoryLength(write.maxLength);
      const counters = write.counters ?? [];
      const messages = max === 0 ? [] : write.messages.map((m) => JSON.stringify(m));
      const index = write.userIndex && write.userIndex.members.length > 0 ? write.userIndex : undefined;
      if (counters.length === 0 && !index) {
        // The common case: one command.
        if (max === 0) await one(() => redis.del(write.historyKey));
        else if (messages.length > 0) await one(() => redis.swbEndTurn(write.historyKey, max, wholeSeconds(write.ttlSeconds), ...messages));
        return;
      }
      const p = redis.pipeline() as ChainableCommander & TurnPipeline;
      if (max === 0) p.del(write.historyKey);
      else if (messages.length > 0) p.swbEndTurn(write.historyKey, max, wholeSeconds(write.ttlSeconds), ...messages);
      if (index) p.swbUserIndex(index.key, wholeSeconds(index.ttlSeconds), ...index.members);
      addCounters(p, counters);
      await run(p);
    },

    async claimOnce(key, ttlSeconds) {
      return (await one(() => redis.set(key, '1', 'EX', wholeSeconds(ttlSeconds), 'NX'))) === 'OK';
    },

    async releaseClaim(key) {
      await one(() => redis.del(key));
    },

    health: () => health.health(),

    async close() {
      if (closed) return;
      closed = true;
      health.close();
      try {
        await Promise.race([redis.quit(), new Promise((resolve) => setTimeout(resolve, 500).unref())]);
      } catch {
        // already disconnected
      }
      redis.disconnect();
    },

    async incrementCounters(increments) {
      if (increments.length === 0) return;
      const p = redis.pipeline();
      addCounters(p, increments);
      await run(p);
    },

    async readCounters(key) {
      const hash = await one(() => redis.hgetall(key));
      const out: Record<string, number> = {};
      for (const [field, value] of Object.entries(hash)) out[field] = Number(value);
      return out;
    },

    async readUserIndex(key) {
      return one(() => redis.smembers(key));
    },

    async removeFromUserIndex(key, members) {
      if (members.length > 0) await one(() => redis.srem(key, ...members));
    },

    async readHistory(historyKey) {
      return parseHistory(await one(() => redis.lrange(historyKey, 0, -1)));
    },

    async deleteKey(key) {
      return (await one(() => redis.del(key))) > 0;
    },

    /** A rate limiter on this store's connection (same key prefix, timeouts and outage behaviour). */
    rateLimiter(opts) {
      return createRedisRateLimiter(redis, opts);
    },

    ready(timeoutMs = 5000) {
      if (redis.status === 'ready') return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          redis.off('ready', onReady);
          reject(new SwitchboardError('SWB_ERR_STORE_UNAVAILABLE', `history store unavailable: not connected after ${timeoutMs} ms (${health.lastError() ?? 'unknown'})`));
        }, timeoutMs);
        const onReady = (): void => {
          clearTimeout(timer);
          resolve();
        };
        redis.once('ready', onReady);
      });
    },
  };
}

function parseHistory(raw: string[]): StoredMessage[] {
  const out: StoredMessage[] = [];
  for (const item of raw) {
    try {
      out.push(JSON.parse(item) as StoredMessage);
    } catch {
      // A foreign or corrupt entry is skipped rather than failing the whole conversation.
    }
  }
  return out;
}

/** The URL without its password, for logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'redis://(unparsable url)';
  }
}
