/**
 * `switchboard validate` as a function: every check CI needs over one or more config trees,
 * each validated as its own tree.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { checkEnvContract, readEnvFiles } from './env-contract.js';
import { createConfigLoader, type EnvReference } from './loader.js';
import { finishProblems } from './problem.js';
import type { Problem } from './snapshot.js';

export interface ValidateOptions {
  env?: NodeJS.ProcessEnv;
  /** Also report env references whose variable is unset or empty (default false). */
  requireEnv?: boolean;
  allowPrivateNetwork?: boolean;
  cwd?: string;
  /** Env files (dotenv or Kubernetes manifests) that declare the names every reference needs. */
  envFiles?: readonly string[];
  /** Make the `not-switchboard` warning an error. */
  strict?: boolean;
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
  /** Problems with severity `error` (what decides the exit code). */
  errors: number;
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
  const envFiles = opts.envFiles ?? [];
  const env = envFiles.length ? readEnvFiles(envFiles, cwd) : undefined;
  const refs: EnvReference[] = [];
  for (const dir of dirs) {
    const a = await createConfigLoader().analyze(dir, { ...opts, cwd, requireEnv: opts.requireEnv ?? false, snapshot: false, collectEnvRefs: env !== undefined });
    all.push(...a.problems);
    files += a.fileCount;
    documents += a.documentCount;
    skipped.push(...a.skippedFiles);
    refs.push(...(a.envRefs ?? []));
  }
  for (const file of skipped) {
    const problem: Problem = { file, line: 1, column: 1, rule: 'not-switchboard', message: 'no Switchboard document in this file (no apiVersion switchboard/… or kind Integration/Bot): it is not read as config' };
    if (!opts.strict) problem.severity = 'warning';
    all.push(problem);
  }
  if (env) all.push(...env.problems, ...checkEnvContract(refs, env.declarations, envFiles));
  const problems = finishProblems(all);
  return { problems, files, documents, skipped, errors: problems.filter((p) => (p.severity ?? 'error') === 'error').length };
}

/**
 * Validates each of `dirs` (relative to `opts.cwd`) as its own tree and returns every problem,
 * sorted by file, line, column; `[]` when all are valid (warnings and notes left out). Rejects with {@link ConfigDirError}
 * when a directory does not exist.
 */
export async function validateDirs(dirs: readonly string[], opts: ValidateOptions = {}): Promise<Problem[]> {
  return (await validateTrees(dirs, opts)).problems.filter((p) => (p.severity ?? 'error') === 'error');
}
