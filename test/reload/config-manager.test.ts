import { rm } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ConfigInvalidError,
  createConfigManager,
  LOAD_ERROR_RULE,
  type ConfigManager,
  type ConfigManagerOptions,
  type ReloadEvent,
} from '../../runtime/reload/config-manager.js';
import { watchConfigDir, type WatchConfigDirOptions } from '../../runtime/reload/watcher.js';
import { createConfigLoader, type LoadResult } from '../../runtime/config/loader.js';
import {
  botYaml,
  ConfigMapTree,
  GitSyncTree,
  invalidBotYaml,
  makeTempDir,
  removeDir,
  waitFor,
  writeAtomic,
  writeInPlace,
  writeTree,
} from '../helpers/config-tree.js';

interface LogLine {
  level: 'info' | 'warn' | 'error';
  obj: object;
  msg?: string;
}

const DEBOUNCE = 30;
const UNKNOWN_KEY = 'unknown key "wieght" in integrations[0] (did you mean "weight"?)';
const latencies: number[] = [];

describe('createConfigManager', () => {
  let root: string;
  let manager: ConfigManager | undefined;
  let events: ReloadEvent[];
  let logs: LogLine[];
  let loads: number;
  let eventTimes: number[];
  /** The real loader, as `serve` wires it (problems relative to the temp root). */
  let realLoad: (dir: string) => Promise<LoadResult>;

  beforeEach(async () => {
    root = await makeTempDir('swb-mgr-');
    events = [];
    eventTimes = [];
    const loader = createConfigLoader();
    realLoad = (d) => loader.load(d, { env: {}, cwd: root });
    logs = [];
    loads = 0;
  });

  afterEach(async () => {
    vi.useRealTimers();
    await manager?.close();
    manager = undefined;
    await removeDir(root);
  });

  afterAll(() => {
    if (process.env.SWB_REPORT_LATENCY && latencies.length) {
      const sorted = [...latencies].sort((a, b) => a - b);
      const p = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
      console.info(`change-to-live latency over ${sorted.length} reloads: min ${sorted[0]} ms, p50 ${p(0.5)} ms, max ${sorted.at(-1)} ms`);
    }
  });

  const log = {
    info: (obj: object, msg?: string) => logs.push({ level: 'info', obj, msg }),
    warn: (obj: object, msg?: string) => logs.push({ level: 'warn', obj, msg }),
    error: (obj: object, msg?: string) => logs.push({ level: 'error', obj, msg }),
  };

  async function start(dir: string, opts: Partial<ConfigManagerOptions> = {}): Promise<ConfigManager> {
    manager = await createConfigManager({
      dir,
      load: async (d) => {
        loads++;
        return realLoad(d);
      },
      log,
      debounceMs: DEBOUNCE,
      rescanIntervalMs: 0,
      onReload: (e) => {
        events.push(e);
        eventTimes.push(performance.now());
      },
      ...opts,
    });
    return manager;
  }

  /** Apply a change and wait until a reload with `outcome` has happened after it. */
  async function change(action: () => Promise<unknown>, outcome: ReloadEvent['outcome'] = 'ok'): Promise<ReloadEvent> {
    const seen = events.length;
    await action();
    const changedAt = performance.now();
    const index = await waitFor(
      () => {
        const i = events.findIndex((e, j) => j >= seen && e.outcome === outcome);
        return i >= 0 ? i + 1 : 0;
      },
      3000,
      `a '${outcome}' reload`,
    );
    if (outcome === 'ok') latencies.push(Math.round(eventTimes[index - 1]! - changedAt));
    return events[index - 1]!;
  }

  const displayName = (m: ConfigManager, bot = 'support'): string | undefined => m.current().bots.get(bot)?.displayName;

  /**
   * A second, independent watcher on `dir` recording what it hears: once it has triggered
   * on a write, every earlier event has been delivered (to it and to the manager alike).
   */
  async function observer(dir: string, opts: WatchConfigDirOptions = {}): Promise<{ triggers: () => number; heard: () => string[]; close: () => Promise<void> }> {
    let triggers = 0;
    const heard: string[] = [];
    const w = watchConfigDir(dir, () => triggers++, { debounceMs: DEBOUNCE, rescanIntervalMs: 0, onHint: (h) => heard.push(path.basename(h.path)), ...opts });
    await w.ready;
    return { triggers: () => triggers, heard: () => heard, close: () => w.close() };
  }

  it('serves the initial load and reports it in status()', async () => {
    const dir = path.join(root, 'cfg');
    await writeTree(dir, { 'support.yaml': botYaml('support', 'V1'), 'team/sales.yml': botYaml('sales', 'S1') });
    const m = await start(dir);
    const expected = await createConfigLoader().load(dir, { env: {}, cwd: root });
    const snap = m.current();
    expect(snap.revision).toBe(expected.ok ? expected.snapshot.revision : 'not ok');
    expect(displayName(m)).toBe('V1');
    expect(m.status()).toEqual({
      revision: snap.revision,
      files: ['support.yaml', 'team/sales.yml'],
      loadedAt: snap.loadedAt,
      lastReloadError: null,
      reloads: { ok: 0, invalid: 0, unchanged: 0, error: 0 },
    });
    expect(loads).toBe(1);
    expect(logs.map((l) => [l.level, l.msg])).toEqual([['info', `config loaded: revision ${snap.revision}`]]);
  });

  it('reloads after an editor atomic save (temp file + rename)', async () => {
    const dir = path.join(root, 'cfg');
    await writeTree(dir, { 'support.yaml': botYaml('support', 'V1') });
    const m = await start(dir);
    const before = m.current().revision;
    const e = await change(() => writeAtomic(path.join(dir, 'support.yaml'), botYaml('support', 'V2')));
    expect(e.previousRevision).toBe(before);
    expect(e.revision).toBe(m.current().revision);
    expect(e.revision).not.toBe(before);
    expect(displayName(m)).toBe('V2');
    expect(m.status().reloads.ok).toBe(1);
    expect(logs.at(-1)).toMatchObject({ level: 'info', msg: `config reloaded: revision ${e.revision}` });
  });

  it('reloads after an in-place write, a new file and a deleted file', async () => {
    const dir = path.join(root, 'cfg');
    await writeTree(dir, { 'support.yaml': botYaml('support', 'V1') });
    const m = await start(dir);
    await change(() => writeInPlace(path.join(dir, 'support.yaml'), botYaml('support', 'V2')));
    expect(displayName(m)).toBe('V2');
    await change(() => writeTree(dir, { 'nested/sales.yaml': botYaml('sales', 'S1') }));
    expect(displayName(m, 'sales')).toBe('S1');
    expect(m.status().files).toEqual(['nested/sales.yaml', 'support.yaml']);
    await change(() => rm(path.join(dir, 'nested', 'sales.yaml')));
    expect(m.current().bots.has('sales')).toBe(false);
    expect(m.status().files).toEqual(['support.yaml']);
  });

  it('reloads after a git-sync link flip', async () => {
    const git = await GitSyncTree.create(root, { 'support.yaml': botYaml('support', 'V1') });
    const m = await start(git.link);
    await change(() => git.flip({ 'support.yaml': botYaml('support', 'V2') }));
    expect(displayName(m)).toBe('V2');
    await change(() => git.flip({ 'support.yaml': botYaml('support', 'V3') }, false));
    expect(displayName(m)).toBe('V3');
  });

  it('reloads after a Kubernetes ConfigMap ..data swap', async () => {
    const cm = await ConfigMapTree.create(path.join(root, 'cm'), { 'support.yaml': botYaml('support', 'V1') });
    const m = await start(cm.dir);
    expect(m.status().files).toEqual(['support.yaml']);
    await change(() => cm.update({ 'support.yaml': botYaml('support', 'V2') }));
    expect(displayName(m)).toBe('V2');
    await change(() => cm.update({ 'support.yaml': botYaml('support', 'V3'), 'sales.yaml': botYaml('sales', 'S1') }));
    expect(displayName(m)).toBe('V3');
    expect(m.status().files).toEqual(['sales.yaml', 'support.yaml']);
  });

  it('keeps serving while a git-sync link is briefly missing (non-atomic re-link), then follows it', async () => {
    const git = await GitSyncTree.create(root, { 'support.yaml': botYaml('support', 'V1') });
    const m = await start(git.link);
    const good = m.current();
    const e = await change(() => rm(git.link), 'invalid');
    expect(e.problems).toEqual([
      { file: 'current', line: 1, column: 1, rule: 'config-dir', message: 'cannot read config directory current: ENOENT' },
    ]);
    expect(m.current()).toBe(good);
    expect(m.status().lastReloadError?.problems[0]?.rule).toBe('config-dir');
    await change(() => git.flip({ 'support.yaml': botYaml('support', 'V2') }));
    expect(displayName(m)).toBe('V2');
    expect(m.status().lastReloadError).toBeNull();
  });

  it('keeps serving the last good snapshot on an invalid change, exposes the problems, then recovers', async () => {
    const dir = path.join(root, 'cfg');
    await writeTree(dir, { 'support.yaml': botYaml('support', 'V1'), 'other.yaml': botYaml('other', 'O1') });
    const m = await start(dir);
    const good = m.current();
    const e = await change(() => writeAtomic(path.join(dir, 'other.yaml'), invalidBotYaml('other')), 'invalid');
    const problems = [{ file: 'cfg/other.yaml', line: 13, column: 5, rule: 'unknown-key', message: UNKNOWN_KEY }];
    expect(e).toMatchObject({ outcome: 'invalid', revision: good.revision, problems });
    expect(m.current()).toBe(good);
    const status = m.status();
    expect(status.revision).toBe(good.revision);
    expect(status.lastReloadError?.problems).toEqual(problems);
    expect(status.lastReloadError?.at).toBeInstanceOf(Date);
    expect(status.reloads).toEqual({ ok: 0, invalid: 1, unchanged: 0, error: 0 });
    const errorLogs = logs.filter((l) => l.level === 'error');
    expect(errorLogs).toEqual([
      {
        level: 'error',
        obj: { outcome: 'invalid', revision: good.revision, problems: [`cfg/other.yaml:13:5: error: ${UNKNOWN_KEY} (unknown-key)`] },
        msg: `config change rejected (1 problem); still serving revision ${good.revision}`,
      },
    ]);
    // The same problems again (e.g. the periodic rescan) count but are not logged twice.
    expect((await m.reload()).outcome).toBe('invalid');
    expect(logs.filter((l) => l.level === 'error')).toHaveLength(1);
    expect(m.status().lastReloadError?.at).toBe(status.lastReloadError?.at);

    await change(() => writeAtomic(path.join(dir, 'other.yaml'), botYaml('other', 'O2')));
    expect(m.current()).not.toBe(good);
    expect(displayName(m, 'other')).toBe('O2');
    expect(m.status().lastReloadError).toBeNull();
    expect(m.status().reloads).toEqual({ ok: 1, invalid: 2, unchanged: 0, error: 0 });
    expect(logs.filter((l) => l.msg?.startsWith('config reloaded')).at(-1)?.msg).toMatch(/recovered from the rejected change/);
  });

  it("reverting an invalid change to the served content gives 'unchanged' and clears the error", async () => {
    const dir = path.join(root, 'cfg');
    await writeTree(dir, { 'support.yaml': botYaml('support', 'V1') });
    const m = await start(dir);
    const good = m.current();
    await change(() => writeAtomic(path.join(dir, 'support.yaml'), invalidBotYaml()), 'invalid');
    expect(m.status().lastReloadError).not.toBeNull();
    const e = await change(() => writeAtomic(path.join(dir, 'support.yaml'), botYaml('support', 'V1')), 'unchanged');
    expect(e.revision).toBe(good.revision);
    expect(m.current()).toBe(good);
    expect(m.status().lastReloadError).toBeNull();
    // Saying so matters: /config's error just disappears otherwise.
    expect(logs.filter((l) => l.level === 'info' && l.msg?.startsWith('config recovered'))).toEqual([
      { level: 'info', obj: { revision: good.revision }, msg: `config recovered: the rejected change was reverted; serving revision ${good.revision}` },
    ]);
    // A later unchanged rescan is not a recovery.
    await m.reload();
    expect(logs.filter((l) => l.msg?.startsWith('config recovered'))).toHaveLength(1);
  });

  it('an unset variable in a reload says a restart is needed (env is read at start)', async () => {
    const dir = path.join(root, 'cfg');
    await writeTree(dir, { 'support.yaml': botYaml('support', 'V1') });
    const loader = createConfigLoader();
    const m = await start(dir, { watch: false, load: (d) => loader.load(d, { env: {}, requireEnv: true }) });
    await writeAtomic(path.join(dir, 'support.yaml'), botYaml('support', '${NEW_VARIABLE_NOT_SET}'));
    const e = await m.reload();
    expect(e.outcome).toBe('invalid');
    expect(e.problems?.map((p) => [p.rule, p.message])).toEqual([
      ['env-missing', 'environment variable NEW_VARIABLE_NOT_SET is not set (referenced in displayName); environment variables are read when Switchboard starts: set it and restart, or write ${NEW_VARIABLE_NOT_SET:-default}'],
    ]);
  });

  it("reports 'unchanged' and keeps the same snapshot object when the content hash did not change", async () => {
    const dir = path.join(root, 'cfg');
    await writeTree(dir, { 'support.yaml': botYaml('support', 'V1') });
    // A fake clock that the load moves on: the event must report exactly the load's span.
    let clock = 1000;
    const m = await start(dir, {
      now: () => clock,
      load: async (d) => {
        loads++;
        clock += 12.34;
        return realLoad(d);
      },
    });
    const snap = m.current();
    const e = await change(() => writeInPlace(path.join(dir, 'support.yaml'), botYaml('support', 'V1')), 'unchanged');
    expect(e).toMatchObject({ outcome: 'unchanged', revision: snap.revision });
    expect(e.durationMs).toBe(12.34);
    expect(m.current()).toBe(snap);
    expect(m.status().reloads.ok).toBe(0);
    expect(m.status().reloads.unchanged).toBeGreaterThanOrEqual(1);
    expect(logs.filter((l) => l.msg?.startsWith('config reloaded'))).toEqual([]);
  });

  it('debounces a burst of 20 writes into a few reloads and ends on the last content', async () => {
    const dir = path.join(root, 'cfg');
    await writeTree(dir, { 'support.yaml': botYaml('support', 'V0') });
    const m = await start(dir, { debounceMs: 100 });
    for (let i = 1; i <= 20; i++) await writeInPlace(path.join(dir, 'support.yaml'), botYaml('support', `V${i}`));
    await waitFor(() => displayName(m) === 'V20', 3000, 'V20 live');
    // A later change is reloaded after everything the burst caused: by then the burst is over.
    await change(() => writeTree(dir, { 'zz-sentinel.yaml': botYaml('sentinel', 'S1') }));
    expect(displayName(m, 'sentinel')).toBe('S1');
    expect(displayName(m)).toBe('V20');
    // 1 initial load, one reload for the burst (a couple more if it straddled a window), one for the sentinel.
    expect(loads - 2).toBeGreaterThanOrEqual(1);
    expect(loads - 2).toBeLessThanOrEqual(3);
  });

  it('leaves a message in flight on the snapshot object it read', async () => {
    const dir = path.join(root, 'cfg');
    await writeTree(dir, { 'support.yaml': botYaml('support', 'V1') });
    const m = await start(dir);
    const inFlight = m.current();
    const bot = inFlight.bots.get('support');
    await change(() => writeAtomic(path.join(dir, 'support.yaml'), botYaml('support', 'V2')));
    expect(m.current()).not.toBe(inFlight);
    expect(inFlight.bots.get('support')).toBe(bot);
    expect(inFlight.bots.get('support')?.displayName).toBe('V1');
    expect(displayName(m)).toBe('V2');
  });

  it('never runs two loads at once; requests during a load share exactly one more', async () => {
    const dir = path.join(root, 'cfg');
    await writeTree(dir, { 'support.yaml': botYaml('support', 'V1') });
    let active = 0;
    let maxActive = 0;
    let release: (() => void) | undefined;
    let gated = false;
    const m = await start(dir, {
      watch: false,
      load: async (d) => {
        loads++;
        active++;
        maxActive = Math.max(maxActive, active);
        if (gated) await new Promise<void>((r) => (release = r));
        const result = await realLoad(d);
        active--;
        return result;
      },
    });
    gated = true;
    const first = m.reload();
    await waitFor(() => release, 1000, 'first load to start');
    await writeInPlace(path.join(dir, 'support.yaml'), botYaml('support', 'V2'));
    const second = m.reload();
    const third = m.reload();
    expect(third).toBe(second);
    expect(loads).toBe(2);
    const releaseFirst = release!;
    release = undefined;
    releaseFirst();
    await waitFor(() => release, 1000, 'second load to start');
    expect(loads).toBe(3);
    release!();
    // The first load started before the write, but the gate held it past the write.
    expect((await first).outcome).toBe('ok');
    expect((await second).outcome).toBe('unchanged');
    expect(maxActive).toBe(1);
    expect(loads).toBe(3);
  });

  it("turns a throwing loader into an 'error' reload and keeps serving", async () => {
    const dir = path.join(root, 'cfg');
    await writeTree(dir, { 'support.yaml': botYaml('support', 'V1') });
    let fail = false;
    const m = await start(dir, {
      watch: false,
      load: async (d) => {
        if (fail) throw new Error('EIO: disk on fire');
        return realLoad(d);
      },
    });
    const good = m.current();
    fail = true;
    const e = await m.reload();
    const problem = {
      file: path.relative(process.cwd(), dir),
      line: 1,
      column: 1,
      rule: LOAD_ERROR_RULE,
      message: 'could not load the config directory: EIO: disk on fire',
    };
    expect(e).toMatchObject({ outcome: 'error', revision: good.revision, problems: [problem] });
    expect(m.current()).toBe(good);
    expect(m.status().lastReloadError?.problems).toEqual([problem]);
    fail = false;
    expect((await m.reload()).outcome).toBe('unchanged');
    expect(m.status().lastReloadError).toBeNull();
    expect(m.status().reloads).toEqual({ ok: 0, invalid: 0, unchanged: 1, error: 1 });
  });

  it('rejects with ConfigInvalidError carrying the located problems when the initial load is invalid', async () => {
    const dir = path.join(root, 'cfg');
    await writeTree(dir, { 'bad.yaml': invalidBotYaml() });
    const err = await start(dir).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigInvalidError);
    expect((err as ConfigInvalidError).problems).toEqual([
      { file: 'cfg/bad.yaml', line: 13, column: 5, rule: 'unknown-key', message: UNKNOWN_KEY },
    ]);
    expect((err as Error).message).toBe('configuration is invalid (1 problem)');
  });

  it('does not watch with watch: false, but reload() still works; reload() after close() rejects', async () => {
    const dir = path.join(root, 'cfg');
    await writeTree(dir, { 'support.yaml': botYaml('support', 'V1') });
    const m = await start(dir, { watch: false });
    // The observer waits longer than the manager would: had it watched, it would have reloaded first.
    const obs = await observer(dir, { debounceMs: DEBOUNCE * 8 });
    try {
      await writeAtomic(path.join(dir, 'support.yaml'), botYaml('support', 'V2'));
      await waitFor(() => obs.triggers() > 0, 3000, 'the observer to hear the write');
    } finally {
      await obs.close();
    }
    expect(loads).toBe(1);
    expect(displayName(m)).toBe('V1');
    expect((await m.reload()).outcome).toBe('ok');
    expect(displayName(m)).toBe('V2');
    await m.close();
    await expect(m.reload()).rejects.toThrow('config manager is closed');
  });

  it('runs the periodic rescan and does not reload in a loop while idle', async () => {
    const dir = path.join(root, 'cfg');
    await writeTree(dir, { 'support.yaml': botYaml('support', 'V1') });
    // The rescan period runs on a fake clock; the loads and the file events stay real.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const m = await start(dir, { rescanIntervalMs: 100 });
    // Watches the parent too, so it hears anything happening in the config dir and a sentinel beside it.
    const obs = await observer(root);
    try {
      for (let n = 1; n <= 2; n++) {
        vi.advanceTimersByTime(99);
        expect(events).toHaveLength(n - 1);
        vi.advanceTimersByTime(1);
        await waitFor(() => events.length >= n, 3000, `periodic rescan #${n}`);
      }
      await writeTree(root, { 'zz-sentinel.txt': 'x' });
      await waitFor(() => obs.triggers() > 0, 3000, 'the observer to hear the sentinel');
      // The rescans read the tree without causing any file event (no feedback loop).
      expect(obs.heard().filter((name) => name !== 'zz-sentinel.txt')).toEqual([]);
    } finally {
      await obs.close();
    }
    expect(events.map((e) => e.outcome)).toEqual(['unchanged', 'unchanged']);
    expect(m.status().reloads.unchanged).toBe(2);
  });

  it('accepts a pino logger', async () => {
    const dir = path.join(root, 'cfg');
    await writeTree(dir, { 'support.yaml': botYaml('support', 'V1') });
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        cb();
      },
    });
    const m = await start(dir, { log: pino(sink), watch: false });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 30, msg: `config loaded: revision ${m.current().revision}`, files: 1 });
  });
});
