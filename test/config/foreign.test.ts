/**
 * Other tools' YAML beside the config (Kubernetes manifests, compose files, CI workflows) is
 * skipped with a not-switchboard warning, never silently accepted as config and never an error
 * (except with --strict); a file that looks like Switchboard's is always checked.
 */
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createConfigLoader } from '../../runtime/config/loader.js';
import { validateTrees } from '../../runtime/config/validate.js';

let dir: string;
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function tree(files: Record<string, string>): Promise<string> {
  dir = await mkdtemp(join(tmpdir(), 'swb-foreign-'));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  return dir;
}

const bot = 'apiVersion: switchboard/v1\nkind: Integration\nname: e\ntype: echo\n---\napiVersion: switchboard/v1\nkind: Bot\nname: b\nchannels:\n  http: {}\nintegrations:\n  - name: e\n';

describe('files holding no Switchboard document', () => {
  it('are skipped and listed: Kubernetes manifests, compose with ${VAR:?msg}, workflows', async () => {
    const root = await tree({
      'bot.yaml': bot,
      'deploy/k8s.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: x\n',
      'deploy/compose.yml': 'name: sb\nservices:\n  sb:\n    environment:\n      TOKEN: ${TOKEN:?set TOKEN}\n',
      '.github/ignored-anyway.yml': 'on: [push]\n',
    });
    const summary = await validateTrees([root], { cwd: root });
    expect(summary.errors).toBe(0);
    expect(summary.problems.map((p) => `${p.file}:${p.line}:${p.column} ${p.severity} ${p.rule}`)).toEqual([
      `${join('deploy', 'compose.yml')}:1:1 warning not-switchboard`,
      `${join('deploy', 'k8s.yaml')}:1:1 warning not-switchboard`,
    ]);
    expect(summary.skipped.sort()).toEqual([join('deploy', 'compose.yml'), join('deploy', 'k8s.yaml')]);
    expect(summary.files).toBe(1);
    const loaded = await createConfigLoader().load(root, { cwd: root, env: {} });
    expect(loaded.ok).toBe(true);
    if (loaded.ok) expect(loaded.snapshot.files).toEqual(['bot.yaml']);
  });

  it('are checked when any document looks like Switchboard, or the schema modeline is there', async () => {
    const root = await tree({
      'typo-kind.yaml': 'apiVersion: switchboard/v1\nkind: Bott\nname: x\n',
      'mixed.yaml': 'apiVersion: apps/v1\nkind: Deployment\n---\nkind: Bot\nname: y\n',
      'modeline.yaml': '# yaml-language-server: $schema=../integrations.schema.json\nname: z\n',
      'broken.yaml': 'a: [1, 2\n',
    });
    const { problems, skipped } = await validateTrees([root], { cwd: root });
    expect(skipped).toEqual([]);
    const at = problems.map((p) => `${p.file}:${p.line}:${p.column} ${p.rule}`);
    expect(at).toContain('typo-kind.yaml:2:7 unknown-kind');
    expect(at).toContain('mixed.yaml:1:13 api-version');
    expect(at).toContain('modeline.yaml:2:1 missing-key');
    expect(at.some((p) => p.startsWith('broken.yaml:') && p.endsWith('yaml-syntax'))).toBe(true);
  });
});
