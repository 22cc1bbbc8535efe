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
}

/** Carries out one job (looks up the channel's `run` by `job.channel`). */
export type JobProcessor = (job: ChannelJob, local?: LocalJobState) => Promise<ChannelResponse | undefined>;

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
}

/** The in-memory `JobQueue`: per-conversation order in this process, drained on shutdown. */
export function createInProcessQueue(processor: JobProcessor): JobQueue {
  const queue = createKeyedQueue();
  return {
    push: (job, local) => queue.run(job.conversationKey, () => processor(job, local)),
    get size() {
      return queue.size;
    },
    drain: () => queue.drain(),
  };
}
