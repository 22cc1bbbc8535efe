/**
 * The in-flight section: AI-shaped traffic, where the webhook thinks for seconds and the
 * server's limits are how many conversations it holds at once, what each costs in memory,
 * and how much latency it adds while thousands wait. For every case (webhook latency ×
 * conversations in flight) each target runs in a fresh process pinned to the server CPU,
 * fed by the open-loop generator at rate = in-flight / latency with a ramp, against a fresh
 * stub that answers after the latency. Targets: the bare forwarder, Switchboard with the
 * memory store, Switchboard with Redis and the A/B bot, and Portkey's gateway when
 * installed. The server's event-loop delay and heap come from bench/probe.mjs (preloaded,
 * read on SIGUSR2); RSS and CPU from /proc.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Context } from './context.js';
import { writeMainConfig } from './configs.js';
import { openLoop } from './open-loop.js';
import { cpuMs, rssBytes } from './procs.js';
import { startForwarder, startPortkey, startStub, startSwitchboard, type Server } from './servers.js';

export type InflightTargetId = 'forwarder' | 'memory' | 'redis-ab' | 'portkey';

export const INFLIGHT_TARGETS: Record<InflightTargetId, string> = {
  forwarder: 'bare Fastify + undici forwarder',
  memory: 'Switchboard, memory store',
  'redis-ab': 'Switchboard, Redis, A/B 70/30',
  portkey: 'Portkey gateway',
};

export interface InflightCase {
  latencyMs: number;
  inFlight: number;
}

export interface InflightRow {
  target: InflightTargetId;
  label: string;
  latencyMs: number;
  inFlight: number;
  /** Mean requests in flight (client side) during the window. */
  measuredInFlight: number;
  sent: number;
  failed: number;
  reasons: string[];
  rps: number;
  addedP50: number;
  addedP99: number;
  addedP999: number;
  loopP99: number;
  loopMax: number;
  rssIdleMb: number;
  rssLoadMb: number;
  /** (mean RSS in the window − RSS before load) / mean in flight, KB. */
  rssKbPerInFlight: number;
  heapMb: number;
  cpuUsPerReply: number;
  clientLoopP99: number;
}

const TEXT = 'Hello! Can you summarise the last three messages of this thread for me, please?';

interface Probe {
  seq: number;
  p99: number;
  max: number;
  heapUsed: number;
}

/** Asks the probe for its numbers (SIGUSR2) and waits for the file it writes. */
async function readProbe(pid: number, file: string, after: number): Promise<Probe | undefined> {
  process.kill(pid, 'SIGUSR2');
  const until = Date.now() + 5000;
  while (Date.now() < until) {
    if (existsSync(file)) {
      try {
        const p = JSON.parse(readFileSync(file, 'utf8')) as Probe;
        if (p.seq > after) return p;
      } catch {
        // being replaced
      }
    }
    await sleep(20);
  }
  return undefined;
}

/** Starts the target for one case (fresh process, probe preloaded). */
async function startTarget(ctx: Context, id: InflightTargetId, hookBase: string, latencyMs: number, inFlight: number, redisUrl: string, probeFile: string): Promise<Server | undefined> {
  const probe = ['--import', join(ctx.root, 'bench/probe.mjs')];
  const env = { BENCH_PROBE_FILE: probeFile };
  // Switchboard's default connection cap (half of the open-files limit less 256: 9,872 here)
  // assumes every connection waits on a webhook call. Here the load generator also keeps idle
  // keep-alive connections, which hold no webhook socket, so the cap is raised the way an
  // operator who knows the traffic would (the runtime's start-up warning says so): at the
  // default, 9,500 in flight plus the idle ones overran it and ~100–500 connections were refused.
  const sbEnv = { ...env, SWITCHBOARD_MAX_CONNECTIONS: String(inFlight + 2000) };
  if (id === 'forwarder') return startForwarder(ctx.root, ctx.serverCpu, `${hookBase}/hook`, probe, env);
  if (id === 'portkey') return startPortkey(ctx.root, ctx.serverCpu, probe, env);
  // The integrations' timeout must outlast the webhook's thinking time.
  const dir = writeMainConfig(join(ctx.tmp, `inflight-${id}`), `${hookBase}/hook`, `${Math.ceil(latencyMs / 1000) + 30}s`);
  return startSwitchboard({ root: ctx.root, cpu: ctx.serverCpu, configDir: dir, name: `switchboard (${id})`, nodeArgs: probe, env: sbEnv, ...(id === 'redis-ab' ? { redisUrl } : {}) });
}

/** What the target is sent: path, headers and the body of the i-th request (its own conversation). */
function requestShape(id: InflightTargetId, c: InflightCase, hookBase: string): { path: string; headers: Record<string, string>; body: (i: number) => string; verify: (b: string) => boolean } {
  // A pool of 3 × in-flight conversations: each is reused only after its last message was answered.
  const users = c.inFlight * 3;
  if (id === 'portkey') {
    return {
      path: '/v1/chat/completions',
      headers: { 'content-type': 'application/json', 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${hookBase}/v1`, authorization: 'Bearer bench-not-a-key' },
      body: (i) => `{"model":"bench","messages":[{"role":"user","content":"${TEXT}"}],"user":"user-${i % users}"}`,
      verify: (b) => b.includes('"content":"ok"'),
    };
  }
  return {
    path: id === 'forwarder' ? '/forward' : id === 'redis-ab' ? '/channels/http/ab' : '/channels/http/single',
    headers: { 'content-type': 'application/json' },
    body: (i) => `{"user":{"id":"user-${i % users}","name":"User ${i % users}"},"text":"${TEXT}"}`,
    verify: (b) => b.startsWith('{"content":"ok"'),
  };
}

/** Runs one target through one case. */
async function runOne(ctx: Context, id: InflightTargetId, c: InflightCase, redisUrl: string): Promise<InflightRow | undefined> {
  const stub = await startStub(ctx.root, ctx.loadCpu, 'stub (slow)');
  const hookBase = `${stub.origin}/d${c.latencyMs}`;
  const probeFile = join(ctx.tmp, `probe-${id}.json`);
  rmSync(probeFile, { force: true });
  let server: Server | undefined;
  try {
    server = await startTarget(ctx, id, hookBase, c.latencyMs, c.inFlight, redisUrl, probeFile);
    if (!server) return undefined;
    const pid = server.proc.pid;
    const shape = requestShape(id, c, hookBase);
    const latency = c.latencyMs / 1000;
    const ramp = ctx.s.inflightRampSeconds;
    const steady = ctx.s.inflightSeconds;
    const window = { from: ramp + latency, to: ramp + latency + steady };
    const rssIdle = rssBytes(pid);
    const rss: number[] = [];
    const inFlight: number[] = [];
    let cpu0 = 0;
    let cpu1 = 0;
    let probe0: Promise<Probe | undefined> = Promise.resolve(undefined);
    let probe1: Promise<Probe | undefined> = Promise.resolve(undefined);
    const r = await openLoop({
      origin: server.origin,
      ...shape,
      rate: c.inFlight / latency,
      rampSeconds: ramp,
      seconds: latency + steady,
      window,
      // A collapsed server must not stretch the run: quick runs give up sooner.
      timeoutMs: c.latencyMs + (ctx.s.quick ? 10_000 : 30_000),
      onTick: (t, n) => {
        if (t < window.from || t >= window.to) return;
        rss.push(rssBytes(pid));
        inFlight.push(n);
      },
      onWindow: (edge) => {
        if (edge === 'start') {
          cpu0 = cpuMs(pid);
          probe0 = readProbe(pid, probeFile, 0);
        } else {
          cpu1 = cpuMs(pid);
          probe1 = probe0.then((p) => readProbe(pid, probeFile, p?.seq ?? 0));
        }
      },
    });
    const p = await probe1;
    const mean = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
    const measuredInFlight = mean(inFlight);
    const rssLoad = mean(rss);
    const replies = r.windowRps * steady;
    return {
      target: id,
      label: INFLIGHT_TARGETS[id],
      latencyMs: c.latencyMs,
      inFlight: c.inFlight,
      measuredInFlight,
      sent: r.sent,
      failed: r.failed,
      reasons: r.reasons,
      rps: r.windowRps,
      addedP50: r.latencies.percentile(0.5) - c.latencyMs,
      addedP99: r.latencies.percentile(0.99) - c.latencyMs,
      addedP999: r.latencies.percentile(0.999) - c.latencyMs,
      loopP99: p?.p99 ?? NaN,
      loopMax: p?.max ?? NaN,
      rssIdleMb: rssIdle / 2 ** 20,
      rssLoadMb: rssLoad / 2 ** 20,
      rssKbPerInFlight: (rssLoad - rssIdle) / 1024 / measuredInFlight,
      heapMb: (p?.heapUsed ?? NaN) / 2 ** 20,
      cpuUsPerReply: ((cpu1 - cpu0) * 1000) / Math.max(1, replies),
      clientLoopP99: r.clientLoopDelayP99,
    };
  } finally {
    await server?.proc.stop(15_000);
    await stub.proc.stop();
  }
}

/** Every case × target, in order; logs each row as it lands. */
export async function inflight(ctx: Context, cases: InflightCase[], targets: InflightTargetId[], redisUrl: string): Promise<InflightRow[]> {
  const rows: InflightRow[] = [];
  for (const c of cases) {
    for (const id of targets) {
      const row = await runOne(ctx, id, c, redisUrl);
      if (!row) {
        ctx.log(`  ${INFLIGHT_TARGETS[id]}: not installed (bench/run installs it into bench/.peers/portkey)`);
        continue;
      }
      rows.push(row);
      ctx.log(
        `  ${c.latencyMs / 1000} s × ${c.inFlight.toLocaleString('en-US')}  ${row.label.padEnd(32)} ${Math.round(row.rps)} replies/s  in flight ${Math.round(row.measuredInFlight)}  failed ${row.failed}  added p50 ${row.addedP50.toFixed(1)} p99 ${row.addedP99.toFixed(1)} p99.9 ${row.addedP999.toFixed(1)} ms  loop p99 ${row.loopP99.toFixed(1)} ms  RSS ${row.rssIdleMb.toFixed(0)}→${row.rssLoadMb.toFixed(0)} MB (${row.rssKbPerInFlight.toFixed(1)} KB/in flight)  ${row.cpuUsPerReply.toFixed(0)} µs/reply${row.reasons.length ? `  [${row.reasons.join(' | ')}]` : ''}`,
      );
    }
  }
  return rows;
}
