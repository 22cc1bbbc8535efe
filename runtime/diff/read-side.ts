/**
 * One side of `switchboard diff`: a directory as it is, or a git revision of the repository in
 * the working directory, read at `--path` without checking anything out. A revision's tree is
 * exported with `git archive` into a temporary directory that mirrors the repository layout, so
 * located problems read `integrations/bot.yaml:4:7` just as they do in the work tree.
 */
import { spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix, resolve, sep } from 'node:path';

/** Where a side's config tree sits: load `dir` relative to `cwd`. */
export interface Side {
  /** What the user wrote (a directory or a revision). */
  label: string;
  /** `directory` or `git`. */
  source: 'directory' | 'git';
  /** The commit a revision resolved to. */
  commit?: string;
  cwd: string;
  dir: string;
  /** Removes what reading the side created (a temporary export). */
  dispose(): void;
}

/** A side that is neither a directory nor a revision, or git failing: a usage error (exit 2). */
export class SideError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SideError';
  }
}

function git(cwd: string, args: string[], input?: Buffer): { ok: boolean; stdout: Buffer; stderr: string } {
  const r = spawnSync('git', args, { cwd, input, maxBuffer: 512 * 1024 * 1024, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } });
  if (r.error) throw new SideError(`cannot run git: ${(r.error as NodeJS.ErrnoException).code ?? r.error.message}`);
  return { ok: r.status === 0, stdout: r.stdout, stderr: r.stderr.toString('utf8').trim() };
}

/**
 * Removes symlinks of an exported tree that lead outside it: a revision (say, a pull request's
 * head) must not make `diff` read, and print from, files of the machine it runs on.
 */
function dropEscapingLinks(root: string): void {
  const rootReal = realpathSync(root);
  for (const rel of readdirSync(root, { recursive: true }) as string[]) {
    const path = join(root, rel);
    let link = false;
    try {
      link = lstatSync(path).isSymbolicLink();
    } catch {
      continue; // under a link removed a moment ago
    }
    if (!link) continue;
    let target: string | undefined;
    try {
      target = realpathSync(path);
    } catch {
      target = undefined;
    }
    if (target === undefined || (target !== rootReal && !target.startsWith(rootReal + sep))) unlinkSync(path);
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Reads one side. `spec` is an existing directory (relative to `cwd`) or a git revision; for a
 * revision, `path` (relative to `cwd`, default `integrations`) is exported. A path missing at that
 * revision reads as an empty tree (everything on the other side is then added or removed).
 */
export function readSide(spec: string, cwd: string, path: string): Side {
  if (isDirectory(resolve(cwd, spec))) return { label: spec, source: 'directory', cwd, dir: spec, dispose: () => {} };
  const rev = git(cwd, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${spec}^{commit}`]);
  if (!rev.ok) throw new SideError(`"${spec}" is neither a directory nor a git revision of the repository in ${cwd}`);
  const commit = rev.stdout.toString('utf8').trim();
  const prefix = git(cwd, ['rev-parse', '--show-prefix']).stdout.toString('utf8').trim();
  const inRepo = posix.normalize(posix.join(prefix, path.split('\\').join('/'))).replace(/\/$/, '');
  if (inRepo.startsWith('..')) throw new SideError(`--path ${path} is outside the git repository`);
  const tmp = mkdtempSync(join(tmpdir(), 'switchboard-diff-'));
  const dispose = (): void => rmSync(tmp, { recursive: true, force: true });
  try {
    const exists = git(cwd, ['cat-file', '-e', `${commit}:${inRepo}`]).ok;
    if (exists) {
      const tar = git(cwd, ['archive', '--format=tar', `--prefix=${path.replace(/\/$/, '')}/`, `${commit}:${inRepo}`]);
      if (!tar.ok) throw new SideError(`git archive ${spec}:${inRepo} failed: ${tar.stderr}`);
      const x = spawnSync('tar', ['-x', '-C', tmp], { input: tar.stdout, maxBuffer: 16 * 1024 * 1024 });
      if (x.status !== 0) throw new SideError(`cannot unpack ${spec}:${inRepo}: ${x.stderr?.toString('utf8').trim() || x.error?.message}`);
      dropEscapingLinks(tmp);
    } else {
      mkdirSync(join(tmp, path), { recursive: true });
    }
  } catch (err) {
    dispose();
    throw err;
  }
  return { label: spec, source: 'git', commit, cwd: tmp, dir: path, dispose };
}
