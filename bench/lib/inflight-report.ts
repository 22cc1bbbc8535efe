/**
 * The in-flight section of the report: one table per case, each target next to the bare
 * forwarder of the same case, and the aims (RSS per in-flight conversation ≤ 1.3× the
 * forwarder's, added p99 at 5,000 in flight ≤ 2× the forwarder's, no failure at the most
 * in flight with a 10 s webhook).
 */
import type { Context } from './context.js';
import type { InflightRow } from './inflight.js';
import { fmt, table } from './stats.js';

const ratio = (x: number, base: number | undefined): string => (base !== undefined && Number.isFinite(x) && Number.isFinite(base) && base > 0 ? `${(x / base).toFixed(2)}×` : '');

/** Markdown lines for the in-flight rows. */
export function inflightReport(ctx: Context, rows: InflightRow[]): string[] {
  const out: string[] = [];
  const s = ctx.s;
  out.push('### In flight (slow webhook, open loop)', '');
  out.push(
    `Open loop: every request has an intended send time (rate climbs linearly over ${s.inflightRampSeconds} s, then stays at in-flight ÷ webhook latency) and is timed from that time, so a late server or client adds to the latency instead of lowering the load. Each request is a conversation of its own, on its own connection. Measured over ${s.inflightSeconds} s once the in-flight count has settled; each target is a fresh process on CPU ${ctx.serverCpu}, with a fresh stub. Added = latency − webhook latency. RSS/in flight = (mean RSS in the window − RSS before load) ÷ mean in flight. Event-loop delay from a bench-only preload (\`bench/probe.mjs\`, \`perf_hooks.monitorEventLoopDelay\`).`,
    '',
  );
  const cases = [...new Map(rows.map((r) => [`${r.latencyMs}x${r.inFlight}`, r])).values()];
  for (const c of cases) {
    const same = rows.filter((r) => r.latencyMs === c.latencyMs && r.inFlight === c.inFlight);
    const fwd = same.find((r) => r.target === 'forwarder');
    const peer = same.find((r) => r.target === 'portkey');
    out.push(`**Webhook ${c.latencyMs / 1000} s, ${c.inFlight.toLocaleString('en-US')} in flight** (${fmt.int(c.inFlight / (c.latencyMs / 1000))} req/s)`, '');
    out.push(
      table(
        ['target', 'replies/s', 'in flight', 'failed', 'added p50 ms', 'added p99 ms', 'added p99.9 ms', 'p99 vs fwd', 'Portkey p99 ÷ this', 'loop delay p99 / max ms', 'RSS MB idle → load', 'RSS KB / in flight', 'vs fwd', 'heap MB', 'CPU µs/reply', 'CPU vs fwd'],
        same.map((r) => [
          r.label,
          fmt.int(r.rps),
          fmt.int(r.measuredInFlight),
          String(r.failed),
          fmt.ms(r.addedP50, 1),
          fmt.ms(r.addedP99, 1),
          fmt.ms(r.addedP999, 1),
          r === fwd ? '' : ratio(r.addedP99, fwd?.addedP99),
          r === peer || peer === undefined ? '' : ratio(peer.addedP99, r.addedP99),
          `${fmt.ms(r.loopP99, 1)} / ${fmt.ms(r.loopMax, 0)}`,
          `${fmt.int(r.rssIdleMb)} → ${fmt.int(r.rssLoadMb)}`,
          fmt.ms(r.rssKbPerInFlight, 1),
          r === fwd ? '' : ratio(r.rssKbPerInFlight, fwd?.rssKbPerInFlight),
          fmt.ms(r.heapMb, 0),
          fmt.int(r.cpuUsPerReply),
          r === fwd ? '' : ratio(r.cpuUsPerReply, fwd?.cpuUsPerReply),
        ]),
      ),
      '',
    );
    const reasons = same.filter((r) => r.reasons.length);
    for (const r of reasons) out.push(`- ${r.label} failures: ${r.reasons.map((x) => `\`${x.replaceAll('`', "'")}\``).join(', ')}`);
    const lagging = same.filter((r) => r.clientLoopP99 > 20);
    for (const r of lagging) out.push(`- the load generator itself lagged during ${r.label} (its event-loop delay p99 ${r.clientLoopP99.toFixed(0)} ms): part of that run's latency is the client's`);
    if (reasons.length || lagging.length) out.push('');
  }
  out.push(...aims(rows), '');
  return out;
}

function aims(rows: InflightRow[]): string[] {
  const out: string[] = [];
  for (const id of ['memory', 'redis-ab'] as const) {
    const mine = rows.filter((r) => r.target === id);
    if (mine.length === 0) continue;
    const label = mine[0]!.label;
    const fwdOf = (r: InflightRow): InflightRow | undefined => rows.find((f) => f.target === 'forwarder' && f.latencyMs === r.latencyMs && f.inFlight === r.inFlight);
    const rss = mine.map((r) => r.rssKbPerInFlight / (fwdOf(r)?.rssKbPerInFlight ?? NaN)).filter(Number.isFinite);
    if (rss.length) out.push(`- ${label}: RSS per in-flight conversation ${Math.max(...rss).toFixed(2)}× the forwarder's at most (aim ≤ 1.3×) ${fmt.verdict(Math.max(...rss) <= 1.3)}`);
    const at5k = mine.find((r) => r.inFlight === 5000);
    const f5k = at5k && fwdOf(at5k);
    if (at5k && f5k) out.push(`- ${label}: added p99 at 5,000 in flight ${(at5k.addedP99 / f5k.addedP99).toFixed(2)}× the forwarder's (aim ≤ 2×) ${fmt.verdict(at5k.addedP99 <= 2 * f5k.addedP99)}`);
    const most = mine.filter((r) => r.latencyMs === 10_000).sort((a, b) => b.inFlight - a.inFlight)[0];
    if (most) out.push(`- ${label}: ${most.failed} failures at ${most.inFlight.toLocaleString('en-US')} in flight with a 10 s webhook (aim 0) ${fmt.verdict(most.failed === 0)}`);
  }
  return out;
}
