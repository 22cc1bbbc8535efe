/**
 * Weighted selection. `pickWeighted` is the plain definition; `weightTable` precomputes,
 * once per bot per config snapshot, what every message needs (cumulative weights for a
 * binary search, the fallback list, weights by name), so per-message cost does not grow
 * with the config.
 */
import type { ResolvedBot } from '../config/snapshot.js';

export interface WeightedEntry {
  name: string;
  weight: number;
}

/**
 * Picks among entries with weight > 0 in proportion to weight, using `u` ∈ [0, 1) as the
 * random (or hashed) draw: the entry whose cumulative-weight interval contains u × total.
 * Undefined when no entry has weight > 0.
 *
 * @example pickWeighted([{ name: 'a', weight: 70 }, { name: 'b', weight: 30 }], 0.69) // 'a'
 * @example pickWeighted([{ name: 'a', weight: 70 }, { name: 'b', weight: 30 }], 0.70) // 'b'
 */
export function pickWeighted(entries: readonly WeightedEntry[], u: number): string | undefined {
  let total = 0;
  for (const e of entries) if (e.weight > 0) total += e.weight;
  if (total <= 0) return undefined;
  const target = clampUnit(u) * total;
  let cumulative = 0;
  let last: string | undefined;
  for (const e of entries) {
    if (!(e.weight > 0)) continue;
    cumulative += e.weight;
    last = e.name;
    if (target < cumulative) return e.name;
  }
  return last;
}

/** A bot's routing data, computed once per snapshot (see `weightTable`). */
export interface WeightTable {
  /** Entries with weight > 0, in config order. */
  readonly weighted: readonly WeightedEntry[];
  /** Sum of the weights of `weighted`; 0 when nothing can be picked. */
  readonly total: number;
  /** Names of entries marked `fallback: true`, in config order (weight 0 included). */
  readonly fallbacks: readonly string[];
  /** Weight of every configured entry by name (0 for weight-0 entries; absent: removed). */
  weightOf(name: string): number;
  /** Same result as `pickWeighted(weighted, u)`, in O(log n). */
  pick(u: number): string | undefined;
}

const tables = new WeakMap<ResolvedBot, WeightTable>();

/**
 * The bot's weight table, built on first use and cached by the (immutable) ResolvedBot
 * object: a reload creates new bot objects, so a table never outlives its snapshot.
 */
export function weightTable(bot: ResolvedBot): WeightTable {
  let table = tables.get(bot);
  if (!table) {
    table = buildWeightTable(bot.integrations);
    tables.set(bot, table);
  }
  return table;
}

/** Builds a weight table from a bot's `integrations` list (exported for tests). */
export function buildWeightTable(entries: ResolvedBot['integrations']): WeightTable {
  const weighted = entries.filter((e) => e.weight > 0).map((e) => ({ name: e.name, weight: e.weight }));
  const cumulative: number[] = [];
  let total = 0;
  for (const e of weighted) cumulative.push((total += e.weight));
  const weights = new Map<string, number>();
  for (const e of entries) if (!weights.has(e.name)) weights.set(e.name, Math.max(0, e.weight));
  const fallbacks = entries.filter((e) => e.fallback).map((e) => e.name);
  return {
    weighted,
    total,
    fallbacks,
    weightOf: (name) => weights.get(name) ?? 0,
    pick(u) {
      if (total <= 0) return undefined;
      const target = clampUnit(u) * total;
      let lo = 0;
      let hi = cumulative.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (target < cumulative[mid]!) hi = mid;
        else lo = mid + 1;
      }
      return weighted[lo]!.name;
    },
  };
}

function clampUnit(u: number): number {
  if (!(u >= 0)) return 0; // NaN and negatives
  return u >= 1 ? 1 - Number.EPSILON : u;
}
