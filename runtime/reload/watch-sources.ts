/**
 * The event sources the config watcher combines: a chokidar tree watch on the directory's
 * real path, and plain `fs.watch` anchors on the parents that decide what the directory
 * points to (see watcher.ts). Each calls `onEvent` for anything that may be a change.
 */
import { watch as chokidarWatch, type FSWatcher as ChokidarWatcher } from 'chokidar';
import { watch as fsWatch, type FSWatcher as NodeFsWatcher } from 'node:fs';
import { lstat, realpath, stat } from 'node:fs/promises';
import path from 'node:path';

/** realpath + dev/ino of `absDir`: changes on a link flip and on a directory replaced by rename. */
export async function readIdentity(absDir: string): Promise<{ id: string; real: string } | null> {
  try {
    const real = await realpath(absDir);
    // A single file works too (the loader accepts one); its inode changes on atomic saves.
    const st = await stat(real);
    return { id: `${real}\0${st.dev}:${st.ino}`, real };
  } catch {
    return null;
  }
}

/** Watches the tree under `root` (following symlinks); `isCurrent` drops events of a replaced watcher. */
/** What an event named: which source heard it and the path (for diagnostics and tests). */
export interface WatchHint {
  source: 'tree' | 'raw' | 'anchor';
  path: string;
}

export function startTree(root: string, onEvent: (hint?: WatchHint) => void, reportError: (err: unknown) => void, isCurrent: (w: ChokidarWatcher) => boolean): ChokidarWatcher {
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
    if (isCurrent(w)) onEvent({ source: 'tree', path: evPath });
  });
  w.on('raw', (_event: string, evPath: string) => {
    if (isCurrent(w) && !isIgnoredName(path.basename(evPath ?? ''))) onEvent({ source: 'raw', path: evPath ?? '' });
  });
  w.on('error', (err: unknown) => {
    reportError(err);
    if (isCurrent(w)) onEvent();
  });
  return w;
}

/** Starts one `fs.watch` per anchor point of `absDir`; a watch that cannot start is reported and skipped. */
export async function startAnchors(absDir: string, onEvent: (hint?: WatchHint) => void, reportError: (err: unknown) => void): Promise<NodeFsWatcher[]> {
  const anchors: NodeFsWatcher[] = [];
  for (const [parent, names] of await anchorPoints(absDir)) {
    try {
      const a = fsWatch(parent, { persistent: false }, (_event, filename) => {
        if (filename == null || names.has(filename.toString())) onEvent({ source: 'anchor', path: path.join(parent, filename?.toString() ?? '') });
      });
      a.on('error', (err) => {
        reportError(err);
        onEvent();
      });
      anchors.push(a);
    } catch (err) {
      reportError(err);
    }
  }
  return anchors;
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
