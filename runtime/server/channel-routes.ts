/**
 * `POST /channels/:channel/:bot`. The gate answers 404/401 in `onRequest`, before the body
 * is read (so 401 precedes 413); the handler lets the channel triage the parsed body and
 * hands the job to the queue.
 */
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { ChannelAdapter } from '../channels/channel.js';
import type { ConfigSnapshot, ResolvedBot } from '../config/snapshot.js';
import { startMessageTrace } from '../tracing/message-trace.js';
import type { Tracing } from '../tracing/tracing.js';
import type { JobQueue } from '../queue/job-queue.js';
import type { Store } from '../store/store.js';
import type { IdempotencyStore } from '../idempotency/idempotency.js';
import { acceptChannelRequest, authenticateChannel, resolveChannel } from './channel-gate.js';
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
}

/** The client's connection is closed (or closing): an answer could no longer reach it. */
function clientGone(socket: Socket | null): boolean {
  // Compared with true/false: an injected request (tests) has a socket stand-in without them.
  return socket?.destroyed === true || socket?.writable === false;
}

/** Registers the channel route. */
export function registerChannelRoutes(app: FastifyInstance, deps: ChannelRouteDeps): void {
  app.post<{ Params: { channel: string; bot: string } }>('/channels/:channel/:bot', {
    // Callback style: answering here (404/401) means not calling done().
    onRequest: (req, reply, done) => {
      const snapshot = deps.config.current();
      const found = resolveChannel(snapshot, req.params.channel, req.params.bot);
      if ('response' in found) return void reply.code(found.response.status).send(found.response.body);
      const refusal = authenticateChannel(found.adapter, req.headers, found.bot);
      if (refusal) return void reply.code(refusal.status).send(refusal.body);
      req.channelTarget = { snapshot, adapter: found.adapter, bot: found.bot };
      done();
    },
    handler: async (req, reply) => {
      const { snapshot, adapter, bot } = req.channelTarget as NonNullable<typeof req.channelTarget>;
      const request = { headers: req.headers, body: req.body, rawBody: req.rawBody ?? Buffer.alloc(0), requestId: req.id, log: req.log };
      const trace = startMessageTrace(deps.tracing, req.headers, { channel: adapter.name, bot: bot.name, requestId: req.id });
      let res;
      try {
        res = await acceptChannelRequest(adapter, request, bot, { snapshot, store: deps.store, queue: deps.queue, trace, abandoned: () => clientGone(req.raw.socket), ...(deps.idempotency ? { idempotency: deps.idempotency } : {}) });
      } finally {
        trace.finish();
      }
      if (res.headers) void reply.headers(res.headers);
      return reply.code(res.status).send(res.body ?? '');
    },
  });
}
