/**
 * Assembles a running Switchboard from its parts: config manager (load + watch), store
 * (Redis when `REDIS_URL` is set, else memory), router, webhook client, file links, server.
 * Used by `switchboard serve`, the end-to-end tests and the benchmarks.
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import pino, { type Logger } from 'pino';
import { createConfigLoader } from './config/loader.js';
import { createConfigManager, type ConfigManager } from './reload/config-manager.js';
import type { Problem } from './config/snapshot.js';
import { LOG_REDACTION } from './core/redact.js';
import { createFileLinks } from './files/file-links.js';
import { createMetrics } from './metrics/metrics.js';
import { createAbRouter } from './routing/ab-router.js';
import { registerAbMetrics } from './metrics/ab-metrics.js';
import { createStatsRecorder } from './stats/stats-recorder.js';
import { buildServer, type SwitchboardApp } from './server.js';
import { createMemoryStore } from './store/memory-store.js';
import { createRedisStore } from './store/redis-store.js';
import type { Store } from './store/store.js';
import { callIntegration } from './webhook/client.js';
import { VERSION } from './core/version.js';
import { createTracing, tracingOptionsFromEnv } from './tracing/tracing.js';

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

/** Raised when the config at start is invalid; carries the located problems. */
export class InvalidConfigError extends Error {
  constructor(readonly problems: Problem[]) {
    super(`the configuration is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'})`);
    this.name = 'InvalidConfigError';
  }
}

export function createLogger(env: NodeJS.ProcessEnv): Logger {
  return pino({
    level: env.LOG_LEVEL ?? 'info',
    redact: LOG_REDACTION,
  });
}

export async function startRuntime(opts: RuntimeOptions): Promise<Runtime> {
  const env = opts.env ?? process.env;
  const log = opts.logger ?? createLogger(env);
  const allowPrivateNetwork = opts.allowPrivateNetwork ?? env.SWITCHBOARD_ALLOW_PRIVATE_NETWORK === '1';
  let configRef: ConfigManager | undefined;
  const metrics = createMetrics({ revision: () => configRef?.current().revision });
  const loader = createConfigLoader();
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
      } else {
        metrics.configValid.set(0);
        metrics.configProblems.set(event.problems?.length ?? 0);
      }
    },
  }).catch((err: unknown) => {
    const problems = (err as { problems?: Problem[] }).problems;
    if (problems) throw new InvalidConfigError(problems);
    throw err;
  });
  metrics.configValid.set(1);
  configRef = config;

  let store: Store;
  if (env.REDIS_URL) {
    const redis = createRedisStore(env.REDIS_URL, { log });
    store = redis;
    // Wait briefly for the first connection so the first messages have history; a Redis
    // that is down at start does not stop the runtime (it answers without history).
    await redis.ready(3000).then(
      () => log.info({ store: 'redis' }, 'history store: Redis'),
      () => log.warn({ store: 'redis' }, 'Redis is not reachable yet: answering without history until it is'),
    );
  } else {
    store = createMemoryStore();
    log.info({ store: 'memory' }, 'no REDIS_URL: using the in-memory history store (per process, lost on restart)');
  }

  const port = opts.port ?? Number(env.PORT ?? 3000);
  const host = opts.host ?? env.HOST ?? '127.0.0.1';
  let filesSecret = env.SWITCHBOARD_FILES_SECRET;
  if (!filesSecret) {
    filesSecret = randomBytes(32).toString('base64url');
    log.warn('SWITCHBOARD_FILES_SECRET is not set: file links are signed with a per-process key (set it when running several replicas)');
  }
  const publicUrl = env.SWITCHBOARD_PUBLIC_URL ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const files = createFileLinks({ publicUrl, secret: filesSecret });
  const abMetrics = registerAbMetrics(metrics.registry, () => config.current().bots.values(), (bot) => stats.readBotStats(bot).then((s) => s.srm));
  const stats = createStatsRecorder({ store, metrics: abMetrics });
  const router = createAbRouter({ stats });

  const tracing = createTracing(tracingOptionsFromEnv(env, VERSION));
  const app = await buildServer({
    tracing,
    config,
    store,
    router,
    call: callIntegration,
    logger: log,
    metrics,
    files,
    readStats: async (snapshot, name) => {
      const bot = snapshot.bots.get(name);
      if (!bot) throw new Error(`unknown bot ${name}`);
      return stats.readBotStats(bot);
    },
    readTimeline: async (snapshot, name, minutes) => {
      const bot = snapshot.bots.get(name);
      if (!bot) throw new Error(`unknown bot ${name}`);
      return stats.readTimeline(bot, minutes);
    },
    ...(env.SWITCHBOARD_ADMIN_TOKEN ? { adminToken: env.SWITCHBOARD_ADMIN_TOKEN } : {}),
  });

  let url: string | undefined;
  if (opts.listen !== false) {
    url = await app.listen({ port, host });
    log.info({ url, config: dir, revision: config.current().revision }, 'switchboard is listening');
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
        await app.close();
        await stats.close().catch(() => undefined);
        await tracing.shutdown().catch(() => undefined);
        await store.close();
      })();
      return closing;
    },
  };
}
