/**
 * The seam between "accepted" and "processed". The server hands every accepted
 * `ChannelJob` to a `JobQueue`; the queue runs the processor on it, one job at a time per
 * `conversationKey`, in arrival order. The in-process queue below keeps jobs in memory; a
 * durable queue implements the same interface (jobs are plain data) and calls the same
 * processor from its consumers.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { ChannelJob, ChannelResponse } from '../channels/channel.js';
import type { ConfigSnapshot } from '../config/snapshot.js';
import type { OutboundReply } from '../core/message.js';
import type { DeadLetter, DeliveryMetrics, QueueDepth } from '../delivery/delivery-metrics.js';
import { createKeyedQueue } from './keyed-queue.js';
import type { MessageTrace } from '../tracing/message-trace.js';

/**
 * What the accepting request can hand along when the job runs in the same process: the
 * snapshot it read and its logger. A queue that moves jobs elsewhere drops it, and the
 * processor falls back to the current snapshot.
 */
export interface LocalJobState {
  snapshot: ConfigSnapshot;
  log: FastifyBaseLogger;
  /** The request's trace: the job's spans are its children, and it stays open until the job ends. */
  trace?: MessageTrace;
  /** True once the client that waits for the answer went away: a job not yet started is then dropped. */
  abandoned?: () => boolean;
  /** A waiting request's early answer (`JobContext.respond`). */
  respond?: (response: ChannelResponse) => void;
}

/**
 * What a durable queue hands the processor: the webhook reply recorded by an earlier
 * attempt (delivered without calling the webhook again), and where to record a new one
 * before it is delivered.
 */
export interface RecordedReply {
  recorded?: OutboundReply;
  record(reply: OutboundReply): Promise<void>;
}

/** Carries out one job (looks up the channel's `run` by `job.channel`). */
export type JobProcessor = (job: ChannelJob, local?: LocalJobState, reply?: RecordedReply) => Promise<ChannelResponse | undefined>;

export interface JobQueue {
  /**
   * Accepts `job` and resolves with the processor's result once it has run (after every
   * earlier job of its `conversationKey`). Throws at once when it cannot accept the job.
   */
  push(job: ChannelJob, local?: LocalJobState): Promise<ChannelResponse | undefined>;
  /** Jobs accepted and not yet finished. */
  readonly size: number;
  /** Resolves once every job accepted so far has finished. */
  drain(): Promise<void>;
  /**
   * Durable queues: persists an `ack`-mode job, atomically with its delivery claim, before the
   * channel is answered. Resolves false for a duplicate delivery; rejects when the job could
   * not be persisted (the channel then gets a 503 and re-sends). Without it, the gate claims
   * in the store and calls `push`.
   */
  accept?(job: ChannelJob, local?: LocalJobState): Promise<boolean>;
  /**
   * Stops taking work, waits up to `graceMs` for the jobs being processed, and hands the rest
   * back (a durable queue releases them to other replicas at once).
   */
  close?(graceMs: number): Promise<void>;
  /** Durable queues: jobs waiting and the oldest waiting age, per channel, across replicas. */
  depth?(): Promise<QueueDepth[]>;
  /** Durable queues: the most recent dead-lettered jobs, newest first. */
  deadLetters?(limit?: number): Promise<DeadLetter[]>;
}

/** Builds the server's queue around its processor (the default is the in-process queue). */
export type JobQueueFactory = (processor: JobProcessor, metrics: DeliveryMetrics) => JobQueue;

/** The in-memory `JobQueue`: per-conversation order in this process, drained on shutdown. */
export function createInProcessQueue(processor: JobProcessor): JobQueue {
  const queue = createKeyedQueue();
  return {
    push: (job, local) => queue.run(job.conversationKey, () => processor(job, local)),
    get size() {
      return queue.size;
    },
    drain: () => queue.drain(),
    close: async (graceMs) => {
      await drainWithin(queue.drain(), graceMs);
    },
  };
}

/** Waits for `drained`, at most `graceMs`; resolves true when it finished in time. */
export function drainWithin(drained: Promise<void>, graceMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), graceMs);
  });
  return Promise.race([drained.then(() => true), late]).finally(() => clearTimeout(timer));
}
