/**
 * Conversations in flight through the Telegram channel: updates arrive open loop (ramp, then
 * in-flight ÷ latency per second) on a few keep-alive connections, as Telegram sends them, each
 * is acknowledged at once, and the reply goes out through the fake Bot API once the slow stub
 * answers. Unlike the HTTP channel, a waiting conversation holds no caller socket, only its
 * webhook call, so 10,000 in flight fit this machine's open-files limit. Run with the in-process
 * queue (memory store) and the durable queue (Redis).
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Context } from './context.js';
import { openLoop } from './open-loop.js';
import { cpuMs, rssBytes } from './procs.js';
import { startStub, startSwitchboard } from './servers.js';
import { fmt, percentile, table } from './stats.js';
import { SECRET, startFakeBotApi, writeTelegramConfig } from './telegram.js';

export interface TelegramInflightRow {
  mode: 'in-process (memory store)' | 'durable (Redis)';
  latencyMs: number;
  inFlight: number;
  sent: number;
  /** Updates answered 200 (the others were refused with a 503: Telegram re-sends those). */
  accepted: number;
  refused: number;
  /** Accepted updates whose reply never reached the Bot API, or came back as the fallback message. */
  failed: number;
  /** Most updates accepted and not yet answered at one time. */
  peakInFlight: number;
  /** Intended send time → sendMessage, minus the webhook latency. */
  addedP50: number;
  addedP99: number;
  rssIdleMb: number;
  rssPeakMb: number;
  cpuUsPerUpdate: number;
}

/** One mode: a fresh stub, server and fake Bot API. */
async function runMode(ctx: Context, mode: TelegramInflightRow['mode'], latencyMs: number, inFlight: number, redisUrl: string | undefined): Promise<TelegramInflightRow> {
  const stub = await startStub(ctx.root, ctx.loadCpu, 'stub (slow)');
  const api = await startFakeBotApi();
  const dir = writeTelegramConfig(join(ctx.tmp, 'telegram-inflight'), `${stub.origin}/d${latencyMs}/hook`, api.origin, `${Math.ceil(latencyMs / 1000) + 30}s`);
  // The in-process queue refuses over SWITCHBOARD_MAX_IN_FLIGHT (default 10,000) with a 503 that
  // Telegram would re-send; the limit is raised so the case measures holding, and refusals are reported.
  const sb = await startSwitchboard({ root: ctx.root, cpu: ctx.serverCpu, configDir: dir, name: `switchboard (telegram, ${mode})`, env: { SWITCHBOARD_MAX_IN_FLIGHT: String(inFlight * 2) }, ...(redisUrl ? { redisUrl } : {}) });
  const sentAt = new Map<number, number>();
  let accepted = 0;
  let refused = 0;
  let peak = 0;
  let rssPeak = 0;
  const pid = sb.proc.pid;
  const rssIdle = rssBytes(pid);
  const cpu0 = cpuMs(pid);
  try {
    const rate = inFlight / (latencyMs / 1000);
    const r = await openLoop({
      origin: sb.origin,
      path: '/channels/telegram/tg',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
      body: (i) => {
        const id = i + 1;
        sentAt.set(id, performance.now());
        return `{"update_id":${id},"message":{"message_id":1,"date":1700000000,"chat":{"id":${id},"type":"private"},"from":{"id":${id},"is_bot":false,"first_name":"U"},"text":"Hello! Can you summarise the last three messages of this thread for me, please?"}}`;
      },
      rate,
      rampSeconds: ctx.s.inflightRampSeconds,
      seconds: latencyMs / 1000 + ctx.s.inflightSeconds,
      window: { from: 0, to: ctx.s.inflightRampSeconds + latencyMs / 1000 + ctx.s.inflightSeconds },
      timeoutMs: 30_000,
      verify: () => true,
      onTick: () => {
        // Sent so far and not yet answered through the Bot API (the acks themselves take ~1 ms).
        const waiting = sentAt.size - api.answeredAt.size;
        if (waiting > peak) peak = waiting;
        rssPeak = Math.max(rssPeak, rssBytes(pid));
      },
    });
    accepted = r.ok;
    refused = r.failed;
    // Every accepted update's reply, waited for (at most the latency + 30 s).
    const until = performance.now() + latencyMs + 30_000;
    while (api.answeredAt.size < accepted && performance.now() < until) {
      rssPeak = Math.max(rssPeak, rssBytes(pid));
      await sleep(50);
    }
    const added = [...api.answeredAt].map(([id, t]) => t - (sentAt.get(id) ?? t) - latencyMs).sort((a, b) => a - b);
    return {
      mode,
      latencyMs,
      inFlight,
      sent: r.sent,
      accepted,
      refused,
      failed: Math.max(0, accepted - api.answeredAt.size) + api.notOk,
      peakInFlight: peak,
      addedP50: percentile(added, 0.5),
      addedP99: percentile(added, 0.99),
      rssIdleMb: rssIdle / 2 ** 20,
      rssPeakMb: rssPeak / 2 ** 20,
      cpuUsPerUpdate: ((cpuMs(pid) - cpu0) * 1000) / Math.max(1, api.answeredAt.size),
    };
  } finally {
    await sb.proc.stop(15_000);
    await api.close();
    await stub.proc.stop();
  }
}

/** Both modes, one after the other. */
export async function telegramInflight(ctx: Context, latencyMs: number, inFlight: number, redisUrl: string): Promise<TelegramInflightRow[]> {
  const rows: TelegramInflightRow[] = [];
  for (const [mode, url] of [['in-process (memory store)', undefined], ['durable (Redis)', redisUrl]] as const) {
    const row = await runMode(ctx, mode, latencyMs, inFlight, url);
    rows.push(row);
    ctx.log(`  ${mode.padEnd(26)} sent ${row.sent}  accepted ${row.accepted}  refused ${row.refused}  failed ${row.failed}  peak in flight ${row.peakInFlight}  added p50 ${row.addedP50.toFixed(1)} p99 ${row.addedP99.toFixed(1)} ms  RSS ${row.rssIdleMb.toFixed(0)}→${row.rssPeakMb.toFixed(0)} MB  ${row.cpuUsPerUpdate.toFixed(0)} µs/update`);
  }
  return rows;
}

/** Markdown lines for the scenario. */
export function telegramInflightReport(rows: TelegramInflightRow[]): string[] {
  const first = rows[0];
  if (!first) return [];
  const out = [`### Telegram channel, ${first.inFlight.toLocaleString('en-US')} conversations in flight behind a ${first.latencyMs / 1000} s webhook`, ''];
  out.push(
    table(
      ['queue', 'updates sent', 'accepted', 'refused (503)', 'failed', 'peak in flight', 'added p50 ms', 'added p99 ms', 'RSS MB idle → peak', 'CPU µs/update'],
      rows.map((r) => [r.mode, fmt.int(r.sent), fmt.int(r.accepted), fmt.int(r.refused), fmt.int(r.failed), fmt.int(r.peakInFlight), fmt.ms(r.addedP50, 1), fmt.ms(r.addedP99, 1), `${fmt.int(r.rssIdleMb)} → ${fmt.int(r.rssPeakMb)}`, fmt.int(r.cpuUsPerUpdate)]),
    ),
    '',
  );
  // The aim is about 10,000 in flight; a smaller (quick) case only reports.
  for (const r of rows) out.push(`- ${r.mode}: ${r.failed} failures, ${r.refused} refused, ${fmt.int(r.peakInFlight)} in flight at the peak${r.inFlight >= 10_000 ? ` (aim: none at 10,000) ${fmt.verdict(r.failed === 0 && r.refused === 0 && r.peakInFlight >= 10_000)}` : ''}`);
  out.push('- Added = intended send time → the reply\'s sendMessage at the fake Bot API, minus the webhook latency. A waiting conversation holds only its webhook call here (Telegram gets its 200 at once), so this channel holds 10,000 where the HTTP channel is bounded by two descriptors per conversation.', '');
  return out;
}
