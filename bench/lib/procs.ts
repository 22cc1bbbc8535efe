/**
 * Child processes of a benchmark run: started pinned to a CPU with `taskset`, their CPU time
 * read from /proc/<pid>/stat, stopped by pid (never by name). Everything started here is
 * killed when the run exits, even on an error.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Proc {
  name: string;
  child: ChildProcess;
  pid: number;
  /** Last output (stderr and stdout), for error messages. */
  stderrTail(): string;
  /** The first line the process printed on stdout. */
  firstLine(): Promise<string>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const child of live) child.kill('SIGKILL');
    process.exit(130);
  });
}

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ; 100 on Linux). */
const CLK_TCK = 100;

/** CPU time (user + system) consumed so far by `pid`, in milliseconds. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / CLK_TCK;
}

/** Busy CPU time of the whole machine so far (all CPUs, from /proc/stat), in milliseconds. */
export function machineBusyMs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  // cpu  user nice system idle iowait irq softirq steal ...
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  const busy = f[0]! + f[1]! + f[2]! + f[5]! + f[6]! + f[7]!;
  return (busy * 1000) / CLK_TCK;
}

/** CPU time used so far by this process and every child started here that is still running, in ms. */
export function ownCpuMs(): number {
  let total = 0;
  for (const pid of [process.pid, ...[...live].map((c) => c.pid)]) {
    if (pid === undefined) continue;
    try {
      total += cpuMs(pid);
    } catch {
      // exited meanwhile
    }
  }
  return total;
}

/** Resident set size of `pid` in bytes (from /proc/<pid>/status). */
export function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/** A free TCP port on 127.0.0.1 (bound and released; good enough on a quiet machine). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface StartOptions {
  name: string;
  /** CPU list for taskset (e.g. "0"); undefined: not pinned. */
  cpu?: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Starts a process (pinned with taskset when `cpu` is set). */
export function start(opts: StartOptions): Proc {
  const [cmd, args] = opts.cpu !== undefined ? ['taskset', ['-c', opts.cpu, opts.command, ...opts.args]] : [opts.command, opts.args];
  const child = spawn(cmd, args, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  const tail: string[] = [];
  const keep = (s: string): void => {
    tail.push(s);
    if (tail.length > 20) tail.shift();
  };
  child.stderr?.setEncoding('utf8').on('data', keep);
  // stdout is always drained (a full pipe would block the child); its first line is kept.
  let buffered = '';
  let firstLine: string | undefined;
  const lineWaiters: Array<(line: string) => void> = [];
  child.stdout?.setEncoding('utf8').on('data', (s: string) => {
    keep(s);
    if (firstLine !== undefined) return;
    buffered += s;
    const nl = buffered.indexOf('\n');
    if (nl < 0) return;
    firstLine = buffered.slice(0, nl);
    buffered = '';
    for (const w of lineWaiters.splice(0)) w(firstLine);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('exit', () => live.delete(child));
  if (child.pid === undefined) throw new Error(`could not start ${opts.name}`);
  return {
    name: opts.name,
    child,
    pid: child.pid,
    stderrTail: () => tail.join('').slice(-2000),
    firstLine: () => (firstLine !== undefined ? Promise.resolve(firstLine) : new Promise((resolve) => lineWaiters.push(resolve))),
    async stop(graceMs = 5000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Resolves with the first stdout line parsed as JSON (bench servers print `{"port":N}`). */
export async function firstJsonLine<T>(proc: Proc, timeoutMs = 15_000): Promise<T> {
  const line = await Promise.race([
    proc.firstLine(),
    new Promise<never>((_, reject) => proc.child.once('exit', (code) => reject(new Error(`${proc.name} exited (${code}): ${proc.stderrTail()}`)))),
    sleep(timeoutMs).then(() => Promise.reject(new Error(`${proc.name} did not start within ${timeoutMs} ms: ${proc.stderrTail()}`))),
  ]);
  return JSON.parse(line) as T;
}

/** Polls `url` until it answers 200 (or throws after `timeoutMs`). */
export async function waitForHttp(url: string, proc: Proc, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (proc.child.exitCode !== null) throw new Error(`${proc.name} exited (${proc.child.exitCode}): ${proc.stderrTail()}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`${proc.name} not ready at ${url} within ${timeoutMs} ms: ${proc.stderrTail()}`);
    await sleep(50);
  }
}
