/**
 * Durations as written in config: a bare number is seconds; a string is `<n>ms`, `<n>s` or
 * `<n>m` (DURATION_PATTERN of schema/config.ts, the grammar of `timeout`). The long-lived keys
 * (`rateLimit.per`, `historyTtl`) also take `<n>h` and `<n>d` (LONG_DURATION_PATTERN).
 */
import { DURATION_PATTERN, LONG_DURATION_PATTERN } from '../../schema/config.js';

const short = new RegExp(DURATION_PATTERN);
const long = new RegExp(LONG_DURATION_PATTERN);
const factor = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * Milliseconds for a config duration, or null when `value` is not one. `units: 'long'`
 * also accepts hours and days; the default keeps `timeout`'s grammar (ms, s, m) so an `1h`
 * timeout stays a grammar error rather than a range error.
 */
export function durationToMs(value: unknown, units: 'short' | 'long' = 'short'): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? value * 1000 : null;
  if (typeof value !== 'string' || !(units === 'long' ? long : short).test(value)) return null;
  const m = /^([0-9.]+)(ms|s|m|h|d)$/.exec(value) as RegExpExecArray;
  return Number(m[1]) * factor[m[2] as keyof typeof factor];
}
