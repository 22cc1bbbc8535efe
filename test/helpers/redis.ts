/**
 * Starts a private `redis-server` (from PATH) on a free loopback port for a test file:
 * `--save '' --appendonly no`, so nothing touches the disk. `kill()` + `restart()` simulate
 * an outage on the same port. With `REDIS_URL` set, that server is used instead and
 * `kill`/`restart` throw (use `describe.skipIf(redisIsExternal())` for outage tests); tests
 * must then isolate themselves by key prefix, never FLUSHDB.
 *
 * Cleanup: `stop()` in afterAll; a process 'exit' hook kills what is left; and the global
 * setup (test/setup/redis-global.ts) kills, at the end of the run, every server whose
 * worker died before it could.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { inject } from 'vitest';

export interface RedisHandle {
  url: string;
  port: number;
  /** True when `REDIS_URL` points at a server this helper does not control. */
  external: boolean;
  /** Stops the server (no-op when external). */
  stop(): Promise<void>;
  /** SIGKILLs the server, as an outage would; the port stays reserved for `restart()`. */
  kill(): Promise<void>;
  /** Starts a fresh (empty) server on the same port and waits until it answers PING. */
  restart(): Promise<void>;
  /** SIGSTOPs the server: connections stay open but nothing answers (a hung server). */
  pause(): Promise<void>;
  /** SIGCONTs a paused server. */
  resume(): Promise<void>;
}

/** True when tests run against `REDIS_URL` (outage tests cannot kill that server). */
export function redisIsExternal(): boolean {
  return Boolean(process.env.REDIS_URL);
}

/** Reason shown by outage tests skipped because of `REDIS_URL`. */
export const EXTERNAL_REDIS_SKIP_REASON = 'REDIS_URL is set: this test must kill and restart its own redis-server';

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

function pidDir(): string | undefined {
  try {
    return inject('swbRedisPidDir') || undefined;
  } catch {
    return undefined;
  }
}

/** Starts a redis-server (or wraps `REDIS_URL`) and resolves once it answers PING. */
export async function startRedis(): Promise<RedisHandle> {
  const externalUrl = process.env.REDIS_URL;
  if (externalUrl) {
    const port = Number(new URL(externalUrl).port || 6379);
    const refuse = async (): Promise<never> => {
      throw new Error(EXTERNAL_REDIS_SKIP_REASON);
    };
    return { url: externalUrl, port, external: true, stop: async () => {}, kill: refuse, restart: refuse, pause: refuse, resume: refuse };
  }

  let child: ChildProcess | undefined;
  let port = 0;
  for (let tries = 0; ; tries++) {
    port = await freePort();
    try {
      child = await launch(port);
      break;
    } catch (err) {
      if (tries >= 2) throw err;
    }
  }

  const halt = async (signal: NodeJS.Signals): Promise<void> => {
    const c = child;
    child = undefined;
    if (c) await terminate(c, signal);
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    external: false,
    stop: () => halt('SIGTERM'),
    kill: () => halt('SIGKILL'),
    restart: async () => {
      await halt('SIGKILL');
      child = await launch(port);
    },
    pause: async () => {
      child?.kill('SIGSTOP');
    },
    resume: async () => {
      child?.kill('SIGCONT');
    },
  };
}

/**
 * Spawns `redis-server` on `port` (plus `extraArgs`, which override the defaults; a leading
 * config file path goes first) and resolves once `port` answers PING. Registered for the
 * cleanup described in the file header.
 */
export async function launchRedisServer(port: number, extraArgs: readonly string[] = [], configFile?: string): Promise<ChildProcess> {
  return launch(port, extraArgs, configFile);
}

async function launch(port: number, extraArgs: readonly string[] = [], configFile?: string): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    [...(configFile ? [configFile] : []), '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning', '--dir', process.env.TMPDIR ?? '/tmp', ...extraArgs],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const keep = (b: Buffer): void => {
    output = (output + b.toString()).slice(-2000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  live.add(child);
  const dir = pidDir();
  const pidFile = dir && child.pid ? join(dir, String(child.pid)) : undefined;
  if (pidFile && dir) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(pidFile, '');
  }
  child.once('exit', () => {
    live.delete(child);
    if (pidFile) rmSync(pidFile, { force: true });
  });
  const spawnError = new Promise<never>((_, reject) => {
    child.once('error', (err) => reject(new Error(`cannot start redis-server (is it on PATH?): ${err.message}`)));
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code} on port ${port}: ${output.trim()}`)));
  });
  spawnError.catch(() => {});
  await Promise.race([waitForPing(port, 5000), spawnError]);
  return child;
}

/** Sends `signal` (SIGKILL after 3 s) and resolves once the process has exited. */
export function terminate(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
    child.kill('SIGCONT');
  });
}

/** A port nothing listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Polls PING every 20 ms until +PONG, or rejects after `timeoutMs`. */
async function waitForPing(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await pingOnce(port)) return;
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer PING within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function pingOnce(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (b) => {
      data += b.toString();
      if (data.includes('\r\n')) done(data.startsWith('+PONG'));
    });
  });
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where test/helpers/redis.ts records the pids of the servers it started. */
    swbRedisPidDir: string;
  }
}
