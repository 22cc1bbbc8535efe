/**
 * The Redis connection of the durable queue: its own client (no key prefix: the queue's
 * keys carry their own partition base) that fails commands fast while Redis is down, so an
 * update that cannot be persisted is answered 503 and re-sent by the platform.
 */
import { Redis } from 'ioredis';

/** Connects in the background; reconnects forever with a capped backoff. */
export function connectDeliveryRedis(url: string): Redis {
  const redis = new Redis(url, {
    commandTimeout: 1000,
    socketTimeout: 2000,
    connectTimeout: 2000,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    // Commands of concurrent messages issued in one tick go out in one write (fewer syscalls
    // on both sides under load).
    enableAutoPipelining: true,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times - 1, 16), 2000),
  });
  // The history store on the same server already reports outages (/readyz, its log lines);
  // failed queue commands are logged where they fail.
  redis.on('error', () => undefined);
  return redis;
}
