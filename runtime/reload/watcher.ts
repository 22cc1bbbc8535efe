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
import { watch as chokidarWatch, type FSWatcher as ChokidarWatcher } from 'chokidar';
import { watch as fsWatch, type FSWatcher as NodeFsWatcher } from 'node:fs';
import { lstat, realpath, stat } from 'node:fs/promises';
import path from 'node:path';

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
  onHint?: (hint: { source: 'tree' | 'raw' | 'anchor'; path: string }) => void;
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
    const e = err instanceof Error ? err : new Error(String(err));
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
  let timer: NodeJS.Timeout | null = null;
  let burstStartedAt = 0;
  // Fires run one after another so a rebuild never overlaps another rebuild.
  let chain: Promise<void> = Promise.resolve();

  const schedule = (hint?: { source: 'tree' | 'raw' | 'anchor'; path: string }): void => {
    if (closed) return;
    if (hint) opts.onHint?.(hint);
    const now = Date.now();
    if (burstStartedAt === 0) burstStartedAt = now;
    if (timer) clearTimeout(timer);
    const wait = Math.max(0, Math.min(debounceMs, burstStartedAt + maxWaitMs - now));
    timer = setTimeout(fire, wait);
  };

  const fire = (): void => {
    timer = null;
    burstStartedAt = 0;
    chain = chain
      .then(async () => {
        if (closed) return;
        await refreshIdentity();
        if (closed) return;
        onTrigger();
      })
      .catch(reportError);
  };

  /** realpath + dev/ino: changes on a link flip and on a directory replaced by rename. */
  const readIdentity = async (): Promise<{ id: string; real: string } | null> => {
    try {
      const real = await realpath(absDir);
      // A single file works too (the loader accepts one); its inode changes on atomic saves.
      const st = await stat(real);
      return { id: `${real}\0${st.dev}:${st.ino}`, real };
    } catch {
      return null;
    }
  };

  const refreshIdentity = async (): Promise<void> => {
    const next = await readIdentity();
    if ((next?.id ?? null) === identity) return;
    identity = next?.id ?? null;
    await rebuild(next?.real ?? null);
  };

  const rebuild = async (real: string | null): Promise<void> => {
    const old = tree;
    tree = null;
    for (const a of anchors) a.close();
    anchors = [];
    if (old) await old.close().catch(reportError);
    if (closed) return;
    await startAnchors();
    if (real) {
      const t = startTree(real);
      tree = t;
      // Wait until the new target is watched: a change after this point fires an event,
      // a change before it is seen by the load the caller is about to run.
      await new Promise<void>((resolve) => t.once('ready', () => resolve()));
    }
  };

  const startTree = (root: string): ChokidarWatcher => {
    const w = chokidarWatch(root, {
      ignoreInitial: true,
      followSymlinks: true,
      persistent: false,
      // Its atomic-save normalization only delays unlink events by 100 ms; we rescan on
      // any event anyway, so take them as they come.
      atomic: false,
      ignored: (p: string) => isIgnoredPath(root, p),
    });
    w.on('all', (_event: string, evPath: string) => {
      if (tree === w) schedule({ source: 'tree', path: evPath });
    });
    w.on('raw', (_event: string, evPath: string) => {
      if (tree === w && !isIgnoredName(path.basename(evPath ?? ''))) schedule({ source: 'raw', path: evPath ?? '' });
    });
    w.on('error', (err: unknown) => {
      reportError(err);
      if (tree === w) schedule();
    });
    return w;
  };

  const startAnchors = async (): Promise<void> => {
    for (const [parent, names] of await anchorPoints(absDir)) {
      try {
        const a = fsWatch(parent, { persistent: false }, (_event, filename) => {
          if (filename == null || names.has(filename.toString())) schedule({ source: 'anchor', path: path.join(parent, filename?.toString() ?? '') });
        });
        a.on('error', (err) => {
          reportError(err);
          schedule();
        });
        if (closed) a.close();
        else anchors.push(a);
      } catch (err) {
        reportError(err);
      }
    }
  };

  const interval =
    rescanIntervalMs > 0
      ? setInterval(() => {
          // The safety net bypasses the debounce: nothing else would call it.
          if (!timer) fire();
        }, rescanIntervalMs)
      : null;
  interval?.unref();

  const ready = (async () => {
    const first = await readIdentity();
    identity = first?.id ?? null;
    await rebuild(first?.real ?? null);
  })().catch(reportError);
  chain = ready;

  return {
    ready,
    async close() {
      if (closed) return;
      closed = true;
      if (timer) clearTimeout(timer);
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

/**
 * The directories whose entries decide what `absDir` points to: its parent, and the parent
 * of every symlink on its path (git-sync keeps the link a few levels up,
 * e.g. `/git/current/integrations`). Map of parent directory to the entry names to react to.
 */
async function anchorPoints(absDir: string): Promise<Map<string, Set<string>>> {
  const points = new Map<string, Set<string>>();
  const add = (p: string): void => {
    const parent = path.dirname(p);
    if (parent === p) return;
    const names = points.get(parent) ?? new Set<string>();
    names.add(path.basename(p));
    points.set(parent, names);
  };
  add(absDir);
  const parts = absDir.split(path.sep).filter(Boolean);
  let prefix = path.parse(absDir).root;
  for (const part of parts) {
    prefix = path.join(prefix, part);
    try {
      if ((await lstat(prefix)).isSymbolicLink()) add(prefix);
    } catch {
      break;
    }
  }
  for (const parent of [...points.keys()]) {
    try {
      if (!(await stat(parent)).isDirectory()) points.delete(parent);
    } catch {
      points.delete(parent);
    }
  }
  return points;
}

/** Dot entries are skipped by the loader, except the ConfigMap layout (`..data`, `..2026_…`). */
export function isIgnoredName(name: string): boolean {
  return name.startsWith('.') && !name.startsWith('..');
}

function isIgnoredPath(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  if (rel === '' || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) return false;
  return rel.split(path.sep).some(isIgnoredName);
}
