/**
 * The durable `JobQueue` on Redis. An `ack`-mode job is persisted (with its delivery claim,
 * in one script) before the channel gets its 2xx; from then on some replica delivers it.
 *
 * - Order: each conversation has its own Redis list and at most one lease holder, which
 *   processes the list's head, acknowledges it and moves on to the next job. So one
 *   conversation runs one job at a time, in arrival order, on whichever replica holds it,
 *   while other conversations run elsewhere (no head-of-line blocking).
 * - Leases: the holder renews its leases every third of `leaseMs`; a replica polling for work
 *   takes over conversations whose lease expired (their holder died, hung or lost Redis).
 * - Replies: the webhook reply is recorded before delivery, and the acknowledgement removes
 *   the job; a taken-over job with a recorded reply is delivered without a second webhook call.
 * - Poison: a head job whose attempts failed `maxAttempts` times goes to the dead letters.
 * - Stop: `close(grace)` stops polling, waits for held work up to `grace`, then releases
 *   what is left so other replicas take it at once.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { RedisClient } from '../store/redis-connection.js';
import type { ChannelJob } from '../channels/channel.js';
import { errorMessage } from '../core/error-message.js';
import type { OutboundReply } from '../core/message.js';
import { createInProcessQueue, drainWithin, type JobProcessor, type JobQueue, type LocalJobState, type RecordedReply } from '../queue/job-queue.js';
import { defineDeliveryScripts } from './delivery-scripts.js';
import type { DeadLetter, DeliveryMetrics, QueueDepth } from './delivery-metrics.js';
import { DELIVERY_PARTITIONS, partitionBase, partitionOf } from './partition.js';

/** How long a recorded reply is kept (a job is never older in practice). */
const REPLY_TTL_SECONDS = 24 * 3600;
/** Channels whose jobs go through the durable queue. */
const DURABLE_CHANNELS = ['telegram', 'slack'] as const;

export interface RedisJobQueueOptions {
  /** A client without a key prefix; the queue's keys carry their own `swb:{dq:<n>}:` base. */
  redis: RedisClient;
  processor: JobProcessor;
  log: FastifyBaseLogger;
  metrics: DeliveryMetrics;
  /** `SWITCHBOARD_DELIVERY_LEASE`. */
  leaseMs: number;
  /** Failed attempts (expired lease or a processor that threw) before a job is dead-lettered (default 5). */
  maxAttempts?: number;
  /** How often idle and expired work is looked for (default: a quarter of the lease, at most 1 s). */
  pollMs?: number;
  /** Conversations this replica holds at most from polling (default 64; its own accepts always run). */
  maxHeld?: number;
  partitions?: number;
  /** Key prefix before the partition's hash tag (default `swb:`). */
  keyPrefix?: string;
}

export interface RedisJobQueue extends JobQueue {
  close(graceMs: number): Promise<void>;
  /** Starts polling for released and expired work. */
  start(): void;
  depth(): Promise<QueueDepth[]>;
  deadLetters(limit?: number): Promise<DeadLetter[]>;
  readonly leaseMs: number;
}

interface Entry {
  id: string;
  at: number;
  job: ChannelJob;
}

interface Turn {
  entry: Entry;
  reply: string;
  local?: LocalJobState;
}

/** Creates the durable queue (call `start()` to begin polling). */
export function createRedisJobQueue(opts: RedisJobQueueOptions): RedisJobQueue {
  const redis = defineDeliveryScripts(opts.redis);
  const { log, metrics, leaseMs, processor } = opts;
  const partitions = opts.partitions ?? DELIVERY_PARTITIONS;
  const maxAttempts = opts.maxAttempts ?? 5;
  const pollMs = opts.pollMs ?? Math.max(20, Math.min(1000, Math.floor(leaseMs / 4)));
  const maxHeld = opts.maxHeld ?? 64;
  const token = randomUUID();
  const prefix = opts.keyPrefix ?? 'swb:';
  const local = createInProcessQueue(processor);
  /** conversation → partition, for what this replica holds. */
  const held = new Map<string, number>();
  const inflight = new Set<Promise<void>>();
  let closing = false;
  let pollTimer: NodeJS.Timeout | undefined;
  let renewTimer: NodeJS.Timeout | undefined;

  const keys = (p: number, conv: string) => {
    const base = partitionBase(p, prefix);
    return { base, list: `${base}c:${conv}`, lease: `${base}lease`, owner: `${base}owner`, ready: `${base}ready`, tries: `${base}tries`, dead: `${base}dead` };
  };

  const leaseOp = (p: number, conv: string, action: 'renew' | 'fail' | 'release'): Promise<number> => {
    const k = keys(p, conv);
    return redis.swbDqLease(3, k.lease, k.owner, k.ready, conv, token, action, leaseMs);
  };

  const recordedReply = (base: string, turn: Turn): RecordedReply => {
    const recorded = turn.reply ? parseReply(turn.reply) : undefined;
    return {
      ...(recorded ? { recorded } : {}),
      record: async (reply) => {
        await redis.set(`${base}r:${turn.entry.id}`, JSON.stringify(reply), 'EX', REPLY_TTL_SECONDS);
      },
    };
  };

  /** Runs the head job; resolves with the next turn when this replica keeps the conversation. */
  async function runTurn(p: number, conv: string, turn: Turn): Promise<Turn | undefined> {
    const { entry } = turn;
    const k = keys(p, conv);
    // The accepting request's trace stays open until its job is done.
    const release = turn.local?.trace?.hold();
    try {
      await processor(entry.job, turn.local, recordedReply(k.base, turn));
    } catch (err) {
      release?.();
      log.error({ channel: entry.job.channel, bot: entry.job.bot, requestId: entry.job.requestId, err: errorMessage(err) }, 'job failed; it will be retried or dead-lettered');
      await leaseOp(p, conv, 'fail').catch(() => undefined);
      return undefined;
    }
    release?.();
    metrics.processed.inc({ channel: entry.job.channel });
    const wait = `${k.base}w:${entry.job.channel}`;
    const res = await retrying(() => redis.swbDqAck(7, k.list, k.lease, k.owner, k.tries, wait, `${k.base}r:${entry.id}`, k.ready, conv, token, entry.id, leaseMs, closing ? '0' : '1', k.base));
    if (!res) {
      log.error({ channel: entry.job.channel, requestId: entry.job.requestId }, 'could not record the delivery; the job may be delivered again once its lease expires');
      return undefined;
    }
    if (res[0] === -1) log.warn({ channel: entry.job.channel, requestId: entry.job.requestId }, 'the lease was lost while the job ran (another replica may deliver it again)');
    if (res[0] !== 1 || !res[1]) return undefined;
    return { entry: JSON.parse(res[1]) as Entry, reply: res[2] ?? '' };
  }

  /** Works on a conversation this replica was leased, until it has nothing more to hold. */
  function work(p: number, conv: string, first: Turn): void {
    held.set(conv, p);
    const done = (async () => {
      let turn: Turn | undefined = first;
      while (turn) turn = await runTurn(p, conv, turn);
    })()
      .catch((err: unknown) => log.error({ err: errorMessage(err) }, 'delivery worker failed'))
      .finally(() => {
        held.delete(conv);
        inflight.delete(done);
      });
    inflight.add(done);
  }

  /** One acquire per partition: released conversations and expired leases. */
  async function poll(): Promise<void> {
    const room = maxHeld - held.size;
    if (room <= 0 || closing) return;
    const limit = Math.max(1, Math.ceil(room / partitions));
    await Promise.all(
      Array.from({ length: partitions }, async (_, p) => {
        const k = keys(p, '');
        let out: string[];
        try {
          out = await redis.swbDqAcquire(5, k.lease, k.owner, k.ready, k.tries, k.dead, token, leaseMs, maxAttempts, limit, k.base);
        } catch {
          return; // Redis is down: the next poll tries again.
        }
        for (let i = 0; i + 3 < out.length; i += 4) handleAcquired(p, out[i] as string, out[i + 1] as string, out[i + 2] as string, out[i + 3] as string);
      }),
    );
  }

  function handleAcquired(p: number, kind: string, conv: string, raw: string, reply: string): void {
    const entry = JSON.parse(raw) as Entry;
    const fields = { channel: entry.job.channel, bot: entry.job.bot, requestId: entry.job.requestId };
    if (kind === 'd') {
      metrics.deadLettered.inc({ channel: entry.job.channel });
      log.error(fields, 'job dead-lettered after too many failed attempts');
      return;
    }
    if (kind === 't') {
      metrics.takenOver.inc({ channel: entry.job.channel });
      log.warn({ ...fields, replyRecorded: reply !== '' }, 'job taken over after its lease expired');
    }
    if (closing) {
      void leaseOp(p, conv, 'release').catch(() => undefined);
      return;
    }
    work(p, conv, { entry, reply });
  }

  const schedulePoll = (): void => {
    if (closing) return;
    pollTimer = setTimeout(() => {
      void poll().finally(schedulePoll);
    }, pollMs);
  };

  const renew = (): void => {
    for (const [conv, p] of held) {
      leaseOp(p, conv, 'renew').then(
        (ok) => {
          if (!ok && held.has(conv)) log.warn({ conversationKey: conv }, 'lease lost while renewing');
        },
        () => undefined,
      );
    }
  };

  return {
    leaseMs,
    push: (job, state) => local.push(job, state),
    get size() {
      return local.size + held.size;
    },
    drain: async () => {
      await Promise.all([local.drain(), ...inflight]);
    },

    async accept(job, state) {
      if (closing) throw new Error('the queue is shutting down');
      const p = partitionOf(job.conversationKey, partitions);
      const k = keys(p, job.conversationKey);
      // `id` first: the scripts read it at a fixed offset (a UUID is 36 characters).
      const entry: Entry = { id: randomUUID(), at: Date.now(), job };
      const claimKey = job.claim ? `${k.base}seen:${job.claim.key}` : `${k.base}seen:-`;
      const res = await redis.swbDqEnqueue(6, k.list, k.lease, k.owner, k.tries, claimKey, `${k.base}w:${job.channel}`, JSON.stringify(entry), entry.id, job.conversationKey, token, leaseMs, job.claim ? Math.max(1, Math.round(job.claim.ttlSeconds)) : 0);
      if (res === 0) return false;
      metrics.accepted.inc({ channel: job.channel });
      if (res === 2) work(p, job.conversationKey, { entry, reply: '', ...(state ? { local: state } : {}) });
      return true;
    },

    start() {
      if (renewTimer) return;
      renewTimer = setInterval(renew, Math.max(10, Math.floor(leaseMs / 3)));
      schedulePoll();
    },

    async close(graceMs) {
      closing = true;
      clearTimeout(pollTimer);
      const finished = await drainWithin(Promise.all([local.drain(), ...inflight]).then(() => undefined), graceMs);
      clearInterval(renewTimer);
      if (!finished) {
        log.warn({ held: held.size }, 'shutdown grace is over: releasing held work to the other replicas');
        await Promise.all(
          [...held].map(([conv, p]) =>
            leaseOp(p, conv, 'release').then(
              (ok) => {
                if (!ok) log.warn({ conversationKey: conv }, 'could not release: the lease was already lost');
              },
              (err: unknown) => log.warn({ conversationKey: conv, err: errorMessage(err) }, 'could not release held work; it is taken over once its lease expires'),
            ),
          ),
        );
      }
    },

    async depth() {
      const rows = await Promise.all(
        DURABLE_CHANNELS.map(async (channel) => {
          const parts = await Promise.all(Array.from({ length: partitions }, (_, p) => redis.swbDqDepth(1, `${partitionBase(p, prefix)}w:${channel}`)));
          return { channel, depth: parts.reduce((n, [d]) => n + d, 0), oldestMs: Math.max(0, ...parts.map(([, age]) => age)) };
        }),
      );
      return rows;
    },

    async deadLetters(limit = 100) {
      const lists = await Promise.all(Array.from({ length: partitions }, (_, p) => redis.lrange(`${partitionBase(p, prefix)}dead`, 0, limit - 1)));
      return lists
        .flat()
        .map((raw) => deadLetterOf(raw))
        .filter((d): d is DeadLetter => d !== undefined)
        .sort((a, b) => b.at.localeCompare(a.at))
        .slice(0, limit);
    },
  };
}

/** Retries a Redis write a few times (about 3 s in all) before giving up. */
async function retrying<T>(op: () => Promise<T>): Promise<T | undefined> {
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      return await op();
    } catch {
      await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
    }
  }
  return undefined;
}

function parseReply(raw: string): OutboundReply | undefined {
  try {
    const reply = JSON.parse(raw) as OutboundReply;
    return typeof reply.content === 'string' && Array.isArray(reply.attachments) ? reply : undefined;
  } catch {
    return undefined;
  }
}

function deadLetterOf(raw: string): DeadLetter | undefined {
  try {
    const d = JSON.parse(raw) as { at: number; attempts: number; entry: Entry };
    const { job } = d.entry;
    return { id: d.entry.id, at: new Date(d.at).toISOString(), attempts: d.attempts, channel: job.channel, bot: job.bot, conversationKey: job.conversationKey, requestId: job.requestId };
  } catch {
    return undefined;
  }
}
