/**
 * The in-process queue with the delivery counters (accepted, processed) of the durable one,
 * so `/metrics` has the same series whichever store runs.
 */
import type { JobQueue } from '../queue/job-queue.js';
import type { DeliveryMetrics } from './delivery-metrics.js';

/** Wraps `queue`: every pushed job counts as accepted, and as processed once it has run. */
export function countedQueue(queue: JobQueue, metrics: DeliveryMetrics): JobQueue {
  return {
    push(job, local) {
      const result = queue.push(job, local);
      metrics.accepted.inc({ channel: job.channel });
      result.then(
        () => metrics.processed.inc({ channel: job.channel }),
        () => undefined,
      );
      return result;
    },
    get size() {
      return queue.size;
    },
    drain: () => queue.drain(),
    close: (graceMs) => (queue.close ? queue.close(graceMs) : queue.drain()),
  };
}
