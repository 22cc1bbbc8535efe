/** Temporary git repositories with a history of commits, for `switchboard diff` tests. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { CliIO } from '../../runtime/cli/io.js';
import { main } from '../../runtime/cli.js';

export interface TempRepo {
  dir: string;
  /** Writes (or with `null` deletes) files, then commits everything; returns the commit id. */
  commit(files: Record<string, string | null>, message?: string): string;
  git(...args: string[]): string;
  remove(): void;
}

/** Creates an empty repository with a committer identity of its own. */
export function tempRepo(): TempRepo {
  const dir = mkdtempSync(join(tmpdir(), 'swb-repo-'));
  const git = (...args: string[]): string =>
    execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: dir } });
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'test@example.com');
  git('config', 'user.name', 'test');
  git('config', 'commit.gpgsign', 'false');
  let n = 0;
  return {
    dir,
    git,
    commit(files, message = `commit ${++n}`) {
      for (const [path, text] of Object.entries(files)) {
        const abs = join(dir, path);
        if (text === null) unlinkSync(abs);
        else {
          mkdirSync(dirname(abs), { recursive: true });
          writeFileSync(abs, text);
        }
      }
      git('add', '-A');
      git('commit', '-q', '--allow-empty', '-m', message);
      return git('rev-parse', 'HEAD').trim();
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Runs the CLI in-process with captured output. */
export async function runInProcess(argv: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), env, cwd };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}
