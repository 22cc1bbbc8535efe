/**
 * The last 24 hours of a bot's experiment, minute by minute, for the dashboard's charts:
 * per integration, webhook attempts, failed attempts, fallbacks used and latency
 * percentiles of successful attempts. Kept in the store next to the totals, so every
 * replica shows the same picture: one counter hash per bot and hour (`statsm:<bot>:<hour>`,
 * fields `<minute>:<integration>:<metric>`), expiring 25 hours after its last write. An
 * hour per hash rather than a minute keeps the key count small (25 live keys per bot),
 * which matters for the memory store's bounded number of counter hashes.
 */
import type { ResolvedBot } from '../config/snapshot.js';
import { quantileMs } from './latency-buckets.js';

/** How long a minute stays readable. */
export const TIMELINE_MINUTES = 24 * 60;
/** TTL of an hour's hash after its last write: its last minute still covers a 24 h window. */
export const TIMELINE_TTL_SECONDS = 25 * 3600;

/** The epoch minute of `ms`. */
export const minuteOf = (ms: number): number => Math.floor(ms / 60_000);

/** Counter hash key of one bot's hour (unprefixed; the store adds its prefix). */
export function timelineKey(bot: string, minute: number): string {
  return `statsm:${bot}:${Math.floor(minute / 60)}`;
}

/** The hour keys that hold minutes `from`..`to` (inclusive). */
export function timelineKeys(bot: string, from: number, to: number): string[] {
  const keys: string[] = [];
  for (let h = Math.floor(from / 60); h <= Math.floor(to / 60); h++) keys.push(`statsm:${bot}:${h}`);
  return keys;
}

/** Field names inside an hour's hash. */
export const timelineField = {
  requests: (minute: number, i: string) => `${minute}:${i}:requests`,
  errors: (minute: number, i: string) => `${minute}:${i}:errors`,
  fallbacks: (minute: number, i: string) => `${minute}:${i}:fallbacks`,
  latency: (minute: number, i: string, bucket: string) => `${minute}:${i}:latency:${bucket}`,
};

export interface IntegrationSeries {
  name: string;
  requests: number[];
  errors: number[];
  fallbacks: number[];
  /** Per minute; null in minutes without a successful attempt. */
  p50Ms: Array<number | null>;
  p95Ms: Array<number | null>;
}

export interface Timeline {
  bot: string;
  stepSeconds: 60;
  /** Unix time (seconds) of the start of each minute, oldest first. */
  minutes: number[];
  /** Configured integrations in config order, then any that only the history knows. */
  integrations: IntegrationSeries[];
}

/** Builds the series for minutes `from`..`to` (inclusive) from the hour hashes read from the store. */
export function buildTimeline(bot: ResolvedBot, hashes: ReadonlyArray<Readonly<Record<string, number>>>, from: number, to: number): Timeline {
  const length = Math.max(0, to - from + 1);
  const series = new Map<string, IntegrationSeries & { latency: Array<Map<string, number> | undefined> }>();
  const of = (name: string) => {
    let s = series.get(name);
    if (!s) {
      s = { name, requests: new Array<number>(length).fill(0), errors: new Array<number>(length).fill(0), fallbacks: new Array<number>(length).fill(0), p50Ms: [], p95Ms: [], latency: new Array(length) };
      series.set(name, s);
    }
    return s;
  };
  for (const e of bot.integrations) of(e.name);
  for (const hash of hashes) {
    for (const [f, value] of Object.entries(hash)) {
      const [m, name, metric, bucket] = f.split(':');
      const i = Number(m) - from;
      if (!name || !metric || !Number.isInteger(i) || i < 0 || i >= length || !Number.isFinite(value)) continue;
      const s = of(name);
      if (metric === 'requests') (s.requests[i] as number) += value;
      else if (metric === 'errors') (s.errors[i] as number) += value;
      else if (metric === 'fallbacks') (s.fallbacks[i] as number) += value;
      else if (metric === 'latency' && bucket) {
        const counts = (s.latency[i] ??= new Map());
        counts.set(bucket, (counts.get(bucket) ?? 0) + value);
      }
    }
  }
  const integrations: IntegrationSeries[] = [];
  for (const s of series.values()) {
    const p50Ms: Array<number | null> = [];
    const p95Ms: Array<number | null> = [];
    for (let i = 0; i < length; i++) {
      const counts = s.latency[i];
      p50Ms.push(counts ? quantileMs(counts, 0.5) : null);
      p95Ms.push(counts ? quantileMs(counts, 0.95) : null);
    }
    integrations.push({ name: s.name, requests: s.requests, errors: s.errors, fallbacks: s.fallbacks, p50Ms, p95Ms });
  }
  return { bot: bot.name, stepSeconds: 60, minutes: Array.from({ length }, (_, i) => (from + i) * 60), integrations };
}
