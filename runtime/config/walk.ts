/**
 * Lists the YAML files of a config tree. Entries whose name starts with `.` are skipped, but
 * symlinks are followed, so a Kubernetes ConfigMap volume (`demo.yaml -> ..data/demo.yaml`,
 * `..data -> ..2026_…/`) and a git-sync worktree link read as plain directories. Loops are
 * reported, and a file or directory reached twice through links counts once.
 *
 * Synchronous on purpose: a stat per file is the whole cost of a re-load, and a promise
 * per stat is several times slower.
 */
import { readdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import { basename, sep } from 'node:path';
import type { RuleId } from './rules.js';

/** The stat fields the loader needs (copied out so the Stats object and its Dates die young). */
export interface FileStat {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
}

export interface WalkedFile {
  /** Absolute path as reached (through links), used for display. */
  path: string;
  /** Path relative to the root, `/`-separated, as reached. */
  rel: string;
  /** Resolved real path, for de-duplication. */
  real: string;
  stat: FileStat;
}

const fileStat = (st: Stats): FileStat => ({ dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs });

export interface WalkProblem {
  path: string;
  rule: RuleId;
  message: string;
}

export interface WalkResult {
  rootReal: string;
  files: WalkedFile[];
  problems: WalkProblem[];
}

const YAML_FILE = /\.ya?ml$/i;

/** `path.join` for a normalized dir and a plain name, without re-normalizing (hot path). */
const child = (dir: string, name: string): string => (dir.endsWith(sep) ? dir + name : dir + sep + name);

function errorText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e.code ?? e.message ?? String(err);
}

/**
 * Walks `root` (an absolute directory, or a single file). Throws the fs error when `root`
 * itself is missing or unreadable; every other trouble is a {@link WalkProblem}.
 */
export function walkTree(root: string): WalkResult {
  const rootReal = realpathSync(root);
  const rootStat = statSync(rootReal);
  const files: WalkedFile[] = [];
  const problems: WalkProblem[] = [];
  if (!rootStat.isDirectory()) {
    files.push({ path: root, rel: basename(root), real: rootReal, stat: fileStat(rootStat) });
    return { rootReal, files, problems };
  }
  const seenDirs = new Set<string>([rootReal]);
  // Plain entries are unique (each real directory is walked once); only files reached through
  // links need de-duplication, so the set is built when the first link is followed.
  let seenFiles: Set<string> | undefined;

  const addLinkedFile = (path: string, rel: string, real: string, stat: FileStat): void => {
    seenFiles ??= new Set(files.map((f) => f.real));
    if (seenFiles.has(real)) return;
    seenFiles.add(real);
    files.push({ path, rel, real, stat });
  };

  // Symlinks are followed after every plain entry, so a file or directory reachable both
  // directly and through a link is reported under its direct path.
  const links: Array<{ path: string; rel: string; dirReal: string; ancestors: readonly string[] }> = [];

  const walkDir = (dir: string, dirReal: string, relDir: string, ancestors: readonly string[]): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      problems.push({ path: dir, rule: 'file-unreadable', message: `cannot read directory: ${errorText(err)}` });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const path = child(dir, entry.name);
      const rel = relDir ? `${relDir}/${entry.name}` : entry.name;
      if (entry.isSymbolicLink()) {
        links.push({ path, rel, dirReal, ancestors });
      } else if (entry.isDirectory()) {
        const real = child(dirReal, entry.name);
        if (seenDirs.has(real)) continue;
        seenDirs.add(real);
        walkDir(path, real, rel, [...ancestors, dirReal]);
      } else if (entry.isFile() && YAML_FILE.test(entry.name)) {
        let stat: Stats;
        try {
          stat = statSync(path);
        } catch (err) {
          problems.push({ path, rule: 'file-unreadable', message: `cannot stat file: ${errorText(err)}` });
          continue;
        }
        if (seenFiles) addLinkedFile(path, rel, child(dirReal, entry.name), fileStat(stat));
        else files.push({ path, rel, real: child(dirReal, entry.name), stat: fileStat(stat) });
      }
    }
  };

  const followLink = (link: (typeof links)[number]): void => {
    const { path, rel, dirReal, ancestors } = link;
    let real: string;
    let stat: Stats;
    try {
      real = realpathSync(path);
      stat = statSync(real);
    } catch (err) {
      if (YAML_FILE.test(path)) problems.push({ path, rule: 'file-unreadable', message: `broken symlink: ${errorText(err)}` });
      return;
    }
    if (stat.isDirectory()) {
      if (ancestors.includes(real) || real === dirReal || rootReal.startsWith(`${real}${sep}`)) {
        problems.push({ path, rule: 'symlink-loop', message: 'symlink points back to its own ancestor directory; remove it' });
      } else if (!seenDirs.has(real)) {
        seenDirs.add(real);
        walkDir(path, real, rel, [...ancestors, dirReal]);
      }
    } else if (stat.isFile() && YAML_FILE.test(path)) {
      addLinkedFile(path, rel, real, fileStat(stat));
    }
  };

  walkDir(root, rootReal, '', []);
  for (let i = 0; i < links.length; i++) followLink(links[i] as (typeof links)[number]);
  return { rootReal, files, problems };
}
