/**
 * Starting the processes a benchmark talks to: the webhook stub, the bare forwarder,
 * redis-server and Switchboard itself (`node dist/runtime/cli.js serve`, the real entry point).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BENCH_ENV } from './configs.js';
import { firstJsonLine, freePort, start, waitForHttp, type Proc } from './procs.js';

export interface Server {
  proc: Proc;
  origin: string;
  port: number;
}

const TSX = ['--import', 'tsx'];

/** The webhook stub (bench/stub.ts); `echoBotName` makes it answer with the payload's `bot.name`. */
export async function startStub(root: string, cpu: string, name: string, echoBotName = false): Promise<Server> {
  const proc = start({ name, cpu, command: process.execPath, args: [...TSX, join(root, 'bench/stub.ts'), ...(echoBotName ? ['--echo-bot-name'] : [])], cwd: root });
  const { port } = await firstJsonLine<{ port: number }>(proc);
  return { proc, port, origin: `http://127.0.0.1:${port}` };
}

/** The bare Fastify + undici forwarder (bench/forwarder.ts). */
export async function startForwarder(root: string, cpu: string, upstream: string, nodeArgs: string[] = [], env?: NodeJS.ProcessEnv): Promise<Server> {
  const proc = start({ name: 'forwarder', cpu, command: process.execPath, args: [...nodeArgs, ...TSX, join(root, 'bench/forwarder.ts'), '--upstream', upstream], cwd: root, ...(env ? { env: { ...process.env, ...env } } : {}) });
  const { port } = await firstJsonLine<{ port: number }>(proc);
  return { proc, port, origin: `http://127.0.0.1:${port}` };
}

/** The streaming webhook stub (bench/stream-stub.ts). */
export async function startStreamStub(root: string, cpu: string, deltas: number, intervalMs: number): Promise<Server> {
  const proc = start({ name: 'stream stub', cpu, command: process.execPath, args: [...TSX, join(root, 'bench/stream-stub.ts'), '--deltas', String(deltas), '--interval', String(intervalMs)], cwd: root });
  const { port } = await firstJsonLine<{ port: number }>(proc);
  return { proc, port, origin: `http://127.0.0.1:${port}` };
}

/** The bare Fastify + undici SSE relay (bench/stream-relay.ts). */
export async function startStreamRelay(root: string, cpu: string, upstream: string): Promise<Server> {
  const proc = start({ name: 'stream relay', cpu, command: process.execPath, args: [...TSX, join(root, 'bench/stream-relay.ts'), '--upstream', upstream], cwd: root });
  const { port } = await firstJsonLine<{ port: number }>(proc);
  return { proc, port, origin: `http://127.0.0.1:${port}` };
}

/** A private redis-server (no persistence) on a free port. */
export async function startRedis(cpu: string): Promise<Server> {
  const port = await freePort();
  const proc = start({ name: 'redis-server', cpu, command: 'redis-server', args: ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'] });
  const { Redis } = await import('ioredis');
  const until = Date.now() + 10_000;
  for (;;) {
    const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.ping();
      client.disconnect();
      break;
    } catch {
      client.disconnect();
      if (Date.now() > until) throw new Error(`redis-server did not start: ${proc.stderrTail()}`);
      await sleep(50);
    }
  }
  return { proc, port, origin: `redis://127.0.0.1:${port}` };
}

export interface SwitchboardOptions {
  root: string;
  cpu: string;
  configDir: string;
  redisUrl?: string;
  /** `REDIS_CLUSTER_NODES` (instead of `redisUrl`). */
  redisClusterNodes?: string;
  /** Extra node flags (e.g. `--cpu-prof`). */
  nodeArgs?: string[];
  /** Another build's dist/ directory (default: this checkout's). */
  dist?: string;
  name: string;
  /** Extra environment variables. */
  env?: NodeJS.ProcessEnv;
}

/** `switchboard serve` from dist/ with LOG_LEVEL=warn (no request logs), ready once /readyz says so. */
export async function startSwitchboard(opts: SwitchboardOptions): Promise<Server> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LOG_LEVEL: 'warn',
    SWITCHBOARD_FILES_SECRET: 'bench-files-secret-bench-files-secret',
    ...BENCH_ENV,
    ...(opts.redisUrl ? { REDIS_URL: opts.redisUrl } : {}),
    ...opts.env,
    ...(opts.redisClusterNodes ? { REDIS_CLUSTER_NODES: opts.redisClusterNodes } : {}),
  };
  const proc = start({
    name: opts.name,
    cpu: opts.cpu,
    command: process.execPath,
    args: [...(opts.nodeArgs ?? []), join(opts.dist ?? join(opts.root, 'dist'), 'runtime/cli.js'), 'serve', '--config', opts.configDir, '--port', String(port), '--allow-private-network'],
    env,
    cwd: opts.root,
  });
  const origin = `http://127.0.0.1:${port}`;
  await waitForHttp(`${origin}/readyz`, proc, 60_000);
  if (opts.redisUrl || opts.redisClusterNodes) {
    // Wait until the store reports Redis up, so the first requests are not answered degraded.
    const until = Date.now() + 10_000;
    for (;;) {
      const body = (await (await fetch(`${origin}/readyz`)).json()) as { store?: { state?: string } };
      if (body.store?.state === 'up') break;
      if (Date.now() > until) throw new Error(`${opts.name}: Redis store not up: ${JSON.stringify(body)}`);
      await sleep(50);
    }
  }
  return { proc, port, origin };
}

/**
 * Portkey's AI gateway (`@portkey-ai/gateway`, installed by bench/run into bench/.peers/portkey,
 * never a dependency of the product), headless on a free port; undefined when not installed.
 */
export async function startPortkey(root: string, cpu: string, nodeArgs: string[] = [], env?: NodeJS.ProcessEnv): Promise<Server | undefined> {
  const entry = join(root, 'bench/.peers/portkey/node_modules/@portkey-ai/gateway/build/start-server.js');
  if (!existsSync(entry)) return undefined;
  const port = await freePort();
  const proc = start({ name: 'portkey gateway', cpu, command: process.execPath, args: [...nodeArgs, entry, `--port=${port}`, '--headless'], cwd: join(root, 'bench/.peers/portkey'), env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production', ...env } });
  const origin = `http://127.0.0.1:${port}`;
  await waitForHttp(`${origin}/`, proc, 30_000);
  return { proc, port, origin };
}

/** Reads one counter family from Switchboard's /metrics as `{labels: value}`. */
export async function readCounter(origin: string, metric: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${origin}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric}{`) && !line.startsWith(`${metric} `)) continue;
    const m = /^[^{ ]+(\{[^}]*\})?\s+(\S+)$/.exec(line);
    if (m) out[m[1] ?? ''] = Number(m[2]);
  }
  return out;
}

/** A local Redis Cluster: three masters (no replicas, no persistence) on free ports, pinned to `cpu`. */
export async function startRedisCluster(cpu: string): Promise<Server & { nodes: string; procs: Proc[] }> {
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { execFileSync } = await import('node:child_process');
  const dir = mkdtempSync(join(tmpdir(), 'swb-bench-cluster-'));
  const ports: number[] = [];
  const procs: Proc[] = [];
  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    const bus = await freePort();
    ports.push(port);
    const args = ['--port', String(port), '--cluster-port', String(bus), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no', '--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `nodes-${port}.conf`), '--dir', dir];
    procs.push(start({ name: `redis-server (cluster ${i + 1})`, cpu, command: 'redis-server', args }));
  }
  const until = Date.now() + 20_000;
  const cli = (args: string[]): string => {
    try {
      return execFileSync('redis-cli', args, { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      return String((err as { stdout?: string }).stdout ?? err);
    }
  };
  while (!ports.every((p) => cli(['-p', String(p), 'ping']).includes('PONG'))) {
    if (Date.now() > until) throw new Error('redis cluster nodes did not start');
    await sleep(50);
  }
  const out = cli(['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes']);
  if (!/All \d+ slots covered/.test(out)) throw new Error(`redis-cli --cluster create failed: ${out}`);
  while (!ports.every((p) => cli(['-p', String(p), 'cluster', 'info']).includes('cluster_state:ok'))) {
    if (Date.now() > until) throw new Error('redis cluster did not reach cluster_state:ok');
    await sleep(50);
  }
  const stopAll = async (): Promise<void> => {
    for (const p of procs) await p.stop();
  };
  // One Server whose proc stops every node; the first node's pid stands for the CPU side column.
  const proc: Proc = { ...procs[0]!, stop: stopAll };
  return { proc, port: ports[0]!, origin: `redis://127.0.0.1:${ports[0]}`, nodes: ports.map((p) => `127.0.0.1:${p}`).join(','), procs };
}
