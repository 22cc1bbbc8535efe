/**
 * The example of docs/reviewing-a-change.md, produced for real: the two trees of
 * test/fixtures/diff committed to a temporary repository (base as origin/main), then
 * `switchboard diff origin/main HEAD --format markdown`.
 */
import { cpSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runInProcess, tempRepo } from '../helpers/git-repo.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'diff');

/** Runs the documented command; returns its output and exit code. */
export async function renderDocExample(format: 'markdown' | 'text' = 'markdown'): Promise<{ code: number; stdout: string }> {
  const repo = tempRepo();
  try {
    const commitTree = (side: string): string => {
      for (const e of readdirSync(repo.dir)) if (e !== '.git') rmSync(join(repo.dir, e), { recursive: true, force: true });
      cpSync(join(fixtures, side), repo.dir, { recursive: true });
      return repo.commit({}, side);
    };
    const base = commitTree('base');
    repo.git('update-ref', 'refs/remotes/origin/main', base);
    commitTree('head');
    const r = await runInProcess(['diff', 'origin/main', 'HEAD', '--format', format], repo.dir);
    return { code: r.code, stdout: r.stdout };
  } finally {
    repo.remove();
  }
}
