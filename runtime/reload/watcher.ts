/**
 * Watches a config directory (or a single config file) and calls back (debounced) whenever its content may have
 * changed. It never decides *what* changed: every event is a hint to rescan, and the
 * loader's content hash decides whether anything really did.
 *
 * Three sources of hints, because chokidar alone misses some real-world layouts:
 * - chokidar on the directory's real path (following symlinks), both its normalized
 *   events and its raw `fs.watch` events;
 * - plain `fs.watch` "anchors" on the parent of the directory and on the parent of every
 *   symlink on its path, so an atomic link flip (git-sync: `ln -s new tmp && mv -T tmp
 *   link`) is seen even though nothing inside the new target fires; on each rescan the
 *   directory's identity (realpath + device/inode) is compared, and when it changed the
 *   tree watcher and the anchors are rebuilt on the new target;
 * - a slow periodic rescan as a safety net (inotify limits, network filesystems, …).
 *
 * A Kubernetes ConfigMap volume (`x.yaml -> ..data/x.yaml`, `..data -> ..2026_…/`) is
 * seen through the `..data` rename in the directory itself, so `..`-prefixed entries are
 * watched; other dot entries (`.git`, editor swap files) are not, as the loader skips them.
 */
import type { FSWatcher as ChokidarWatcher } from 'chokidar';
import type { FSWatcher as NodeFsWatcher } from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../core/error-message.js';
import { createDebouncer } from './debounce.js';
import { readIdentity, startAnchors, startTree, type WatchHint } from './watch-sources.js';

export { isIgnoredName } from './watch-sources.js';

export interface WatchConfigDirOptions {
  /** Quiet period after the last event before the callback runs. Default 100 ms. */
  debounceMs?: number;
  /** Upper bound on how long a continuous stream of events can postpone the callback. Default 1 s. */
  maxWaitMs?: number;
  /** Period of the safety-net rescan (callback without any event). Default 30 s; 0 disables. */
  rescanIntervalMs?: number;
  /** Watch errors (inotify limits, permissions). The watcher keeps going on the periodic rescan. */
  onError?: (err: Error) => void;
  /**
   * Every event taken as a hint, with the path it named, before the debounce (for diagnostics;
   * tests use it to prove which events were heard and which were ignored).
   */
  onHint?: (hint: WatchHint) => void;
}

export interface ConfigDirWatcher {
  /** Resolves once the initial watches are in place: changes after this are seen. */
  readonly ready: Promise<void>;
  /** Stops every watch and timer. Idempotent. */
  close(): Promise<void>;
}

export const DEFAULT_DEBOUNCE_MS = 100;
export const DEFAULT_MAX_WAIT_MS = 1000;
export const DEFAULT_RESCAN_INTERVAL_MS = 30_000;

/**
 * Start watching `dir`. `onTrigger` runs once per burst of events, `debounceMs` after the
 * last one (at most `maxWaitMs` after the first), including after a link flip of the
 * directory or one of its ancestors, and every `rescanIntervalMs`. Calls are sequential
 * (a link flip first moves the watches, then calls). It is not called for the initial
 * state: await `ready`, load once yourself, then rely on the triggers.
 */
export function watchConfigDir(
  dir: string,
  onTrigger: () => void,
  opts: WatchConfigDirOptions = {},
): ConfigDirWatcher {
  const absDir = path.resolve(dir);
  const debounceMs = opts.debounceMs ?? DEFAULT_DEBOUNCE_MS;
  const maxWaitMs = Math.max(debounceMs, opts.maxWaitMs ?? DEFAULT_MAX_WAIT_MS);
  const rescanIntervalMs = opts.rescanIntervalMs ?? DEFAULT_RESCAN_INTERVAL_MS;
  const reportError = (err: unknown): void => {
    const e = err instanceof Error ? err : new Error(errorMessage(err));
    try {
      opts.onError?.(e);
    } catch {
      // a failing error reporter must not break the watcher
    }
  };

  let closed = false;
  let identity: string | null = null;
  let tree: ChokidarWatcher | null = null;
  let anchors: NodeFsWatcher[] = [];
  // Fires run one after another so a rebuild never overlaps another rebuild.
  let chain: Promise<void> = Promise.resolve();

  const fire = (): void => {
    chain = chain
      .then(async () => {
        if (closed) return;
        await refreshIdentity();
        if (closed) return;
        onTrigger();
      })
      .catch(reportError);
  };
  const debounce = createDebouncer(debounceMs, maxWaitMs, fire);
  const schedule = (hint?: WatchHint): void => {
    if (closed) return;
    if (hint) opts.onHint?.(hint);
    debounce.schedule();
  };

  const refreshIdentity = async (): Promise<void> => {
    const next = await readIdentity(absDir);
    if ((next?.id ?? null) === identity) return;
    identity = next?.id ?? null;
    await rebuild(next?.real ?? null);
  };

  /** Moves the anchors and the tree watch to what `absDir` points to now. */
  const rebuild = async (real: string | null): Promise<void> => {
    const old = tree;
    tree = null;
    for (const a of anchors) a.close();
    anchors = [];
    if (old) await old.close().catch(reportError);
    if (closed) return;
    const started = await startAnchors(absDir, schedule, reportError);
    if (closed) for (const a of started) a.close();
    else anchors = started;
    if (real) {
      const t = startTree(real, schedule, reportError, (w) => tree === w);
      tree = t;
      // Wait until the new target is watched: a change after this point fires an event,
      // a change before it is seen by the load the caller is about to run.
      await new Promise<void>((resolve) => t.once('ready', () => resolve()));
    }
  };

  const interval =
    rescanIntervalMs > 0
      ? setInterval(() => {
          // The safety net bypasses the debounce: nothing else would call it.
          if (!debounce.pending) fire();
        }, rescanIntervalMs)
      : null;
  interval?.unref();

  const ready = (async () => {
    const first = await readIdentity(absDir);
    identity = first?.id ?? null;
    await rebuild(first?.real ?? null);
  })().catch(reportError);
  chain = ready;

  return {
    ready,
    async close() {
      if (closed) return;
      closed = true;
      debounce.cancel();
      if (interval) clearInterval(interval);
      await chain.catch(() => undefined);
      for (const a of anchors) a.close();
      anchors = [];
      const t = tree;
      tree = null;
      if (t) await t.close().catch(reportError);
    },
  };
}
