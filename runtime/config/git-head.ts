/**
 * The commit a config directory was checked out at, for `GET /config` and logs. Reads `.git`
 * itself (plain checkouts, worktrees and git-sync's `.git` files, loose and packed refs); only
 * when that is not enough runs `git rev-parse HEAD` with a short timeout. Never throws: no git,
 * no repository, or anything odd yields undefined.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';

const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function findGitDir(start: string): { gitDir: string; workTree: string } | undefined {
  let dir = start;
  for (let i = 0; i < 64; i++) {
    const dotGit = join(dir, '.git');
    if (existsSync(dotGit)) {
      try {
        if (statSync(dotGit).isDirectory()) return { gitDir: dotGit, workTree: dir };
        const m = /^gitdir:\s*(.+)$/m.exec(read(dotGit) ?? '');
        if (m?.[1]) return { gitDir: isAbsolute(m[1]) ? m[1] : resolve(dir, m[1]), workTree: dir };
      } catch {
        return undefined;
      }
      return undefined;
    }
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
  return undefined;
}

function readRef(gitDir: string, ref: string): string | undefined {
  const common = read(join(gitDir, 'commondir'));
  const dirs = [gitDir, ...(common ? [resolve(gitDir, common)] : [])];
  for (const d of dirs) {
    const loose = read(join(d, ref));
    if (loose && SHA.test(loose)) return loose;
  }
  for (const d of dirs) {
    const packed = read(join(d, 'packed-refs'));
    if (!packed) continue;
    for (const line of packed.split('\n')) {
      const [sha, name] = line.split(' ');
      if (name === ref && sha && SHA.test(sha)) return sha;
    }
  }
  return undefined;
}

/** HEAD commit (hex) of the git checkout containing `dir`, or undefined. */
export function gitHead(dir: string): string | undefined {
  const found = findGitDir(dir);
  if (!found) return undefined;
  const head = read(join(found.gitDir, 'HEAD'));
  if (head && SHA.test(head)) return head;
  const m = /^ref:\s*(\S+)$/.exec(head ?? '');
  const fromFiles = m?.[1] ? readRef(found.gitDir, m[1]) : undefined;
  if (fromFiles) return fromFiles;
  try {
    const out = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir, timeout: 2000, stdio: ['ignore', 'pipe', 'ignore'], encoding: 'utf8' }).trim();
    return SHA.test(out) ? out : undefined;
  } catch {
    return undefined;
  }
}
