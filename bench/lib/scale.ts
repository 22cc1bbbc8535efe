/**
 * Scale of config: validate / load / one-file reload time and memory for trees of 100,
 * 1,000 and 10,000 integrations (each measured in its own process), and the per-message
 * cost of a running Switchboard serving a tree of 10 vs 10,000 integrations and bots.
 */
import { join } from 'node:path';
import { statSync } from 'node:fs';
import { writeScaleConfig, writeWideFileConfig, scaleName } from './configs.js';
import type { Context } from './context.js';
import { userBody } from './context.js';
import { closedLoop, type Target } from './load.js';
import { start, firstJsonLine } from './procs.js';
import { startSwitchboard, type Server } from './servers.js';
import { measure, type Run } from './throughput.js';

export interface ScaleRow {
  integrations: number;
  validateMs: number;
  loadMs: number;
  reloadMs: number;
  rssMb: number;
  heapHeldMb: number;
}

async function child<T>(ctx: Context, mode: 'validate' | 'load' | 'stall', dir: string): Promise<T> {
  const proc = start({
    name: `scale ${mode}`,
    cpu: ctx.serverCpu,
    command: process.execPath,
    args: ['--expose-gc', '--import', 'tsx', join(ctx.root, 'bench/scale-child.ts'), mode, dir],
    cwd: ctx.root,
  });
  const out = await firstJsonLine<T>(proc, 300_000);
  await proc.stop();
  return out;
}

/** Validate + load + reload time and memory per tree size. */
export async function configScale(ctx: Context, webhookUrl: string): Promise<ScaleRow[]> {
  const rows: ScaleRow[] = [];
  for (const n of ctx.s.scaleSizes) {
    const dir = writeScaleConfig(join(ctx.tmp, `scale-${n}`), n, webhookUrl);
    const v = await child<{ ms: number }>(ctx, 'validate', dir);
    const l = await child<{ ms: number; reloadMs: number; rssMb: number; heapHeldMb: number; integrations: number }>(ctx, 'load', dir);
    if (l.integrations !== n) throw new Error(`scale ${n}: loaded ${l.integrations} integrations`);
    rows.push({ integrations: n, validateMs: v.ms, loadMs: l.ms, reloadMs: l.reloadMs, rssMb: l.rssMb, heapHeldMb: l.heapHeldMb });
    ctx.log(`  ${String(n).padStart(6)} integrations: validate ${Math.round(v.ms)} ms, load ${Math.round(l.ms)} ms, reload ${Math.round(l.reloadMs)} ms, RSS ${l.rssMb} MB, heap held ${l.heapHeldMb} MB`);
  }
  return rows;
}

export interface WideFileRow {
  keys: number;
  bytes: number;
  validateMs: number;
  /** Longest event-loop stall while loading it, parsing inline and on the server's worker thread. */
  stallInlineMs: number;
  stallWorkerMs: number;
}

/** Validate time of one ~1 MiB file with 20,000 keys in one mapping (must grow linearly with keys). */
export async function wideFileScale(ctx: Context, keys = 20_000): Promise<WideFileRow> {
  const dir = writeWideFileConfig(join(ctx.tmp, `wide-${keys}`), keys);
  const v = await child<{ ms: number }>(ctx, 'validate', dir);
  const s = await child<{ inlineMs: number; workerMs: number }>(ctx, 'stall', dir);
  const row = { keys, bytes: statSync(join(dir, 'wide.yaml')).size, validateMs: v.ms, stallInlineMs: s.inlineMs, stallWorkerMs: s.workerMs };
  ctx.log(`  one ${(row.bytes / 1048576).toFixed(2)} MiB file with ${keys} keys: validate ${Math.round(v.ms)} ms; longest event-loop stall while loading it: ${Math.round(s.inlineMs)} ms inline, ${Math.round(s.workerMs)} ms with the worker thread`);
  return row;
}

export interface PerMessageRow {
  integrations: number;
  /** Bots the traffic goes to: the first 10, or all of them. */
  traffic: 'first 10 bots' | 'all bots';
  startupMs: number;
  run: Run;
}

/**
 * The same load (10,000 conversations) against a Switchboard serving N integrations and N
 * bots: user k talks to bot k mod 10 (the config grows, the traffic does not), and, for the
 * largest N, to bot k mod N (the traffic spreads over every bot, so per-bot caches, metric
 * series and a larger heap come into play).
 */
export async function perMessage(ctx: Context, webhookUrl: string): Promise<PerMessageRow[]> {
  const users = ctx.s.users;
  const largest = Math.max(...ctx.s.perMessageSizes);
  // Every server runs for the whole test and the cases are measured interleaved, repeated
  // (odd repetitions in order, even ones reversed) and reported as medians: this VM's speed
  // drifts by more than the effect being measured, so one run per server, minutes apart,
  // compared noise rather than config sizes.
  // One server per case: with both traffic patterns on one server, 20,000 conversations
  // would cycle through the memory store's 10,000-conversation bound (evictions on every
  // message) in one case and not the other.
  const cases: Array<{ n: number; traffic: PerMessageRow['traffic']; targets: Target[]; runs: Run[]; sb: Server; startupMs: number }> = [];
  try {
    for (const n of ctx.s.perMessageSizes) {
      const dir = writeScaleConfig(join(ctx.tmp, `per-message-${n}`), n, webhookUrl);
      const spreads: Array<PerMessageRow['traffic']> = n === largest && n > 10 ? ['first 10 bots', 'all bots'] : ['first 10 bots'];
      for (const traffic of spreads) {
        const t0 = Date.now();
        const sb = await startSwitchboard({ root: ctx.root, cpu: ctx.serverCpu, configDir: dir, name: `switchboard (${n} integrations, ${traffic})` });
        const startupMs = Date.now() - t0;
        const bots = traffic === 'all bots' ? n : Math.min(10, n);
        cases.push({ n, traffic, runs: [], sb, startupMs, targets: Array.from({ length: users }, (_, k) => ({ path: `/channels/http/${scaleName('b', k % bots)}`, body: userBody(k) })) });
      }
    }
    // Warm-up: every conversation of every case once (so every bot's per-snapshot data and
    // metric series exist, as in a long-running process), then as long again at random.
    for (const c of cases) {
      const sb = c.sb;
      let visited = 0;
      let allSeen!: () => void;
      const seenAll = new Promise<void>((r) => (allSeen = r));
      const warm = (): Target => {
        if (visited < users) {
          if (++visited === users) allSeen();
          return c.targets[visited - 1]!;
        }
        return c.targets[(Math.random() * users) | 0]!;
      };
      await closedLoop({ origin: sb.origin, connections: ctx.s.connections, seconds: 60, next: warm, until: seenAll });
    }
    for (let rep = 1; rep <= ctx.s.repetitions; rep++) {
      for (const c of rep % 2 ? cases : [...cases].reverse()) {
        const sb = c.sb;
        const next = (): Target => c.targets[(Math.random() * users) | 0]!;
        const run = await measure(ctx, { id: `n${c.n}`, label: `${c.n} integrations`, origin: sb.origin, pid: sb.proc.pid, next }, ctx.s.perMessageSeconds, ctx.s.primeSeconds);
        c.runs.push(run);
        ctx.log(`  [${rep}/${ctx.s.repetitions}] ${String(c.n).padStart(6)} integrations, traffic to ${c.traffic}: ${Math.round(run.rps)} req/s, cpu ${Math.round(run.cpuUsPerReq)} µs/req, p99 ${run.p99.toFixed(2)} ms, failed ${run.failed}, other load ${Math.round(run.foreign * 100)} %`);
      }
    }
    // The run with the median CPU per message stands for its case (its fields stay consistent).
    return cases.map((c) => {
      const sorted = [...c.runs].sort((x, y) => x.cpuUsPerReq - y.cpuUsPerReq);
      return { integrations: c.n, traffic: c.traffic, startupMs: c.startupMs, run: sorted[Math.floor((sorted.length - 1) / 2)]! };
    });
  } finally {
    for (const c of cases) await c.sb.proc.stop();
  }
}
