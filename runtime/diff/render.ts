/**
 * Renders a {@link DiffReport} for a terminal (`text`), as one pull-request comment
 * (`markdown`) and for tools (`json`, the pinned shape).
 */
import { changeCounts, type DiffReport } from './diff-report.js';
import type { IntegrationTraffic } from './traffic.js';

export type DiffFormat = 'text' | 'markdown' | 'json';
export const diffFormats: readonly DiffFormat[] = ['text', 'markdown', 'json'];

/** The first line of a markdown comment, so a workflow can find (and update) its own comment. */
export const COMMENT_MARKER = '<!-- switchboard-diff -->';

const pct = (share: number | null): string => (share === null ? '—' : `${(share * 100).toFixed(1)}%`);
const num = (n: number | null): string => (n === null ? '—' : String(n));
const arrow = (a: string, b: string): string => (a === b ? a : `${a} → ${b}`);

function plain(v: unknown): string {
  if (v === null || v === undefined) return '—';
  return JSON.stringify(v);
}

/** The one-line summary both human formats start or end with. */
export function summaryLine(report: DiffReport): string {
  const c = changeCounts(report);
  const total = c.added + c.removed + c.changed;
  if (total === 0) return 'No Switchboard changes.';
  const docs = `${total} document${total === 1 ? '' : 's'} changed (${c.added} added, ${c.removed} removed, ${c.changed} changed)`;
  const bots = report.traffic.length;
  return `${docs}; ${bots === 0 ? 'no routing changes' : `routing changes for ${bots} bot${bots === 1 ? '' : 's'}`}.`;
}

function changeTitle(c: DiffReport['changes'][number]): string {
  const moved = c.movedFrom ? `, moved from ${c.movedFrom}` : '';
  return `${c.kind} ${c.name}: ${c.change} (${c.file}${moved})`;
}

function trafficCells(i: IntegrationTraffic): { weight: string; share: string; users: string } {
  const users = i.assigned === undefined ? '' : `${i.assigned}${i.moving ? ` (${i.moving} moving)` : ''}`;
  return { weight: arrow(num(i.weightBefore), num(i.weightAfter)), share: arrow(pct(i.shareBefore), pct(i.shareAfter)), users };
}

/** Text for a terminal. */
export function renderText(report: DiffReport): string {
  const out: string[] = [];
  for (const c of report.changes) {
    out.push(changeTitle(c));
    for (const f of c.fields) out.push(`  ${f.path}: ${plain(f.before)} → ${plain(f.after)}`);
  }
  for (const t of report.traffic) {
    out.push(`Traffic of bot ${t.bot}:`);
    const width = Math.max(...t.integrations.map((i) => i.name.length));
    for (const i of t.integrations) {
      const cells = trafficCells(i);
      const users = i.assigned === undefined ? '' : `  assigned ${i.assigned}, moving ${i.moving ?? 0}`;
      out.push(`  ${i.name.padEnd(width)}  weight ${cells.weight}  share of new users ${cells.share}${users}`);
    }
  }
  for (const w of report.warnings) out.push(`warning: ${w}`);
  out.push(summaryLine(report));
  return `${out.join('\n')}\n`;
}

/** Escapes text for a Markdown table cell. */
function cell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function code(v: unknown): string {
  if (v === null || v === undefined) return '—';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  const fence = s.includes('`') ? '``' : '`';
  return cell(`${fence}${fence === '``' ? ' ' : ''}${s}${fence === '``' ? ' ' : ''}${fence}`);
}

/** One pull-request comment: summary, a table per bot, warnings, collapsed field details. */
export function renderMarkdown(report: DiffReport, sides: { base: string; head: string }): string {
  const out: string[] = [COMMENT_MARKER, `### Switchboard: \`${cell(sides.base)}\` → \`${cell(sides.head)}\``, '', `**${summaryLine(report)}**`];
  const withStats = report.traffic.some((t) => t.integrations.some((i) => i.assigned !== undefined));
  for (const t of report.traffic) {
    out.push('', `#### Bot \`${t.bot}\``, '');
    out.push(withStats ? '| integration | weight | share of new users | users assigned now |' : '| integration | weight | share of new users |');
    out.push(withStats ? '|---|---|---|---|' : '|---|---|---|');
    for (const i of t.integrations) {
      const c = trafficCells(i);
      out.push(`| \`${i.name}\` | ${c.weight} | ${c.share} |${withStats ? ` ${c.users || '0'} |` : ''}`);
    }
  }
  if (report.warnings.length) {
    out.push('', '**Warnings**', '');
    for (const w of report.warnings) out.push(`- ⚠️ ${cell(w)}`);
  }
  if (report.changes.length) {
    out.push('', `<details><summary>Field changes (${report.changes.length} document${report.changes.length === 1 ? '' : 's'})</summary>`, '');
    for (const c of report.changes) {
      out.push(`**${c.kind} \`${c.name}\`** — ${c.change === 'removed' ? 'removed from' : `${c.change} in`} \`${cell(c.file)}\`${c.movedFrom ? ` (moved from \`${cell(c.movedFrom)}\`)` : ''}`, '');
      if (c.fields.length) {
        out.push('| key | before | after |', '|---|---|---|');
        for (const f of c.fields) out.push(`| \`${cell(f.path)}\` | ${code(f.before)} | ${code(f.after)} |`);
        out.push('');
      }
    }
    out.push('</details>');
  }
  return `${out.join('\n')}\n`;
}

/** The pinned JSON shape. */
export function renderJson(report: DiffReport): string {
  const changes = report.changes.map((c) => ({ kind: c.kind, name: c.name, change: c.change, file: c.file, fields: c.fields }));
  return `${JSON.stringify({ changes, traffic: report.traffic }, null, 2)}\n`;
}
