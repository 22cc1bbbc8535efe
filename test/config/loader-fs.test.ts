/**
 * Filesystem layouts: Kubernetes ConfigMap volumes, git-sync links, loops, files reached
 * twice, broken links, size limit, missing directories.
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createConfigLoader, type LoadResult } from '../../runtime/config/loader.js';
import { ConfigDirError, validateDirs } from '../../runtime/config/validate.js';
import { MAX_FILE_BYTES } from '../../runtime/config/yaml-options.js';

const integration = (name: string) => `apiVersion: switchboard/v1\nkind: Integration\nname: ${name}\ntype: echo\n`;
const bot = (name: string, uses: string) =>
  `apiVersion: switchboard/v1\nkind: Bot\nname: ${name}\nchannels:\n  http: {}\nintegrations:\n  - name: ${uses}\n`;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sb-fs-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const w = (rel: string, text: string) => {
  mkdirSync(join(dir, rel, '..'), { recursive: true });
  writeFileSync(join(dir, rel), text);
};
const located = (r: LoadResult) => r.problems.map((p) => `${p.file}:${p.line}:${p.column} ${p.rule}`);
const load = (target: string, loader = createConfigLoader()) => loader.load(target, { env: {}, cwd: dir });

describe('Kubernetes ConfigMap volume', () => {
  function publish(stamp: string, files: Record<string, string>) {
    const data = join(dir, 'cm', stamp);
    mkdirSync(data, { recursive: true });
    for (const [name, text] of Object.entries(files)) writeFileSync(join(data, name), text);
    // Kubernetes' atomic writer: new ..data link created aside, then renamed over the old one.
    symlinkSync(stamp, join(dir, 'cm', '..data_tmp'));
    renameSync(join(dir, 'cm', '..data_tmp'), join(dir, 'cm', '..data'));
    for (const name of Object.keys(files)) {
      try {
        symlinkSync(join('..data', name), join(dir, 'cm', name));
      } catch {
        // link exists from the previous publish
      }
    }
  }

  it('loads the top-level links as plain files, with paths as mounted', async () => {
    publish('..2026_11_25_18_00_00.000000001', { 'echo.yaml': integration('echo'), 'bot.yaml': bot('demo', 'echo') });
    const loader = createConfigLoader();
    const r = await load('cm', loader);
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.snapshot.files).toEqual(['bot.yaml', 'echo.yaml']);
    expect(r.snapshot.bots.get('demo')?.source.file).toBe('cm/bot.yaml');

    publish('..2026_11_25_18_05_00.000000002', { 'echo.yaml': integration('echo'), 'bot.yaml': bot('demo', 'missing') });
    const again = await load('cm', loader);
    expect(located(again)).toEqual(['cm/bot.yaml:7:11 unknown-integration']);
  });
});

describe('git-sync worktree link', () => {
  it('follows the root link into a hidden worktree directory', async () => {
    w('git/.worktrees/0123abc/integrations/all.yaml', `${integration('echo')}---\n${bot('demo', 'echo')}`);
    symlinkSync('.worktrees/0123abc', join(dir, 'git', 'root'));
    const r = await load('git/root/integrations');
    expect(r.ok).toBe(true);
    const whole = await load('git');
    if (!whole.ok) throw new Error(JSON.stringify(whole.problems));
    expect(whole.snapshot.files).toEqual(['root/integrations/all.yaml']);
  });
});

describe('links that lead back or twice', () => {
  it('reports a directory link to an ancestor as a loop instead of hanging', async () => {
    w('t/a.yaml', integration('echo'));
    mkdirSync(join(dir, 't', 'sub'));
    symlinkSync('..', join(dir, 't', 'sub', 'up'));
    symlinkSync('.', join(dir, 't', 'self'));
    expect(located(await load('t'))).toEqual(['t/self:1:1 symlink-loop', 't/sub/up:1:1 symlink-loop']);
  });

  it('counts a file or directory reached twice through links once', async () => {
    w('t/shared/echo.yaml', integration('echo'));
    w('t/bot.yaml', bot('demo', 'echo'));
    symlinkSync('shared', join(dir, 't', 'alias'));
    symlinkSync('bot.yaml', join(dir, 't', 'bot-link.yaml'));
    const r = await load('t');
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.snapshot.files).toEqual(['bot.yaml', 'shared/echo.yaml']);
  });

  it('reports a broken link to a YAML file and ignores other broken links', async () => {
    w('t/echo.yaml', integration('echo'));
    symlinkSync('nowhere.yaml', join(dir, 't', 'gone.yaml'));
    symlinkSync('nowhere', join(dir, 't', 'gone.txt'));
    const r = await load('t');
    expect(r.problems).toEqual([{ file: 't/gone.yaml', line: 1, column: 1, rule: 'file-unreadable', message: 'broken symlink: ENOENT' }]);
  });
});

describe('limits and arguments', () => {
  it('refuses files over 1 MiB without parsing them', async () => {
    w('t/big.yaml', `#${'x'.repeat(MAX_FILE_BYTES)}\n`);
    w('t/ok.yaml', `#${'x'.repeat(MAX_FILE_BYTES - 2)}\n`);
    expect((await load('t')).problems).toEqual([
      { file: 't/big.yaml', line: 1, column: 1, rule: 'file-too-large', message: `file is ${MAX_FILE_BYTES + 2} bytes; the limit is 1048576 (1 MiB)` },
    ]);
  });

  it('accepts a single file as the tree', async () => {
    w('one.yaml', `${integration('echo')}---\n${bot('demo', 'echo')}`);
    const r = await load('one.yaml');
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.snapshot.files).toEqual(['one.yaml']);
  });

  it('load reports a missing directory as a config-dir problem', async () => {
    expect(await load('nope')).toEqual({
      ok: false,
      problems: [{ file: 'nope', line: 1, column: 1, rule: 'config-dir', message: 'cannot read config directory nope: ENOENT' }],
    });
  });

  it('validateDirs rejects a missing directory (a usage error) before validating anything', async () => {
    w('t/echo.yaml', integration('echo'));
    await expect(validateDirs(['t', 'nope'], { cwd: dir })).rejects.toThrow(ConfigDirError);
    await expect(validateDirs(['t', 'nope'], { cwd: dir })).rejects.toThrow('config directory nope does not exist');
  });

  it('validateDirs checks each directory as its own tree', async () => {
    w('a/echo.yaml', integration('echo'));
    w('b/echo.yaml', integration('echo'));
    w('b/bot.yaml', bot('demo', 'echo'));
    w('c/bot.yaml', bot('demo', 'echo'));
    expect(await validateDirs(['a', 'b'], { cwd: dir })).toEqual([]);
    expect((await validateDirs(['c', 'a'], { cwd: dir })).map((p) => `${p.file}:${p.line}:${p.column} ${p.rule}`)).toEqual([
      'c/bot.yaml:7:11 unknown-integration',
    ]);
  });
});
