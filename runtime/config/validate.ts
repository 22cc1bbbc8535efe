/**
 * `switchboard validate` as a function: every check CI needs over one or more config trees,
 * each validated as its own tree.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { createConfigLoader } from './loader.js';
import { finishProblems } from './problem.js';
import type { Problem } from './snapshot.js';

export interface ValidateOptions {
  env?: NodeJS.ProcessEnv;
  /** Also report env references whose variable is unset or empty (default false). */
  requireEnv?: boolean;
  allowPrivateNetwork?: boolean;
  cwd?: string;
}

/** A directory argument that does not exist: a usage error (exit 2), not a config problem. */
export class ConfigDirError extends Error {
  readonly dir: string;
  constructor(dir: string, reason: string) {
    super(`config directory ${dir} ${reason}`);
    this.name = 'ConfigDirError';
    this.dir = dir;
  }
}

export interface ValidateSummary {
  problems: Problem[];
  files: number;
  documents: number;
  /** YAML files skipped because they hold no Switchboard document. */
  skipped: string[];
}

/** Like {@link validateDirs}, also counting files and documents (for the CLI's summary line). */
export async function validateTrees(dirs: readonly string[], opts: ValidateOptions = {}): Promise<ValidateSummary> {
  const cwd = opts.cwd ?? process.cwd();
  for (const dir of dirs) {
    try {
      statSync(resolve(cwd, dir));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new ConfigDirError(dir, code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? String(err)})`);
    }
  }
  const all: Problem[] = [];
  let files = 0;
  let documents = 0;
  const skipped: string[] = [];
  for (const dir of dirs) {
    const a = await createConfigLoader().analyze(dir, { ...opts, cwd, requireEnv: opts.requireEnv ?? false, snapshot: false });
    all.push(...a.problems);
    files += a.fileCount;
    documents += a.documentCount;
    skipped.push(...a.skippedFiles);
  }
  return { problems: finishProblems(all), files, documents, skipped };
}

/**
 * Validates each of `dirs` (relative to `opts.cwd`) as its own tree and returns every problem,
 * sorted by file, line, column; `[]` when all are valid. Rejects with {@link ConfigDirError}
 * when a directory does not exist.
 */
export async function validateDirs(dirs: readonly string[], opts: ValidateOptions = {}): Promise<Problem[]> {
  return (await validateTrees(dirs, opts)).problems;
}
