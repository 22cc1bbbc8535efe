/**
 * The Redis connection of the durable queue: its own client (no key prefix: the queue's
 * keys carry their own partition base) that fails commands fast while Redis is down, so an
 * update that cannot be persisted is answered 503 and re-sent by the platform. Built by the
 * store's connection factory, so it runs on one node, a Cluster or behind Sentinel alike.
 */
import { connectRedis, type RedisClient } from '../store/redis-connection.js';
import type { RedisTopology } from '../store/redis-topology.js';

/** Connects in the background; reconnects forever with a capped backoff. */
export function connectDeliveryRedis(topology: RedisTopology): RedisClient {
  const redis = connectRedis(topology, {
    keyPrefix: '',
    commandTimeoutMs: 1000,
    // Commands of concurrent messages issued in one tick go out in one write (fewer syscalls
    // on both sides under load).
    autoPipelining: true,
  });
  // The history store on the same server already reports outages (/readyz, its log lines);
  // failed queue commands are logged where they fail.
  redis.on('error', () => undefined);
  return redis;
}
