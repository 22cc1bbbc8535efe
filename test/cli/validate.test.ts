/**
 * `switchboard validate` through the built binary: exit codes, the three formats, several
 * directories, --require-env, defaults from the environment.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, repoRoot, runCli } from './built-cli.js';

const rules = 'test/fixtures/config/rules';
const exampleEnv = Object.fromEntries(
  [
    'OPENAI_API_KEY',
    'ANTHROPIC_API_KEY',
    'MY_BACKEND_TOKEN',
    'BACKEND_BOT_HTTP_TOKEN',
    'TELEGRAM_BOT_TOKEN',
    'TELEGRAM_WEBHOOK_SECRET',
    'SLACK_BOT_TOKEN',
    'SLACK_SIGNING_SECRET',
  ].map((k) => [k, 'set']),
);

beforeAll(() => ensureBuilt(), 240_000);

describe('switchboard validate', () => {
  it('exits 0 and says so for valid trees', async () => {
    const r = await runCli(['validate', 'integrations', 'examples/config']);
    expect(r).toEqual({ code: 0, stdout: 'valid: 7 files, 16 documents, no problems\n', stderr: '' });
  });

  it('text: every problem as FILE:LINE:COL: error: MESSAGE (rule) with an excerpt, sorted across directories; exit 1', async () => {
    const r = await runCli(['validate', `${rules}/unknown-key`, `${rules}/api-version`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      [
        `${rules}/api-version/v2.yaml:1:13: error: apiVersion must be "switchboard/v1", got "switchboard/v2" (api-version)`,
        '  1 | apiVersion: switchboard/v2',
        '    |             ^',
        `${rules}/unknown-key/typo.yaml:13:5: error: unknown key "wieght" in integrations[0] (did you mean "weight"?) (unknown-key)`,
        '  13 |     wieght: 2',
        '     |     ^',
        `${rules}/unknown-key/typo.yaml:14:1: error: unknown key "systemPromt" (did you mean "systemPrompt"?) (unknown-key)`,
        '  14 | systemPromt: hi',
        '     | ^',
        'invalid: 3 errors in 2 files (2 files, 3 documents)',
        '',
      ].join('\n'),
    );
  });

  it('json: the problem array on stdout, [] when valid', async () => {
    const bad = await runCli(['validate', '--format', 'json', `${rules}/duplicate-name`]);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toEqual([
      {
        file: `${rules}/duplicate-name/b.yaml`,
        line: 4,
        column: 7,
        rule: 'duplicate-name',
        severity: 'error',
        message: `duplicate Integration name "echo"; already defined at ${rules}/duplicate-name/a.yaml:3`,
      },
    ]);
    const good = await runCli(['validate', '--format=json', 'integrations']);
    expect(good).toEqual({ code: 0, stdout: '[]\n', stderr: '' });
  });

  it('github: one ::error annotation per problem', async () => {
    const r = await runCli(['validate', `${rules}/yaml-syntax`, '--format', 'github']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      `::error file=${rules}/yaml-syntax/bad.yaml,line=7,col=1,title=yaml-syntax::Missing closing "quote\n` +
        `::error file=${rules}/yaml-syntax/compact.yaml,line=4,col=8,title=yaml-syntax::Nested mappings are not allowed in compact mappings\n`,
    );
    expect((await runCli(['validate', 'integrations', '--format', 'github'])).stdout).toBe('');
  });

  it('validates several directories each as its own tree', async () => {
    // Both trees define Integration "echo"; only a tree of its own may do that without a duplicate.
    const r = await runCli(['validate', '--format', 'json', 'integrations', `${rules}/no-active-integration`]);
    expect(JSON.parse(r.stdout).map((p: { rule: string }) => p.rule)).toEqual(['no-active-integration']);
  });

  it('--require-env reports unset references; without it they are fine', async () => {
    const missing = await runCli(['validate', 'examples/config', '--require-env', '--format', 'json']);
    expect(missing.code).toBe(1);
    const problems = JSON.parse(missing.stdout) as Array<{ file: string; line: number; column: number; rule: string }>;
    expect(problems.length).toBe(13);
    expect(problems.every((p) => p.rule === 'env-missing')).toBe(true);
    expect(problems[0]).toMatchObject({ file: 'examples/config/ab-test.yaml', line: 12, column: 25 });
    const set = await runCli(['validate', 'examples/config', '--require-env'], {
      env: { ...exampleEnv, MY_BACKEND_SIGNING_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' },
    });
    expect(set.code).toBe(0);
    const badSecret = await runCli(['validate', 'examples/config', '--require-env', '--format', 'json'], {
      env: { ...exampleEnv, MY_BACKEND_SIGNING_SECRET: 'not-a-whsec-secret' },
    });
    expect(JSON.parse(badSecret.stdout)).toEqual([
      {
        file: 'examples/config/custom-webhook.yaml',
        line: 13,
        column: 16,
        rule: 'signing-secret',
        severity: 'error',
        message: 'signingSecret must be "whsec_" followed by base64 (a Standard Webhooks secret)',
      },
    ]);
    expect(badSecret.stdout).not.toContain('not-a-whsec-secret');
  });

  it('--allow-private-network and SWITCHBOARD_ALLOW_PRIVATE_NETWORK=1 permit private targets', async () => {
    expect((await runCli(['validate', `${rules}/private-network`])).code).toBe(1);
    expect((await runCli(['validate', `${rules}/private-network`, '--allow-private-network'])).code).toBe(0);
    expect((await runCli(['validate', `${rules}/private-network`], { env: { SWITCHBOARD_ALLOW_PRIVATE_NETWORK: '1' } })).code).toBe(0);
  });

  describe('default directory and cwd', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'sb-cli-'));
      cpSync(join(repoRoot, 'integrations'), join(dir, 'integrations'), { recursive: true });
      cpSync(join(repoRoot, rules, 'invalid-name'), join(dir, 'other'), { recursive: true });
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('uses ./integrations, or $SWITCHBOARD_CONFIG, with paths relative to the cwd', async () => {
      expect(await runCli(['validate'], { cwd: dir })).toEqual({ code: 0, stdout: 'valid: 1 file, 2 documents, no problems\n', stderr: '' });
      const r = await runCli(['validate', '--format', 'json'], { cwd: dir, env: { SWITCHBOARD_CONFIG: 'other' } });
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout)[0]).toMatchObject({ file: 'other/names.yaml', line: 3, column: 7, rule: 'invalid-name' });
    });
  });

  describe('usage errors exit 2 with a message on stderr and nothing on stdout', () => {
    const cases: Array<[string, string[], string]> = [
      ['unknown flag', ['validate', '--bogus', 'integrations'], "switchboard validate: Unknown option '--bogus'\n"],
      ['bad --format', ['validate', '--format', 'xml', 'integrations'], 'switchboard validate: --format must be one of text, json, github, got "xml"\n'],
      ['missing directory', ['validate', 'integrations', 'no/such/dir'], 'switchboard validate: config directory no/such/dir does not exist\n'],
    ];
    for (const [name, args, firstLine] of cases) {
      it(name, async () => {
        const r = await runCli(args);
        expect(r.code).toBe(2);
        expect(r.stdout).toBe('');
        expect(r.stderr.startsWith(firstLine)).toBe(true);
      });
    }
  });
});
