/**
 * The Markdown report of one benchmark run (printed, and saved to bench/results/latest.md).
 */
import type { Context } from './context.js';
import type { InflightRow } from './inflight.js';
import { inflightReport } from './inflight-report.js';
import { telegramInflightReport, type TelegramInflightRow } from './telegram-inflight.js';
import type { LoadResult } from './load.js';
import type { ReloadResult } from './reload.js';
import type { PerMessageRow, ScaleRow, WideFileRow } from './scale.js';
import { fmt, table } from './stats.js';
import type { ScenarioResult } from './throughput.js';
import { telegramReport, type TelegramRow } from './telegram-report.js';

export interface ReportInput {
  startedAt: Date;
  seconds: number;
  command: string;
  commit: string;
  machine: { nproc: number; cpu: string; node: string; loadBefore: number; loadAfter: number };
  ctx: Context;
  throughput?: ScenarioResult[];
  /** Redis Cluster (3 masters) throughput over one node's, same run (`--scenarios redis-cluster`). */
  clusterRatio?: number | undefined;
  abShare?: number;
  fallbackCount: number;
  fixed?: Array<{ label: string; result: LoadResult }>;
  reload?: ReloadResult;
  scale?: ScaleRow[];
  wideFile?: WideFileRow;
  perMessage?: PerMessageRow[];
  inflight?: InflightRow[];
  telegramInflight?: TelegramInflightRow[] | undefined;
  profiles?: Array<{ label: string; file: string; text: string }>;
  comparisons?: Array<{ label: string; text: string }>;
  telegram?: TelegramRow[];
  /** The streaming section, already formatted (bench/lib/stream.ts). */
  streaming?: string;
}

export function report(r: ReportInput): string {
  const s = r.ctx.s;
  const out: string[] = [];
  const date = r.startedAt.toISOString().replace('T', ' ').slice(0, 16);
  out.push(`## Benchmark results (${date} UTC)`, '');
  out.push(
    `Machine: ${r.machine.nproc} × ${r.machine.cpu} (nproc ${r.machine.nproc}), Node ${r.machine.node}, commit ${r.commit}; load average ${r.machine.loadBefore.toFixed(2)} before, ${r.machine.loadAfter.toFixed(2)} after.`,
    `Command: \`${r.command}\` (${s.quick ? 'quick: 1 repetition' : `${s.repetitions} repetitions, medians`}; ${Math.round(r.seconds)} s in all).`,
    `Layout: the server under test alone on CPU ${r.ctx.serverCpu} (\`taskset\`); autocannon, the webhook stub (node:http answering \`{"content":"ok"}\`) and redis-server on CPU ${r.ctx.loadCpu}. Request logging off on both sides (LOG_LEVEL=warn; the forwarder has \`logger: false\`).`,
    `Load: ${s.connections} connections; every request comes from a user drawn at random from a pool of ${s.users.toLocaleString('en-US')} (so history holds up to contextWindow = 10 messages and each user keeps one sticky A/B arm).`,
    '',
  );
  if (r.machine.loadBefore >= 1) {
    out.push(`> ⚠️ The machine was busy (load average ${r.machine.loadBefore.toFixed(2)} before the run): other processes competed for both cores, so absolute numbers are low and noisy.`, '');
  }

  if (r.throughput) {
    const fwd = r.throughput.find((t) => t.id === 'forwarder');
    const by = (id: string): ScenarioResult | undefined => r.throughput!.find((t) => t.id === id);
    out.push(`### Throughput (closed loop, ${s.connections} connections, ${s.seconds} s per run)`, '');
    out.push(
      table(
        ['scenario', 'req/s', 'p50 ms', 'p99 ms', 'server CPU µs/req', 'server CPU busy', 'vs forwarder', 'failed'],
        r.throughput.map((t) => [t.label, fmt.int(t.rps), fmt.ms(t.p50), fmt.ms(t.p99), fmt.int(t.cpuUsPerReq), fmt.pct(t.cpuShare), t.id === 'direct' || !fwd ? '' : fmt.pct(t.rps / fwd.rps), String(t.failed)]),
      ),
      '',
    );
    if (r.clusterRatio !== undefined) {
      out.push(`- Redis Cluster (3 masters) vs one node, one integration: ${fmt.pct(r.clusterRatio)} of the throughput (aim ≥ 85 %) ${fmt.verdict(r.clusterRatio >= 0.85)}`, '');
    }
    const mem = by('memory');
    const ab = by('redis-ab');
    const single = by('redis-single');
    if (fwd && mem && ab && single) {
      const m = mem.rps / fwd.rps;
      const a = ab.rps / fwd.rps;
      const x = ab.rps / single.rps;
      out.push(
        `- Memory store: ${fmt.pct(m)} of the forwarder (aim ≥ 80 %) ${fmt.verdict(m >= 0.8)}`,
        `- Redis with A/B: ${fmt.pct(a)} of the forwarder (aim ≥ 65 %) ${fmt.verdict(a >= 0.65)}`,
        `- A/B (two weighted integrations) vs one integration, both on Redis: ${fmt.pct(x)} of the throughput (aim ≥ 90 %) ${fmt.verdict(x >= 0.9)}; by CPU per message ${fmt.pct(single.cpuUsPerReq / ab.cpuUsPerReq)}`,
        `- CPU per message (what limits throughput once each process has a core to itself): forwarder ${fmt.int(fwd.cpuUsPerReq)} µs, memory store ${fmt.int(mem.cpuUsPerReq)} µs (${fmt.pct(fwd.cpuUsPerReq / mem.cpuUsPerReq)} of the forwarder's throughput if both were CPU-bound), Redis with A/B ${fmt.int(ab.cpuUsPerReq)} µs (${fmt.pct(fwd.cpuUsPerReq / ab.cpuUsPerReq)}).${fwd.cpuShare < 0.9 ? ` The forwarder kept its core only ${fmt.pct(fwd.cpuShare)} busy: with 50 connections, the load generator and the stub sharing CPU ${r.ctx.loadCpu} bound it first, so its req/s understates the physical limit and the req/s ratios above flatter Switchboard; the CPU ratios do not.` : ''}`,
        `- redis-server CPU per message: ${fmt.int(ab.side.redis ?? NaN)} µs (A/B), ${fmt.int(single.side.redis ?? NaN)} µs (one integration).${r.abShare !== undefined ? ` A/B split after the runs (one more message from each of the ${s.users.toLocaleString('en-US')} users): ${(r.abShare * 100).toFixed(1)} % of them on hook-b (weight 30 %).` : ''}`,
        `- Other processes on the machine (not the benchmark's) used up to ${fmt.pct(Math.max(...r.throughput.map((t) => t.foreignMax)))} of its CPU during a throughput run${Math.max(...r.throughput.map((t) => t.foreignMax)) > 0.05 ? ' — above 5 %, the numbers are disturbed' : ''}.`,
        `- Failed = non-2xx, connection errors, timeouts, and 200 replies that are not the stub's \`ok\` (Switchboard's fallback message). Fallback messages counted by Switchboard's metrics: ${r.fallbackCount}.`,
        '',
      );
    }
  }

  if (r.fixed) {
    const direct = r.fixed[0];
    out.push(`### Latency at a fixed rate (${s.fixedRate.toLocaleString('en-US')} req/s, open loop, ${s.fixedSeconds} s)`, '');
    out.push(
      table(
        ['target', 'req/s', 'p50 ms', 'p99 ms', 'added p50 ms', 'added p99 ms', 'failed'],
        r.fixed.map((f, i) => [f.label, fmt.int(f.result.rps), fmt.ms(f.result.p50, 3), fmt.ms(f.result.p99, 3), i === 0 || !direct ? '' : fmt.ms(f.result.p50 - direct.result.p50, 3), i === 0 || !direct ? '' : fmt.ms(f.result.p99 - direct.result.p99, 3), String(f.result.failed)]),
      ),
      '',
    );
    const worst = Math.max(...r.fixed.slice(1).filter((f) => f.label.startsWith('Switchboard')).map((f) => f.result.p99 - (direct?.result.p99 ?? 0)));
    out.push(`- Largest added p99 of Switchboard over the direct stub: ${fmt.ms(worst, 3)} ms (aim ≤ 2 ms) ${fmt.verdict(worst <= 2)}`, '');
    out.push('Requests are sent on a timer, evenly spaced, whether or not earlier ones have answered (autocannon `--overallRate` sends each connection\'s quota back to back at the start of every second, which measures bursts, not a steady rate).', '');
  }

  if (r.reload) {
    const x = r.reload;
    out.push(`### Reload under load (${x.changes} config changes, ${s.connections} connections)`, '');
    out.push(
      table(
        ['changes', 'requests served meanwhile', 'failed requests', 'changes not seen live', 'reload-to-live p50 ms', 'p99 ms', 'max ms'],
        [[String(x.changes), fmt.int(x.requests), String(x.load.failed), String(x.missed), fmt.ms(x.p50, 1), fmt.ms(x.p99, 1), fmt.ms(x.max, 1)]],
      ),
      '',
      `- Each change rewrites the bot file atomically (temp file + rename): new \`displayName\` and swapped weights. The webhook stub answers with the payload's \`bot.name\`, so reload-to-live is rename() → first reply carrying the new name (includes the watcher's 100 ms debounce).`,
      `- Zero failed requests ${fmt.verdict(x.load.failed === 0 && x.missed === 0)}; reload-to-live p99 ≤ 250 ms ${fmt.verdict(x.p99 <= 250)}`,
      '',
    );
  }

  if (r.scale) {
    out.push('### Scale of config', '');
    out.push(
      table(
        ['integrations (+ as many bots, one file each)', 'validate ms', 'load ms', 'reload after one file changed ms', 'RSS after load MB', 'heap held by snapshot MB'],
        r.scale.map((x) => [fmt.int(x.integrations), fmt.int(x.validateMs), fmt.int(x.loadMs), fmt.int(x.reloadMs), fmt.mb(x.rssMb), fmt.mb(x.heapHeldMb)]),
      ),
      '',
    );
  }
  if (r.wideFile) {
    const w = r.wideFile;
    out.push(`- One ${(w.bytes / 1048576).toFixed(2)} MiB file with ${fmt.int(w.keys)} keys in one mapping: validate ${fmt.int(w.validateMs)} ms (duplicate keys are found in one pass; the YAML library's pairwise check took ~15 s here); the longest event-loop stall while a server loads it is ${fmt.int(w.stallWorkerMs)} ms (parsed on the worker thread; inline it would be ${fmt.int(w.stallInlineMs)} ms).`, '');
  }
  if (r.perMessage && r.perMessage.length > 0) {
    out.push(
      table(
        ['config served (memory store)', 'traffic (10,000 conversations)', 'startup ms', 'req/s', 'server CPU µs/req', 'p99 ms', 'failed', 'other load'],
        r.perMessage.map((p) => [`${fmt.int(p.integrations)} integrations + bots`, p.traffic, fmt.int(p.startupMs), fmt.int(p.run.rps), fmt.int(p.run.cpuUsPerReq), fmt.ms(p.run.p99), String(p.run.failed), fmt.pct(p.run.foreign)]),
      ),
      '',
    );
    const base = r.perMessage[0]!;
    for (const p of r.perMessage.slice(1)) {
      const growth = p.run.cpuUsPerReq / base.run.cpuUsPerReq;
      // Only the same-traffic comparison is the aim (cost must not grow with the config);
      // traffic spread over every bot changes the workload too, so it is reported, not judged.
      const judged = p.traffic === base.traffic;
      out.push(`- Per-message CPU, ${fmt.int(p.integrations)} integrations (traffic to ${p.traffic}) vs ${fmt.int(base.integrations)}: ×${growth.toFixed(2)} ${judged ? fmt.verdict(growth <= 1.1) : '(for information: the traffic differs too)'}`);
    }
    out.push('');
  }

  if (r.inflight) out.push(...inflightReport(r.ctx, r.inflight));
  if (r.telegramInflight) out.push(...telegramInflightReport(r.telegramInflight));
  if (r.telegram && r.telegram.length > 0) out.push(...telegramReport(r.telegram));

  for (const c of r.comparisons ?? []) {
    out.push(`### Where the extra CPU goes: ${c.label}`, '');
    out.push('Self time from `--cpu-prof`, scaled to µs per request by each profiled run\'s measured CPU per request (profiling itself slows both).', '');
    out.push('```', c.text, '```', '');
  }
  for (const p of r.profiles ?? []) {
    out.push(`### CPU profile: ${p.label} (\`${p.file}\`)`, '');
    out.push('```', p.text, '```', '');
  }
  if (r.streaming) out.push(r.streaming, '');
  return out.join('\n');
}
