/**
 * What `buildServer` is built from: the config source, the store, routing, the webhook
 * call, and the optional admin token, file links, metrics and stats reader.
 */
import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify';
import type { Tracing } from '../tracing/tracing.js';
import type { DashboardDeps } from './dashboard-routes.js';
import type { Dispatcher } from 'undici';
import type { ConfigSnapshot, ResolvedBot } from '../config/snapshot.js';
import type { ChannelName } from '../core/message.js';
import type { Metrics } from '../metrics/metrics.js';
import type { CallIntegration, StreamIntegration } from '../pipeline/pipeline.js';
import type { JobQueueFactory } from '../queue/job-queue.js';
import type { IdempotencyStore } from '../idempotency/idempotency.js';
import type { ConfigStatus } from '../reload/config-manager.js';
import type { RateLimiter } from '../rate-limit/rate-limiter.js';
import type { Router } from '../routing/router.js';
import type { CounterSource, Store } from '../store/store.js';

/** Where the server reads the current snapshot (the config manager, or a fixed snapshot in tests). */
export interface ConfigSource {
  current(): ConfigSnapshot;
  status?(): ConfigStatus;
}

/** A file a signed `/files/:token` link points at. */
export interface FileRef {
  channel: ChannelName;
  bot: string;
  ref: string;
  name?: string;
  mimeType?: string;
}

export interface FileLinks {
  sign(file: FileRef): string;
  verify(token: string, now?: number): FileRef | null;
}

export interface ServerOptions {
  config: ConfigSource;
  store: Store;
  router: Router;
  call: CallIntegration;
  /** Streams attempts for live consumers (default: every attempt assembled by `call`). */
  stream?: StreamIntegration;
  /** Fastify logger option (pino); false in most tests. */
  logger?: FastifyServerOptions['logger'] | FastifyBaseLogger;
  /** `SWITCHBOARD_ADMIN_TOKEN`: when set, /config, /metrics and /bots/:bot/stats need it. */
  adminToken?: string;
  files?: FileLinks;
  metrics?: Metrics;
  /** The stats recorder's pending counters, written with each turn's `endTurn`. */
  counters?: CounterSource;
  /** Serves GET /bots/:bot/stats. */
  readStats?: (bot: ResolvedBot) => Promise<unknown>;
  /** The per-minute timeline the dashboard charts. */
  readTimeline?: DashboardDeps['readTimeline'];
  /** Spans and traceparent propagation; default: propagation only, no export. */
  tracing?: Tracing;
  /** Counts `rateLimit` per user (default: in memory, per process). */
  limiter?: RateLimiter;
  /** How long a request's body may take to arrive before a 408 (default 10 s; shorter in tests). */
  bodyTimeoutMs?: number;
  /** Open sockets at most (`SWITCHBOARD_MAX_CONNECTIONS`, default 800). */
  maxConnections?: number;
  /** `SWITCHBOARD_MAX_IN_FLIGHT`: channel messages held at once before new ones get a 503 (default: unlimited). */
  maxInFlight?: number;
  /** Dispatcher for channel API calls (Telegram/Slack); defaults to a shared undici Agent. */
  dispatcher?: Dispatcher;
  /** The queue between "accepted" and "processed" (default: in process; the durable one on Redis). */
  queue?: JobQueueFactory;
  /** `Idempotency-Key` records (default: in memory, this process only). */
  idempotency?: IdempotencyStore;
  /** `SWITCHBOARD_SHUTDOWN_GRACE`: how long `close()` waits for held work (default 25 s). */
  shutdownGraceMs?: number;
}
