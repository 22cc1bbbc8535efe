/**
 * Loads one side of a diff: validates it with the same loader `validate` uses (so an invalid
 * side reports the same located problems), then reads its documents as written — env
 * references stay `${VAR}`, nothing is resolved, so no secret value can reach the output.
 */
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { isForeignFile } from '../config/foreign.js';
import { createConfigLoader } from '../config/loader.js';
import { parseFile } from '../config/parse-file.js';
import type { Problem } from '../config/snapshot.js';
import { walkTree } from '../config/walk.js';
import type { Side } from './read-side.js';

/** One Switchboard document as written. */
export interface RawDocument {
  kind: 'Integration' | 'Bot';
  name: string;
  /** Display path (relative to the side's working directory: the repository layout). */
  file: string;
  value: Record<string, unknown>;
}

/** A loaded side: its documents when valid, else its located errors. */
export type LoadedSide = { ok: true; documents: RawDocument[] } | { ok: false; problems: Problem[] };

/** Validates and reads a side; `allowPrivateNetwork` as for `validate`. */
export async function loadSide(side: Side, allowPrivateNetwork: boolean): Promise<LoadedSide> {
  const analysis = await createConfigLoader().analyze(side.dir, { cwd: side.cwd, env: {}, requireEnv: false, snapshot: false, allowPrivateNetwork });
  if (analysis.problems.length > 0) return { ok: false, problems: analysis.problems };
  const root = resolve(side.cwd, side.dir);
  const documents: RawDocument[] = [];
  for (const f of walkTree(root).files) {
    const text = readFileSync(f.path, 'utf8');
    const parsed = parseFile(text);
    if (isForeignFile(text, parsed)) continue;
    const file = relative(side.cwd, f.path) || f.rel;
    for (const d of parsed.docs) {
      const value = d.value as Record<string, unknown>;
      documents.push({ kind: value.kind as RawDocument['kind'], name: value.name as string, file, value });
    }
  }
  return { ok: true, documents };
}
