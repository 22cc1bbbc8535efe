/**
 * The one place that turns a Redis topology into an ioredis client with the outage
 * behaviour every Redis user in the runtime relies on (the store, the rate limiter, durable
 * delivery): a command rejects after the command timeout (500 ms), nothing is queued while
 * disconnected, reconnects back off up to a cap and never stop. The same holds on a single
 * node, on a Cluster (node connections and slot-map refreshes alike) and behind Sentinel,
 * where a failover looks like a short outage followed by a reconnect to the new primary.
 */
import type { ConnectionOptions } from 'node:tls';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { DEFAULT_COMMAND_TIMEOUT_MS, DEFAULT_KEY_PREFIX, DEFAULT_MAX_RECONNECT_DELAY_MS } from './defaults.js';
import type { RedisEndpoint, RedisTopology } from './redis-topology.js';

/** A connected ioredis client: one node (plain or via Sentinel) or a Cluster. */
export type RedisClient = Redis | Cluster;

export interface RedisConnectionOptions {
  /** Prefix of every key (default `swb:`). */
  keyPrefix?: string;
  /** A command rejects after this long (default 500 ms). */
  commandTimeoutMs?: number;
  /** Gives up one connection attempt after this long (default 2 s). */
  connectTimeoutMs?: number;
  /** Reconnect backoff cap (default 2 s; the backoff starts at 50 ms and doubles). */
  maxReconnectDelayMs?: number;
  /**
   * TLS settings merged into every `rediss://` connection (a private CA in tests; in
   * production `NODE_EXTRA_CA_CERTS` does the same for the whole process).
   */
  tls?: ConnectionOptions;
  /** ioredis auto-pipelining (commands of one tick in one pipeline per node); off by default. */
  autoPipelining?: boolean;
}

/** Creates the client for `topology`; it connects in the background. */
export function connectRedis(topology: RedisTopology, opts: RedisConnectionOptions = {}): RedisClient {
  const client = createClient(topology, opts);
  if (client instanceof Redis) guardStreams(client);
  else client.on('+node', (node: Redis) => guardStreams(node));
  restartWhenEnded(client, opts.maxReconnectDelayMs ?? DEFAULT_MAX_RECONNECT_DELAY_MS);
  return client;
}

const released = new WeakSet<RedisClient>();

/** Marks a client from `connectRedis` as closed on purpose: call it before `quit()` / `disconnect()`. */
export function releaseRedis(client: RedisClient): void {
  released.add(client);
}

/**
 * ioredis stops for good when a reconnect attempt itself fails (status 'end'; the Sentinel
 * failover detector can cause one), but the runtime must come back by itself: an ended
 * client that was not released starts over after the longest backoff.
 */
function restartWhenEnded(client: RedisClient, delayMs: number): void {
  client.on('end', () => {
    if (released.has(client)) return;
    setTimeout(() => {
      if (!released.has(client) && client.status === 'end') client.connect().catch(() => {});
    }, delayMs).unref();
  });
}

/**
 * ioredis listens for one 'error' per socket; a failed TLS handshake can report two (the
 * certificate, then the server's alert), and the second would crash the process. Once the
 * client has seen an error, the socket it came from gets a listener that ignores the rest.
 */
function guardStreams(redis: Redis): void {
  const guarded = new WeakSet<object>();
  redis.on('error', () => {
    const stream = redis.stream as Redis['stream'] | undefined;
    if (!stream || guarded.has(stream)) return;
    guarded.add(stream);
    stream.on('error', () => {});
  });
}

function createClient(topology: RedisTopology, opts: RedisConnectionOptions): RedisClient {
  const keyPrefix = opts.keyPrefix ?? DEFAULT_KEY_PREFIX;
  const backoff = reconnectBackoff(opts.maxReconnectDelayMs ?? DEFAULT_MAX_RECONNECT_DELAY_MS);
  switch (topology.kind) {
    case 'single':
      return new Redis({ ...nodeOptions(opts), ...endpointOptions(topology.node, opts), keyPrefix, retryStrategy: backoff });
    case 'sentinel': {
      const first = topology.sentinels[0];
      const sentinelTls = topology.sentinels.some((s) => s.tls);
      return new Redis({
        ...nodeOptions(opts),
        keyPrefix,
        retryStrategy: backoff,
        sentinels: topology.sentinels.map(({ host, port }) => ({ host, port })),
        name: topology.name,
        ...(topology.username ? { username: topology.username } : {}),
        ...(topology.password ? { password: topology.password } : {}),
        ...(first?.username ? { sentinelUsername: first.username } : {}),
        ...(first?.password ? { sentinelPassword: first.password } : {}),
        // TLS to the sentinels means TLS to the data nodes they point at, too.
        ...(sentinelTls ? { enableTLSForSentinelMode: true, sentinelTLS: { ...opts.tls }, tls: { ...opts.tls } } : {}),
        sentinelRetryStrategy: backoff,
        // Subscribes to the sentinels' +switch-master and reconnects at once: in a planned
        // failover the old primary keeps accepting writes (lost once it is demoted) until the
        // sentinel reconfigures it. Its subscription can abort a reconnect already in
        // progress, which ends the client; the store starts an ended client again.
        failoverDetector: true,
        // A demoted primary that still answers says READONLY: ask the sentinels again.
        reconnectOnError: (err) => err.message.startsWith('READONLY'),
      });
    }
    case 'cluster': {
      const first = topology.nodes[0]!;
      return new Cluster(
        topology.nodes.map(({ host, port }) => ({ host, port })),
        {
          keyPrefix,
          enableOfflineQueue: false,
          clusterRetryStrategy: backoff,
          // Only masters: a replica may lag, and history must read what was just written.
          scaleReads: 'master',
          retryDelayOnFailover: 100,
          retryDelayOnClusterDown: 100,
          retryDelayOnTryAgain: 100,
          slotsRefreshTimeout: opts.connectTimeoutMs ?? 2000,
          ...(opts.autoPipelining ? { enableAutoPipelining: true } : {}),
          // One set of credentials for every node (the first entry's); TLS if any entry asks for it.
          redisOptions: { ...nodeOptions(opts), ...endpointOptions(first, opts, false), ...(topology.nodes.some((n) => n.tls) ? { tls: { ...opts.tls } } : {}) },
        },
      );
    }
  }
}

/** The outage settings of every data-node connection (see the file header). */
function nodeOptions(opts: RedisConnectionOptions): RedisOptions {
  const commandTimeout = opts.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  return {
    commandTimeout,
    // A hung server (socket open, no replies) would keep timed-out commands queued: drop the
    // socket once replies are overdue, which rejects them and reconnects.
    socketTimeout: Math.max(2 * commandTimeout, 1000),
    connectTimeout: opts.connectTimeoutMs ?? 2000,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    lazyConnect: false,
    ...(opts.autoPipelining ? { enableAutoPipelining: true } : {}),
  };
}

/** Host, port, database, credentials and TLS of one endpoint (without host/port for a cluster's shared options). */
function endpointOptions(e: RedisEndpoint, opts: RedisConnectionOptions, withAddress = true): RedisOptions {
  return {
    ...(withAddress ? { host: e.host, port: e.port } : {}),
    ...(e.db !== undefined ? { db: e.db } : {}),
    ...(e.username !== undefined ? { username: e.username } : {}),
    ...(e.password !== undefined ? { password: e.password } : {}),
    ...(e.tls ? { tls: { ...opts.tls } } : {}),
  };
}

/** Never gives up: the runtime must come back by itself once Redis does. */
function reconnectBackoff(maxDelay: number): (times: number) => number {
  return (times) => Math.min(50 * 2 ** Math.min(Math.max(times, 1) - 1, 16), maxDelay);
}
