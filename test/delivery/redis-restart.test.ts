/**
 * Redis restarts while work is pending: with persistence (`appendonly yes`, fsync always),
 * every accepted job survives a SIGKILL of redis-server and is processed exactly once after
 * it comes back on the same port. (Without persistence a restart loses the waiting jobs,
 * as docs/delivery.md says; that needs no test.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import type { ChannelJob } from '../../runtime/channels/channel.js';
import { registerDeliveryMetrics } from '../../runtime/delivery/delivery-metrics.js';
import { createRedisJobQueue } from '../../runtime/delivery/redis-job-queue.js';
import { waitFor } from '../helpers/config-tree.js';

let dir = '';
let server: ChildProcess | undefined;
afterAll(async () => {
  server?.kill('SIGKILL');
  if (dir) await rm(dir, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function startPersistentRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--loglevel', 'warning'], { stdio: 'ignore' });
  const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => undefined);
  await waitFor(async () => {
    try {
      await probe.connect();
      return (await probe.ping()) === 'PONG';
    } catch {
      probe.disconnect();
      return false;
    }
  }, 10_000, 'redis-server to answer');
  probe.disconnect();
  return child;
}

const job = (n: number): ChannelJob => ({ channel: 'telegram', bot: 'b', requestId: `r${n}`, conversationKey: `telegram:b:c${n % 3}`, claim: { key: `tg:b:${n}`, ttlSeconds: 60, logFields: {} }, payload: { n } });

describe.skipIf(Boolean(process.env.REDIS_URL))('durable queue across a Redis restart', () => {
  it('processes every job accepted before a SIGKILL of a persistent Redis exactly once', async () => {
    dir = await mkdtemp(join(tmpdir(), 'swb-redis-aof-'));
    const port = await freePort();
    server = await startPersistentRedis(port);
    const client = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: 1000, retryStrategy: (t) => Math.min(50 * t, 500) });
    client.on('error', () => undefined);
    await new Promise((r) => client.once('ready', r));
    let open = false;
    const ran: number[] = [];
    const queue = createRedisJobQueue({
      redis: client,
      log: pino({ level: 'silent' }),
      metrics: registerDeliveryMetrics(new Registry()),
      leaseMs: 1500,
      pollMs: 50,
      processor: async (j) => {
        // Jobs wait until Redis has been restarted (no sleep: the flag flips after the restart).
        await waitFor(() => open, 30_000, 'the restart');
        ran.push((j.payload as { n: number }).n);
        return undefined;
      },
    });
    queue.start();
    try {
      for (let n = 0; n < 9; n++) expect(await queue.accept?.(job(n))).toBe(true);
      server.kill('SIGKILL');
      await new Promise((r) => server?.once('exit', r));
      server = await startPersistentRedis(port);
      open = true;
      await waitFor(() => ran.length >= 9, 30_000, 'all nine jobs');
      await waitFor(async () => (await queue.depth().catch(() => [{ depth: 1 }])).every((d) => d.depth === 0), 30_000, 'the queue to empty');
      expect([...ran].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
      // Re-sends of the same updates are still recognised as duplicates.
      expect(await queue.accept?.(job(4))).toBe(false);
    } finally {
      await queue.close(0);
      client.disconnect();
    }
  });
});
