/**
 * One failing fixture per rule (test/fixtures/config/rules/<rule>/), each problem asserted at
 * its exact file:line:column. Rules that need filesystem tricks (file-too-large,
 * file-unreadable, symlink-loop, config-dir) are covered in loader-fs.test.ts.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rules } from '../../runtime/config/rules.js';
import { validateDirs } from '../../runtime/config/validate.js';

const root = join(import.meta.dirname, '..', '..');
const base = 'test/fixtures/config/rules';
const env = { SB_TEST_EMPTY: '', SB_TEST_SIGNING_SECRET: 'sk_live_notwhsec' };

/** rule → [file:line:col rule, ...] expected for that fixture tree, in output order. */
const expected: Record<string, string[]> = {
  'yaml-syntax': ['bad.yaml:7:1 yaml-syntax', 'compact.yaml:4:8 yaml-syntax'],
  'duplicate-key': ['dup.yaml:6:1 duplicate-key'],
  'yaml-tag': ['tags.yaml:5:8 yaml-tag', 'tags.yaml:7:13 yaml-tag'],
  'yaml-alias': ['laughs.yaml:10:10 yaml-alias', 'other.yaml:5:8 yaml-alias', 'other.yaml:7:11 yaml-alias'],
  'api-version': ['v2.yaml:1:13 api-version'],
  'unknown-kind': ['kind.yaml:2:7 unknown-kind'],
  'missing-key': ['missing.yaml:2:1 missing-key', 'missing.yaml:7:5 missing-key', 'missing.yaml:9:1 missing-key'],
  'unknown-key': ['typo.yaml:13:5 unknown-key', 'typo.yaml:14:1 unknown-key'],
  'invalid-type': ['types.yaml:5:10 invalid-type', 'types.yaml:7:14 invalid-type', 'types.yaml:9:1 invalid-type'],
  'invalid-value': [
    'values.yaml:4:7 invalid-value',
    'values.yaml:6:14 invalid-value',
    'values.yaml:7:10 invalid-value',
    'values.yaml:12:13 invalid-value',
    'values.yaml:13:16 invalid-value',
    'values.yaml:16:15 invalid-value',
  ],
  'invalid-name': ['names.yaml:3:7 invalid-name'],
  'duplicate-name': ['b.yaml:4:7 duplicate-name'],
  'unknown-integration': ['bot.yaml:12:11 unknown-integration'],
  'unknown-fallback': ['bot.yaml:13:11 unknown-fallback'],
  'duplicate-integration-entry': ['bot.yaml:14:11 duplicate-integration-entry'],
  'no-active-integration': ['bot.yaml:12:3 no-active-integration'],
  'missing-url': ['int.yaml:1:1 missing-url'],
  'invalid-url': ['urls.yaml:4:6 invalid-url', 'urls.yaml:9:6 invalid-url', 'urls.yaml:18:13 invalid-url'],
  'insecure-url': ['http.yaml:4:6 insecure-url'],
  'url-credentials': ['creds.yaml:4:6 url-credentials'],
  'private-network': [4, 9, 14, 19, 24, 29, 34, 39].map((line) => `private.yaml:${line}:6 private-network`),
  'timeout-range': [
    'streaming.yaml:6:20 timeout-range',
    'streaming.yaml:14:14 timeout-range',
    'streaming.yaml:21:20 timeout-range',
    'streaming.yaml:37:10 timeout-range',
    'timeouts.yaml:5:10 timeout-range', 'timeouts.yaml:11:10 timeout-range', 'timeouts.yaml:17:10 timeout-range'],
  'env-syntax': ['env.yaml:6:13 env-syntax', 'env.yaml:7:6 env-syntax', 'env.yaml:8:13 env-syntax', 'env.yaml:9:6 env-syntax'],
  'env-missing': ['env.yaml:6:25 env-missing', 'env.yaml:7:12 env-missing'],
  'signing-secret': ['secret.yaml:7:5 signing-secret', 'secret.yaml:8:5 signing-secret'],
};

async function run(rule: string, opts: { requireEnv?: boolean; allowPrivateNetwork?: boolean } = {}) {
  const problems = await validateDirs([`${base}/${rule}`], { env, cwd: root, requireEnv: rule === 'env-missing', ...opts });
  return problems;
}

const short = (file: string, line: number, column: number, rule: string): string => `${file.slice(base.length + 1).replace(/^[^/]+\//, '')}:${line}:${column} ${rule}`;

describe('every rule has a failing fixture located exactly', () => {
  for (const [rule, want] of Object.entries(expected)) {
    it(rule, async () => {
      const problems = await run(rule);
      expect(problems.map((p) => short(p.file, p.line, p.column, p.rule))).toEqual(want);
      for (const p of problems) expect(p.file.startsWith(`${base}/${rule}/`)).toBe(true);
    });
  }

  it('covers every rule id (the rest are in loader-fs.test.ts)', () => {
    const fsRules = ['config-dir', 'file-unreadable', 'file-too-large', 'symlink-loop'];
    // Rules that need --env-file or --strict: test/cli/validate-env.test.ts.
    const optionRules = ['env-undeclared', 'env-unused', 'env-file', 'not-switchboard'];
    expect(Object.keys(rules).sort()).toEqual([...Object.keys(expected), ...fsRules, ...optionRules].sort());
    expect(readdirSync(join(root, base)).sort()).toEqual(Object.keys(expected).sort());
    for (const id of Object.keys(rules)) expect(id).toMatch(/^[a-z]+(-[a-z]+)*$/);
  });
});

describe('messages', () => {
  const messages = async (rule: string) => (await run(rule)).map((p) => p.message);

  it('name the duplicate key and the line of its first occurrence', async () => {
    expect(await messages('duplicate-key')).toEqual(['duplicate key "type" (first at line 4)']);
  });

  it('suggest the intended key for a typo', async () => {
    expect(await messages('unknown-key')).toEqual([
      'unknown key "wieght" in integrations[0] (did you mean "weight"?)',
      'unknown key "systemPromt" (did you mean "systemPrompt"?)',
    ]);
  });

  it('name the other file:line of a duplicate name', async () => {
    expect(await messages('duplicate-name')).toEqual([
      'duplicate Integration name "echo"; already defined at test/fixtures/config/rules/duplicate-name/a.yaml:3',
    ]);
  });

  it('name the missing key and where it belongs', async () => {
    expect(await messages('missing-key')).toEqual([
      'missing required key "integrations"',
      'missing required key "secretToken" in channels.telegram',
      'missing required key "kind" (Integration or Bot)',
    ]);
  });

  it('suggest a close integration name for an unknown reference', async () => {
    expect(await messages('unknown-integration')).toEqual([
      'bot "demo" uses integration "support-gtp", which no Integration document defines (did you mean "support-gpt"?)',
    ]);
  });

  it('refuse the billion-laughs pattern in milliseconds', async () => {
    // The message names the 10 000-node cap; an uncapped expansion (10^12 nodes) would not end within the test timeout.
    const problems = await run('yaml-alias');
    expect(problems[0]?.message).toBe(
      'alias expansion exceeds 10000 nodes in one document (a "billion laughs" pattern?); write the values out instead',
    );
  });

  it('never print an env value, even a wrong signing secret', async () => {
    const text = JSON.stringify(await run('signing-secret'));
    expect(text).not.toContain('sk_live_notwhsec');
    expect(await messages('signing-secret')).toEqual([
      'signingSecret must be "whsec_" followed by base64 (a Standard Webhooks secret)',
      'signingSecret must be "whsec_" followed by base64 (a Standard Webhooks secret)',
    ]);
  });

  it('name the variable of a missing env reference and say unset vs empty', async () => {
    expect(await messages('env-missing')).toEqual([
      'environment variable SB_TEST_UNSET_TOKEN is not set (referenced in headers.Authorization); set it or write ${SB_TEST_UNSET_TOKEN:-default}',
      'environment variable SB_TEST_EMPTY is empty (referenced in headers.X-Empty); set it or write ${SB_TEST_EMPTY:-default}',
    ]);
  });
});

describe('options', () => {
  it('env-missing is reported only with requireEnv', async () => {
    expect(await run('env-missing', { requireEnv: false })).toEqual([]);
  });

  it('allowPrivateNetwork permits private addresses and http, but not credentials', async () => {
    expect(await run('private-network', { allowPrivateNetwork: true })).toEqual([]);
    expect(await run('insecure-url', { allowPrivateNetwork: true })).toEqual([]);
    expect((await run('url-credentials', { allowPrivateNetwork: true })).map((p) => p.rule)).toEqual(['url-credentials']);
  });
});
