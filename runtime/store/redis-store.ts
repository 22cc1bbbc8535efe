/**
 * Redis store (ioredis), shared by every runtime replica, on one node, a Cluster or behind
 * Sentinel (redis-connection.ts builds the client).
 *
 * One message costs two round trips: `beginTurn` sends the history read (LRANGE) and the
 * sticky assignment script together, `endTurn` sends the history script together with the
 * counter increments it is handed (HINCRBY + EXPIRE). Every command and script touches one
 * key, so none can fail with CROSSSLOT on a Cluster; commands of one event-loop turn share
 * one write per node (redis-commands.ts). An outage cannot hang a request or grow memory:
 * commands time out, nothing is queued while disconnected, reconnects back off up to a cap
 * and never stop, and every failure rejects with `SWB_ERR_STORE_UNAVAILABLE` so the caller
 * degrades. `health()` follows the state machine in redis-health.ts.
 */
import type { StoredMessage } from '../core/message.js';
import { SwitchboardError } from '../core/errors.js';
import { clampHistoryLength, DEFAULT_COMMAND_TIMEOUT_MS, DEFAULT_COUNTER_TTL_SECONDS, ttlSeconds as wholeSeconds } from './defaults.js';
import { createRedisCommands } from './redis-commands.js';
import { connectRedis, releaseRedis, type RedisClient, type RedisConnectionOptions } from './redis-connection.js';
import { watchRedisHealth, type StoreLogger } from './redis-health.js';
import { defineTurnScripts } from './redis-scripts.js';
import { describeTopology, redisTopologyFromEnv, type RedisTopology } from './redis-topology.js';
import { createRedisRateLimiter, type RedisRateLimiterOptions } from '../rate-limit/redis-rate-limiter.js';
import type { RateLimiter } from '../rate-limit/rate-limiter.js';
import type { BeginTurnQuery, BeginTurnResult, CounterIncrement, EndTurnWrite, Store } from './store.js';

export type { StoreLogger } from './redis-health.js';

export interface RedisStoreOptions extends RedisConnectionOptions {
  /** A/B counter hashes expire this long after their last increment (default 90 days). */
  counterTtlSeconds?: number;
  log?: StoreLogger;
  /** Clock of the health state and its log throttle (tests). */
  now?: () => number;
}

export interface RedisStore extends Store {
  readonly kind: 'redis';
  /** The ioredis client (or Cluster), for other Redis users of the runtime that share its connection. */
  readonly client: RedisClient;
  /** Resolves once connected (or rejects after `timeoutMs`); commands before that reject. */
  ready(timeoutMs?: number): Promise<void>;
  /** A rate limiter sharing this store's connection (same key prefix and outage behaviour). */
  rateLimiter(opts?: RedisRateLimiterOptions): RateLimiter;
}

/**
 * Creates the Redis store; it connects in the background (see `ready()`). `target` is a
 * `redis://` / `rediss://` URL or a topology from `redisTopologyFromEnv`.
 */
export function createRedisStore(target: string | RedisTopology, opts: RedisStoreOptions = {}): RedisStore {
  const topology = typeof target === 'string' ? urlTopology(target) : target;
  const counterTtl = wholeSeconds(opts.counterTtlSeconds ?? DEFAULT_COUNTER_TTL_SECONDS);
  const redis = defineTurnScripts(connectRedis(topology, opts));
  const health = watchRedisHealth(redis, describeTopology(topology), opts.log, opts.now);
  const { one, all } = createRedisCommands(redis, health, (opts.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS) + 100);
  let closed = false;

  /** HINCRBY per increment, then one EXPIRE per hash: each command names one key. */
  function counterSends(increments: readonly CounterIncrement[]): Array<() => Promise<unknown>> {
    const sends: Array<() => Promise<unknown>> = [];
    const keys = new Map<string, number>();
    for (const { key, field, by, ttlSeconds } of increments) {
      sends.push(() => redis.hincrby(key, field, by));
      keys.set(key, ttlSeconds === undefined ? counterTtl : wholeSeconds(ttlSeconds));
    }
    for (const [key, ttl] of keys) sends.push(() => redis.expire(key, ttl));
    return sends;
  }

  return {
    kind: 'redis',
    client: redis,

    async beginTurn(query: BeginTurnQuery): Promise<BeginTurnResult> {
      const limit = Math.max(0, Math.floor(query.limit));
      const a = query.assignment;
      const readHistory = (): Promise<string[]> => redis.lrange(query.historyKey, -limit, -1);
      if (!a) {
        const history = limit > 0 ? parseHistory(await one(readHistory)) : [];
        return { history, assignment: null, assigned: false };
      }
      const assign = (): Promise<[0 | 1, string | null]> => redis.swbAssign(a.key, a.candidate, wholeSeconds(a.ttlSeconds));
      if (limit === 0) {
        const [assigned, arm] = await one(assign);
        return { history: [], assignment: arm ?? a.candidate, assigned: assigned === 1 };
      }
      const [raw, [assigned, arm]] = (await all([readHistory, assign])) as [string[], [0 | 1, string | null]];
      return { history: parseHistory(raw), assignment: arm ?? a.candidate, assigned: assigned === 1 };
    },

    async setAssignment(key, value, ttlSeconds) {
      await one(() => redis.set(key, value, 'EX', wholeSeconds(ttlSeconds)));
    },

    async endTurn(write: EndTurnWrite): Promise<void> {
      const max = clampHistoryLength(write.maxLength);
      const messages = max === 0 ? [] : write.messages.map((m) => JSON.stringify(m));
      const sends = counterSends(write.counters ?? []);
      const index = write.userIndex && write.userIndex.members.length > 0 ? write.userIndex : undefined;
      if (index) sends.unshift(() => redis.swbUserIndex(index.key, wholeSeconds(index.ttlSeconds), ...index.members));
      if (max === 0) sends.unshift(() => redis.del(write.historyKey));
      else if (messages.length > 0) sends.unshift(() => redis.swbEndTurn(write.historyKey, max, wholeSeconds(write.ttlSeconds), ...messages));
      if (sends.length === 1) await one(sends[0]!);
      else if (sends.length > 1) await all(sends);
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
      releaseRedis(redis);
      health.close();
      try {
        await Promise.race([redis.quit(), new Promise((resolve) => setTimeout(resolve, 500).unref())]);
      } catch {
        // already disconnected
      }
      redis.disconnect();
    },

    async incrementCounters(increments) {
      if (increments.length > 0) await all(counterSends(increments));
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

/** The topology of a single-node URL (`REDIS_USERNAME`/`REDIS_PASSWORD` are not read here). */
function urlTopology(url: string): RedisTopology {
  const t = redisTopologyFromEnv({ REDIS_URL: url });
  if (!t) throw new SwitchboardError('SWB_ERR_STORE_CONFIG', 'the Redis URL is empty');
  return t;
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
