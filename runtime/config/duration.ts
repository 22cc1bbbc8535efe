/**
 * Durations as written in config: a bare number is seconds; a string is `<n>ms`, `<n>s` or
 * `<n>m` (DURATION_PATTERN of schema/config.ts).
 */
import { DURATION_PATTERN } from '../../schema/config.js';

const pattern = new RegExp(DURATION_PATTERN);
const factor = { ms: 1, s: 1000, m: 60_000 } as const;

/** Milliseconds for a config duration, or null when `value` is not one. */
export function durationToMs(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? value * 1000 : null;
  if (typeof value !== 'string' || !pattern.test(value)) return null;
  const m = /^([0-9.]+)(ms|s|m)$/.exec(value) as RegExpExecArray;
  return Number(m[1]) * factor[m[2] as keyof typeof factor];
}
