/**
 * `switchboard diff` on temporary git repositories with several commits and on directories:
 * every change kind, reordering and moving that are no change, exact shares, the three
 * formats, an invalid side, usage errors, secrets never printed, the work tree untouched.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bot, docs, echo, openai } from '../diff/fixtures.js';
import { runInProcess, tempRepo, type TempRepo } from '../helpers/git-repo.js';
import { ensureBuilt, runCli } from './built-cli.js';

const SECRET = 'sk-live-do-not-print-4f9a1c2b7d3e';
let repo: TempRepo;
let c1: string;
let c2: string;
let c3: string;

beforeAll(() => {
  ensureBuilt();
  repo = tempRepo();
  c1 = repo.commit({
    'integrations/ints.yaml': docs(echo('echo-a'), echo('echo-b'), openai('gpt')),
    'integrations/support.yaml': bot('support', [['echo-a', 90], ['echo-b', 10], ['gpt', 0, true]]),
    'integrations/old.yaml': echo('retired'),
    'integrations/deploy.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n',
  });
  // Reorder the list, move gpt to another file, drop the default-equal `weight: 1` noise: no change.
  c2 = repo.commit({
    'integrations/ints.yaml': docs(echo('echo-b'), echo('echo-a')),
    'integrations/gpt.yaml': openai('gpt'),
    'integrations/support.yaml': bot('support', [['gpt', 0, true], ['echo-b', 10], ['echo-a', 90]]),
  });
  // Every change kind: weights 90/10 → 50/50 plus a new arm, a changed model, an added and a removed document.
  c3 = repo.commit({
    'integrations/ints.yaml': docs(echo('echo-b'), echo('echo-a'), echo('echo-c')),
    'integrations/gpt.yaml': openai('gpt', 'gpt-4o', 'Bearer ${OPENAI_API_KEY_V2}'),
    'integrations/support.yaml': bot('support', [['echo-a', 50], ['echo-b', 30], ['echo-c', 20], ['gpt', 0, true]], 'displayName: Support\n'),
    'integrations/old.yaml': null,
  });
}, 240_000);
afterAll(() => repo?.remove());

const env = { OPENAI_API_KEY: SECRET, OPENAI_API_KEY_V2: SECRET };

describe('switchboard diff on git revisions', () => {
  it('reordering a list and moving documents between files is no change', async () => {
    const r = await runInProcess(['diff', c1, c2, '--format', 'json'], repo.dir, env);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(r.stdout)).toEqual({ changes: [], traffic: [] });
    const text = await runInProcess(['diff', c1, c2], repo.dir, env);
    expect(text.stdout).toBe('No Switchboard changes.\n');
  });

  it('every change kind with key paths before → after, and the exact shares', async () => {
    const r = await runInProcess(['diff', 'HEAD~1', 'HEAD', '--format', 'json'], repo.dir, env);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.changes).toEqual([
      { kind: 'Integration', name: 'echo-c', change: 'added', file: 'integrations/ints.yaml', fields: [{ path: 'type', before: null, after: 'echo' }] },
      {
        kind: 'Integration',
        name: 'gpt',
        change: 'changed',
        file: 'integrations/gpt.yaml',
        fields: [
          { path: 'headers.Authorization', before: 'Bearer ${OPENAI_API_KEY}', after: 'Bearer ${OPENAI_API_KEY_V2}' },
          { path: 'model', before: 'gpt-4o-mini', after: 'gpt-4o' },
        ],
      },
      { kind: 'Integration', name: 'retired', change: 'removed', file: 'integrations/old.yaml', fields: [{ path: 'type', before: 'echo', after: null }] },
      {
        kind: 'Bot',
        name: 'support',
        change: 'changed',
        file: 'integrations/support.yaml',
        fields: [
          { path: 'displayName', before: null, after: 'Support' },
          { path: 'integrations[echo-a].weight', before: 90, after: 50 },
          { path: 'integrations[echo-b].weight', before: 10, after: 30 },
          { path: 'integrations[echo-c].weight', before: null, after: 20 },
          { path: 'integrations[echo-c].fallback', before: null, after: false },
        ],
      },
    ]);
    expect(out.traffic).toEqual([
      {
        bot: 'support',
        integrations: [
          { name: 'echo-a', weightBefore: 90, weightAfter: 50, shareBefore: 0.9, shareAfter: 0.5 },
          { name: 'echo-b', weightBefore: 10, weightAfter: 30, shareBefore: 0.1, shareAfter: 0.3 },
          { name: 'echo-c', weightBefore: null, weightAfter: 20, shareBefore: null, shareAfter: 0.2 },
          { name: 'gpt', weightBefore: 0, weightAfter: 0, shareBefore: 0, shareAfter: 0 },
        ],
      },
    ]);
    expect(r.stdout).not.toContain(SECRET);
  });

  it('text and markdown: summary, a table per bot, collapsed details, warnings; env references as written', async () => {
    const text = await runInProcess(['diff', c2, c3], repo.dir, env);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('Bot support: changed (integrations/support.yaml)\n  displayName: — → "Support"\n  integrations[echo-a].weight: 90 → 50\n');
    expect(text.stdout).toMatch(/echo-a\s+weight 90 → 50\s+share of new users 90\.0% → 50\.0%/);
    expect(text.stdout.trimEnd().split('\n').at(-1)).toBe('4 documents changed (1 added, 1 removed, 2 changed); routing changes for 1 bot.');
    const md = await runInProcess(['diff', c2, c3, '--format', 'markdown'], repo.dir, env);
    expect(md.code).toBe(0);
    const lines = md.stdout.split('\n');
    expect(lines[0]).toBe('<!-- switchboard-diff -->');
    expect(md.stdout).toContain('**4 documents changed (1 added, 1 removed, 2 changed); routing changes for 1 bot.**');
    expect(md.stdout).toContain('#### Bot `support`\n\n| integration | weight | share of new users |\n|---|---|---|\n| `echo-a` | 90 → 50 | 90.0% → 50.0% |\n');
    expect(md.stdout).toContain('| `echo-c` | — → 20 | — → 20.0% |');
    expect(md.stdout).toContain('weights changed mid-experiment: the sample-ratio baseline resets; existing users keep their integration');
    expect(md.stdout).toContain('new environment variables referenced: OPENAI_API_KEY_V2');
    expect(md.stdout).toMatch(/<details><summary>Field changes \(4 documents\)<\/summary>[\s\S]*\| `model` \| `gpt-4o-mini` \| `gpt-4o` \|[\s\S]*<\/details>\n$/);
    expect(md.stdout).toContain('`Bearer ${OPENAI_API_KEY_V2}`');
    for (const out of [text.stdout, md.stdout]) expect(out).not.toContain(SECRET);
  });

  it('an integration going to weight 0 or removed is called out', async () => {
    const r2 = tempRepo();
    try {
      const a = r2.commit({ 'integrations/x.yaml': docs(echo('a'), echo('b'), echo('c'), bot('b1', [['a', 2], ['b', 1], ['c', 1]])) });
      const b = r2.commit({ 'integrations/x.yaml': docs(echo('a'), echo('b'), bot('b1', [['a', 0, true], ['b', 1]])) });
      const r = await runInProcess(['diff', a, b, '--format', 'json'], r2.dir);
      expect(JSON.parse(r.stdout).traffic[0].integrations).toEqual([
        { name: 'a', weightBefore: 2, weightAfter: 0, shareBefore: 0.5, shareAfter: 0 },
        { name: 'b', weightBefore: 1, weightAfter: 1, shareBefore: 0.25, shareAfter: 1 },
        { name: 'c', weightBefore: 1, weightAfter: null, shareBefore: 0.25, shareAfter: null },
      ]);
      const text = (await runInProcess(['diff', a, b], r2.dir)).stdout;
      expect(text).toContain('warning: bot b1: a goes to weight 0: users assigned to it will be moved to another integration');
      expect(text).toContain('warning: bot b1: c is removed: users assigned to it will be moved to another integration');
    } finally {
      r2.remove();
    }
  });

  it('an invalid side: exit 1 with its located problems in the chosen format', async () => {
    const r2 = tempRepo();
    try {
      const a = r2.commit({ 'integrations/x.yaml': docs(echo('a'), bot('b1', [['a', 1]])) });
      r2.commit({ 'integrations/x.yaml': docs(echo('a'), bot('b1', [['a', 1]]).replace('weight: 1', 'wieght: 1')) });
      const text = await runInProcess(['diff', a, 'HEAD'], r2.dir);
      expect(text.code).toBe(1);
      expect(text.stdout).toContain('integrations/x.yaml:13:5: error: unknown key "wieght"');
      expect(text.stdout).toContain('HEAD is invalid: ');
      const json = await runInProcess(['diff', a, 'HEAD', '--format', 'json'], r2.dir);
      expect(json.code).toBe(1);
      expect(JSON.parse(json.stdout)).toContainEqual(expect.objectContaining({ file: 'integrations/x.yaml', line: 13, column: 5, rule: 'unknown-key', severity: 'error' }));
      const md = await runInProcess(['diff', a, 'HEAD', '--format', 'markdown'], r2.dir);
      expect(md.code).toBe(1);
      expect(md.stdout).toContain('### Switchboard: `HEAD` is invalid\n\n```\nintegrations/x.yaml:13:5: error: unknown key "wieght"');
      const both = await runInProcess(['diff', 'HEAD', 'HEAD', '--format', 'json'], r2.dir);
      expect(both.code).toBe(1);
      expect(JSON.parse(both.stdout)).toHaveLength(2);
    } finally {
      r2.remove();
    }
  });

  it('reads revisions without checking anything out: the work tree and index stay as they are', async () => {
    const before = repo.git('status', '--porcelain=v1', '--untracked-files=all');
    const head = readFileSync(join(repo.dir, 'integrations/support.yaml'), 'utf8');
    await runInProcess(['diff', c1, c3], repo.dir, env);
    expect(repo.git('status', '--porcelain=v1', '--untracked-files=all')).toBe(before);
    expect(readFileSync(join(repo.dir, 'integrations/support.yaml'), 'utf8')).toBe(head);
  });

  it('a committed symlink leading outside the tree is not followed', async () => {
    const r2 = tempRepo();
    const outside = mkdtempSync(join(tmpdir(), 'swb-outside-'));
    try {
      writeFileSync(join(outside, 'host.yaml'), echo('host-only-document'));
      const a = r2.commit({ 'integrations/x.yaml': docs(echo('a'), bot('b1', [['a', 1]])) });
      symlinkSync(join(outside, 'host.yaml'), join(r2.dir, 'integrations', 'leak.yaml'));
      r2.commit({});
      const r = await runInProcess(['diff', a, 'HEAD', '--format', 'json'], r2.dir);
      expect(r.code).toBe(0);
      expect(r.stdout).not.toContain('host-only-document');
      // In the work tree the link is followed, as validate and serve do.
      expect((await runInProcess(['diff', a, 'integrations', '--format', 'json'], r2.dir)).stdout).toContain('host-only-document');
    } finally {
      r2.remove();
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('a path missing at the base revision reads as an empty tree (everything added)', async () => {
    const r2 = tempRepo();
    try {
      const a = r2.commit({ 'README.md': 'hi\n' });
      r2.commit({ 'config/x.yaml': docs(echo('a'), bot('b1', [['a', 1]])) });
      const r = await runInProcess(['diff', a, 'HEAD', '--path', 'config', '--format', 'json'], r2.dir);
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out.changes.map((c: { change: string; file: string }) => `${c.change} ${c.file}`)).toEqual(['added config/x.yaml', 'added config/x.yaml']);
      expect(out.traffic).toEqual([{ bot: 'b1', integrations: [{ name: 'a', weightBefore: null, weightAfter: 1, shareBefore: null, shareAfter: 1 }] }]);
    } finally {
      r2.remove();
    }
  });
});

describe('switchboard diff on directories and usage', () => {
  it('compares two directories; literal secrets at secret keys are redacted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'swb-diffdirs-'));
    try {
      const write = (side: string, files: Record<string, string>): void => {
        const t = tempRepo();
        t.commit(files);
        cpSync(t.dir, join(dir, side), { recursive: true, filter: (p) => !p.includes('.git') });
        t.remove();
      };
      write('a', { 'x.yaml': docs(openai('o', 'm', `Bearer ${SECRET}`), bot('b1', [['o', 1]])) });
      write('b', { 'x.yaml': docs(openai('o', 'm', 'Bearer sk-other-literal-value'), bot('b1', [['o', 1]])) });
      const r = await runInProcess(['diff', 'a', 'b', '--format', 'json'], dir);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).changes).toEqual([
        { kind: 'Integration', name: 'o', change: 'changed', file: 'b/x.yaml', fields: [{ path: 'headers.Authorization', before: '[redacted]', after: '[redacted]' }] },
      ]);
      expect(r.stdout).not.toContain(SECRET);
      expect(r.stdout).not.toContain('sk-other-literal-value');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('usage errors exit 2: wrong arity, bad --format, unknown flag, neither directory nor revision', async () => {
    expect((await runInProcess(['diff', 'HEAD'], repo.dir)).code).toBe(2);
    expect((await runInProcess(['diff', 'HEAD~1', 'HEAD', '--format', 'yaml'], repo.dir)).code).toBe(2);
    expect((await runInProcess(['diff', 'HEAD~1', 'HEAD', '--bogus'], repo.dir)).code).toBe(2);
    const r = await runInProcess(['diff', 'no-such-rev', 'HEAD'], repo.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"no-such-rev" is neither a directory nor a git revision');
  });

  it('the built binary: diff HEAD~1 HEAD --format markdown, and --help', async () => {
    const r = await runCli(['diff', 'HEAD~1', 'HEAD', '--format', 'markdown'], { cwd: repo.dir, env });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe((await runInProcess(['diff', 'HEAD~1', 'HEAD', '--format', 'markdown'], repo.dir, env)).stdout);
    const help = await runCli(['diff', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: switchboard diff BASE HEAD');
  });
});
