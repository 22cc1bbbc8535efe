import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createConfigLoader, type LoadResult } from '../../runtime/config/loader.js';
import { DEFAULT_FALLBACK_MESSAGE, type ConfigSnapshot } from '../../runtime/config/snapshot.js';
import { frozenMap } from '../../runtime/config/frozen-map.js';

const root = join(import.meta.dirname, '..', '..');
const validDir = 'test/fixtures/config/valid';
const env = { SB_OPENAI_KEY: 'sk-test-openai', SB_SIGNING_NEW: 'whsec_bmV3LXNlY3JldC1rZXktMTIzNDU2', SB_HTTP_TOKEN: 'http-token-1', SB_TG_TOKEN: '123:tg', SB_SLACK_TOKEN: 'xoxb-1' };

function snapshotOf(r: LoadResult): ConfigSnapshot {
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.problems)}`);
  return r.snapshot;
}

const temps: string[] = [];
function temp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sb-loader-'));
  temps.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('loading a valid tree', () => {
  it('resolves env, applies defaults and skips dot entries and non-YAML files', async () => {
    const s = snapshotOf(await createConfigLoader().load(validDir, { env, cwd: root }));
    expect(s.files).toEqual(['bots/support.yml', 'integrations.yaml']);
    expect(s.dir).toBe(join(root, validDir));
    expect(s.allowPrivateNetwork).toBe(false);
    expect([...s.integrations.keys()]).toEqual(['support-backend', 'support-echo', 'support-gpt']);
    expect([...s.bots.keys()]).toEqual(['minimal', 'support']);
    expect(s.integrations.get('support-gpt')).toEqual({
      name: 'support-gpt',
      type: 'openai',
      url: 'https://api.openai.com/v1/chat/completions',
      headers: { Authorization: 'Bearer sk-test-openai' },
      timeoutMs: 120_000,
      stream: false,
      firstTokenTimeoutMs: 120_000,
      idleTimeoutMs: 120_000,
      model: 'gpt-4o-mini',
      maxTokens: 256,
      temperature: 0.2,
      signingSecrets: [],
      source: { file: 'test/fixtures/config/valid/integrations.yaml', line: 4 },
    });
    expect(s.integrations.get('support-backend')).toEqual({
      name: 'support-backend',
      type: 'custom',
      url: 'https://bot.example.com/hook',
      headers: {},
      timeoutMs: 1500,
      stream: false,
      firstTokenTimeoutMs: 1500,
      idleTimeoutMs: 1500,
      signingSecrets: ['whsec_bmV3LXNlY3JldC1rZXktMTIzNDU2', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
      source: { file: 'test/fixtures/config/valid/integrations.yaml', line: 16 },
    });
    expect(s.integrations.get('support-echo')).toMatchObject({ type: 'echo', timeoutMs: 500, headers: {}, signingSecrets: [] });
    expect(s.integrations.get('support-echo')?.url).toBeUndefined();
    expect(s.bots.get('support')).toEqual({
      name: 'support',
      displayName: 'Support Bot',
      systemPrompt: 'You are a concise support assistant.',
      contextWindow: 4,
      channels: {
        http: { token: 'http-token-1' },
        telegram: { token: '123:tg', secretToken: 'tg-default-secret', apiUrl: 'http://telegram-bot-api.internal:8081' },
        slack: { botToken: 'xoxb-1', signingSecret: 'literal-slack-secret', apiUrl: 'https://slack.com/api' },
      },
      integrations: [
        { name: 'support-gpt', weight: 90, fallback: false },
        { name: 'support-backend', weight: 10, fallback: true },
        { name: 'support-echo', weight: 0, fallback: true },
      ],
      stickiness: 'conversation',
      fallbackMessage: 'Please try again later.',
      commands: frozenMap([]),
      historyTtlMs: 604_800_000,
      format: 'markdown',
      source: { file: 'test/fixtures/config/valid/bots/support.yml', line: 3 },
    });
    expect(s.bots.get('minimal')).toEqual({
      name: 'minimal',
      displayName: 'minimal',
      contextWindow: 10,
      channels: { http: {} },
      integrations: [{ name: 'support-echo', weight: 1, fallback: false }],
      stickiness: 'user',
      fallbackMessage: DEFAULT_FALLBACK_MESSAGE,
      commands: frozenMap([]),
      historyTtlMs: 604_800_000,
      format: 'markdown',
      source: { file: 'test/fixtures/config/valid/bots/support.yml', line: 31 },
    });
  });

  it('lists every value that came from the environment as a secret, and no defaults', async () => {
    const s = snapshotOf(await createConfigLoader().load(validDir, { env, cwd: root }));
    expect([...s.secrets].sort()).toEqual(Object.values(env).sort());
    expect(s.secrets).not.toContain('tg-default-secret');
  });

  it('is deeply immutable', async () => {
    const s = snapshotOf(await createConfigLoader().load(validDir, { env, cwd: root }));
    expect(Object.isFrozen(s)).toBe(true);
    expect(Object.isFrozen(s.files)).toBe(true);
    expect(Object.isFrozen(s.secrets)).toBe(true);
    const bot = s.bots.get('support');
    expect(Object.isFrozen(bot)).toBe(true);
    expect(Object.isFrozen(bot?.channels.telegram)).toBe(true);
    expect(Object.isFrozen(bot?.integrations[0])).toBe(true);
    expect(Object.isFrozen(s.integrations.get('support-gpt')?.headers)).toBe(true);
    expect(() => (s.bots as Map<string, unknown>).set('x', {})).toThrow(TypeError);
    expect(() => (s.integrations as Map<string, unknown>).delete('support-gpt')).toThrow(TypeError);
    expect(() => (s.bots as Map<string, unknown>).clear()).toThrow(TypeError);
    expect(s.bots.size).toBe(2);
  });

  it('needs every env reference by default, and reports the variable with its location', async () => {
    const r = await createConfigLoader().load(validDir, { env: { ...env, SB_TG_TOKEN: '' }, cwd: root });
    expect(r).toEqual({
      ok: false,
      problems: [
        {
          file: 'test/fixtures/config/valid/bots/support.yml',
          line: 12,
          column: 12,
          rule: 'env-missing',
          message: 'environment variable SB_TG_TOKEN is empty (referenced in channels.telegram.token); set it or write ${SB_TG_TOKEN:-default}',
        },
      ],
    });
  });

  it('with requireEnv false resolves unset variables to "" and still loads', async () => {
    const s = snapshotOf(await createConfigLoader().load(validDir, { env: { ...env, SB_HTTP_TOKEN: undefined }, cwd: root, requireEnv: false }));
    expect(s.bots.get('support')?.channels.http).toEqual({ token: '' });
  });

  it('makes paths relative to cwd', async () => {
    const r = await createConfigLoader().load('valid', { env: {}, cwd: join(root, 'test/fixtures/config') });
    expect(r.ok).toBe(false);
    expect(r.problems[0]?.file).toBe('valid/bots/support.yml');
  });
});

describe('revision and git commit', () => {
  it('is a 12-hex content hash, independent of cwd, changing with content', async () => {
    const dir = temp();
    cpSync(join(root, validDir), dir, { recursive: true });
    const loader = createConfigLoader();
    const a = snapshotOf(await loader.load(dir, { env }));
    const b = snapshotOf(await createConfigLoader().load('.', { env, cwd: dir }));
    expect(a.revision).toMatch(/^[0-9a-f]{12}$/);
    expect(b.revision).toBe(a.revision);
    expect(a.gitCommit).toBeUndefined();
    writeFileSync(join(dir, 'integrations.yaml'), `${'# changed\n'}${execFileSync('cat', [join(dir, 'integrations.yaml')], { encoding: 'utf8' })}`);
    const c = snapshotOf(await loader.load(dir, { env }));
    expect(c.revision).toMatch(/^[0-9a-f]{12}$/);
    expect(c.revision).not.toBe(a.revision);
  });

  it('reports the HEAD commit of a git checkout (branch and detached)', async () => {
    const dir = temp();
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: dir, encoding: 'utf8' }).trim();
    git('init', '-q', '-b', 'main');
    cpSync(join(root, validDir), join(dir, 'config'), { recursive: true });
    git('add', '.');
    git('commit', '-q', '-m', 'config');
    const head = git('rev-parse', 'HEAD');
    expect(snapshotOf(await createConfigLoader().load(join(dir, 'config'), { env })).gitCommit).toBe(head);
    git('pack-refs', '--all');
    expect(snapshotOf(await createConfigLoader().load(join(dir, 'config'), { env })).gitCommit).toBe(head);
    git('checkout', '-q', '--detach');
    expect(snapshotOf(await createConfigLoader().load(join(dir, 'config'), { env })).gitCommit).toBe(head);
  });
});

describe('per-file cache', () => {
  it('re-parses only the changed file, and picks up env changes without re-parsing', async () => {
    const dir = temp();
    cpSync(join(root, validDir), dir, { recursive: true });
    for (const f of ['integrations.yaml', 'bots/support.yml']) utimesSync(join(dir, f), new Date(Date.now() - 10_000), new Date(Date.now() - 10_000));
    const loader = createConfigLoader();
    expect((await loader.analyze(dir, { env })).parsedFiles).toBe(2);
    expect((await loader.analyze(dir, { env })).parsedFiles).toBe(0);
    writeFileSync(join(dir, 'bots/support.yml'), execFileSync('cat', [join(dir, 'bots/support.yml')], { encoding: 'utf8' }).replace('contextWindow: 4', 'contextWindow: 5'));
    const after = await loader.analyze(dir, { env });
    expect(after.parsedFiles).toBe(1);
    expect(after.snapshot?.bots.get('support')?.contextWindow).toBe(5);
    const other = await loader.analyze(dir, { env: { ...env, SB_OPENAI_KEY: 'sk-rotated' } });
    expect(other.parsedFiles).toBe(0);
    expect(other.snapshot?.integrations.get('support-gpt')?.headers).toEqual({ Authorization: 'Bearer sk-rotated' });
  });

  it('drops deleted files', async () => {
    const dir = temp();
    cpSync(join(root, validDir), dir, { recursive: true });
    const loader = createConfigLoader();
    expect((await loader.load(dir, { env })).ok).toBe(true);
    rmSync(join(dir, 'integrations.yaml'));
    const r = await loader.load(dir, { env, cwd: dir });
    expect(r.ok).toBe(false);
    expect(r.problems.map((p) => `${p.file}:${p.line}:${p.column} ${p.rule}`)).toEqual([
      'bots/support.yml:19:11 unknown-integration',
      'bots/support.yml:21:11 unknown-fallback',
      'bots/support.yml:24:11 unknown-fallback',
      'bots/support.yml:35:11 unknown-integration',
    ]);
  });
});
