/**
 * The streaming scenario: N concurrent streamed replies (each `deltas` events `interval` ms
 * apart from bench/stream-stub.ts) relayed to event-stream clients, through Switchboard and
 * through the bare relay (bench/stream-relay.ts) in the same run. Per target: deltas
 * received, server CPU per delta, deltas per CPU-second, each delta's latency from the
 * stub's write to the client's read (p50/p99; added = target minus the bare relay), and
 * the server's peak RSS.
 */
import { Agent, request } from 'undici';
import { cpuMs, rssBytes } from './procs.js';
import { percentile } from './stats.js';

export interface StreamTarget {
  id: 'relay' | 'switchboard';
  label: string;
  url: string;
  pid: number;
}

export interface StreamResult {
  id: StreamTarget['id'];
  label: string;
  streams: number;
  deltas: number;
  /** Deltas that arrived per second of wall time. */
  deltasPerSecond: number;
  cpuUsPerDelta: number;
  /** Deltas per second of server CPU time (per core). */
  deltasPerCpuSecond: number;
  p50: number;
  p99: number;
  rssMb: number;
  failed: number;
}

const DELTA = /"delta":"(\d+) "/g;

/** One stream: posts, reads the events as they come, records each delta's latency (ms). */
async function oneStream(url: string, body: string, dispatcher: Agent, latencies: number[]): Promise<number> {
  const res = await request(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream' }, body, dispatcher });
  if (res.statusCode !== 200) {
    await res.body.dump();
    throw new Error(`HTTP ${res.statusCode}`);
  }
  let carry = '';
  let count = 0;
  for await (const chunk of res.body) {
    const now = process.hrtime.bigint() / 1000n;
    const text = carry + (chunk as Buffer).toString('latin1');
    const cut = text.lastIndexOf('\n\n');
    const whole = cut < 0 ? '' : text.slice(0, cut);
    carry = cut < 0 ? text : text.slice(cut + 2);
    for (const m of whole.matchAll(DELTA)) {
      latencies.push(Number(now - BigInt(m[1] as string)) / 1000);
      count++;
    }
  }
  return count;
}

/** Runs `streams` concurrent streams against `target` (opened over `rampMs`) and measures them. */
export async function streamRun(target: StreamTarget, streams: number, rampMs: number, bodyOf: (i: number) => string): Promise<StreamResult> {
  const dispatcher = new Agent({ keepAliveTimeout: 30_000, connections: streams, headersTimeout: 120_000, bodyTimeout: 120_000 });
  const latencies: number[] = [];
  let peakRss = rssBytes(target.pid);
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, rssBytes(target.pid));
  }, 100);
  const c0 = cpuMs(target.pid);
  const t0 = performance.now();
  let failed = 0;
  let deltas = 0;
  await Promise.all(
    Array.from({ length: streams }, async (_, i) => {
      await new Promise((r) => setTimeout(r, (i * rampMs) / streams));
      try {
        // Not `deltas += await …`: that would read `deltas` before the await and lose updates.
        const n = await oneStream(target.url, bodyOf(i), dispatcher, latencies);
        deltas += n;
      } catch {
        failed++;
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuMs(target.pid) - c0;
  clearInterval(sampler);
  await dispatcher.close();
  latencies.sort((a, b) => a - b);
  return {
    id: target.id,
    label: target.label,
    streams,
    deltas,
    deltasPerSecond: deltas / seconds,
    cpuUsPerDelta: (cpu * 1000) / Math.max(1, deltas),
    deltasPerCpuSecond: deltas / Math.max(0.001, cpu / 1000),
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    rssMb: peakRss / 1024 / 1024,
    failed,
  };
}

/** The report section: one row per target, then the comparison with the bare relay. */
export function formatStream(rows: StreamResult[], deltasPerStream: number, intervalMs: number): string {
  const relay = rows.find((r) => r.id === 'relay');
  const out = [`### Streaming (${rows[0]?.streams ?? 0} concurrent streams × ${deltasPerStream} deltas, ${intervalMs} ms apart, relayed to event-stream clients)`, ''];
  out.push('| target | deltas | deltas/s | server CPU µs/delta | deltas per CPU-second | p50 ms | p99 ms | added p50 / p99 ms | peak RSS MB | failed |', '|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const added = relay && r.id !== 'relay' ? `${(r.p50 - relay.p50).toFixed(2)} / ${(r.p99 - relay.p99).toFixed(2)}` : '';
    out.push(`| ${r.label} | ${r.deltas} | ${Math.round(r.deltasPerSecond)} | ${r.cpuUsPerDelta.toFixed(1)} | ${Math.round(r.deltasPerCpuSecond)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${added} | ${r.rssMb.toFixed(0)} | ${r.failed} |`);
  }
  const sb = rows.find((r) => r.id === 'switchboard');
  if (relay && sb) out.push('', `Switchboard relays ${((100 * sb.deltasPerCpuSecond) / relay.deltasPerCpuSecond).toFixed(0)} % of the bare relay's deltas per CPU-second; latency is from the stub's write to the client's read.`);
  return out.join('\n');
}
