/**
 * Reads a config directory into an immutable {@link ConfigSnapshot} or a list of located
 * problems. A loader keeps, per root, a cache of files (keyed by path, validated by stat
 * identity and content hash → parsed documents; plus the env values and options their
 * resolution used) and an incremental {@link TreeIndex}, so re-loading a large tree after one
 * file changed re-parses only that file: the cost is one stat per file.
 */
import { isForeignFile } from './foreign.js';
import { hash as oneShotHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { gitHead } from './git-head.js';
import { createLocator } from './locate.js';
import { parseFile, type ParsedFile } from './parse-file.js';
import type { FileParser } from './thread-parser.js';
import { finishProblems, inFile } from './problem.js';
import { resolveFile, type ResolvedFile } from './resolve-file.js';
import type { ConfigSnapshot, Problem } from './snapshot.js';
import { TreeIndex, type Indexed, type TreeFile } from './tree-index.js';
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
  /** Display paths of YAML files skipped because they hold no Switchboard document. */
  skippedFiles: string[];
  /** Every env reference as written, when `collectEnvRefs` was asked for. */
  envRefs?: EnvReference[];
}

/** One `${VAR}` or `${VAR:-default}` as written in a config file. */
export interface EnvReference {
  name: string;
  hasDefault: boolean;
  file: string;
  line: number;
  column: number;
}

/** The env values one set of referenced variables had, versioned; shared by files with that set. */
interface EnvRecord {
  vars: readonly string[];
  generation: number;
  values: string;
  version: number;
}

/**
 * One cached file. The reload loop runs over every file, so everything it checks lives on this
 * object (or on hot shared records): a cold dereference per file adds up over thousands of files.
 */
interface CacheEntry extends TreeFile {
  /** Stat identity of the content we read. */
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  readAt: number;
  hash: string;
  parsed: ParsedFile;
  resolved: ResolvedFile;
  /** parsed.problems + resolved.problems. */
  problemCount: number;
  envRecord: EnvRecord;
  /** Inputs `resolved` was computed with (options key, display prefix, env record version). */
  withOpts: string | undefined;
  withPrefix: string | undefined;
  withEnvVersion: number;
  /** Load generation that last saw this file. */
  seen: number;
  /** What the tree index holds for this file. */
  indexed: Indexed | undefined;
  /** Holds no Switchboard document (another tool's YAML): skipped. */
  foreign: boolean;
}

interface RootState {
  entries: Map<string, CacheEntry>;
  index: TreeIndex;
  generation: number;
  envRecords: Map<string, EnvRecord>;
  /** Interned display prefix, so entries compare it by identity. */
  prefix: string;
}

/** A file whose mtime is this close to when we read it may change again within one timestamp tick. */
const RACY_MS = 1000;
/** Parse this many files between yields to the event loop, so a server keeps answering. */
const YIELD_EVERY = 64;
/** Interned option keys (compared by identity in the hot loop). */
const OPTS_KEYS = Array.from({ length: 8 }, (_, i) => `env:${i & 1}/private:${(i >> 1) & 1}/build:${(i >> 2) & 1}`);

/** Options of one analysis pass beyond {@link LoadOptions}. */
export interface AnalyzeOptions extends LoadOptions {
  /** Build the snapshot when there is no problem (default true; `validate` needs none). */
  snapshot?: boolean;
  /** List every env reference in {@link Analysis.envRefs} (for `validate --env-file`). */
  collectEnvRefs?: boolean;
}

function sameStat(e: CacheEntry, f: WalkedFile): boolean {
  const st = f.stat;
  return e.ino === st.ino && e.mtimeMs === st.mtimeMs && e.ctimeMs === st.ctimeMs && e.size === st.size && e.dev === st.dev;
}

function refreshEnv(r: EnvRecord, env: Readonly<Record<string, string | undefined>>, generation: number): void {
  if (r.generation === generation) return;
  r.generation = generation;
  let values = '';
  for (const v of r.vars) values += `${env[v] ?? '\u0000'}\u0001`;
  if (values !== r.values) {
    r.values = values;
    r.version++;
  }
}

/** What one analysis pass over a root works with. */
interface Pass {
  root: string;
  cwd: string;
  /** Display prefix of every walked file (interned on the root state). */
  prefix: string;
  env: Record<string, string | undefined>;
  requireEnv: boolean;
  allowPrivateNetwork: boolean;
  build: boolean;
  optsKey: string;
  generation: number;
  state: RootState;
  problems: Problem[];
  parsedFiles: number;
  /** Parses files off the event loop (a running server); absent: inline. */
  parser: FileParser | undefined;
}

const nativeRel = (rel: string): string => (sep === '/' ? rel : rel.split('/').join(sep));

/** How problems and `files` name a walked file: relative to cwd. */
function displayName(pass: Pass, f: WalkedFile): string {
  return f.path === pass.root ? relative(pass.cwd, f.path) || '.' : pass.prefix + nativeRel(f.rel);
}

/**
 * The cache entry of `f`, re-read when its stat changed (or may change again within one
 * timestamp tick) and re-parsed when its content hash changed. Undefined (with a problem)
 * when the file is too large or unreadable.
 */
async function readEntry(pass: Pass, f: WalkedFile): Promise<CacheEntry | undefined> {
  if (f.stat.size > MAX_FILE_BYTES) {
    pass.problems.push({ file: displayName(pass, f), line: 1, column: 1, rule: 'file-too-large', message: `file is ${f.stat.size} bytes; the limit is ${MAX_FILE_BYTES} (1 MiB)` });
    return undefined;
  }
  const { entries, index, envRecords } = pass.state;
  let entry = entries.get(f.path);
  if (entry && sameStat(entry, f) && f.stat.mtimeMs < entry.readAt - RACY_MS) return entry;
  let text: string;
  try {
    text = readFileSync(f.path, 'utf8');
  } catch (err) {
    pass.problems.push({ file: displayName(pass, f), line: 1, column: 1, rule: 'file-unreadable', message: `cannot read file: ${(err as NodeJS.ErrnoException).code ?? String(err)}` });
    return undefined;
  }
  // One-shot hashing of the text: a Hash object or a Buffer per file is native-backed and
  // costly for the GC.
  const hash = oneShotHash('sha256', text);
  const st = f.stat;
  const identity = { dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, readAt: Date.now() };
  if (entry && entry.hash === hash) return Object.assign(entry, identity);
  if (entry?.indexed) index.remove(entry.indexed);
  const parsed = pass.parser ? await pass.parser.parse(text) : parseFile(text);
  const resolved: ResolvedFile = { problems: [], docs: [], secrets: [] };
  const envKey = parsed.envVars.join('\u0001');
  let envRecord = envRecords.get(envKey);
  if (!envRecord) envRecords.set(envKey, (envRecord = { vars: parsed.envVars, generation: 0, values: '', version: 0 }));
  entry = {
    rel: f.rel,
    displayPath: '',
    locate: createLocator(text),
    ...identity,
    hash,
    parsed,
    resolved,
    problemCount: 0,
    envRecord,
    withOpts: undefined,
    withPrefix: undefined,
    withEnvVersion: -1,
    seen: 0,
    indexed: undefined,
    foreign: isForeignFile(text, parsed),
  };
  entries.set(f.path, entry);
  if (++pass.parsedFiles % YIELD_EVERY === 0) await yieldToLoop();
  return entry;
}

/** Resolves `entry` again (and re-indexes it) when the options, the prefix or its env values changed. */
function resolveEntry(pass: Pass, entry: CacheEntry, f: WalkedFile): void {
  const r = entry.envRecord;
  refreshEnv(r, pass.env, pass.generation);
  if (entry.withOpts === pass.optsKey && entry.withPrefix === pass.prefix && entry.withEnvVersion === r.version) return;
  const { index } = pass.state;
  entry.displayPath = displayName(pass, f);
  entry.resolved = resolveFile(entry.parsed, { env: pass.env, requireEnv: pass.requireEnv, allowPrivateNetwork: pass.allowPrivateNetwork, displayPath: entry.displayPath, build: pass.build }, entry.locate);
  entry.withOpts = pass.optsKey;
  entry.withPrefix = pass.prefix;
  entry.withEnvVersion = r.version;
  entry.problemCount = entry.parsed.problems.length + entry.resolved.problems.length;
  if (entry.indexed) index.remove(entry.indexed);
  entry.indexed = { file: entry, resolved: entry.resolved, contentHash: entry.hash, documents: entry.parsed.docs.length };
  index.add(entry.indexed);
}

/** Forgets files this pass did not see (deleted or moved away). */
function pruneUnseen(state: RootState, generation: number): void {
  for (const [path, e] of state.entries) {
    if (e.seen === generation) continue;
    if (e.indexed) state.index.remove(e.indexed);
    state.entries.delete(path);
  }
}

/** The frozen snapshot of a problem-free pass. */
function snapshotOf(pass: Pass, files: readonly WalkedFile[], rootReal: string): ConfigSnapshot {
  const { entries, index } = pass.state;
  const maps = index.frozenMaps();
  const snapshot: ConfigSnapshot = {
    revision: index.revision(),
    dir: pass.root,
    files: Object.freeze(files.filter((f) => !entries.get(f.path)?.foreign).map((f) => f.rel)),
    loadedAt: new Date(),
    bots: maps.bots,
    integrations: maps.integrations,
    secrets: index.secrets(),
    allowPrivateNetwork: pass.allowPrivateNetwork,
  };
  const commit = gitHead(rootReal);
  if (commit) snapshot.gitCommit = commit;
  return Object.freeze(snapshot);
}

class Loader implements ConfigLoader {
  private readonly roots = new Map<string, RootState>();
  constructor(private readonly parser: FileParser | undefined) {}

  async load(dir: string, opts: LoadOptions = {}): Promise<LoadResult> {
    const a = await this.analyze(dir, { ...opts, requireEnv: opts.requireEnv ?? true });
    return a.snapshot ? { ok: true, snapshot: a.snapshot, problems: [] } : { ok: false, problems: a.problems };
  }

  /** One pass over `dir`; `requireEnv` defaults to false here. */
  async analyze(dir: string, opts: AnalyzeOptions = {}): Promise<Analysis> {
    const cwd = opts.cwd ?? process.cwd();
    const root = resolve(cwd, dir);
    let walk;
    try {
      walk = walkTree(root);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      const file = relative(cwd, root) || '.';
      return { problems: [{ file, line: 1, column: 1, rule: 'config-dir', message: `cannot read config directory ${file}: ${code}` }], fileCount: 0, documentCount: 0, parsedFiles: 0, skippedFiles: [] };
    }
    const pass = this.startPass(root, cwd, opts);
    pass.problems.push(...walk.problems.map((p) => ({ file: relative(cwd, p.path) || '.', line: 1, column: 1, rule: p.rule, message: p.message })));
    const files = walk.files;
    if (!files.every((f, i) => i === 0 || (files[i - 1] as WalkedFile).rel < f.rel)) files.sort((a, b) => (a.rel < b.rel ? -1 : 1));
    let seen = 0;
    const skippedFiles: string[] = [];
    const envRefs: EnvReference[] | undefined = opts.collectEnvRefs ? [] : undefined;

    for (const f of files) {
      const entry = await readEntry(pass, f);
      if (!entry) continue;
      entry.seen = pass.generation;
      seen++;
      if (entry.foreign) {
        if (entry.indexed) pass.state.index.remove(entry.indexed);
        entry.indexed = undefined;
        skippedFiles.push(displayName(pass, f));
        continue;
      }
      resolveEntry(pass, entry, f);
      if (envRefs) collectEnvRefs(entry, envRefs);
      if (entry.problemCount) pass.problems.push(...inFile(entry.displayPath, entry.parsed.problems), ...inFile(entry.displayPath, entry.resolved.problems));
    }
    if (seen !== pass.state.entries.size) pruneUnseen(pass.state, pass.generation);
    pass.problems.push(...pass.state.index.problems());
    const analysis: Analysis = { problems: finishProblems(pass.problems), fileCount: files.length - skippedFiles.length, documentCount: pass.state.index.documents, parsedFiles: pass.parsedFiles, skippedFiles };
    if (envRefs) analysis.envRefs = envRefs;
    if (pass.build && analysis.problems.length === 0) analysis.snapshot = snapshotOf(pass, files, walk.rootReal);
    return analysis;
  }

  /** The pass's options and the root's cache state (created on first use). */
  private startPass(root: string, cwd: string, opts: AnalyzeOptions): Pass {
    // A plain copy: process.env lookups go through C++, once per variable per file.
    const env: Record<string, string | undefined> = { ...(opts.env ?? process.env) };
    const requireEnv = opts.requireEnv ?? false;
    const allowPrivateNetwork = opts.allowPrivateNetwork ?? false;
    const build = opts.snapshot ?? true;
    const optsKey = OPTS_KEYS[(requireEnv ? 1 : 0) + (allowPrivateNetwork ? 2 : 0) + (build ? 4 : 0)] as string;
    let state = this.roots.get(root);
    if (!state) this.roots.set(root, (state = { entries: new Map(), index: new TreeIndex(), generation: 0, envRecords: new Map(), prefix: '' }));
    // Every walked path is root + sep + rel, so display paths are a prefix plus rel.
    const rootDisplay = relative(cwd, root);
    const wantedPrefix = rootDisplay === '' ? '' : `${rootDisplay}${sep}`;
    if (state.prefix !== wantedPrefix) state.prefix = wantedPrefix;
    return { root, cwd, prefix: state.prefix, env, requireEnv, allowPrivateNetwork, build, optsKey, generation: ++state.generation, state, problems: [], parsedFiles: 0, parser: this.parser };
  }
}

/**
 * Creates a loader with its own per-file cache; keep one per watched directory. A server
 * passes a `parser` (see thread-parser.ts) so large files are parsed off the event loop.
 */
export function createConfigLoader(opts: { parser?: FileParser } = {}): ConfigLoader & { analyze(dir: string, opts?: AnalyzeOptions): Promise<Analysis> } {
  return new Loader(opts.parser);
}

/** Appends the env references of one parsed file, as written, with their positions. */
function collectEnvRefs(entry: CacheEntry, out: EnvReference[]): void {
  for (const d of entry.parsed.docs) {
    for (const es of d.envStrings) {
      es.template.refs.forEach((r, i) => {
        const at = es.refPositions[i] as { line: number; column: number };
        out.push({ name: r.name, hasDefault: r.fallback !== undefined, file: entry.displayPath, line: at.line, column: at.column });
      });
    }
  }
}
