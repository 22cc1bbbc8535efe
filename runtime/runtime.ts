/**
 * Assembles a running Switchboard from its parts: config manager (load + watch), store
 * (Redis when `REDIS_URL` is set, else memory), router, webhook client, file links, server.
 * Used by `switchboard serve`, the end-to-end tests and the benchmarks.
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import pino, { type Logger } from 'pino';
import { createConfigLoader } from './config/loader.js';
import { createThreadParser } from './config/thread-parser.js';
import { createConfigManager, type ConfigManager } from './reload/config-manager.js';
import { isEnvFlagOn } from './core/env-flag.js';
import { VERSION } from './core/version.js';
import { LOG_REDACTION } from './core/redact.js';
import { createFileLinks } from './files/file-links.js';
import { createMetrics } from './metrics/metrics.js';
import { createAbRouter } from './routing/ab-router.js';
import { registerAbMetrics } from './metrics/ab-metrics.js';
import { createStatsRecorder } from './stats/stats-recorder.js';
import { buildServer, type SwitchboardApp } from './server.js';
import { memoryLimitFromEnv } from './store/memory-limit.js';
import { maxConnectionsFromEnv, openFilesLimit } from './server/connection-limits.js';
import { maxInFlightFromEnv } from './server/in-flight-limit.js';
import { configWarnings, startupWarnings } from './startup-warnings.js';
import { createMemoryStore } from './store/memory-store.js';
import { createRedisStore } from './store/redis-store.js';
import { releaseRedis } from './store/redis-connection.js';
import { describeTopology, redisTopologyFromEnv } from './store/redis-topology.js';
import type { Store } from './store/store.js';
import type { RateLimiter } from './rate-limit/rate-limiter.js';
import { callIntegration, streamIntegration } from './webhook/client.js';
import { createTracing, tracingOptionsFromEnv } from './tracing/tracing.js';
import { deliveryLeaseFromEnv, deliveryModeFromEnv, shutdownGraceFromEnv } from './delivery/delivery-env.js';
import { connectDeliveryRedis } from './delivery/redis-delivery-client.js';
import { createRedisJobQueue, type RedisJobQueue } from './delivery/redis-job-queue.js';
import { createRedisIdempotency } from './idempotency/redis-idempotency.js';

export interface RuntimeOptions {
  configDir: string;
  port?: number;
  host?: string;
  allowPrivateNetwork?: boolean;
  env?: NodeJS.ProcessEnv;
  /** A pino logger; default: JSON to stdout at LOG_LEVEL (info). */
  logger?: Logger;
  /** Watch the config dir for changes (default true). */
  watch?: boolean;
  /** Don't listen (tests use `app.inject`). */
  listen?: boolean;
}

export interface Runtime {
  app: SwitchboardApp;
  config: ConfigManager;
  store: Store;
  /** `http://host:port` once listening. */
  url?: string;
  close(): Promise<void>;
}

export { InvalidConfigError } from './config/invalid-config-error.js';

export function createLogger(env: NodeJS.ProcessEnv): Logger {
  return pino({
    level: env.LOG_LEVEL ?? 'info',
    redact: LOG_REDACTION,
  });
}

export async function startRuntime(opts: RuntimeOptions): Promise<Runtime> {
  const env = opts.env ?? process.env;
  // Checked before anything starts: conflicting or malformed Redis variables stop the start.
  const redisTopology = redisTopologyFromEnv(env);
  const log = opts.logger ?? createLogger(env);
  const allowPrivateNetwork = opts.allowPrivateNetwork ?? isEnvFlagOn(env.SWITCHBOARD_ALLOW_PRIVATE_NETWORK);
  // Checked before anything starts, so a typo stops the process with a clear message.
  const memoryLimitBytes = memoryLimitFromEnv(env);
  const leaseMs = deliveryLeaseFromEnv(env);
  deliveryModeFromEnv(env);
  const openFiles = openFilesLimit();
  const maxConnections = maxConnectionsFromEnv(env, openFiles);
  const shutdownGraceMs = shutdownGraceFromEnv(env);
  const maxInFlight = maxInFlightFromEnv(env);
  let configRef: ConfigManager | undefined;
  const metrics = createMetrics({ revision: () => configRef?.current().revision });
  // Reloads parse large files on a worker thread, so serving never waits for them.
  const parser = createThreadParser();
  const loader = createConfigLoader({ parser });
  const dir = resolve(opts.configDir);

  const config = await createConfigManager({
    dir,
    load: (d) => loader.load(d, { env, allowPrivateNetwork, requireEnv: true }),
    log,
    watch: opts.watch ?? true,
    onReload: (event) => {
      metrics.reloads.inc({ outcome: event.outcome });
      if (event.outcome === 'ok' || event.outcome === 'unchanged') {
        metrics.configValid.set(1);
        metrics.configProblems.set(0);
        if (event.outcome === 'ok') for (const w of configWarnings(config.current())) log.warn(w);
      } else {
        metrics.configValid.set(0);
        metrics.configProblems.set(event.problems?.length ?? 0);
      }
    },
  });
  metrics.configValid.set(1);
  configRef = config;

  let store: Store;
  let limiter: RateLimiter | undefined;
  if (redisTopology) {
    const redis = createRedisStore(redisTopology, { log });
    store = redis;
    limiter = redis.rateLimiter();
    // Wait briefly for the first connection so the first messages have history; a Redis
    // that is down at start does not stop the runtime (it answers without history).
    await redis.ready(3000).then(
      () => log.info({ store: 'redis', redis: describeTopology(redisTopology) }, 'history store: Redis'),
      () => log.warn({ store: 'redis', redis: describeTopology(redisTopology) }, 'Redis is not reachable yet: answering without history until it is'),
    );
  } else {
    store = createMemoryStore({ memoryLimitBytes });
    log.info({ store: 'memory' }, 'no REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS: using the in-memory history store (per process, lost on restart)');
  }

  const port = opts.port ?? Number(env.PORT ?? 3000);
  const host = opts.host ?? env.HOST ?? '127.0.0.1';
  let filesSecret = env.SWITCHBOARD_FILES_SECRET;
  // Without a shared secret, links signed by one replica are refused by another.
  filesSecret ||= randomBytes(32).toString('base64url');
  for (const w of startupWarnings({ env, host, snapshot: config.current(), connections: { max: maxConnections, openFiles } })) log.warn(w);
  const publicUrl = env.SWITCHBOARD_PUBLIC_URL ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const files = createFileLinks({ publicUrl, secret: filesSecret });
  const abMetrics = registerAbMetrics(metrics.registry, () => config.current().bots.values(), (bot) => stats.readBotStats(bot).then((s) => s.srm));
  const stats = createStatsRecorder({ store, metrics: abMetrics });
  const router = createAbRouter({ stats });

  const tracing = createTracing(tracingOptionsFromEnv(env, VERSION));
  // With Redis, accepted channel updates are persisted and shared by the replicas.
  const deliveryRedis = redisTopology ? connectDeliveryRedis(redisTopology) : undefined;
  const durableDelivery = deliveryRedis !== undefined && deliveryModeFromEnv(env) === 'durable';
  if (deliveryRedis) {
    // Like the store: wait briefly, never stop start-up for it (accepts answer 503 until it connects).
    await new Promise<void>((done) => {
      const timer = setTimeout(done, 3000);
      deliveryRedis.once('ready', () => {
        clearTimeout(timer);
        done();
      });
    });
  }
  const durable: RedisJobQueue[] = [];
  const app = await buildServer({
    tracing,
    shutdownGraceMs,
    ...(deliveryRedis ? { idempotency: createRedisIdempotency(deliveryRedis) } : {}),
    ...(deliveryRedis && durableDelivery
      ? {
          queue: (processor, deliveryMetrics) => {
            const queue = createRedisJobQueue({ redis: deliveryRedis, processor, log, metrics: deliveryMetrics, leaseMs });
            durable.push(queue);
            return queue;
          },
        }
      : {}),
    config,
    store,
    router,
    call: callIntegration,
    stream: streamIntegration,
    logger: log,
    metrics,
    maxInFlight,
    files,
    counters: stats,
    maxConnections,
    readStats: (bot) => stats.readBotStats(bot),
    readTimeline: (bot, minutes) => stats.readTimeline(bot, minutes),
    ...(limiter ? { limiter } : {}),
    ...(env.SWITCHBOARD_ADMIN_TOKEN ? { adminToken: env.SWITCHBOARD_ADMIN_TOKEN } : {}),
  });

  for (const queue of durable) queue.start();
  let url: string | undefined;
  if (opts.listen !== false) {
    url = await app.listen({ port, host });
    const current = config.current();
    log.info({ url, version: VERSION, config: dir, revision: current.revision, bots: [...current.bots.keys()] }, 'switchboard is listening');
  }

  let closing: Promise<void> | undefined;
  return {
    app,
    config,
    store,
    ...(url ? { url } : {}),
    close() {
      closing ??= (async () => {
        await config.close();
        await parser.close().catch(() => undefined);
        await app.close();
        await stats.close().catch(() => undefined);
        await tracing.shutdown().catch(() => undefined);
        await store.close();
        if (deliveryRedis) releaseRedis(deliveryRedis);
        deliveryRedis?.disconnect();
      })();
      return closing;
    },
  };
}
