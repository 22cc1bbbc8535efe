/**
 * Hand-made `JobContext` for unit tests of the Telegram and Slack adapters (without Fastify):
 * `handle` runs a request through the server's real channel gate with a tiny in-memory claim
 * store that can be switched "down", a keyed job queue the test can settle, a scripted
 * `process`, real signed file links, and a pino logger whose lines the test can search (to
 * prove no token is ever logged).
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { Agent } from 'undici';
import type { FastifyBaseLogger } from 'fastify';
import type { ChannelAdapter, ChannelJob, ChannelRequest, ChannelResponse, JobContext } from '../../runtime/channels/channel.js';
import type { ConfigSnapshot, ResolvedBot } from '../../runtime/config/snapshot.js';
import type { InboundMessage, OutboundReply } from '../../runtime/core/message.js';
import { replyOnly, type ReplyStream } from '../../runtime/pipeline/reply-stream.js';
import type { ProcessOptions } from '../../runtime/channels/channel.js';
import { createFileLinks, type FileLinks } from '../../runtime/files/file-links.js';
import type { JobQueue } from '../../runtime/queue/job-queue.js';
import { acceptChannelRequest, authenticateChannel } from '../../runtime/server/channel-gate.js';
import type { Store } from '../../runtime/store/store.js';
import { snapshot as makeSnapshot } from '../helpers/snapshot.js';

export interface TestStore extends Store {
  claims: Map<string, number>;
  /** While true every call rejects (a Redis outage). */
  down: boolean;
  released: string[];
}

/** A minimal Store: claims with TTL, empty history; `down` makes every call reject. */
export function createTestStore(): TestStore {
  const claims = new Map<string, number>();
  const released: string[] = [];
  const store: TestStore = {
    kind: 'memory',
    claims,
    released,
    down: false,
    async beginTurn(q) {
      if (store.down) throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
      return { history: [], assignment: q.assignment?.candidate ?? null, assigned: !!q.assignment };
    },
    async setAssignment() {
      if (store.down) throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
    },
    async endTurn() {
      if (store.down) throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
    },
    async claimOnce(key, ttl) {
      if (store.down) throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
      const exp = claims.get(key);
      if (exp !== undefined && exp > Date.now()) return false;
      claims.set(key, Date.now() + ttl * 1000);
      return true;
    },
    async releaseClaim(key) {
      if (store.down) throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
      released.push(key);
      claims.delete(key);
    },
    async incrementCounters() {
      if (store.down) throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
    },
    async readCounters() {
      if (store.down) throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
      return {};
    },
    async readUserIndex() {
      if (store.down) throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
      return [];
    },
    async removeFromUserIndex() {
      if (store.down) throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
    },
    async readHistory() {
      if (store.down) throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
      return [];
    },
    async deleteKey() {
      if (store.down) throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
      return false;
    },
    health: () => ({ kind: 'memory', state: store.down ? 'down' : 'up' }),
    async close() {},
  };
  return store;
}

/** A pino logger at debug level writing into `lines`. */
export function captureLogger(): { log: FastifyBaseLogger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { log: pino({ level: 'debug' }, stream) as unknown as FastifyBaseLogger, lines };
}

export interface TestContext {
  ctx: JobContext;
  /** What the server's channel route does with an authenticated request: authenticate, triage, claim, queue. */
  handle(adapter: ChannelAdapter, request: ChannelRequest, bot: ResolvedBot): Promise<ChannelResponse>;
  store: TestStore;
  links: FileLinks;
  /** Messages handed to `process`, in order. */
  processed: InboundMessage[];
  /** Conversation keys of the jobs queued, in order. */
  keys: string[];
  lines: string[];
  log: FastifyBaseLogger;
  /** Replaces the pipeline (default: echo the text as `echo: <text>`). */
  setProcess(fn: (m: InboundMessage) => Promise<OutboundReply>): void;
  /** Replaces the pipeline with one that streams (the options the channel passed are recorded in `processOptions`). */
  setStream(fn: (m: InboundMessage) => ReplyStream): void;
  processOptions: Array<ProcessOptions | undefined>;
  /** Makes the queue refuse jobs (the server is shutting down). */
  refuseBackground: boolean;
  /** Waits until every queued job has settled. */
  settle(): Promise<void>;
  /** A ChannelRequest with the given body, raw bytes = JSON of body unless given. */
  request(body: unknown, headers?: Record<string, string>, rawBody?: Buffer): ChannelRequest;
  close(): Promise<void>;
}

export function createTestContext(bots: ResolvedBot[], opts: { publicUrl?: string } = {}): TestContext {
  const snap: ConfigSnapshot = makeSnapshot(bots, []);
  const store = createTestStore();
  const links = createFileLinks({ publicUrl: opts.publicUrl ?? 'https://switchboard.example.com', secret: 'test-files-secret' });
  const { log, lines } = captureLogger();
  const processed: InboundMessage[] = [];
  const keys: string[] = [];
  const tails = new Map<string, Promise<void>>();
  const all: Promise<void>[] = [];
  const dispatcher = new Agent({ keepAliveTimeout: 1000 });
  let process = async (m: InboundMessage): Promise<OutboundReply> => ({ content: `echo: ${m.text ?? ''}`, attachments: [], integration: 'echo' });
  let stream: ((m: InboundMessage) => ReplyStream) | undefined;
  let requestCounter = 0;
  const queue: JobQueue = {
    push(job: ChannelJob) {
      if (tc.refuseBackground) throw new Error('shutting down');
      keys.push(job.conversationKey);
      const prev = tails.get(job.conversationKey) ?? Promise.resolve();
      const run = async (): Promise<ChannelResponse | undefined> => {
        const adapter = adapters.get(job.channel) as ChannelAdapter;
        // The bot the test handed to `handle` (it may differ from the snapshot's copy).
        const b = (botOf.get(job.requestId) ?? snap.bots.get(job.bot)) as ResolvedBot;
        return adapter.run(job, b, tc.ctx);
      };
      const result = prev.then(run);
      const next = result.then(
        () => undefined,
        (err: unknown) => {
          lines.push(JSON.stringify({ level: 50, msg: 'background job failed', err: String(err) }));
        },
      );
      tails.set(job.conversationKey, next);
      all.push(next);
      return result;
    },
    get size() {
      return 0;
    },
    drain: () => tc.settle(),
  };
  const adapters = new Map<string, ChannelAdapter>();
  const botOf = new Map<string, ResolvedBot>();

  const tc: TestContext = {
    store,
    links,
    processed,
    keys,
    lines,
    log,
    refuseBackground: false,
    ctx: {
      snapshot: snap,
      process: (m, options) => {
        processed.push(m);
        tc.processOptions.push(options);
        options?.onForward?.();
        if (stream) return stream(m);
        // Like the pipeline, a throw comes out through `reply`.
        return replyOnly(Promise.resolve().then(() => process(m)));
      },
      fileUrl: (file) => links.sign(file),
      dispatcher,
      log,
    },
    async handle(adapter, request, bot) {
      adapters.set(adapter.name, adapter);
      botOf.set(request.requestId, bot);
      const refusal = authenticateChannel(adapter, request.headers, bot);
      if (refusal) return refusal;
      return acceptChannelRequest(adapter, request, bot, { snapshot: snap, store, queue });
    },
    setProcess(fn) {
      process = fn;
      stream = undefined;
    },
    setStream(fn) {
      stream = fn;
    },
    processOptions: [],
    async settle() {
      for (let i = 0; i < all.length; i++) await all[i];
    },
    request(body, headers = {}, rawBody) {
      const raw = rawBody ?? Buffer.from(body === undefined ? '' : JSON.stringify(body));
      return { headers: { 'content-type': 'application/json', ...lower(headers) }, body, rawBody: raw, requestId: `req_${++requestCounter}`, log };
    },
    async close() {
      await tc.settle();
      await dispatcher.close();
    },
  };
  return tc;
}

function lower(h: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
}
