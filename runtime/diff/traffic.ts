/**
 * The traffic model of a routing change. New users are spread over a bot's entries with
 * `weight > 0` in proportion to weight; users already assigned keep their integration while it
 * still has weight > 0, so only those on an integration going to weight 0 (or removed) move.
 */
import type { RawDocument } from './load-side.js';

/** One integration of a bot, before → after. A side where it is not listed is `null`. */
export interface IntegrationTraffic {
  name: string;
  weightBefore: number | null;
  weightAfter: number | null;
  /** Share of new users (0–1). */
  shareBefore: number | null;
  shareAfter: number | null;
  /** Users assigned to it now (only with runtime stats). */
  assigned?: number;
  /** How many of them will move (their integration goes to weight 0 or is removed). */
  moving?: number;
}

/** A bot whose routing changed. */
export interface BotTraffic {
  bot: string;
  integrations: IntegrationTraffic[];
}

type Entries = Map<string, number>;

function entriesOf(doc: RawDocument | undefined): Entries | undefined {
  if (!doc) return undefined;
  const list = Array.isArray(doc.value.integrations) ? (doc.value.integrations as Array<Record<string, unknown>>) : [];
  return new Map(list.map((e) => [String(e.name), typeof e.weight === 'number' ? e.weight : 1]));
}

function shares(entries: Entries | undefined): Map<string, number> {
  const out = new Map<string, number>();
  if (!entries) return out;
  let total = 0;
  for (const w of entries.values()) if (w > 0) total += w;
  for (const [name, w] of entries) out.set(name, total > 0 && w > 0 ? w / total : 0);
  return out;
}

/** True when an integration's users will be moved: listed before with weight > 0, not after. */
export function willMove(t: IntegrationTraffic): boolean {
  return (t.weightBefore ?? 0) > 0 && (t.weightAfter ?? 0) === 0;
}

/** Bots whose weights (by integration name) changed, were added or removed; sorted by name. */
export function trafficChanges(before: readonly RawDocument[], after: readonly RawDocument[]): BotTraffic[] {
  const bots = (docs: readonly RawDocument[]) => new Map(docs.filter((d) => d.kind === 'Bot').map((d) => [d.name, d]));
  const old = bots(before);
  const now = bots(after);
  const names = [...new Set([...old.keys(), ...now.keys()])].sort();
  const out: BotTraffic[] = [];
  for (const bot of names) {
    const a = entriesOf(old.get(bot));
    const b = entriesOf(now.get(bot));
    const sa = shares(a);
    const sb = shares(b);
    const integrations = [...new Set([...(b?.keys() ?? []), ...(a?.keys() ?? [])])];
    const rows = integrations.map((name) => ({
      name,
      weightBefore: a?.get(name) ?? null,
      weightAfter: b?.get(name) ?? null,
      shareBefore: a?.has(name) ? (sa.get(name) as number) : null,
      shareAfter: b?.has(name) ? (sb.get(name) as number) : null,
    }));
    if (rows.some((r) => r.weightBefore !== r.weightAfter)) out.push({ bot, integrations: rows });
  }
  return out;
}
