/**
 * `POST /channels/:channel/:bot`. The gate answers 404/401 in `onRequest`, before the body
 * is read (so 401 precedes 413); the handler lets the channel triage the parsed body and
 * hands the job to the queue.
 */
import type { Socket } from 'node:net';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ChannelAdapter, ChannelResponse } from '../channels/channel.js';
import type { ConfigSnapshot, ResolvedBot } from '../config/snapshot.js';
import { startMessageTrace } from '../tracing/message-trace.js';
import type { Tracing } from '../tracing/tracing.js';
import type { JobQueue } from '../queue/job-queue.js';
import type { Store } from '../store/store.js';
import type { IdempotencyStore } from '../idempotency/idempotency.js';
import { acceptChannelRequest, authenticateChannel, resolveChannel } from './channel-gate.js';
import { createRefusalLog } from './in-flight-limit.js';
import type { ConfigSource } from './options.js';

declare module 'fastify' {
  interface FastifyRequest {
    channelTarget?: { snapshot: ConfigSnapshot; adapter: ChannelAdapter; bot: ResolvedBot };
  }
}

export interface ChannelRouteDeps {
  config: ConfigSource;
  store: Store;
  queue: JobQueue;
  tracing: Tracing;
  idempotency?: IdempotencyStore;
  maxInFlight?: number;
}

/** The client's connection is closed (or closing): an answer could no longer reach it. */
function clientGone(socket: Socket | null): boolean {
  // Compared with true/false: an injected request (tests) has a socket stand-in without them.
  return socket?.destroyed === true || socket?.writable === false;
}

/**
 * Answers before the body is read. The unread body would keep the connection waiting for
 * it (until the body deadline, whose 408 would follow the answer), so the connection is
 * closed after the answer unless the body has already arrived.
 */
function answerBeforeBody(raw: IncomingMessage, reply: FastifyReply, res: ChannelResponse): void {
  if (!raw.complete) void reply.header('connection', 'close');
  void reply.code(res.status).send(res.body);
}

/** Registers the channel route. */
export function registerChannelRoutes(app: FastifyInstance, deps: ChannelRouteDeps): void {
  // One log line per 10 s at most while messages are refused over the in-flight limit.
  const refusalLog = createRefusalLog();
  // What every request's gate shares, built once rather than per message.
  const gateDeps = { store: deps.store, queue: deps.queue, refusalLog, ...(deps.idempotency ? { idempotency: deps.idempotency } : {}), ...(deps.maxInFlight !== undefined ? { maxInFlight: deps.maxInFlight } : {}) };
  app.post<{ Params: { channel: string; bot: string } }>('/channels/:channel/:bot', {
    // Callback style: answering here (404/401) means not calling done().
    onRequest: (req, reply, done) => {
      const snapshot = deps.config.current();
      const found = resolveChannel(snapshot, req.params.channel, req.params.bot);
      if ('response' in found) return void answerBeforeBody(req.raw, reply, found.response);
      const refusal = authenticateChannel(found.adapter, req.headers, found.bot);
      if (refusal) return void answerBeforeBody(req.raw, reply, refusal);
      req.channelTarget = { snapshot, adapter: found.adapter, bot: found.bot };
      done();
    },
    // Not async: a waiting caller holds one promise reaction here, not a suspended frame.
    handler: (req, reply) => {
      const { snapshot, adapter, bot } = req.channelTarget as NonNullable<typeof req.channelTarget>;
      const request = { headers: req.headers, body: req.body, rawBody: req.rawBody ?? Buffer.alloc(0), requestId: req.id, log: req.log };
      const trace = startMessageTrace(deps.tracing, req.headers, { channel: adapter.name, bot: bot.name, requestId: req.id });
      const accepted = acceptChannelRequest(adapter, request, bot, { ...gateDeps, snapshot, trace, abandoned: () => clientGone(req.raw.socket) });
      return accepted.then(
        (res) => {
          trace.finish();
          if (res.headers) void reply.headers(res.headers);
          return reply.code(res.status).send(res.body ?? '');
        },
        (err: unknown) => {
          trace.finish();
          throw err;
        },
      );
    },
  });
}
