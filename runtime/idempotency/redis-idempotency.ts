/**
 * The Redis `IdempotencyStore`, shared by replicas: one key per (bot, key) under the bot's
 * hash tag, `swb:idem:{<bot>}:<key>`. Claiming is one `SET … NX PX … GET`: it records the
 * request as in flight and returns what was there before, atomically.
 */
import type { RedisClient } from '../store/redis-connection.js';
import { IDEMPOTENCY_PENDING_MS, IDEMPOTENCY_TTL_MS, type IdempotencyRecord, type IdempotencyStore } from './idempotency.js';

/** Creates the store on a client without a key prefix. */
export function createRedisIdempotency(redis: RedisClient, prefix = 'swb:'): IdempotencyStore {
  const keyOf = (bot: string, key: string): string => `${prefix}idem:{${bot}}:${key}`;
  return {
    async claim(bot, key, fingerprint) {
      const previous = await redis.set(keyOf(bot, key), JSON.stringify({ fingerprint }), 'PX', IDEMPOTENCY_PENDING_MS, 'NX', 'GET');
      if (previous === null) return undefined;
      try {
        return JSON.parse(previous) as IdempotencyRecord;
      } catch {
        // Not ours: treat it as a different request rather than replaying it.
        return { fingerprint: '' };
      }
    },
    async finish(bot, key, record) {
      await redis.set(keyOf(bot, key), JSON.stringify(record), 'PX', IDEMPOTENCY_TTL_MS);
    },
    async abandon(bot, key) {
      await redis.del(keyOf(bot, key));
    },
  };
}
