/**
 * Reads a config directory into an immutable {@link ConfigSnapshot} or a list of located
 * problems. A loader keeps a per-file cache (path + content hash → parsed documents; plus the
 * env values and options the resolution used), so re-loading a large tree after one file
 * changed re-parses only that file: the cost is one stat per file.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { frozenMap } from './frozen-map.js';
import { gitHead } from './git-head.js';
import { createLocator, type Locator } from './locate.js';
import { parseFile, type ParsedFile } from './parse-file.js';
import { finishProblems, inFile } from './problem.js';
import { resolveFile, type ResolvedFile } from './resolve-file.js';
import type { ConfigSnapshot, Problem, ResolvedBot, ResolvedIntegration } from './snapshot.js';
import { treeChecks, type TreeFile } from './tree-checks.js';
import { walkTree, type WalkedFile } from './walk.js';
import { MAX_FILE_BYTES } from './yaml-options.js';

export interface LoadOptions {
  /** Where `${VAR}` values come from (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Permit `http://` and private/loopback webhook URLs (default false). */
  allowPrivateNetwork?: boolean;
  /** Report unset env references as problems (default true for `load`, false for validation). */
  requireEnv?: boolean;
  /** Base for the relative paths in problems and `source.file` (default `process.cwd()`). */
  cwd?: string;
}

export type LoadResult = { ok: true; snapshot: ConfigSnapshot; problems: [] } | { ok: false; problems: Problem[] };

export interface ConfigLoader {
  /** Loads `dir` (relative to `opts.cwd`). Never throws for config trouble: problems are data. */
  load(dir: string, opts?: LoadOptions): Promise<LoadResult>;
}

/** Everything one pass over a tree produced; `snapshot` only when there is no problem. */
export interface Analysis {
  problems: Problem[];
  snapshot?: ConfigSnapshot;
  fileCount: number;
  documentCount: number;
  /** Files actually parsed in this pass (the rest came from the cache). */
  parsedFiles: number;
}

interface CacheEntry {
  sig: string;
  readAt: number;
  hash: string;
  parsed: ParsedFile;
  locate: Locator;
  resolvedKey?: string;
  resolved?: ResolvedFile;
}

/** A file whose mtime is this close to when we read it may change again within one timestamp tick. */
const RACY_MS = 1000;
/** Parse this many files between yields to the event loop, so a server keeps answering. */
const YIELD_EVERY = 64;

const statSig = (f: WalkedFile): string => `${f.stat.dev}:${f.stat.ino}:${f.stat.size}:${f.stat.mtimeMs}:${f.stat.ctimeMs}`;

class Loader implements ConfigLoader {
  private readonly cache = new Map<string, Map<string, CacheEntry>>();

  async load(dir: string, opts: LoadOptions = {}): Promise<LoadResult> {
    const a = await this.analyze(dir, { ...opts, requireEnv: opts.requireEnv ?? true });
    return a.snapshot ? { ok: true, snapshot: a.snapshot, problems: [] } : { ok: false, problems: a.problems };
  }

  /** One pass over `dir`; `requireEnv` defaults to false here. */
  async analyze(dir: string, opts: LoadOptions = {}): Promise<Analysis> {
    const cwd = opts.cwd ?? process.cwd();
    const env = opts.env ?? process.env;
    const requireEnv = opts.requireEnv ?? false;
    const allowPrivateNetwork = opts.allowPrivateNetwork ?? false;
    const root = resolve(cwd, dir);
    const display = (p: string): string => relative(cwd, p) || '.';
    let walk;
    try {
      walk = walkTree(root);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      const message = `cannot read config directory ${display(root)}: ${code}`;
      return { problems: [{ file: display(root), line: 1, column: 1, rule: 'config-dir', message }], fileCount: 0, documentCount: 0, parsedFiles: 0 };
    }
    const problems: Problem[] = walk.problems.map((p) => ({ file: display(p.path), line: 1, column: 1, rule: p.rule, message: p.message }));
    const old = this.cache.get(root) ?? new Map<string, CacheEntry>();
    const next = new Map<string, CacheEntry>();
    const tree: TreeFile[] = [];
    const hashes: Array<[string, string]> = [];
    let parsedCount = 0;
    let documentCount = 0;
    const files = [...walk.files].sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));

    for (const f of files) {
      const displayPath = display(f.path);
      if (f.stat.size > MAX_FILE_BYTES) {
        problems.push({ file: displayPath, line: 1, column: 1, rule: 'file-too-large', message: `file is ${f.stat.size} bytes; the limit is ${MAX_FILE_BYTES} (1 MiB)` });
        continue;
      }
      const sig = statSig(f);
      let entry = old.get(f.path);
      if (!entry || entry.sig !== sig || f.stat.mtimeMs >= entry.readAt - RACY_MS) {
        let buf: Buffer;
        try {
          buf = readFileSync(f.path);
        } catch (err) {
          problems.push({ file: displayPath, line: 1, column: 1, rule: 'file-unreadable', message: `cannot read file: ${(err as NodeJS.ErrnoException).code ?? String(err)}` });
          continue;
        }
        const hash = createHash('sha256').update(buf).digest('hex');
        const readAt = Date.now();
        if (entry && entry.hash === hash) {
          entry = { ...entry, sig, readAt };
        } else {
          const text = buf.toString('utf8');
          entry = { sig, readAt, hash, parsed: parseFile(text), locate: createLocator(text) };
          parsedCount++;
          if (parsedCount % YIELD_EVERY === 0) await yieldToLoop();
        }
      }
      const envKey = entry.parsed.envVars.map((v) => env[v] ?? '\u0000').join('\u0001');
      const key = `${displayPath}\u0002${requireEnv}\u0002${allowPrivateNetwork}\u0002${envKey}`;
      if (entry.resolvedKey !== key || !entry.resolved) {
        entry.resolved = resolveFile(entry.parsed, { env, requireEnv, allowPrivateNetwork, displayPath }, entry.locate);
        entry.resolvedKey = key;
      }
      next.set(f.path, entry);
      hashes.push([f.rel, entry.hash]);
      documentCount += entry.parsed.docs.length;
      if (entry.parsed.problems.length) problems.push(...inFile(displayPath, entry.parsed.problems));
      if (entry.resolved.problems.length) problems.push(...inFile(displayPath, entry.resolved.problems));
      tree.push({ displayPath, resolved: entry.resolved, locate: entry.locate });
    }
    this.cache.set(root, next);
    problems.push(...treeChecks(tree));
    const analysis: Analysis = { problems: finishProblems(problems), fileCount: files.length, documentCount, parsedFiles: parsedCount };
    if (analysis.problems.length === 0) analysis.snapshot = buildSnapshot(root, walk.rootReal, tree, hashes, allowPrivateNetwork);
    return analysis;
  }
}

function buildSnapshot(
  dir: string,
  rootReal: string,
  tree: readonly TreeFile[],
  hashes: ReadonlyArray<[string, string]>,
  allowPrivateNetwork: boolean,
): ConfigSnapshot {
  const integrations: Array<[string, ResolvedIntegration]> = [];
  const bots: Array<[string, ResolvedBot]> = [];
  const secrets = new Set<string>();
  for (const f of tree) {
    for (const d of f.resolved.docs) {
      if (!d.resolved || d.name === undefined) continue;
      if (d.kind === 'Integration') integrations.push([d.name, d.resolved as ResolvedIntegration]);
      else bots.push([d.name, d.resolved as ResolvedBot]);
    }
    for (const s of f.resolved.secrets) secrets.add(s);
  }
  const h = createHash('sha256');
  for (const [rel, hash] of hashes) h.update(`${rel}\u0000${hash}\n`);
  const snapshot: ConfigSnapshot = {
    revision: h.digest('hex').slice(0, 12),
    dir,
    files: Object.freeze(hashes.map(([rel]) => rel)),
    loadedAt: new Date(),
    bots: frozenMap(bots),
    integrations: frozenMap(integrations),
    secrets: Object.freeze([...secrets].sort((a, b) => b.length - a.length)),
    allowPrivateNetwork,
  };
  const commit = gitHead(rootReal);
  if (commit) snapshot.gitCommit = commit;
  return Object.freeze(snapshot);
}

/** Creates a loader with its own per-file cache; keep one per watched directory. */
export function createConfigLoader(): ConfigLoader & { analyze(dir: string, opts?: LoadOptions): Promise<Analysis> } {
  return new Loader();
}
