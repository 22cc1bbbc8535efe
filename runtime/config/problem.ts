/**
 * Helpers for located config problems: the file-less form used while one file is analysed,
 * ordering, and de-duplication.
 */
import type { Problem } from './snapshot.js';
import type { RuleId } from './rules.js';

/** A problem inside one file, before the file's display path is attached. */
export interface LocalProblem {
  line: number;
  column: number;
  rule: RuleId;
  message: string;
}

/** 1-based position in a file. */
export interface Position {
  line: number;
  column: number;
}

/** Orders problems by file, line, column (then rule and message, so output is deterministic). */
export function compareProblems(a: Problem, b: Problem): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  if (a.line !== b.line) return a.line - b.line;
  if (a.column !== b.column) return a.column - b.column;
  if (a.rule !== b.rule) return a.rule < b.rule ? -1 : 1;
  return a.message < b.message ? -1 : a.message > b.message ? 1 : 0;
}

/**
 * Sorts and drops exact duplicates (the same issue found twice, e.g. through an alias that
 * expands the same node at two places). Returns a new array of `{file, line, column, rule,
 * message}` objects with exactly those keys in that order (plus `severity` when it is not `error`).
 */
export function finishProblems(problems: readonly Problem[]): Problem[] {
  const sorted = [...problems].sort(compareProblems);
  const out: Problem[] = [];
  let prev: Problem | undefined;
  for (const p of sorted) {
    if (prev && compareProblems(prev, p) === 0) continue;
    const finished: Problem = { file: p.file, line: p.line, column: p.column, rule: p.rule, message: p.message };
    if (p.severity !== undefined && p.severity !== 'error') finished.severity = p.severity;
    out.push(finished);
    prev = p;
  }
  return out;
}

/** Attaches a display path to file-local problems. */
export function inFile(file: string, problems: readonly LocalProblem[]): Problem[] {
  return problems.map((p) => ({ file, line: p.line, column: p.column, rule: p.rule, message: p.message }));
}
