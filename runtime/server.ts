/**
 * `buildServer()` returns the Fastify app (not listening) so tests can `inject()`.
 * The server owns: request ids, the JSON error envelope, body limits, the channel route
 * (404 → 401 → 413 → 400), admin routes, signed file links and the background queue that
 * channels use to process after their ack. Everything per message lives in the pipeline.
 */
import { randomBytes } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { Agent, type Dispatcher } from 'undici';
import type { ChannelAdapter, ChannelContext } from './channels/channel.js';
import { channelAdapters } from './channels/index.js';
import type { ConfigSnapshot, Problem } from './config/snapshot.js';
import type { ChannelName } from './core/message.js';
import { LOG_REDACTION, redactSecrets } from './core/redact.js';
import { errorBody, errorCodes, SwitchboardError } from './core/errors.js';
import { createMetrics, type Metrics } from './metrics/metrics.js';
import { createKeyedQueue } from './pipeline/keyed-queue.js';
import { createPipeline, type CallIntegration, type Pipeline } from './pipeline/pipeline.js';
import type { Router } from './pipeline/router.js';
import type { Store } from './store/store.js';
import { VERSION } from './core/version.js';
import { startMessageTrace, type MessageTrace } from './tracing/message-trace.js';
import { createTracing, type Tracing } from './tracing/tracing.js';
import { adminAuthorized } from './routes/admin-auth.js';
import { registerDashboardRoutes, type DashboardDeps } from './routes/dashboard.js';
import { registerIntegrationTestRoute } from './routes/integration-test.js';

/** 1 MiB: larger channel bodies get 413. */
export const BODY_LIMIT = 1024 * 1024;

export interface ConfigStatus {
  revision: string;
  gitCommit?: string;
  files: readonly string[];
  loadedAt: Date;
  lastReloadError?: { at: Date; problems: Problem[] } | null;
  reloads?: { ok: number; failed: number; skipped: number };
}

/** Where the server reads the current snapshot (the config manager, or a fixed snapshot in tests). */
export interface ConfigSource {
  current(): ConfigSnapshot;
  status?(): ConfigStatus;
}

export interface FileLinks {
  sign(file: { channel: ChannelName; bot: string; ref: string; name?: string; mimeType?: string }): string;
  verify(token: string, now?: number): { channel: ChannelName; bot: string; ref: string; name?: string; mimeType?: string } | null;
}

export interface ServerOptions {
  config: ConfigSource;
  store: Store;
  router: Router;
  call: CallIntegration;
  /** Fastify logger option (pino); false in most tests. */
  logger?: FastifyServerOptions['logger'] | FastifyBaseLogger;
  /** `SWITCHBOARD_ADMIN_TOKEN`: when set, /config, /metrics and /bots/:bot/stats need it. */
  adminToken?: string;
  files?: FileLinks;
  metrics?: Metrics;
  /** Serves GET /bots/:bot/stats. */
  readStats?: (snapshot: ConfigSnapshot, bot: string) => Promise<unknown>;
  /** The per-minute timeline the dashboard charts. */
  readTimeline?: DashboardDeps['readTimeline'];
  /** Dispatcher for channel API calls (Telegram/Slack); defaults to a shared undici Agent. */
  dispatcher?: Dispatcher;
  /** Spans and traceparent propagation; default: propagation only, no export. */
  tracing?: Tracing;
}

export interface SwitchboardApp extends FastifyInstance {
  pipeline: Pipeline;
  metrics: Metrics;
}

const SANE_REQUEST_ID = /^[A-Za-z0-9._:@\-]{1,128}$/;

declare module 'fastify' {
  interface FastifyRequest {
    snapshot?: ConfigSnapshot;
    adapter?: ChannelAdapter;
    rawBody?: Buffer;
  }
}

/** Builds the runtime app. Call `app.close()` to drain in-flight and background work. */
export async function buildServer(opts: ServerOptions): Promise<SwitchboardApp> {
  const metrics = opts.metrics ?? createMetrics({ revision: () => opts.config.current().revision });
  const loggerOpt = opts.logger ?? false;
  const isInstance = typeof loggerOpt === 'object' && loggerOpt !== null && 'child' in loggerOpt && typeof (loggerOpt as FastifyBaseLogger).child === 'function';
  const app = Fastify({
    ...(isInstance ? { loggerInstance: loggerOpt as FastifyBaseLogger } : { logger: withRedaction(loggerOpt as FastifyServerOptions['logger']) }),
    bodyLimit: BODY_LIMIT,
    // /files/:token tokens are a few hundred characters.
    routerOptions: { maxParamLength: 4096 },
    requestIdHeader: false,
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    genReqId: (req) => {
      const h = req.headers['x-request-id'];
      return typeof h === 'string' && SANE_REQUEST_ID.test(h) ? h : `req_${randomId()}`;
    },
    return503OnClosing: true,
  });

  const dispatcher = opts.dispatcher ?? new Agent({ keepAliveTimeout: 10_000, connections: 64 });
  const tracing = opts.tracing ?? createTracing({ version: VERSION });
  const pipeline = createPipeline({ store: opts.store, call: opts.call, router: opts.router, metrics, log: app.log, tracing });
  const background = createKeyedQueue();

  // Channels speak JSON only; other media types are a 400 (CONTRACT §3 error statuses).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    const raw = body as Buffer;
    req.rawBody = raw;
    if (raw.length === 0) return done(null, undefined);
    try {
      done(null, parseJson(raw.toString('utf8')));
    } catch {
      done(new SwitchboardError('SWB_ERR_HTTP_INVALID_JSON', 'the body is not valid JSON'), undefined);
    }
  });

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

  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send(errorBody('SWB_ERR_HTTP_NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`));
  });
  app.setErrorHandler((err: Error & { code?: string; statusCode?: number }, req, reply) => {
    if (err instanceof SwitchboardError) return reply.code(err.status).send(errorBody(err.code, err.message));
    switch (err.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return reply.code(413).send(errorBody('SWB_ERR_HTTP_BODY_TOO_LARGE', `the body is larger than ${BODY_LIMIT} bytes`));
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return reply.code(400).send(errorBody('SWB_ERR_HTTP_UNSUPPORTED_MEDIA_TYPE', 'the body must be application/json'));
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
        return reply.code(400).send(errorBody('SWB_ERR_HTTP_BAD_REQUEST', err.message));
      default:
        break;
    }
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) return reply.code(status).send(errorBody('SWB_ERR_HTTP_BAD_REQUEST', err.message));
    req.log.error({ err: { message: err.message, code: err.code } }, 'unhandled error');
    return reply.code(500).send(errorBody('SWB_ERR_HTTP_INTERNAL', errorCodes.SWB_ERR_HTTP_INTERNAL.message));
  });

  const requireAdmin = async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (!opts.adminToken) return;
    if (!adminAuthorized(req.headers.authorization, opts.adminToken)) {
      await reply.code(401).send(errorBody('SWB_ERR_HTTP_UNAUTHORIZED', 'this route needs Authorization: Bearer $SWITCHBOARD_ADMIN_TOKEN'));
    }
  };

  const contextFor = (snapshot: ConfigSnapshot, log: FastifyBaseLogger, trace?: MessageTrace): ChannelContext => ({
    snapshot,
    process: (message) => {
      const replied = pipeline.process(snapshot, message, trace?.span);
      return trace && tracing.recording ? replied.then((r) => (trace.delivering(), r)) : replied;
    },
    background: (key, job) => {
      const release = trace?.hold();
      background.run(key, release ? () => job().finally(release) : job).catch((err: unknown) => log.error({ err: err instanceof Error ? err.message : String(err) }, 'background job failed'));
    },
    store: opts.store,
    fileUrl: (file) => {
      if (!opts.files) throw new Error('file links are not configured (SWITCHBOARD_PUBLIC_URL, SWITCHBOARD_FILES_SECRET)');
      return opts.files.sign(file);
    },
    dispatcher,
    log,
  });

  app.post<{ Params: { channel: string; bot: string } }>('/channels/:channel/:bot', {
    // Callback style: answering here (404/401) means not calling done().
    onRequest: (req, reply, done) => {
      const snapshot = opts.config.current();
      const { channel, bot: botName } = req.params;
      const adapter = Object.hasOwn(channelAdapters, channel) ? channelAdapters[channel as ChannelName] : undefined;
      const bot = snapshot.bots.get(botName);
      if (!adapter) return void reply.code(404).send(errorBody('SWB_ERR_HTTP_NOT_FOUND', `unknown channel "${channel}"`));
      if (!bot) return void reply.code(404).send(errorBody('SWB_ERR_HTTP_NOT_FOUND', `unknown bot "${botName}"`));
      if (!bot.channels[adapter.name]) return void reply.code(404).send(errorBody('SWB_ERR_HTTP_NOT_FOUND', `bot "${botName}" has no ${channel} channel`));
      if (adapter.authenticate && !adapter.authenticate(req.headers, bot)) {
        return void reply.code(401).send(errorBody('SWB_ERR_HTTP_UNAUTHORIZED', 'missing or invalid credentials'));
      }
      req.snapshot = snapshot;
      req.adapter = adapter;
      done();
    },
    handler: async (req, reply) => {
      const snapshot = req.snapshot as ConfigSnapshot;
      const adapter = req.adapter as ChannelAdapter;
      const bot = snapshot.bots.get(req.params.bot);
      if (!bot) return reply.code(404).send(errorBody('SWB_ERR_HTTP_NOT_FOUND', `unknown bot "${req.params.bot}"`));
      const trace = startMessageTrace(tracing, req.headers, { channel: adapter.name, bot: bot.name, requestId: req.id });
      let res;
      try {
        res = await adapter.handle({ headers: req.headers, body: req.body, rawBody: req.rawBody ?? Buffer.alloc(0), requestId: req.id, log: req.log }, bot, contextFor(snapshot, req.log, trace));
      } finally {
        trace.finish();
      }
      if (res.headers) void reply.headers(res.headers);
      return reply.code(res.status).send(res.body ?? '');
    },
  });

  app.get('/healthz', async () => ({ status: 'ok', version: VERSION }));

  app.get('/readyz', async (_req, reply) => {
    const store = opts.store.health();
    metrics.storeUp.set(store.state === 'up' ? 1 : 0);
    let snapshot: ConfigSnapshot | undefined;
    try {
      snapshot = opts.config.current();
    } catch {
      snapshot = undefined;
    }
    if (!snapshot) return reply.code(503).send({ status: 'not ready', config: null, store });
    // A store outage does not make a replica unready: it answers without history.
    return { status: 'ready', config: { revision: snapshot.revision }, store };
  });

  app.get('/metrics', { onRequest: requireAdmin }, async (_req, reply) => {
    metrics.storeUp.set(opts.store.health().state === 'up' ? 1 : 0);
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  app.get('/config', { onRequest: requireAdmin }, async () => {
    const snapshot = opts.config.current();
    const status = opts.config.status?.();
    return {
      revision: snapshot.revision,
      gitCommit: snapshot.gitCommit ?? null,
      dir: snapshot.dir,
      files: snapshot.files,
      loadedAt: snapshot.loadedAt.toISOString(),
      bots: [...snapshot.bots.values()].map((b) => ({ name: b.name, channels: Object.keys(b.channels), integrations: b.integrations })),
      integrations: [...snapshot.integrations.values()].map((i) => ({ name: i.name, type: i.type, url: i.url ? redactSecrets(i.url, snapshot.secrets) : null, timeoutMs: i.timeoutMs, signed: i.signingSecrets.length > 0 })),
      lastReloadError: status?.lastReloadError ? { at: status.lastReloadError.at.toISOString(), problems: status.lastReloadError.problems } : null,
      reloads: status?.reloads ?? null,
      store: opts.store.health(),
    };
  });

  app.get<{ Params: { bot: string } }>('/bots/:bot/stats', { onRequest: requireAdmin }, async (req, reply) => {
    const snapshot = opts.config.current();
    if (!snapshot.bots.has(req.params.bot)) return reply.code(404).send(errorBody('SWB_ERR_HTTP_NOT_FOUND', `unknown bot "${req.params.bot}"`));
    if (!opts.readStats) return reply.code(404).send(errorBody('SWB_ERR_HTTP_NOT_FOUND', 'stats are not enabled'));
    try {
      return await opts.readStats(snapshot, req.params.bot);
    } catch (err) {
      throw new SwitchboardError('SWB_ERR_STORE_UNAVAILABLE', 'the stats could not be read from the store', { cause: err });
    }
  });

  registerDashboardRoutes(app, { config: opts.config, adminToken: opts.adminToken, readStats: opts.readStats, readTimeline: opts.readTimeline, storeHealth: () => opts.store.health() });
  registerIntegrationTestRoute(app, { config: opts.config, adminToken: opts.adminToken });

  app.get<{ Params: { token: string } }>('/files/:token', async (req, reply) => {
    const ref = opts.files?.verify(req.params.token);
    if (!ref) return reply.code(404).send(errorBody('SWB_ERR_FILE_LINK_INVALID', errorCodes.SWB_ERR_FILE_LINK_INVALID.message));
    const snapshot = opts.config.current();
    const bot = snapshot.bots.get(ref.bot);
    const adapter = channelAdapters[ref.channel];
    if (!bot || !adapter?.openFile) return reply.code(404).send(errorBody('SWB_ERR_FILE_LINK_INVALID', errorCodes.SWB_ERR_FILE_LINK_INVALID.message));
    try {
      const file = await adapter.openFile(bot, ref.ref, contextFor(snapshot, req.log));
      void reply.type(file.contentType ?? ref.mimeType ?? 'application/octet-stream');
      if (file.size !== undefined) void reply.header('content-length', String(file.size));
      const name = file.name ?? ref.name;
      if (name) void reply.header('content-disposition', `inline; filename*=UTF-8''${encodeURIComponent(name)}`);
      void reply.header('cache-control', 'private, max-age=300');
      return reply.send(file.body);
    } catch (err) {
      if (err instanceof SwitchboardError && err.status === 404) return reply.code(404).send(errorBody(err.code, err.message));
      req.log.warn({ channel: ref.channel, bot: ref.bot, err: err instanceof Error ? err.message : String(err) }, 'could not fetch file from the channel');
      return reply.code(502).send(errorBody('SWB_ERR_CHANNEL_API', 'the file could not be fetched from the channel'));
    }
  });

  app.addHook('onClose', async () => {
    await background.drain();
    await pipeline.drain();
    if (!opts.dispatcher) await (dispatcher as Agent).close();
  });

  const decorated = app as unknown as SwitchboardApp;
  decorated.pipeline = pipeline;
  decorated.metrics = metrics;
  return decorated;
}

/**
 * JSON.parse that drops `__proto__` and `constructor` keys. A reviver makes every parse
 * several times slower, so it runs only when the text could hold such a key: the name
 * spelled out, or a `\u` escape (which could spell it).
 */
function parseJson(text: string): unknown {
  return MAYBE_PROTO_KEY.test(text) ? JSON.parse(text, noProto) : JSON.parse(text);
}
const MAYBE_PROTO_KEY = /__proto__|constructor|\\u/;

/** 9 random bytes (72 bits, base64url) per request id, cut from a pooled buffer: one getrandom per 256 ids. */
const ID_BYTES = 9;
let idPool = Buffer.alloc(0);
let idOffset = 0;
function randomId(): string {
  if (idOffset + ID_BYTES > idPool.length) {
    idPool = randomBytes(ID_BYTES * 256);
    idOffset = 0;
  }
  const id = idPool.toString('base64url', idOffset, idOffset + ID_BYTES);
  idOffset += ID_BYTES;
  return id;
}

function noProto(key: string, value: unknown): unknown {
  if (key === '__proto__' || key === 'constructor') return undefined;
  return value;
}

/** Adds pino redaction of credential headers to a logger config. */
function withRedaction(logger: FastifyServerOptions['logger']): FastifyServerOptions['logger'] {
  if (!logger) return false;
  const base = typeof logger === 'object' ? logger : {};
  return { ...base, redact: LOG_REDACTION };
}
