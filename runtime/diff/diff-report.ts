/**
 * Everything `switchboard diff` found between two valid trees, before rendering: document
 * changes, traffic per bot whose routing changed, and the warnings a reviewer must not miss.
 */
import { parseEnvTemplate } from '../config/env-ref.js';
import type { RawDocument } from './load-side.js';
import { diffDocuments, type DocumentChange } from './semantic-diff.js';
import { trafficChanges, willMove, type BotTraffic } from './traffic.js';

export interface DiffReport {
  changes: DocumentChange[];
  traffic: BotTraffic[];
  warnings: string[];
}

/** Counts per change kind, for summary lines. */
export function changeCounts(report: DiffReport): { added: number; removed: number; changed: number } {
  const n = (c: DocumentChange['change']): number => report.changes.filter((x) => x.change === c).length;
  return { added: n('added'), removed: n('removed'), changed: n('changed') };
}

/** Every env variable a side's documents reference without a default. */
function requiredEnv(docs: readonly RawDocument[]): Set<string> {
  const out = new Set<string>();
  const visit = (v: unknown): void => {
    if (typeof v === 'string') {
      for (const r of parseEnvTemplate(v)?.refs ?? []) if (r.fallback === undefined) out.add(r.name);
    } else if (Array.isArray(v)) v.forEach(visit);
    else if (v !== null && typeof v === 'object') Object.values(v).forEach(visit);
  };
  for (const d of docs) visit(d.value);
  return out;
}

function warningsFor(before: readonly RawDocument[], after: readonly RawDocument[], traffic: readonly BotTraffic[]): string[] {
  const warnings: string[] = [];
  const oldBots = new Set(before.filter((d) => d.kind === 'Bot').map((d) => d.name));
  const newBots = new Set(after.filter((d) => d.kind === 'Bot').map((d) => d.name));
  for (const t of traffic) {
    if (!oldBots.has(t.bot) || !newBots.has(t.bot)) continue;
    if (t.integrations.some((i) => (i.weightBefore ?? 0) !== (i.weightAfter ?? 0))) {
      warnings.push(`bot ${t.bot}: weights changed mid-experiment: the sample-ratio baseline resets; existing users keep their integration`);
    }
    for (const i of t.integrations.filter(willMove)) {
      const who = i.moving !== undefined ? `${i.moving} assigned user${i.moving === 1 ? '' : 's'}` : 'users assigned to it';
      const what = i.weightAfter === null ? 'is removed' : 'goes to weight 0';
      warnings.push(`bot ${t.bot}: ${i.name} ${what}: ${who} will be moved to another integration`);
    }
  }
  const had = requiredEnv(before);
  const added = [...requiredEnv(after)].filter((v) => !had.has(v)).sort();
  if (added.length) {
    warnings.push(`new environment variables referenced: ${added.join(', ')}: production must set them before this merges (check with switchboard validate --env-file)`);
  }
  return warnings;
}

/** Builds the report of two valid sides (documents as written). */
export function buildReport(before: readonly RawDocument[], after: readonly RawDocument[]): DiffReport {
  const traffic = trafficChanges(before, after);
  return { changes: diffDocuments(before, after), traffic, warnings: warningsFor(before, after, traffic) };
}

/** Recomputes the warnings once runtime stats were added to `report.traffic`. */
export function refreshWarnings(report: DiffReport, before: readonly RawDocument[], after: readonly RawDocument[]): void {
  report.warnings = warningsFor(before, after, report.traffic);
}

