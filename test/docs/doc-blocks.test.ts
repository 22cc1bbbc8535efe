/**
 * Documentation that cannot rot: the code blocks of README.md, bench/README.md and docs/
 * are checked against the real product.
 *
 * YAML blocks. Every ```yaml (or ```yml) block that holds a Switchboard document (a line
 * `apiVersion: switchboard/...` or `kind: Integration` / `kind: Bot`) is validated with the
 * real validator, on its own, as one file of a config tree (env not required, private
 * network refused). A block that goes with others says so in an HTML comment on the line
 * above its fence:
 *
 *     <!-- validate-with: examples/config/openai.yaml previous -->
 *
 * Each word is a file of the repository (copied into the tree beside the block) or
 * `previous`, the Switchboard block before this one in the same file (with whatever that
 * one goes with). YAML blocks of other tools (a CI workflow, a Kubernetes manifest) are left
 * alone.
 *
 * Shell blocks. A ```sh block whose info string also says `runnable` (```` ```sh runnable ````)
 * is run by bash from the repository root, with `switchboard` on PATH (the built CLI), and
 * must exit 0. Other shell blocks are illustrations (they need a server, keys or a network).
 */
import { execFile } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { formatProblems } from '../../runtime/config/format.js';
import { validateDirs } from '../../runtime/config/validate.js';
import { type CodeBlock, codeBlocks, docFiles, repoRoot } from './markdown.js';

const run = promisify(execFile);
const isSwitchboardYaml = (b: CodeBlock): boolean =>
  ['yaml', 'yml'].includes(b.info[0] ?? '') && /^(apiVersion:\s*switchboard\/|kind:\s*(Integration|Bot)\s*$)/m.test(b.body);
const withList = (b: CodeBlock): string[] => /^validate-with:\s*(.*)$/.exec(b.marker ?? '')?.[1]?.split(/\s+/).filter(Boolean) ?? [];

const tmp = mkdtempSync(join(tmpdir(), 'swb-doc-blocks-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The block plus everything it declares it goes with, as file name → content or source path. */
function treeOf(block: CodeBlock, all: CodeBlock[]): { blocks: CodeBlock[]; files: string[] } {
  const blocks = [block];
  const files: string[] = [];
  for (const word of withList(block)) {
    if (word === 'previous') {
      const before = all.filter((b) => b.line < block.line).at(-1);
      expect(before, `${block.file}:${block.line}: "previous" but no Switchboard block above`).toBeDefined();
      const more = treeOf(before!, all);
      blocks.push(...more.blocks);
      files.push(...more.files);
    } else files.push(word);
  }
  return { blocks, files };
}

const yamlCases = docFiles().flatMap((file) => {
  const all = codeBlocks(file).filter(isSwitchboardYaml);
  return all.map((block) => ({ name: `${file}:${block.line}`, block, all }));
});

describe('Switchboard YAML in the docs validates', () => {
  it('finds the YAML blocks (README, configuration, integrations, channels)', () => {
    const files = new Set(yamlCases.map((c) => c.block.file));
    for (const f of ['README.md', 'docs/configuration.md', 'docs/integrations.md', 'docs/channels.md']) expect(files, f).toContain(f);
  });

  it.each(yamlCases)('$name', async ({ block, all }) => {
    const dir = join(tmp, `yaml-${basename(block.file, '.md')}-${block.line}`);
    mkdirSync(dir, { recursive: true });
    const { blocks, files } = treeOf(block, all);
    for (const b of blocks) writeFileSync(join(dir, `block-${b.line}.yaml`), b.body);
    for (const f of files) copyFileSync(join(repoRoot, f), join(dir, `with-${basename(f)}`));
    const problems = await validateDirs([dir], { env: {}, requireEnv: false, allowPrivateNetwork: false });
    expect(formatProblems(problems, 'text'), `${block.file}:${block.line}`).toBe(formatProblems([], 'text'));
  });
});

const shellCases = docFiles().flatMap((file) =>
  codeBlocks(file)
    .filter((b) => ['sh', 'bash', 'shell'].includes(b.info[0] ?? '') && b.info.includes('runnable'))
    .map((block) => ({ name: `${file}:${block.line}`, block })),
);

describe('runnable shell blocks in the docs run', () => {
  const bin = join(tmp, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'switchboard'), `#!/bin/sh\nexec node ${JSON.stringify(join(repoRoot, 'dist/runtime/cli.js'))} "$@"\n`);
  chmodSync(join(bin, 'switchboard'), 0o755);

  it('there is at least one runnable block', () => {
    expect(shellCases.length).toBeGreaterThan(0);
  });

  it.each(shellCases)('$name', { timeout: 120_000 }, async ({ block }) => {
    const env = { ...process.env, PATH: `${bin}:${join(repoRoot, 'node_modules/.bin')}:${process.env.PATH ?? ''}` };
    const result = await run('bash', ['-euo', 'pipefail', '-c', block.body], { cwd: repoRoot, env, timeout: 110_000 }).catch((e: unknown) => e as { code: number; stdout: string; stderr: string });
    expect('code' in result ? { code: result.code, stdout: result.stdout, stderr: result.stderr } : { code: 0 }).toMatchObject({ code: 0 });
  });
});
