/**
 * Real config trees on disk for watcher / reload tests: temp dirs, the ways editors and
 * deploy tools change files (atomic save, in-place write, git-sync link flip, Kubernetes
 * ConfigMap `..data` swap), and a polling `waitFor` so tests never sleep blindly.
 */
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** A fresh directory under the OS temp dir. Remove it with `removeDir`. */
export async function makeTempDir(prefix = 'swb-cfg-'): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/**
 * Poll `cond` until it returns a truthy value (returned) or `timeoutMs` passes (throws,
 * naming `what`). Polls every `intervalMs`; the condition may be async.
 */
export async function waitFor<T>(
  cond: () => T | Promise<T>,
  timeoutMs = 3000,
  what = 'condition',
  intervalMs = 10,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await cond();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Resolve after `ms`. Only for asserting that something does NOT happen. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Plain write: truncate and write the same inode (what `echo > file` and many editors do). */
export async function writeInPlace(file: string, content: string): Promise<void> {
  await writeFile(file, content);
}

let tmpCounter = 0;
/** Editor "safe write": write a temp file beside the target, then rename it over the target. */
export async function writeAtomic(file: string, content: string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}-${++tmpCounter}`;
  await writeFile(tmp, content);
  await rename(tmp, file);
}

/** Write `files` (relative path → content) under `dir`, creating subdirectories. */
export async function writeTree(dir: string, files: Record<string, string>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(dir, rel);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
  }
}

/**
 * A valid config file: one `echo` Integration and one Bot using it. `displayName` is the
 * knob tests turn to make the content (and so the revision) change.
 */
export function botYaml(bot: string, displayName: string, integration = `${bot}-echo`): string {
  return [
    'apiVersion: switchboard/v1',
    'kind: Integration',
    `name: ${integration}`,
    'type: echo',
    '---',
    'apiVersion: switchboard/v1',
    'kind: Bot',
    `name: ${bot}`,
    `displayName: ${displayName}`,
    'channels:',
    '  http: {}',
    'integrations:',
    `  - name: ${integration}`,
    '',
  ].join('\n');
}

/**
 * An invalid config file with exactly one problem: the typo `wieght:` (an unknown key) on
 * line 13, column 5. `bot` names its bot and integration so it can sit beside `botYaml` files.
 */
export function invalidBotYaml(bot = 'broken'): string {
  return [
    'apiVersion: switchboard/v1',
    'kind: Integration',
    `name: ${bot}-echo`,
    'type: echo',
    '---',
    'apiVersion: switchboard/v1',
    'kind: Bot',
    `name: ${bot}`,
    'channels:',
    '  http: {}',
    'integrations:',
    `  - name: ${bot}-echo`,
    '    wieght: 2',
    '',
  ].join('\n');
}

/**
 * git-sync layout: worktrees under `<root>/worktrees/<n>` and `<root>/current`, a symlink
 * flipped atomically (`ln -s new tmp && mv -T tmp current`) to publish a new commit; the
 * old worktree is deleted afterwards, as git-sync does.
 */
export class GitSyncTree {
  private generation = 0;
  private constructor(
    readonly root: string,
    /** The link: use it (or a subdirectory of it) as the config dir. */
    readonly link: string,
  ) {}

  static async create(root: string, files: Record<string, string>): Promise<GitSyncTree> {
    const tree = new GitSyncTree(root, path.join(root, 'current'));
    const wt = await tree.writeWorktree(files);
    await symlink(path.relative(root, wt), tree.link);
    return tree;
  }

  /** Publish a new worktree with `files` by atomically replacing the link. */
  async flip(files: Record<string, string>, removeOld = true): Promise<void> {
    const old = this.worktree(this.generation);
    const wt = await this.writeWorktree(files);
    const tmp = path.join(this.root, `.tmp-link-${this.generation}`);
    await symlink(path.relative(this.root, wt), tmp);
    await rename(tmp, this.link);
    if (removeOld) await removeDir(old);
  }

  private worktree(n: number): string {
    return path.join(this.root, 'worktrees', `wt${n}`);
  }

  private async writeWorktree(files: Record<string, string>): Promise<string> {
    const wt = this.worktree(++this.generation);
    await mkdir(wt, { recursive: true });
    await writeTree(wt, files);
    return wt;
  }
}

/**
 * Kubernetes ConfigMap volume layout, updated the way the kubelet's AtomicWriter does it:
 * write `..<timestamp>/`, point `..data_tmp` at it, rename over `..data`, add links for new
 * keys, remove links of dropped keys, delete the old timestamped dir. Keys are flat names.
 */
export class ConfigMapTree {
  private generation = 0;
  private current = '';
  private keys = new Set<string>();
  private constructor(readonly dir: string) {}

  static async create(dir: string, files: Record<string, string>): Promise<ConfigMapTree> {
    await mkdir(dir, { recursive: true });
    const tree = new ConfigMapTree(dir);
    await tree.update(files);
    return tree;
  }

  async update(files: Record<string, string>): Promise<void> {
    const ts = `..2026_11_25_10_00_${String(++this.generation).padStart(2, '0')}.${process.pid}`;
    await writeTree(path.join(this.dir, ts), files);
    const tmp = path.join(this.dir, '..data_tmp');
    await symlink(ts, tmp);
    await rename(tmp, path.join(this.dir, '..data'));
    const next = new Set(Object.keys(files));
    for (const key of next) {
      if (!this.keys.has(key)) await symlink(path.join('..data', key), path.join(this.dir, key));
    }
    for (const key of this.keys) {
      if (!next.has(key)) await rm(path.join(this.dir, key), { force: true });
    }
    if (this.current) await removeDir(path.join(this.dir, this.current));
    this.current = ts;
    this.keys = next;
  }
}
