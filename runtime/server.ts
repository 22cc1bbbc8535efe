/**
 * `buildServer()` returns the Fastify app (not listening) so tests can `inject()`.
 * The server owns: request ids, the JSON error envelope, body limits, the channel gate
 * (404 → 401 → 413 → 400, the duplicate-delivery claim, the per-conversation job queue),
 * the admin routes and signed file links. Everything per message lives in the pipeline.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { Agent } from 'undici';
import { LOG_REDACTION } from './core/redact.js';
import { VERSION } from './core/version.js';
import { createMetrics, type Metrics } from './metrics/metrics.js';
import { createConversationControls } from './controls/conversation-controls.js';
import { createPipeline, type Pipeline } from './pipeline/pipeline.js';
import { createMemoryRateLimiter } from './rate-limit/memory-rate-limiter.js';
import { countedQueue } from './delivery/counted-queue.js';
import { registerDeliveryMetrics } from './delivery/delivery-metrics.js';
import { DEFAULT_SHUTDOWN_GRACE_MS } from './delivery/delivery-env.js';
import { createMemoryIdempotency } from './idempotency/memory-idempotency.js';
import { createInProcessQueue, drainWithin, type JobQueue } from './queue/job-queue.js';
import { registerAdminRoutes } from './server/admin-routes.js';
import { registerChannelRoutes } from './server/channel-routes.js';
import { registerErrorHandlers } from './server/error-handler.js';
import { clientErrorHandler, frameworkErrors } from './server/client-errors.js';
import { capConnections, DEFAULT_BODY_TIMEOUT_MS, DEFAULT_MAX_CONNECTIONS, timeoutOptions } from './server/connection-limits.js';
import { registerFileRoutes } from './server/file-routes.js';
import { createJobProcessor } from './server/job-processor.js';
import { registerJsonBody } from './server/json-body.js';
import { registerUserRoutes } from './server/user-routes.js';
import type { ServerOptions } from './server/options.js';
import { requestIdOf } from './server/request-id.js';
import { registerDashboardRoutes } from './server/dashboard-routes.js';
import { registerIntegrationTestRoute } from './server/integration-test-routes.js';
import { createTracing } from './tracing/tracing.js';

export type { ConfigSource, FileLinks, ServerOptions } from './server/options.js';

/** 1 MiB: larger channel bodies get 413. */
export const BODY_LIMIT = 1024 * 1024;

export interface SwitchboardApp extends FastifyInstance {
  pipeline: Pipeline;
  queue: JobQueue;
  metrics: Metrics;
}

/** Builds the runtime app. Call `app.close()` to drain in-flight and queued jobs (within the shutdown grace). */
export async function buildServer(opts: ServerOptions): Promise<SwitchboardApp> {
  const metrics = opts.metrics ?? createMetrics({ revision: () => opts.config.current().revision });
  const app = Fastify({
    ...loggerOptions(opts.logger ?? false),
    bodyLimit: BODY_LIMIT,
    // /files/:token tokens are a few hundred characters.
    routerOptions: { maxParamLength: 4096 },
    requestIdHeader: false,
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    genReqId: requestIdOf,
    return503OnClosing: true,
    ...timeoutOptions(opts.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS),
    clientErrorHandler,
    frameworkErrors,
  });
  capConnections(app.server, opts.maxConnections ?? DEFAULT_MAX_CONNECTIONS, app.log);

  const dispatcher = opts.dispatcher ?? new Agent({ keepAliveTimeout: 10_000, connections: 64 });
  const tracing = opts.tracing ?? createTracing({ version: VERSION });
  const pipeline = createPipeline({ store: opts.store, call: opts.call, router: opts.router, metrics, log: app.log, tracing, ...(opts.counters ? { counters: opts.counters } : {}), ...(opts.stream ? { stream: opts.stream } : {}) });
  const limiter = opts.limiter ?? createMemoryRateLimiter();
  const controls = createConversationControls({ store: opts.store, limiter, metrics, log: app.log });
  const jobDeps = { pipeline, controls, dispatcher, ...(opts.files ? { files: opts.files } : {}) };
  const processor = createJobProcessor({ ...jobDeps, config: opts.config, log: app.log });
  const built: { queue?: JobQueue } = {};
  const delivery = registerDeliveryMetrics(metrics.registry, () => built.queue?.depth?.() ?? Promise.resolve([]));
  const queue = opts.queue ? opts.queue(processor, delivery) : countedQueue(createInProcessQueue(processor), delivery);
  built.queue = queue;

  registerJsonBody(app);
  registerHooks(app, metrics);
  registerErrorHandlers(app, BODY_LIMIT);
  registerChannelRoutes(app, { config: opts.config, store: opts.store, queue, tracing, idempotency: opts.idempotency ?? createMemoryIdempotency(), ...(opts.maxInFlight !== undefined ? { maxInFlight: opts.maxInFlight } : {}) });
  registerAdminRoutes(app, { ...opts, metrics, queue });
  registerUserRoutes(app, { config: opts.config, store: opts.store, limiter, ...(opts.adminToken ? { adminToken: opts.adminToken } : {}) });
  registerFileRoutes(app, { ...jobDeps, config: opts.config });
  registerDashboardRoutes(app, { config: opts.config, adminToken: opts.adminToken, readStats: opts.readStats, readTimeline: opts.readTimeline, storeHealth: () => opts.store.health() });
  registerIntegrationTestRoute(app, { config: opts.config, adminToken: opts.adminToken });

  // The grace starts when closing starts: the server's own close waits for in-flight
  // requests (an HTTP-channel request waits for its job), so once the grace is over, the
  // connections still open are closed and the close can go on.
  let closed: Promise<void> | undefined;
  const closeQueue = (): Promise<void> => {
    const graceMs = opts.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS;
    closed ??= (async () => {
      const inTime = await drainWithin(queue.close ? queue.close(graceMs) : queue.drain(), graceMs);
      if (!inTime || queue.size > 0) {
        app.log.warn({ unfinished: queue.size, graceMs }, 'shutdown grace over: leaving unfinished messages and closing their connections');
        app.server.closeAllConnections();
      }
    })();
    return closed;
  };
  app.addHook('preClose', (done) => {
    void closeQueue();
    done();
  });
  app.addHook('onClose', async () => {
    await closeQueue();
    if (!opts.dispatcher) await (dispatcher as Agent).close();
  });

  const decorated = app as unknown as SwitchboardApp;
  decorated.pipeline = pipeline;
  decorated.queue = queue;
  decorated.metrics = metrics;
  return decorated;
}

/** Request id header, `Connection: close` while shutting down, and the HTTP metrics. */
function registerHooks(app: FastifyInstance, metrics: Metrics): void {
  // While shutting down, answer in-flight requests with `Connection: close` so their
  // keep-alive sockets do not hold the process open after the last reply.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  // Callback-style hooks: an async hook costs a promise and a microtask per request each.
  app.addHook('onRequest', (req, reply, done) => {
    void reply.header('x-request-id', req.id);
    done();
  });
  app.addHook('onSend', (_req, reply, payload, done) => {
    if (closing) void reply.header('connection', 'close');
    done(null, payload);
  });
  app.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions.url ?? 'unknown';
    metrics.httpRequests.inc({ route, status: String(reply.statusCode) });
    metrics.httpDuration.observe({ route }, reply.elapsedTime / 1000);
    done();
  });
}

/** A pino logger instance is used as is; a logger config gets redaction of credential headers. */
function loggerOptions(logger: FastifyServerOptions['logger'] | FastifyBaseLogger): Pick<FastifyServerOptions, 'logger' | 'loggerInstance'> {
  const isInstance = typeof logger === 'object' && logger !== null && 'child' in logger && typeof (logger as FastifyBaseLogger).child === 'function';
  if (isInstance) return { loggerInstance: logger as FastifyBaseLogger };
  if (!logger) return { logger: false };
  const base = typeof logger === 'object' ? logger : {};
  return { logger: { ...base, redact: LOG_REDACTION } };
}
