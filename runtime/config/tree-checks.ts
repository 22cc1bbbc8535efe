/**
 * Checks across the whole tree: names unique per kind (reported at the later `name`, naming the
 * other file:line) and bot → integration references (including fallback entries).
 */
import type { Locator } from './locate.js';
import type { Problem } from './snapshot.js';
import type { ResolvedFile } from './resolve-file.js';
import { suggest } from './suggest.js';

export interface TreeFile {
  displayPath: string;
  resolved: ResolvedFile;
  locate: Locator;
}

/** Runs the tree-wide checks over files in display order. */
export function treeChecks(files: readonly TreeFile[]): Problem[] {
  const problems: Problem[] = [];
  const first = { Integration: new Map<string, string>(), Bot: new Map<string, string>() };
  for (const f of files) {
    for (const d of f.resolved.docs) {
      if (!d.kind || d.name === undefined) continue;
      const where = `${f.displayPath}:${d.namePosition.line}`;
      const other = first[d.kind].get(d.name);
      if (other === undefined) {
        first[d.kind].set(d.name, where);
        continue;
      }
      problems.push({
        file: f.displayPath,
        line: d.namePosition.line,
        column: d.namePosition.column,
        rule: 'duplicate-name',
        message: `duplicate ${d.kind} name "${d.name}"; already defined at ${other}`,
      });
    }
  }
  const integrations = first.Integration;
  for (const f of files) {
    for (const d of f.resolved.docs) {
      if (d.kind !== 'Bot') continue;
      for (const e of d.entries) {
        if (integrations.has(e.name)) continue;
        const pos = f.locate(d.docIndex, ['integrations', e.index, 'name'], 'value');
        const hint = suggest(e.name, integrations.keys());
        const bot = d.name === undefined ? 'this bot' : `bot "${d.name}"`;
        problems.push({
          file: f.displayPath,
          line: pos.line,
          column: pos.column,
          rule: e.fallback ? 'unknown-fallback' : 'unknown-integration',
          message: `${bot} uses ${e.fallback ? 'fallback ' : ''}integration "${e.name}", which no Integration document defines${hint ? ` (did you mean "${hint}"?)` : ''}`,
        });
      }
    }
  }
  return problems;
}
