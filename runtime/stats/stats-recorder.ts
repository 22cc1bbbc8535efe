/**
 * Records the A/B experiment of every bot: assignments, attempts by outcome, fallbacks,
 * latency buckets. `record` is synchronous and cheap (it merges into pending counters);
 * the pipeline hands the pending counters (`drain`) to the store's next `endTurn` (no extra
 * round trip per message), at most every `piggybackIntervalMs`, so under load one endTurn carries
 * the merged counts of many messages instead of every endTurn carrying a few HINCRBYs;
 * a timer flushes them when no turn comes. With Redis the counters are shared by every
 * replica; with the memory store they live in the process.
 */
import type { ResolvedBot } from '../config/snapshot.js';
import type { FailureClass } from '../core/message.js';
import { createMemoryStore } from '../store/memory-store.js';
import type { CounterIncrement, CounterSource, Store } from '../store/store.js';
import type { AbMetrics } from '../metrics/ab-metrics.js';
import { buildBotStats, field, statsKey, type BotStats } from './bot-stats.js';
import { bucketLabel } from './latency-buckets.js';
import { buildTimeline, minuteOf, TIMELINE_MINUTES, TIMELINE_TTL_SECONDS, timelineField, timelineKey, timelineKeys, type Timeline } from './timeline.js';

export type StatsEvent =
  /** A new sticky assignment (first pick or re-pick), or a pick with `stickiness: none`. */
  | { type: 'assignment'; bot: string; integration: string }
  /** One webhook attempt (its Retry-After retry included). */
  | { type: 'attempt'; bot: string; integration: string; fallback: boolean; outcome: 'ok' | FailureClass; latencyMs: number };

export interface StatsRecorderOptions {
  /** Where counters are kept and shared (default: a private memory store). */
  store?: Store;
  metrics?: AbMetrics;
  /** Flush pending counters at least this often (default 1000 ms). */
  flushIntervalMs?: number;
  /** Hand pending counters to an endTurn at most this often (default 250 ms; 0: every endTurn), or once half of `maxPendingFields` is pending. */
  piggybackIntervalMs?: number;
  /** Pending counter fields kept while the store is down; beyond, increments are dropped (default 10,000). */
  maxPendingFields?: number;
  /** Wall clock (ms) for the per-minute timeline; default Date.now. */
  now?: () => number;
}

export interface StatsRecorder extends CounterSource {
  /** Counts one event (never throws, never waits). */
  record(event: StatsEvent): void;
  /** Writes pending counters now; rejects (keeping them pending) when the store is down. */
  flush(): Promise<void>;
  /** The bot's experiment history, across replicas; rejects with SWB_ERR_STORE_UNAVAILABLE during an outage. */
  readBotStats(bot: ResolvedBot): Promise<BotStats>;
  /** The bot's last `minutes` (default and at most 24 h) minute by minute, across replicas. */
  readTimeline(bot: ResolvedBot, minutes?: number): Promise<Timeline>;
  /** Increments dropped because the pending set was full. */
  readonly dropped: number;
  /** Stops the timer, flushes what it can and detaches from the store. */
  close(): Promise<void>;
}

/** Creates a recorder; hand it to the pipeline (`counters`) so its counts ride along in `endTurn`. */
export function createStatsRecorder(opts: StatsRecorderOptions = {}): StatsRecorder {
  const sink: Store = opts.store ?? createMemoryStore();
  const maxPending = opts.maxPendingFields ?? 10_000;
  const metrics = opts.metrics;
  // key → field → increment. Keys and fields come from `names` below, so the same string
  // objects are looked up every time (their hashes are cached: no string building per event).
  const pending = new Map<string, Map<string, CounterIncrement>>();
  let pendingSize = 0;
  let dropped = 0;
  let flushing: Promise<void> | undefined;

  const now = opts.now ?? Date.now;
  const add = (key: string, f: string, by: number, ttlSeconds?: number): void => {
    let fields = pending.get(key);
    if (!fields) {
      fields = new Map();
      pending.set(key, fields);
    }
    const existing = fields.get(f);
    if (existing) existing.by += by;
    else if (pendingSize < maxPending) {
      fields.set(f, ttlSeconds === undefined ? { key, field: f, by } : { key, field: f, by, ttlSeconds });
      pendingSize++;
    } else dropped += by;
  };

  const takeAll = (): CounterIncrement[] => {
    const out: CounterIncrement[] = [];
    for (const fields of pending.values()) for (const c of fields.values()) out.push(c);
    pending.clear();
    pendingSize = 0;
    return out;
  };

  /** The counter key and field names of one bot + integration, built once. */
  interface Names {
    key: string;
    assignments: string;
    requests: string;
    fallbacks: string;
    successes: string;
    errors: Map<string, string>;
    latency: Map<string, string>;
    /** This minute's timeline key and fields, rebuilt when the minute changes. */
    minute: number;
    minuteKey: string;
    minuteRequests: string;
    minuteErrors: string;
    minuteFallbacks: string;
    minuteLatency: Map<string, string>;
  }
  const names = new Map<string, Map<string, Names>>();
  const namesOf = (bot: string, i: string): Names => {
    let byIntegration = names.get(bot);
    if (!byIntegration) {
      // Bounded by the config's bots; a config with churning names cannot grow this forever.
      if (names.size >= 10_000) names.clear();
      byIntegration = new Map();
      names.set(bot, byIntegration);
    }
    let n = byIntegration.get(i);
    if (!n) {
      n = { key: statsKey(bot), assignments: field.assignments(i), requests: field.requests(i), fallbacks: field.fallbacks(i), successes: field.successes(i), errors: new Map(), latency: new Map(), minute: -1, minuteKey: '', minuteRequests: '', minuteErrors: '', minuteFallbacks: '', minuteLatency: new Map() };
      byIntegration.set(i, n);
    }
    return n;
  };
  const memo = (m: Map<string, string>, k: string, make: () => string): string => {
    let v = m.get(k);
    if (v === undefined) {
      v = make();
      m.set(k, v);
    }
    return v;
  };

  // The pipeline asks before every endTurn; answer at most once per interval, or
  // sooner when the pending set is half full (many bots), so nothing gets dropped.
  const piggybackMs = opts.piggybackIntervalMs ?? 250;
  let lastHandOver = -Infinity;
  const drain = (): CounterIncrement[] => {
    if (pendingSize === 0) return [];
    const now = performance.now();
    if (now - lastHandOver < piggybackMs && pendingSize < maxPending / 2) return [];
    lastHandOver = now;
    return takeAll();
  };
  const restore = (increments: CounterIncrement[]): void => {
    for (const c of increments) add(c.key, c.field, c.by, c.ttlSeconds);
  };

  /** Counts one attempt in the current minute of the timeline. */
  const addMinute = (n: Names, event: Extract<StatsEvent, { type: 'attempt' }>): void => {
    const minute = minuteOf(now());
    if (n.minute !== minute) {
      n.minute = minute;
      n.minuteKey = timelineKey(event.bot, minute);
      n.minuteRequests = timelineField.requests(minute, event.integration);
      n.minuteErrors = timelineField.errors(minute, event.integration);
      n.minuteFallbacks = timelineField.fallbacks(minute, event.integration);
      n.minuteLatency = new Map();
    }
    add(n.minuteKey, n.minuteRequests, 1, TIMELINE_TTL_SECONDS);
    if (event.fallback) add(n.minuteKey, n.minuteFallbacks, 1, TIMELINE_TTL_SECONDS);
    if (event.outcome === 'ok') {
      const bucket = bucketLabel(event.latencyMs);
      add(n.minuteKey, memo(n.minuteLatency, bucket, () => timelineField.latency(minute, event.integration, bucket)), 1, TIMELINE_TTL_SECONDS);
    } else add(n.minuteKey, n.minuteErrors, 1, TIMELINE_TTL_SECONDS);
  };

  const flush = (): Promise<void> => {
    if (flushing) return flushing.catch(() => {}).then(flush);
    const batch = takeAll();
    if (batch.length === 0) return Promise.resolve();
    flushing = sink.incrementCounters(batch)
      .catch((err: unknown) => {
        restore(batch);
        throw err;
      })
      .finally(() => {
        flushing = undefined;
      });
    return flushing;
  };

  const timer = setInterval(() => void flush().catch(() => {}), opts.flushIntervalMs ?? 1000);
  timer.unref();
  const recorder: StatsRecorder = {
    record(event) {
      const n = namesOf(event.bot, event.integration);
      if (event.type === 'assignment') {
        add(n.key, n.assignments, 1);
        metrics?.assignments.inc({ bot: event.bot, integration: event.integration });
        return;
      }
      add(n.key, n.requests, 1);
      if (event.fallback) add(n.key, n.fallbacks, 1);
      if (event.outcome === 'ok') {
        add(n.key, n.successes, 1);
        const bucket = bucketLabel(event.latencyMs);
        add(n.key, memo(n.latency, bucket, () => field.latency(event.integration, bucket)), 1);
      } else {
        const outcome = event.outcome;
        add(n.key, memo(n.errors, outcome, () => field.error(event.integration, outcome)), 1);
      }
      addMinute(n, event);
    },
    flush,
    async readBotStats(bot) {
      await flush();
      return buildBotStats(bot, await sink.readCounters(statsKey(bot.name)));
    },
    async readTimeline(bot, minutes = TIMELINE_MINUTES) {
      await flush();
      const to = minuteOf(now());
      const from = to - Math.min(Math.max(1, Math.floor(minutes)), TIMELINE_MINUTES) + 1;
      const hashes = await Promise.all(timelineKeys(bot.name, from, to).map((k) => sink.readCounters!(k)));
      return buildTimeline(bot, hashes, from, to);
    },
    get dropped() {
      return dropped;
    },
    drain,
    restore,
    async close() {
      clearInterval(timer);
      await flush().catch(() => {});
    },
  };
  return recorder;
}
