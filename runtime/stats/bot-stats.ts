/**
 * The experiment history of one bot, as served at GET /bots/:bot/stats: per integration
 * assignments, requests, failures by class, fallbacks used and latency percentiles, built
 * from one counter hash (`stats:<bot>`) shared by every replica.
 */
import type { Stickiness } from '../../schema/config.js';
import type { ResolvedBot } from '../config/snapshot.js';
import type { FailureClass } from '../core/message.js';
import { quantileMs } from './latency-buckets.js';
import { sampleRatioMismatch, SRM_MIN_PER_ARM, SRM_P_THRESHOLD, type SrmResult } from './srm.js';

/** Every failure class, in a stable order (the JSON lists all of them, zeros included). */
export const FAILURE_CLASSES = [
  'unreachable',
  'timeout',
  'http_status',
  'bad_reply',
  'blocked',
  'first_token_timeout',
  'idle_timeout',
  'interrupted',
  'stream_error',
  'cancelled',
] as const satisfies readonly FailureClass[];
// Fails to compile when a class is added to FailureClass but not listed above.
const _exhaustive: Exclude<FailureClass, (typeof FAILURE_CLASSES)[number]> extends never ? true : never = true;
void _exhaustive;

export interface IntegrationStats {
  name: string;
  /** Current weight (0 when the integration is no longer listed by the bot). */
  weight: number;
  fallback: boolean;
  /** False for an integration that only appears in the recorded history. */
  configured: boolean;
  /** weight / sum of weights: what `observedShare` should approach. */
  expectedShare: number;
  /** New sticky assignments (first pick or re-pick) to this integration; with `stickiness: none`, picks. */
  assignments: number;
  /** assignments / all assignments of the bot; null before the first one. */
  observedShare: number | null;
  /** Webhook attempts sent to it (as primary or as fallback). */
  requests: number;
  /** Attempts that returned a good reply. */
  successes: number;
  errors: { total: number; byClass: Record<FailureClass, number> };
  /** errors.total / requests; null before the first request. */
  errorRate: number | null;
  /** Attempts sent to it as a fallback (after the primary failed). */
  fallbacksUsed: number;
  /** Percentiles of successful attempts' latency (ms), from shared histogram buckets; null without samples. */
  latencyMs: { p50: number | null; p95: number | null };
}

export interface BotStats {
  bot: string;
  stickiness: Stickiness;
  totals: { assignments: number; requests: number; errors: number };
  /** Sample-ratio mismatch of the assignments against the current weights (chi-square goodness of fit). */
  srm: SrmResult & { threshold: number; minAssignmentsPerArm: number };
  /** Configured entries in config order, then integrations that only the history knows. */
  integrations: IntegrationStats[];
}

/** Counter hash key of a bot's stats (unprefixed; the store adds its prefix). */
export function statsKey(bot: string): string {
  return `stats:${bot}`;
}

/** Field names inside the hash: `<integration>:<metric>` (integration names have no `:`). */
export const field = {
  assignments: (i: string) => `${i}:assignments`,
  requests: (i: string) => `${i}:requests`,
  successes: (i: string) => `${i}:ok`,
  fallbacks: (i: string) => `${i}:fallbacks`,
  error: (i: string, c: FailureClass) => `${i}:error:${c}`,
  latency: (i: string, bucket: string) => `${i}:latency:${bucket}`,
};

interface Tally {
  assignments: number;
  requests: number;
  successes: number;
  fallbacks: number;
  errors: Record<FailureClass, number>;
  latency: Map<string, number>;
}

const emptyTally = (): Tally => ({
  assignments: 0,
  requests: 0,
  successes: 0,
  fallbacks: 0,
  errors: Object.fromEntries(FAILURE_CLASSES.map((c) => [c, 0])) as Record<FailureClass, number>,
  latency: new Map(),
});

/** Builds the JSON view from a bot's config and its counter hash. */
export function buildBotStats(bot: ResolvedBot, counters: Readonly<Record<string, number>>): BotStats {
  const tallies = new Map<string, Tally>();
  const tally = (name: string): Tally => {
    let t = tallies.get(name);
    if (!t) tallies.set(name, (t = emptyTally()));
    return t;
  };
  for (const e of bot.integrations) tally(e.name);
  for (const [f, value] of Object.entries(counters)) {
    const [name, metric, detail] = f.split(':');
    if (!name || !metric || !Number.isFinite(value)) continue;
    const t = tally(name);
    if (metric === 'assignments') t.assignments += value;
    else if (metric === 'requests') t.requests += value;
    else if (metric === 'ok') t.successes += value;
    else if (metric === 'fallbacks') t.fallbacks += value;
    else if (metric === 'error' && detail && (FAILURE_CLASSES as readonly string[]).includes(detail)) t.errors[detail as FailureClass] += value;
    else if (metric === 'latency' && detail) t.latency.set(detail, (t.latency.get(detail) ?? 0) + value);
  }

  const configured = new Map(bot.integrations.map((e) => [e.name, e]));
  const totalWeight = bot.integrations.reduce((n, e) => n + Math.max(0, e.weight), 0);
  let totalAssignments = 0;
  for (const t of tallies.values()) totalAssignments += t.assignments;

  const integrations: IntegrationStats[] = [];
  for (const [name, t] of tallies) {
    const entry = configured.get(name);
    const weight = entry ? Math.max(0, entry.weight) : 0;
    const errorsTotal = FAILURE_CLASSES.reduce((n, c) => n + t.errors[c], 0);
    integrations.push({
      name,
      weight,
      fallback: entry?.fallback ?? false,
      configured: entry !== undefined,
      expectedShare: totalWeight > 0 ? weight / totalWeight : 0,
      assignments: t.assignments,
      observedShare: totalAssignments > 0 ? t.assignments / totalAssignments : null,
      requests: t.requests,
      successes: t.successes,
      errors: { total: errorsTotal, byClass: t.errors },
      errorRate: t.requests > 0 ? errorsTotal / t.requests : null,
      fallbacksUsed: t.fallbacks,
      latencyMs: { p50: quantileMs(t.latency, 0.5), p95: quantileMs(t.latency, 0.95) },
    });
  }
  return {
    bot: bot.name,
    stickiness: bot.stickiness,
    totals: {
      assignments: totalAssignments,
      requests: integrations.reduce((n, i) => n + i.requests, 0),
      errors: integrations.reduce((n, i) => n + i.errors.total, 0),
    },
    srm: { ...sampleRatioMismatch(integrations.filter((i) => i.configured).map((i) => ({ observed: i.assignments, weight: i.weight }))), threshold: SRM_P_THRESHOLD, minAssignmentsPerArm: SRM_MIN_PER_ARM },
    integrations,
  };
}
