/**
 * Throughput under the same closed-loop load (autocannon, N connections) for every
 * scenario, repeated and interleaved (rep 1 of every scenario, then rep 2 in reverse order,
 * …) so a burst of noise from elsewhere on the machine does not land on one scenario only.
 */
import { closedLoop, type LoadResult, type Target } from './load.js';
import { cpus } from 'node:os';
import { cpuMs, machineBusyMs, ownCpuMs } from './procs.js';
import { median } from './stats.js';
import { repliedOk, type Context } from './context.js';

export interface Scenario {
  id: string;
  label: string;
  origin: string;
  /** Process whose CPU time is measured (the server under test). */
  pid: number;
  next: () => Target;
  /** Extra processes whose CPU time is reported per request (e.g. redis-server). */
  sidePids?: Record<string, number>;
}

export interface Run extends LoadResult {
  cpuUsPerReq: number;
  cpuShare: number;
  /** Share of the machine's CPUs used by processes other than the benchmark's during the run. */
  foreign: number;
  side: Record<string, number>;
}

export interface ScenarioResult {
  id: string;
  label: string;
  runs: Run[];
  rps: number;
  p50: number;
  p99: number;
  cpuUsPerReq: number;
  cpuShare: number;
  failed: number;
  /** Largest share of the machine other processes used during one of the runs. */
  foreignMax: number;
  side: Record<string, number>;
}

/** One measured run: warm-up, then load while reading the server's CPU time. */
export async function measure(ctx: Context, sc: Scenario, seconds = ctx.s.seconds, warmup = ctx.s.warmupSeconds): Promise<Run> {
  if (warmup > 0) await closedLoop({ origin: sc.origin, connections: ctx.s.connections, seconds: warmup, next: sc.next });
  const sides = Object.entries(sc.sidePids ?? {});
  const side0 = sides.map(([, pid]) => cpuMs(pid));
  const c0 = cpuMs(sc.pid);
  const m0 = machineBusyMs();
  const o0 = ownCpuMs();
  const r = await closedLoop({ origin: sc.origin, connections: ctx.s.connections, seconds, next: sc.next, verify: repliedOk });
  const c1 = cpuMs(sc.pid);
  const foreign = Math.max(0, machineBusyMs() - m0 - (ownCpuMs() - o0)) / (r.seconds * 1000 * cpus().length);
  const total = r.ok + r.failed;
  const side: Record<string, number> = {};
  sides.forEach(([name, pid], i) => {
    side[name] = ((cpuMs(pid) - side0[i]!) * 1000) / Math.max(1, total);
  });
  return { ...r, cpuUsPerReq: ((c1 - c0) * 1000) / Math.max(1, total), cpuShare: (c1 - c0) / (r.seconds * 1000), foreign, side };
}

/** Runs every scenario `repetitions` times, interleaved, and reports medians. */
export async function throughput(ctx: Context, scenarios: Scenario[]): Promise<ScenarioResult[]> {
  const runs = new Map<string, Run[]>(scenarios.map((s) => [s.id, []]));
  // The first seconds of a fresh process are slower (JIT, heap sizing, an empty store).
  for (const sc of scenarios) await closedLoop({ origin: sc.origin, connections: ctx.s.connections, seconds: ctx.s.primeSeconds, next: sc.next });
  for (let rep = 1; rep <= ctx.s.repetitions; rep++) {
    // Odd repetitions in order, even ones reversed, so no scenario always runs right after
    // the same one (the first run after a server idled is a little slower).
    for (const sc of rep % 2 ? scenarios : [...scenarios].reverse()) {
      const r = await measure(ctx, sc);
      runs.get(sc.id)!.push(r);
      ctx.log(
        `  [${rep}/${ctx.s.repetitions}] ${sc.label.padEnd(34)} ${Math.round(r.rps).toString().padStart(6)} req/s  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms  cpu ${Math.round(r.cpuUsPerReq)} µs/req (${Math.round(r.cpuShare * 100)} %)  failed ${r.failed}  other load ${Math.round(r.foreign * 100)} %`,
      );
    }
  }
  return scenarios.map((sc) => {
    const rs = runs.get(sc.id)!;
    const side: Record<string, number> = {};
    for (const name of Object.keys(sc.sidePids ?? {})) side[name] = median(rs.map((r) => r.side[name]!));
    return {
      id: sc.id,
      label: sc.label,
      runs: rs,
      rps: median(rs.map((r) => r.rps)),
      p50: median(rs.map((r) => r.p50)),
      p99: median(rs.map((r) => r.p99)),
      cpuUsPerReq: median(rs.map((r) => r.cpuUsPerReq)),
      cpuShare: median(rs.map((r) => r.cpuShare)),
      failed: rs.reduce((n, r) => n + r.failed, 0),
      foreignMax: Math.max(...rs.map((r) => r.foreign)),
      side,
    };
  });
}
