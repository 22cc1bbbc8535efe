/**
 * The Redis rate limiter on a real three-master Redis Cluster (built for this file with
 * `redis-cli --cluster create`): one key per call, so users on different slots and nodes are
 * limited exactly, through two cluster clients (replicas) at once, and a script lost on one
 * node (SCRIPT FLUSH) is re-sent there.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rateLimitKey } from '../../runtime/rate-limit/rate-limiter.js';
import { createRedisRateLimiter } from '../../runtime/rate-limit/redis-rate-limiter.js';
import { waitFor } from '../helpers/config-tree.js';

const servers: ChildProcess[] = [];
const ports: number[] = [];
const clients: Cluster[] = [];
let dir: string;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function ping(port: number): Promise<boolean> {
  const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on('error', () => {});
  try {
    await r.connect();
    return (await r.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

process.once('exit', () => {
  for (const s of servers) s.kill('SIGKILL');
});

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'swb-rl-cluster-'));
  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `nodes-${port}.conf`), '--save', '', '--appendonly', 'no', '--dir', dir, '--loglevel', 'warning'];
    servers.push(spawn('redis-server', args, { stdio: 'ignore' }));
    ports.push(port);
  }
  for (const port of ports) await waitFor(() => ping(port), 10_000, `redis-server on ${port}`, 50);
  const create = spawnSync('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], { encoding: 'utf8', timeout: 30_000 });
  if (create.status !== 0) throw new Error(`cluster create failed: ${create.stdout}${create.stderr}`);
  await waitFor(
    () => ports.every((p) => /cluster_state:ok/.test(spawnSync('redis-cli', ['-p', String(p), 'cluster', 'info'], { encoding: 'utf8' }).stdout)),
    20_000,
    'cluster_state:ok on every node',
    100,
  );
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.disconnect();
  for (const s of servers) s.kill('SIGKILL');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function cluster(): Cluster {
  const c = new Cluster([{ host: '127.0.0.1', port: ports[0] as number }], { keyPrefix: 'swb:', redisOptions: { maxRetriesPerRequest: 1 } });
  c.on('error', () => {});
  clients.push(c);
  return c;
}

describe('redis rate limiter on a Redis Cluster', () => {
  it('limits users on every node exactly, shared by two cluster clients', async () => {
    const a = createRedisRateLimiter(cluster());
    const b = createRedisRateLimiter(cluster());
    const users = Array.from({ length: 12 }, (_, i) => rateLimitKey({ bot: 'support', platform: 'slack', userId: `U${i}` }));
    const slots = new Set(users.map((k) => spawnSync('redis-cli', ['-p', String(ports[0]), 'cluster', 'keyslot', `swb:${k}`], { encoding: 'utf8' }).stdout.trim()));
    expect(slots.size).toBeGreaterThan(3);
    const results = await Promise.all(users.flatMap((k) => Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).consume(k, 5, 60_000).then((d) => [k, d] as const))));
    for (const k of users) {
      const mine = results.filter(([key]) => key === k).map(([, d]) => d);
      expect(mine.filter((d) => d.allowed), k).toHaveLength(5);
      expect(mine.filter((d) => d.firstRejectionInWindow), k).toHaveLength(1);
    }
  });

  it('re-sends the script to a node that lost it', async () => {
    const c = cluster();
    const rl = createRedisRateLimiter(c);
    const k = rateLimitKey({ bot: 'support', platform: 'telegram', userId: 'flush' });
    expect((await rl.consume(k, 2, 60_000)).allowed).toBe(true);
    for (const p of ports) spawnSync('redis-cli', ['-p', String(p), 'script', 'flush']);
    expect(await rl.consume(k, 2, 60_000)).toMatchObject({ allowed: true, remaining: 0 });
    expect((await rl.consume(k, 2, 60_000)).allowed).toBe(false);
    await rl.reset(k);
    expect((await rl.consume(k, 2, 60_000)).allowed).toBe(true);
  });
});
