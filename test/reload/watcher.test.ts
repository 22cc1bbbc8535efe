import { rename, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { watchConfigDir, type ConfigDirWatcher, type WatchConfigDirOptions } from '../../runtime/reload/watcher.js';
import {
  ConfigMapTree,
  GitSyncTree,
  makeTempDir,
  removeDir,
  sleep,
  waitFor,
  writeAtomic,
  writeInPlace,
  writeTree,
} from '../helpers/config-tree.js';

const DEBOUNCE = 30;
const SENTINEL = 'zz-sentinel.yaml';
type Hint = Parameters<NonNullable<WatchConfigDirOptions['onHint']>>[0];

describe('watchConfigDir', () => {
  let root: string;
  let watcher: ConfigDirWatcher | undefined;
  let triggers: number;
  let errors: Error[];
  let hints: Hint[];

  beforeEach(async () => {
    root = await makeTempDir('swb-watch-');
    triggers = 0;
    errors = [];
    hints = [];
  });

  afterEach(async () => {
    vi.useRealTimers();
    await watcher?.close();
    watcher = undefined;
    await removeDir(root);
  });

  async function start(dir: string, opts: { debounceMs?: number; rescanIntervalMs?: number } = {}): Promise<void> {
    watcher = watchConfigDir(dir, () => triggers++, {
      debounceMs: DEBOUNCE,
      rescanIntervalMs: 0,
      onError: (e) => errors.push(e),
      onHint: (h) => hints.push(h),
      ...opts,
    });
    await watcher.ready;
  }

  /**
   * Run `change` and wait until it produced at least one trigger; then wait for quiet and
   * check it produced only a few (events of one change may straddle a debounce window on a
   * loaded machine, so "exactly one" would be flaky; "a handful" still catches a loop).
   */
  async function expectTriggers(change: () => Promise<void>): Promise<void> {
    const before = triggers;
    await change();
    await waitFor(() => triggers > before, 3000, `a trigger after the change (have ${triggers})`);
    await sleep(DEBOUNCE * 5);
    expect(triggers - before).toBeGreaterThanOrEqual(1);
    expect(triggers - before).toBeLessThanOrEqual(3);
  }

  /**
   * Write a sentinel file and wait for the trigger it causes. Events reach the watcher in the
   * order they happened, so once the sentinel was heard every earlier event was too: the
   * hints then tell exactly what the watcher reacted to, without waiting for quiet.
   */
  async function sentinelHeard(dir: string): Promise<void> {
    await writeFile(path.join(dir, SENTINEL), 's: 1\n');
    await waitFor(() => triggers > 0, 3000, 'the trigger of the sentinel write');
  }
  const heardOnlySentinel = (): string[] => hints.map((h) => path.basename(h.path)).filter((name) => name !== SENTINEL);

  it('does not fire for the initial state nor while idle', async () => {
    const dir = path.join(root, 'cfg');
    await writeTree(dir, { 'a.yaml': 'a: 1\n', 'sub/b.yml': 'b: 1\n' });
    await start(dir);
    expect(triggers).toBe(0);
    await sentinelHeard(dir);
    expect(heardOnlySentinel()).toEqual([]);
    await watcher!.close(); // waits for any fire in progress
    expect(triggers).toBe(1);
    expect(errors).toEqual([]);
  });

  it('fires for an in-place write, an atomic save, a new file, a deleted file, a new subdir file', async () => {
    const dir = path.join(root, 'cfg');
    await writeTree(dir, { 'a.yaml': 'a: 1\n', 'b.yaml': 'b: 1\n' });
    await start(dir);
    await expectTriggers(() => writeInPlace(path.join(dir, 'a.yaml'), 'a: 2\n'));
    await expectTriggers(() => writeAtomic(path.join(dir, 'a.yaml'), 'a: 3\n'));
    await expectTriggers(() => writeFile(path.join(dir, 'c.yaml'), 'c: 1\n'));
    await expectTriggers(() => rm(path.join(dir, 'b.yaml')));
    await expectTriggers(() => writeTree(path.join(dir, 'team'), { 'd.yaml': 'd: 1\n' }));
    // The new subdirectory is watched too.
    await expectTriggers(() => writeInPlace(path.join(dir, 'team', 'd.yaml'), 'd: 2\n'));
  });

  it('debounces a burst of 20 writes into one trigger (a few at most on a loaded machine)', async () => {
    const dir = path.join(root, 'cfg');
    await writeTree(dir, { 'a.yaml': 'a: 0\n' });
    await start(dir, { debounceMs: 100 });
    for (let i = 1; i <= 20; i++) await writeInPlace(path.join(dir, 'a.yaml'), `a: ${i}\n`);
    await waitFor(() => triggers > 0, 3000, 'a trigger');
    await sleep(400);
    expect(triggers).toBeGreaterThanOrEqual(1);
    expect(triggers).toBeLessThanOrEqual(3);
  });

  it('ignores dot entries such as .git and editor swap files', async () => {
    const dir = path.join(root, 'cfg');
    await writeTree(dir, { 'a.yaml': 'a: 1\n', '.git/HEAD': 'ref: refs/heads/main\n' });
    await start(dir);
    await writeFile(path.join(dir, '.git', 'HEAD'), 'ref: refs/heads/other\n');
    await writeFile(path.join(dir, '.git', 'index'), 'x');
    await writeFile(path.join(dir, '.a.yaml.swp'), 'x');
    await sentinelHeard(dir);
    expect(heardOnlySentinel()).toEqual([]);
    await watcher!.close();
    expect(triggers).toBe(1);
  });

  it('detects a git-sync link flip of the config dir and then watches the new target', async () => {
    const git = await GitSyncTree.create(root, { 'a.yaml': 'a: 1\n' });
    await start(git.link);
    await expectTriggers(() => git.flip({ 'a.yaml': 'a: 2\n' }));
    // A write inside the new worktree fires: the tree watcher moved to it.
    await expectTriggers(() => writeInPlace(path.join(git.link, 'a.yaml'), 'a: 3\n'));
    // A second flip, old worktree kept this time (no event from its deletion to help).
    await expectTriggers(() => git.flip({ 'a.yaml': 'a: 4\n' }, false));
    await expectTriggers(() => writeInPlace(path.join(git.link, 'a.yaml'), 'a: 5\n'));
  });

  it('detects a flip of a symlinked ancestor (config dir is a subdirectory of the git-sync link)', async () => {
    const git = await GitSyncTree.create(root, { 'integrations/a.yaml': 'a: 1\n', 'README.md': 'x' });
    const dir = path.join(git.link, 'integrations');
    await start(dir);
    await expectTriggers(() => git.flip({ 'integrations/a.yaml': 'a: 2\n', 'README.md': 'x' }, false));
    await expectTriggers(() => writeInPlace(path.join(dir, 'a.yaml'), 'a: 3\n'));
  });

  it('detects a Kubernetes ConfigMap ..data swap, repeatedly', async () => {
    const cm = await ConfigMapTree.create(path.join(root, 'cm'), { 'a.yaml': 'a: 1\n' });
    await start(cm.dir);
    await expectTriggers(() => cm.update({ 'a.yaml': 'a: 2\n' }));
    await expectTriggers(() => cm.update({ 'a.yaml': 'a: 3\n', 'b.yaml': 'b: 1\n' }));
    await expectTriggers(() => cm.update({ 'b.yaml': 'b: 2\n' }));
  });

  it('detects the config dir being replaced by another directory (rename)', async () => {
    const dir = path.join(root, 'cfg');
    await writeTree(dir, { 'a.yaml': 'a: 1\n' });
    await writeTree(path.join(root, 'next'), { 'a.yaml': 'a: 2\n' });
    await start(dir);
    await expectTriggers(async () => {
      await rename(dir, path.join(root, 'old'));
      await rename(path.join(root, 'next'), dir);
    });
    // The new directory is watched.
    await expectTriggers(() => writeInPlace(path.join(dir, 'a.yaml'), 'a: 3\n'));
  });

  it('picks up a config dir that appears after start', async () => {
    const dir = path.join(root, 'later');
    await start(dir);
    await writeTree(path.join(root, 'staging'), { 'a.yaml': 'a: 1\n' });
    await expectTriggers(() => symlink('staging', dir));
    await expectTriggers(() => writeInPlace(path.join(dir, 'a.yaml'), 'a: 2\n'));
  });

  it('watches a single config file through atomic saves and in-place writes', async () => {
    const file = path.join(root, 'only.yaml');
    await writeFile(file, 'a: 1\n');
    await start(file);
    await expectTriggers(() => writeAtomic(file, 'a: 2\n'));
    await expectTriggers(() => writeInPlace(file, 'a: 3\n'));
    await expectTriggers(() => writeAtomic(file, 'a: 4\n'));
  });

  it('runs the periodic safety-net rescan without any event', async () => {
    const dir = path.join(root, 'cfg');
    await writeTree(dir, { 'a.yaml': 'a: 1\n' });
    // The rescan period runs on a fake clock; the rescan itself (fs) stays real.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    await start(dir, { rescanIntervalMs: 60 });
    for (let n = 1; n <= 3; n++) {
      vi.advanceTimersByTime(59);
      expect(triggers).toBe(n - 1);
      vi.advanceTimersByTime(1);
      await waitFor(() => triggers >= n, 3000, `periodic trigger #${n}`);
    }
    await watcher!.close(); // waits for any fire in progress
    expect(triggers).toBe(3);
    expect(hints).toEqual([]);
  });

  it('stops firing after close()', async () => {
    const dir = path.join(root, 'cfg');
    await writeTree(dir, { 'a.yaml': 'a: 1\n' });
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    await start(dir, { rescanIntervalMs: 50 });
    await watcher!.close();
    await watcher!.close(); // idempotent
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(500);
    // A second, open watcher on the same directory hears the write; by its trigger the
    // closed one would have heard it too.
    let otherTriggers = 0;
    const other = watchConfigDir(dir, () => otherTriggers++, { debounceMs: DEBOUNCE, rescanIntervalMs: 0 });
    try {
      await other.ready;
      await writeInPlace(path.join(dir, 'a.yaml'), 'a: 2\n');
      await waitFor(() => otherTriggers > 0, 3000, 'the open watcher to hear the write');
    } finally {
      await other.close();
    }
    expect(hints).toEqual([]);
    expect(triggers).toBe(0);
  });
});
