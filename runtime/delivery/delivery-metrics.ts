/**
 * Metrics of the path between "accepted" and "processed": jobs accepted, processed, taken
 * over from an expired lease and dead-lettered, per channel; and, from a durable queue, the
 * depth and the oldest waiting age per channel (read from Redis at scrape time).
 */
import { Counter, Gauge, type Registry } from 'prom-client';

export interface DeliveryMetrics {
  accepted: Counter<'channel'>;
  processed: Counter<'channel'>;
  takenOver: Counter<'channel'>;
  deadLettered: Counter<'channel'>;
}

/** What a durable queue reports at scrape time, per channel. */
export interface QueueDepth {
  channel: string;
  depth: number;
  oldestMs: number;
}

/** One dead-lettered job, as `/delivery` shows it (no message text). */
export interface DeadLetter {
  id: string;
  at: string;
  attempts: number;
  channel: string;
  bot: string;
  conversationKey: string;
  requestId: string;
}

/** Registers the delivery metrics; `depth` (when given) fills the depth gauges at each scrape. */
export function registerDeliveryMetrics(registry: Registry, depth?: () => Promise<QueueDepth[]>): DeliveryMetrics {
  const registers = [registry];
  const metrics = {
    accepted: new Counter({ name: 'switchboard_delivery_accepted_total', help: 'Channel updates accepted (persisted before the 2xx with a Redis store), by channel', labelNames: ['channel'], registers }),
    processed: new Counter({ name: 'switchboard_delivery_processed_total', help: 'Accepted updates processed to the end, by channel', labelNames: ['channel'], registers }),
    takenOver: new Counter({ name: 'switchboard_delivery_taken_over_total', help: 'Jobs taken over by this replica after their lease expired, by channel', labelNames: ['channel'], registers }),
    deadLettered: new Counter({ name: 'switchboard_delivery_dead_lettered_total', help: 'Jobs moved to the dead letters by this replica after too many failed attempts, by channel', labelNames: ['channel'], registers }),
  };
  if (depth) {
    let last: Promise<QueueDepth[]> | undefined;
    // Both gauges read one snapshot per scrape.
    const read = (): Promise<QueueDepth[]> => (last ??= depth().finally(() => setImmediate(() => (last = undefined))));
    new Gauge({
      name: 'switchboard_delivery_queue_depth',
      help: 'Jobs accepted and not yet delivered, by channel (all replicas with Redis, this process with the memory store)',
      labelNames: ['channel'],
      registers,
      async collect() {
        for (const d of await read().catch(() => [])) this.set({ channel: d.channel }, d.depth);
      },
    });
    new Gauge({
      name: 'switchboard_delivery_oldest_waiting_seconds',
      help: 'Age of the oldest job accepted and not yet delivered, by channel (all replicas with Redis, this process with the memory store)',
      labelNames: ['channel'],
      registers,
      async collect() {
        for (const d of await read().catch(() => [])) this.set({ channel: d.channel }, d.oldestMs / 1000);
      },
    });
  }
  return metrics;
}
