/**
 * Owns "the config the runtime serves": loads the directory once, then reloads it on
 * every watcher trigger. Publishes only successful loads (traefik's habit): an invalid
 * change is logged with its located problems and kept in `status()`, while the last good
 * snapshot keeps serving. Swaps are a plain reference assignment, so a message that already
 * read `current()` keeps the snapshot object it read.
 */
import path from 'node:path';
import type { ConfigSnapshot, Problem } from '../config/snapshot.js';
import { InvalidConfigError } from '../config/invalid-config-error.js';
import { errorMessage } from '../core/error-message.js';
import { serializeRuns } from './serialize.js';
import { watchConfigDir, type ConfigDirWatcher } from './watcher.js';

/** What the manager needs from a loader (structurally the loader's `LoadResult`). */
export type ManagerLoadResult =
  | { ok: true; snapshot: ConfigSnapshot; problems?: readonly Problem[] }
  | { ok: false; problems: readonly Problem[] };

/** pino-compatible subset. */
export interface ManagerLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface ReloadEvent {
  /**
   * `ok`: a new snapshot is live. `unchanged`: same content hash, nothing swapped.
   * `invalid`: the loader reported problems; the previous snapshot keeps serving.
   * `error`: the loader threw (unexpected); the previous snapshot keeps serving.
   */
  outcome: 'ok' | 'invalid' | 'unchanged' | 'error';
  /** The revision served after this reload (for `invalid`/`error`: the last good one). */
  revision?: string;
  /** For `ok`: the revision that was replaced. */
  previousRevision?: string;
  problems?: Problem[];
  /** Time spent in the load, in milliseconds. */
  durationMs: number;
}

export interface ConfigStatus {
  revision: string;
  gitCommit?: string;
  files: readonly string[];
  loadedAt: Date;
  /** Problems of the latest failed reload; `null` once a later load succeeded (or none failed). */
  lastReloadError: { at: Date; problems: Problem[] } | null;
  /** Reloads after the initial load, counted by the same outcome words as the reload metric. */
  reloads: { ok: number; invalid: number; unchanged: number; error: number };
}

export interface ConfigManager {
  /** The live snapshot. Read it once per message and keep the reference. */
  current(): ConfigSnapshot;
  status(): ConfigStatus;
  /** Reload now. Serialized with watcher-triggered reloads; rejects only after `close()`. */
  reload(): Promise<ReloadEvent>;
  close(): Promise<void>;
}

export interface ConfigManagerOptions {
  dir: string;
  load: (dir: string) => Promise<ManagerLoadResult>;
  log: ManagerLogger;
  /** Watch the directory and reload on change. Default true. */
  watch?: boolean;
  debounceMs?: number;
  rescanIntervalMs?: number;
  /** Called after every reload (not the initial load), e.g. for metrics. */
  onReload?: (event: ReloadEvent) => void;
  /** Milliseconds clock timing each reload (default `performance.now`); tests inject one. */
  now?: () => number;
}

/** Rejection of `createConfigManager` when the initial load is invalid (the one config error class). */
export { InvalidConfigError as ConfigInvalidError } from '../config/invalid-config-error.js';

/** Rule id of the synthetic problem reported when the loader itself throws. */
export const LOAD_ERROR_RULE = 'config-load-error';

type Attempt = { ok: true; snapshot: ConfigSnapshot } | { ok: false; outcome: 'invalid' | 'error'; problems: Problem[]; cause?: unknown };

/** Runs the loader once; a throw becomes one located `config-load-error` problem. */
async function attemptLoad(dir: string, load: ConfigManagerOptions['load']): Promise<Attempt> {
  let result: ManagerLoadResult;
  try {
    result = await load(dir);
  } catch (err) {
    return { ok: false, outcome: 'error', problems: [loadErrorProblem(dir, err)], cause: err };
  }
  return result.ok ? { ok: true, snapshot: result.snapshot } : { ok: false, outcome: 'invalid', problems: [...result.problems] };
}

/**
 * Load `dir` once and keep it live. Rejects with `InvalidConfigError` (carrying the located
 * problems) when the initial load is invalid or the loader throws, so `serve` can print
 * them and exit non-zero. When `watch` is on, the watcher is armed before the initial load,
 * so no change between the two is lost.
 */
export async function createConfigManager(opts: ConfigManagerOptions): Promise<ConfigManager> {
  const { dir, log } = opts;
  const live = createLiveConfig(opts);
  let closed = false;
  let initialized = false;
  let triggeredEarly = false;
  const reload = serializeRuns(() => live.reload(), () => closed);

  const onTrigger = (): void => {
    if (!initialized) {
      triggeredEarly = true;
      return;
    }
    reload().catch(() => undefined);
  };

  let watcher: ConfigDirWatcher | null = null;
  if (opts.watch ?? true) {
    watcher = watchConfigDir(dir, onTrigger, {
      debounceMs: opts.debounceMs,
      rescanIntervalMs: opts.rescanIntervalMs,
      onError: (err) => log.warn({ err: { message: err.message } }, 'config watcher error; relying on periodic rescan'),
    });
    await watcher.ready;
  }

  const first = await attemptLoad(dir, opts.load);
  if (!first.ok) {
    await watcher?.close();
    throw new InvalidConfigError(first.problems, first.cause === undefined ? undefined : { cause: first.cause });
  }
  const snapshot = live.start(first.snapshot);
  initialized = true;
  log.info({ revision: snapshot.revision, gitCommit: snapshot.gitCommit, files: snapshot.files.length, dir }, `config loaded: revision ${snapshot.revision}`);
  // A change seen while the initial load ran may not be in it: look again.
  if (triggeredEarly) onTrigger();

  return {
    current: () => live.current(),
    status: () => live.status(),
    reload,
    async close() {
      if (closed) return;
      closed = true;
      await watcher?.close();
      await live.settled();
    },
  };
}

/**
 * The live snapshot and its bookkeeping: swaps on a successful reload, keeps the last good
 * snapshot and records the problems (logged once per distinct set) on a failed one.
 */
function createLiveConfig(opts: ConfigManagerOptions): {
  start(first: ConfigSnapshot): ConfigSnapshot;
  current(): ConfigSnapshot;
  status(): ConfigStatus;
  reload(): Promise<ReloadEvent>;
  settled(): Promise<void>;
} {
  const { dir, log, onReload } = opts;
  let snapshot: ConfigSnapshot | undefined;
  let lastReloadError: ConfigStatus['lastReloadError'] = null;
  let lastErrorKey = '';
  const reloads: ConfigStatus['reloads'] = { ok: 0, invalid: 0, unchanged: 0, error: 0 };
  let running: Promise<ReloadEvent> | undefined;

  const failed = (outcome: 'invalid' | 'error', problems: Problem[], durationMs: number, current: ConfigSnapshot): ReloadEvent => {
    reloads[outcome]++;
    problems = problems.map(restartHint);
    // Log a given set of problems once; the periodic rescan would repeat it every time.
    const key = JSON.stringify(problems);
    if (key !== lastErrorKey) {
      lastErrorKey = key;
      lastReloadError = { at: new Date(), problems };
      log.error(
        { outcome, revision: current.revision, problems: problems.map(formatProblem) },
        `config change rejected (${problems.length} problem${problems.length === 1 ? '' : 's'}); still serving revision ${current.revision}`,
      );
    }
    return { outcome, revision: current.revision, problems, durationMs };
  };

  const loadOnce = async (): Promise<ReloadEvent> => {
    const now = opts.now ?? (() => performance.now());
    const started = now();
    const elapsed = (): number => Math.round((now() - started) * 100) / 100;
    const current = snapshot as ConfigSnapshot;
    const attempt = await attemptLoad(dir, opts.load);
    if (!attempt.ok) return failed(attempt.outcome, attempt.problems, elapsed(), current);
    const next = attempt.snapshot;
    const recovered = lastReloadError !== null;
    lastReloadError = null;
    lastErrorKey = '';
    if (next.revision === current.revision) {
      reloads.unchanged++;
      if (recovered) log.info({ revision: current.revision }, `config recovered: the rejected change was reverted; serving revision ${current.revision}`);
      return { outcome: 'unchanged', revision: current.revision, durationMs: elapsed() };
    }
    snapshot = next;
    reloads.ok++;
    const event: ReloadEvent = { outcome: 'ok', revision: next.revision, previousRevision: current.revision, durationMs: elapsed() };
    log.info(
      { revision: next.revision, previousRevision: current.revision, files: next.files.length, durationMs: event.durationMs, ...(recovered ? { recovered } : {}) },
      `config reloaded: revision ${next.revision}${recovered ? ' (recovered from the rejected change)' : ''}`,
    );
    return event;
  };

  return {
    start(first) {
      snapshot = first;
      return first;
    },
    current: () => snapshot as ConfigSnapshot,
    status() {
      const s = snapshot as ConfigSnapshot;
      return { revision: s.revision, ...(s.gitCommit !== undefined ? { gitCommit: s.gitCommit } : {}), files: s.files, loadedAt: s.loadedAt, lastReloadError, reloads: { ...reloads } };
    },
    async reload() {
      running = loadOnce();
      const event = await running;
      if (onReload) {
        try {
          onReload(event);
        } catch (err) {
          log.warn({ err }, 'onReload callback threw');
        }
      }
      return event;
    },
    async settled() {
      await running?.catch(() => undefined);
    },
  };
}

/**
 * Environment variables are read once, when the process starts: during a reload "set it"
 * is not enough, so an unset-variable problem says that a restart is needed.
 */
function restartHint(problem: Problem): Problem {
  if (problem.rule !== 'env-missing') return problem;
  return { ...problem, message: problem.message.replace(/; set it or write /, '; environment variables are read when Switchboard starts: set it and restart, or write ') };
}

/** `FILE:LINE:COL: error: MESSAGE (rule)`, the CLI's diagnostic form, for log lines. */
export function formatProblem(p: Problem): string {
  return `${p.file}:${p.line}:${p.column}: error: ${p.message} (${p.rule})`;
}

function loadErrorProblem(dir: string, err: unknown): Problem {
  const message = errorMessage(err);
  return {
    file: path.relative(process.cwd(), path.resolve(dir)) || '.',
    line: 1,
    column: 1,
    rule: LOAD_ERROR_RULE,
    message: `could not load the config directory: ${message}`,
  };
}
