/**
 * The report section of the Telegram-channel scenario: medians per mode, the durable path's
 * throughput ratio and added latency, and the Redis commands per update.
 */
import { fmt, median, table } from './stats.js';
import type { TelegramRow } from './telegram.js';

export type { TelegramRow } from './telegram.js';

/** Markdown lines for the scenario. */
export function telegramReport(rows: TelegramRow[]): string[] {
  const of = (mode: TelegramRow['mode']) => rows.filter((r) => r.mode === mode);
  const med = (mode: TelegramRow['mode'], pick: (r: TelegramRow) => number) => median(of(mode).map(pick));
  const modes = ['in-process', 'durable'] as const;
  const out = ['### Telegram channel: durable vs in-process delivery (same Redis store)', ''];
  out.push(
    table(
      ['queue', 'runs', 'accepted/s', 'answered/s', 'receipt → sendMessage p50 ms', 'p99 ms'],
      modes.map((m) => [m, String(of(m).length), fmt.int(med(m, (r) => r.acceptedPerSec)), fmt.int(med(m, (r) => r.answeredPerSec)), fmt.ms(med(m, (r) => r.p50Ms), 1), fmt.ms(med(m, (r) => r.p99Ms), 1)]),
    ),
    '',
  );
  const ratio = med('durable', (r) => r.answeredPerSec) / med('in-process', (r) => r.answeredPerSec);
  out.push(`- Durable answered/s vs in-process: ${fmt.pct(ratio)} ${fmt.verdict(ratio >= 0.7)} (aim ≥ 70 %)`);
  out.push(`- Added latency: p50 ${fmt.ms(med('durable', (r) => r.p50Ms) - med('in-process', (r) => r.p50Ms), 1)} ms, p99 ${fmt.ms(med('durable', (r) => r.p99Ms) - med('in-process', (r) => r.p99Ms), 1)} ms`);
  const cmds = (mode: TelegramRow['mode']) => {
    const last = of(mode).at(-1);
    return last ? Object.entries(last.commandsPerUpdate).sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${n.toFixed(2)}`).join(', ') : '–';
  };
  out.push(`- Redis commands per update (INFO commandstats; commands inside scripts count too): in-process: ${cmds('in-process')}; durable: ${cmds('durable')}`, '');
  return out;
}
