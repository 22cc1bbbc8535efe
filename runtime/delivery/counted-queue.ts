/**
 * The in-process queue with the delivery metrics of the durable one (accepted, processed,
 * depth and oldest waiting age per channel), so `/metrics` has the same series whichever
 * store runs.
 */
import type { QueueDepth } from './delivery-metrics.js';
import type { JobQueue } from '../queue/job-queue.js';
import type { DeliveryMetrics } from './delivery-metrics.js';

/** A counted queue also reports its depth (this process only). */
export interface CountedQueue extends JobQueue {
  depth(): Promise<QueueDepth[]>;
}

/** Wraps `queue`: every pushed job counts as accepted, and as processed once it has run. */
export function countedQueue(queue: JobQueue, metrics: DeliveryMetrics): CountedQueue {
  /** channel → accepted-at of the jobs not yet finished, oldest first (a Set keeps insertion order). */
  const waiting = new Map<string, Set<{ at: number }>>();
  return {
    push(job, local) {
      const entry = { at: Date.now() };
      let set = waiting.get(job.channel);
      if (!set) waiting.set(job.channel, (set = new Set()));
      set.add(entry);
      const result = queue.push(job, local);
      metrics.accepted.inc({ channel: job.channel });
      const done = (): void => {
        set.delete(entry);
      };
      result.then(
        () => {
          done();
          metrics.processed.inc({ channel: job.channel });
        },
        done,
      );
      return result;
    },
    get size() {
      return queue.size;
    },
    drain: () => queue.drain(),
    close: (graceMs) => (queue.close ? queue.close(graceMs) : queue.drain()),
    async depth() {
      const now = Date.now();
      return [...waiting].map(([channel, set]) => {
        const first = set.values().next().value as { at: number } | undefined;
        return { channel, depth: set.size, oldestMs: first ? now - first.at : 0 };
      });
    },
  };
}
