/**
 * Renders problems for people (text with a source excerpt), for GitHub Actions (workflow
 * annotations) and for tools (JSON).
 */
import type { Problem, Severity } from './snapshot.js';
import { normalizeLineBreaks } from './yaml-options.js';

export type ProblemFormat = 'text' | 'json' | 'github';
export const problemFormats: readonly ProblemFormat[] = ['text', 'json', 'github'];

/** File contents by display path, for excerpts; a map or a lookup function. */
export type SourceLookup = ReadonlyMap<string, string> | ((file: string) => string | undefined);

const MAX_EXCERPT = 160;

/** The workflow command of each severity. */
const GITHUB_COMMAND: Readonly<Record<Severity, string>> = { error: 'error', warning: 'warning', note: 'notice' };

function lineOf(sources: SourceLookup | undefined, file: string, line: number): string | undefined {
  if (!sources) return undefined;
  const raw = typeof sources === 'function' ? sources(file) : sources.get(file);
  if (raw === undefined) return undefined;
  const text = normalizeLineBreaks(raw);
  let start = 0;
  for (let i = 1; i < line; i++) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) return undefined;
    start = nl + 1;
  }
  const end = text.indexOf('\n', start);
  return text.slice(start, end < 0 ? text.length : end).replace(/\r$/, '');
}

function excerpt(src: string, p: Problem): string {
  let text = src;
  let col = p.column;
  if (text.length > MAX_EXCERPT) {
    const from = Math.max(0, Math.min(col - 1 - 40, text.length - MAX_EXCERPT));
    text = `${from > 0 ? '…' : ''}${text.slice(from, from + MAX_EXCERPT)}…`;
    col = col - from + (from > 0 ? 1 : 0);
  }
  const gutter = String(p.line);
  const pad = ' '.repeat(gutter.length);
  const caret = `${text.slice(0, Math.max(0, col - 1)).replace(/[^\t]/g, ' ')}^`;
  return `  ${gutter} | ${text}\n  ${pad} | ${caret}`;
}

/** Escapes a GitHub workflow command's message (`%`, CR, LF). */
export function escapeGithubData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escapes a GitHub workflow command property value (also `:` and `,`). */
export function escapeGithubProperty(s: string): string {
  return escapeGithubData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/**
 * Formats problems:
 * - `text`: `FILE:LINE:COL: SEVERITY: MESSAGE (rule-id)`, each followed by the source line and
 *   a caret when `sources` has the file;
 * - `github`: `::error|warning|notice file=…,line=…,col=…,title=rule::message` annotations;
 * - `json`: `[{file, line, column, rule, severity, message}]` (`[]` when there are none).
 * Output ends with a newline unless empty.
 */
export function formatProblems(problems: readonly Problem[], format: ProblemFormat, sources?: SourceLookup): string {
  if (format === 'json') {
    const rows = problems.map((p) => ({ file: p.file, line: p.line, column: p.column, rule: p.rule, severity: p.severity ?? 'error', message: p.message }));
    return `${JSON.stringify(rows, null, 2)}\n`;
  }
  const lines: string[] = [];
  for (const p of problems) {
    const severity = p.severity ?? 'error';
    if (format === 'github') {
      lines.push(
        `::${GITHUB_COMMAND[severity]} file=${escapeGithubProperty(p.file)},line=${p.line},col=${p.column},title=${escapeGithubProperty(p.rule)}::${escapeGithubData(p.message)}`,
      );
      continue;
    }
    // One line per problem, whatever the message holds.
    lines.push(`${p.file}:${p.line}:${p.column}: ${severity}: ${p.message.replace(/\s*[\r\n]+\s*/g, ' ')} (${p.rule})`);
    const src = lineOf(sources, p.file, p.line);
    if (src !== undefined) lines.push(excerpt(src, p));
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}
