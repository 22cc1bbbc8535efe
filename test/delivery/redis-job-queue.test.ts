/**
 * The durable queue against a real redis-server: two queue instances stand in for two
 * replicas. Order per conversation across them, takeover of an expired lease, the recorded
 * reply, dead letters, release on close, and a Redis pause while work is pending.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelJob } from '../../runtime/channels/channel.js';
import { registerDeliveryMetrics, type DeliveryMetrics } from '../../runtime/delivery/delivery-metrics.js';
import { createRedisJobQueue, type RedisJobQueue } from '../../runtime/delivery/redis-job-queue.js';
import type { JobProcessor } from '../../runtime/queue/job-queue.js';
import { startRedis, redisIsExternal, type RedisHandle } from '../helpers/redis.js';
import { waitFor } from '../helpers/config-tree.js';

let redis: RedisHandle;
const clients: Redis[] = [];
const queues: RedisJobQueue[] = [];
beforeAll(async () => {
  redis = await startRedis();
});
afterEach(async () => {
  await Promise.all(queues.splice(0).map((q) => q.close(0)));
});
afterAll(async () => {
  for (const c of clients) c.disconnect();
  await redis.stop();
});

const log = pino({ level: 'silent' });

async function replica(processor: JobProcessor, over: { leaseMs?: number; maxAttempts?: number; prefix: string; start?: boolean }): Promise<{ queue: RedisJobQueue; metrics: DeliveryMetrics; registry: Registry }> {
  const client = new Redis(redis.url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: 1000 });
  client.on('error', () => undefined);
  await new Promise((r) => client.once('ready', r));
  clients.push(client);
  const registry = new Registry();
  const metrics = registerDeliveryMetrics(registry);
  const queue = createRedisJobQueue({ redis: client, processor, log, metrics, leaseMs: over.leaseMs ?? 30_000, pollMs: 25, keyPrefix: over.prefix, ...(over.maxAttempts ? { maxAttempts: over.maxAttempts } : {}) });
  if (over.start !== false) queue.start();
  queues.push(queue);
  return { queue, metrics, registry };
}

function job(conv: string, n: number, claim = true): ChannelJob {
  return {
    channel: 'telegram',
    bot: 'b',
    requestId: `r${n}`,
    conversationKey: `telegram:b:${conv}`,
    ...(claim ? { claim: { key: `tg:b:${conv}:${n}`, ttlSeconds: 60, logFields: {} } } : {}),
    payload: { n },
  };
}

const prefix = (): string => `t${randomUUID().slice(0, 8)}:`;
const counter = async (registry: Registry, name: string): Promise<number> => {
  const m = (await registry.getMetricsAsJSON()).find((x) => x.name === name);
  return (m?.values ?? []).reduce((n, v) => n + Number(v.value), 0);
};

describe('durable queue on Redis', () => {
  it('persists once per delivery id and runs the job', async () => {
    const seen: number[] = [];
    const { queue, registry } = await replica(async (j) => {
      seen.push((j.payload as { n: number }).n);
      return undefined;
    }, { prefix: prefix() });
    expect(await queue.accept?.(job('c1', 1))).toBe(true);
    expect(await queue.accept?.(job('c1', 1))).toBe(false);
    await waitFor(() => seen.length === 1, 10_000, 'the job to run');
    await waitFor(async () => (await queue.depth()).every((d) => d.depth === 0), 10_000, 'the queue to empty');
    expect(seen).toEqual([1]);
    expect(await counter(registry, 'switchboard_delivery_accepted_total')).toBe(1);
    expect(await counter(registry, 'switchboard_delivery_processed_total')).toBe(1);
  });

  it('runs one conversation one job at a time, in order, across two replicas, without blocking others', async () => {
    const p = prefix();
    const events: string[] = [];
    let running = 0;
    let overlap = false;
    let releaseSlow: () => void = () => undefined;
    const slow = new Promise<void>((r) => (releaseSlow = r));
    const processor: JobProcessor = async (j) => {
      const { n } = j.payload as { n: number };
      if (j.conversationKey.endsWith('other')) {
        events.push('other');
        return undefined;
      }
      running += 1;
      if (running > 1) overlap = true;
      events.push(`start${n}`);
      if (n === 0) await slow;
      await new Promise((r) => setImmediate(r));
      events.push(`end${n}`);
      running -= 1;
      return undefined;
    };
    const a = await replica(processor, { prefix: p });
    const b = await replica(processor, { prefix: p });
    for (let n = 0; n < 6; n++) await (n % 2 === 0 ? a : b).queue.accept?.(job('conv', n));
    // Another conversation is not held up by the slow head of the first.
    await b.queue.accept?.(job('other', 99));
    await waitFor(() => events.includes('other'), 10_000, 'the other conversation to run');
    expect(events).toEqual(['start0', 'other']);
    releaseSlow();
    await waitFor(() => events.filter((e) => e.startsWith('end')).length === 6, 15_000, 'all six jobs');
    expect(overlap).toBe(false);
    expect(events.filter((e) => e !== 'other')).toEqual([0, 1, 2, 3, 4, 5].flatMap((n) => [`start${n}`, `end${n}`]));
  });

  it('takes over a job whose holder stopped renewing, and reuses a recorded reply', async () => {
    const p = prefix();
    // Replica A records the reply and then never finishes (and never renews: not started).
    const a = await replica(async (_j, _l, reply) => {
      await reply?.record({ content: 'recorded answer', attachments: [] });
      return new Promise(() => undefined);
    }, { prefix: p, leaseMs: 600, start: false });
    const got: Array<string | undefined> = [];
    const b = await replica(async (_j, _l, reply) => {
      got.push(reply?.recorded?.content);
      return undefined;
    }, { prefix: p, leaseMs: 600 });
    await a.queue.accept?.(job('c2', 1));
    await waitFor(() => got.length === 1, 15_000, 'replica B to take the job over');
    expect(got).toEqual(['recorded answer']);
    expect(await counter(b.registry, 'switchboard_delivery_taken_over_total')).toBe(1);
  });

  it('dead-letters a job that fails every attempt, and goes on with the next one', async () => {
    const p = prefix();
    const done: number[] = [];
    const { queue, registry } = await replica(async (j) => {
      const { n } = j.payload as { n: number };
      if (n === 1) throw new Error('poison');
      done.push(n);
      return undefined;
    }, { prefix: p, maxAttempts: 3 });
    await queue.accept?.(job('c3', 1));
    await queue.accept?.(job('c3', 2));
    await waitFor(() => done.length === 1, 15_000, 'the job behind the poison one');
    expect(done).toEqual([2]);
    const dead = await queue.deadLetters();
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ channel: 'telegram', bot: 'b', conversationKey: 'telegram:b:c3', requestId: 'r1', attempts: 3 });
    expect(await counter(registry, 'switchboard_delivery_dead_lettered_total')).toBe(1);
  });

  it('on close, releases held work to another replica at once (not after the lease)', async () => {
    const p = prefix();
    const a = await replica(() => new Promise(() => undefined), { prefix: p, leaseMs: 120_000 });
    const ran: number[] = [];
    const b = await replica(async (j) => {
      ran.push((j.payload as { n: number }).n);
      return undefined;
    }, { prefix: p, leaseMs: 120_000 });
    await a.queue.accept?.(job('c4', 1));
    await a.queue.close(50);
    await waitFor(() => ran.length === 1, 10_000, 'replica B to get the released job');
    expect(ran).toEqual([1]);
    expect(await counter(b.registry, 'switchboard_delivery_taken_over_total')).toBe(0);
    await expect(a.queue.accept?.(job('c4', 2))).rejects.toThrow(/shutting down/);
  });

  it.skipIf(redisIsExternal())('rejects accepts while Redis hangs, and finishes pending work once it answers again; a re-send is then a duplicate', async () => {
    const p = prefix();
    const ran: number[] = [];
    let gate: () => void = () => undefined;
    const held = new Promise<void>((r) => (gate = r));
    const { queue } = await replica(async (j) => {
      await held;
      ran.push((j.payload as { n: number }).n);
      return undefined;
    }, { prefix: p, leaseMs: 2000 });
    await queue.accept?.(job('c5', 1));
    await redis.pause();
    try {
      await expect(queue.accept?.(job('c5', 2))).rejects.toThrow();
      gate();
      await waitFor(() => ran.length === 1, 5000, 'the held job to run');
    } finally {
      await redis.resume();
    }
    await waitFor(async () => (await queue.depth().catch(() => [{ depth: 1 }])).every((d) => d.depth === 0), 15_000, 'the deliveries to be recorded');
    // The timed-out write may still have reached Redis once it answered again: then the
    // platform's re-send is recognised as a duplicate and the job runs exactly once.
    const resent = await queue.accept?.(job('c5', 2));
    await waitFor(async () => (await queue.depth()).every((d) => d.depth === 0), 15_000, 'the queue to empty');
    expect(typeof resent).toBe('boolean');
    expect(ran).toEqual([1, 2]);
    expect(ran.filter((n) => n === 2)).toHaveLength(1);
  });
});
