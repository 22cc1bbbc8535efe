/**
 * `validate --env-file` (env-undeclared at the reference, env-unused notes, env-file problems),
 * not-switchboard warnings and --strict, and near-miss documents that are always errors.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runInProcess } from '../helpers/git-repo.js';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function tree(files: Record<string, string>): string {
  dir = mkdtempSync(join(tmpdir(), 'swb-venv-'));
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  return dir;
}

const config = [
  'apiVersion: switchboard/v1',
  'kind: Integration',
  'name: gpt',
  'type: openai',
  'url: https://api.openai.com/v1/chat/completions',
  'headers:',
  '  Authorization: Bearer ${OPENAI_API_KEY}',
  '  X-Org: ${OPENAI_ORG:-none}',
  '  X-Project: ${OPENAI_PROJECT}',
  '---',
  'apiVersion: switchboard/v1',
  'kind: Bot',
  'name: b',
  'channels:',
  '  http: {}',
  'integrations:',
  '  - name: gpt',
  '',
].join('\n');

describe('validate --env-file', () => {
  it('env-undeclared at each reference without a default; unused names as notes; exit 1', async () => {
    tree({ 'integrations/x.yaml': config, '.env.example': '# names\nexport OPENAI_API_KEY=\nUNUSED_NAME\n' });
    const r = await runInProcess(['validate', 'integrations', '--env-file', '.env.example', '--format', 'json'], dir, { OPENAI_PROJECT: 'set-in-env' });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual([
      { file: '.env.example', line: 3, column: 1, rule: 'env-unused', severity: 'note', message: 'UNUSED_NAME is declared but no config file references it' },
      {
        file: 'integrations/x.yaml',
        line: 9,
        column: 14,
        rule: 'env-undeclared',
        severity: 'error',
        message: 'environment variable OPENAI_PROJECT is not declared in .env.example; declare it there or write ${OPENAI_PROJECT:-default}',
      },
    ]);
    const text = await runInProcess(['validate', 'integrations', '--env-file', '.env.example'], dir);
    expect(text.stdout).toContain('integrations/x.yaml:9:14: error: environment variable OPENAI_PROJECT is not declared');
    expect(text.stdout).toContain('.env.example:3:1: note: UNUSED_NAME is declared');
    expect(text.stdout).toContain('invalid: 1 error in 1 file, 1 note');
    const gh = await runInProcess(['validate', 'integrations', '--env-file', '.env.example', '--format', 'github'], dir);
    expect(gh.stdout).toContain('::notice file=.env.example,line=3,col=1,title=env-unused::');
    expect(gh.stdout).toContain('::error file=integrations/x.yaml,line=9,col=14,title=env-undeclared::');
  });

  it('repeatable, and Kubernetes manifests count: declared in either file passes; notes alone exit 0', async () => {
    tree({
      'integrations/x.yaml': config,
      'k8s/secret.yaml': 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  OPENAI_API_KEY: x\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  EXTRA: y\n',
      '.env': 'OPENAI_PROJECT="quoted"\n',
    });
    const r = await runInProcess(['validate', 'integrations', '--env-file', 'k8s/secret.yaml', '--env-file', '.env'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('k8s/secret.yaml:13:3: note: EXTRA is declared but no config file references it (env-unused)');
    expect(r.stdout).toContain('valid: 1 file, 2 documents, no errors (1 note)');
  });

  it('an unreadable env file is a usage error (exit 2); a malformed line is an env-file error', async () => {
    tree({ 'integrations/x.yaml': config, '.env': 'OPENAI_API_KEY=1\nOPENAI_PROJECT=2\nnot valid\n' });
    const missing = await runInProcess(['validate', 'integrations', '--env-file', 'nope.env'], dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('env file nope.env cannot be read (ENOENT)');
    const bad = await runInProcess(['validate', 'integrations', '--env-file', '.env', '--format', 'json'], dir);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toEqual([expect.objectContaining({ file: '.env', line: 3, column: 1, rule: 'env-file', severity: 'error' })]);
  });
});

describe('not-switchboard warnings and --strict', () => {
  const bot = 'apiVersion: switchboard/v1\nkind: Integration\nname: e\ntype: echo\n---\napiVersion: switchboard/v1\nkind: Bot\nname: b\nchannels:\n  http: {}\nintegrations:\n  - name: e\n';
  const foreign = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\n';

  it('a warning in every format that exits 0; --strict makes it an error', async () => {
    tree({ 'integrations/bot.yaml': bot, 'integrations/deploy.yaml': foreign });
    const text = await runInProcess(['validate', 'integrations'], dir);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('integrations/deploy.yaml:1:1: warning: no Switchboard document in this file');
    expect(text.stdout).toContain('(not-switchboard)');
    expect(text.stdout).toContain('valid: 1 file, 2 documents, no errors (1 warning)');
    const gh = await runInProcess(['validate', 'integrations', '--format', 'github'], dir);
    expect(gh.code).toBe(0);
    expect(gh.stdout).toMatch(/^::warning file=integrations\/deploy\.yaml,line=1,col=1,title=not-switchboard::/);
    const json = await runInProcess(['validate', 'integrations', '--format', 'json'], dir);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([expect.objectContaining({ file: 'integrations/deploy.yaml', rule: 'not-switchboard', severity: 'warning' })]);
    const strict = await runInProcess(['validate', 'integrations', '--strict', '--format', 'json'], dir);
    expect(strict.code).toBe(1);
    expect(JSON.parse(strict.stdout)).toEqual([expect.objectContaining({ rule: 'not-switchboard', severity: 'error' })]);
  });

  it('near-miss documents are always errors, located, never skipped', async () => {
    tree({
      'integrations/bot.yaml': bot,
      'integrations/lower.yaml': 'apiversion: switchboard/v1\nkind: bot\nname: x\n',
      'integrations/kind-key.yaml': 'apiVersion: switchboard/v1\nKind: Integration\nname: y\ntype: echo\n',
      'integrations/v2.yaml': 'apiVersion: switchboard/v2\nkind: Integration\nname: z\ntype: echo\n',
      'integrations/upper.yaml': 'apiVersion: switchboard/v1\nkind: INTEGRATION\nname: w\ntype: echo\n',
    });
    const r = await runInProcess(['validate', 'integrations', '--format', 'json'], dir);
    expect(r.code).toBe(1);
    const at = (JSON.parse(r.stdout) as Array<{ file: string; line: number; column: number; rule: string; message: string }>).map(
      (p) => `${p.file}:${p.line}:${p.column} ${p.rule} ${p.message}`,
    );
    expect(at).toEqual([
      'integrations/kind-key.yaml:2:1 unknown-kind key "Kind" must be written "kind" (keys are case-sensitive); as written this document is not read as Switchboard config',
      'integrations/lower.yaml:1:1 api-version key "apiversion" must be written "apiVersion" (keys are case-sensitive); as written this document is not read as Switchboard config',
      'integrations/lower.yaml:2:7 unknown-kind kind must be "Bot" (values are case-sensitive), got "bot"',
      'integrations/upper.yaml:2:7 unknown-kind kind must be "Integration" (values are case-sensitive), got "INTEGRATION"',
      'integrations/v2.yaml:1:13 api-version apiVersion must be "switchboard/v1", got "switchboard/v2"',
    ]);
  });
});

describe('SWITCHBOARD_ALLOW_PRIVATE_NETWORK', () => {
  it.each(['1', 'true', 'YES', 'True'])('%s allows a loopback webhook in validate', async (value) => {
    tree({ 'integrations/x.yaml': 'apiVersion: switchboard/v1\nkind: Integration\nname: l\nurl: http://127.0.0.1:9/hook\n' });
    expect((await runInProcess(['validate', 'integrations'], dir, { SWITCHBOARD_ALLOW_PRIVATE_NETWORK: value })).code).toBe(0);
    expect((await runInProcess(['validate', 'integrations'], dir, { SWITCHBOARD_ALLOW_PRIVATE_NETWORK: 'no' })).code).toBe(1);
  });
});
