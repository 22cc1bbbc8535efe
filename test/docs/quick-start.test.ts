/**
 * The README's quick start runs as printed: `npm start` serves the demo (here: the built CLI's
 * `serve` on a free port, which is what `npm start` runs after building), and the README's
 * curl block, run by bash against it, prints exactly the line the README shows under it.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/config-tree.js';
import { cliPath, ensureBuilt } from '../cli/built-cli.js';
import { codeBlocks, repoRoot } from './markdown.js';

const run = promisify(execFile);
let child: ChildProcess | undefined;
afterAll(() => {
  child?.kill('SIGKILL');
});

describe('README quick start', () => {
  it('npm start serves the demo and is what the README says', () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.prestart).toBe('npm run build');
    expect(pkg.scripts.start).toBe('node dist/runtime/cli.js serve');
    expect(codeBlocks('README.md').some((b) => b.body.includes('npm ci && npm start'))).toBe(true);
  });

  it("the curl block prints the reply shown under it", { timeout: 60_000 }, async () => {
    ensureBuilt();
    const block = codeBlocks('README.md').find((b) => b.body.includes('/channels/http/demo'));
    expect(block).toBeDefined();
    const expected = /^# (\{.*\})$/m.exec(block!.body)?.[1];
    expect(expected).toBeDefined();
    child = spawn(process.execPath, [cliPath, 'serve', '--port', '0'], { cwd: repoRoot, env: { PATH: process.env.PATH, HOME: process.env.HOME }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    const url = await waitFor(() => /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(out)?.[1], 30_000, 'switchboard is listening');
    const command = block!.body.replaceAll('http://127.0.0.1:3000', url);
    expect(command).not.toBe(block!.body);
    const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', command], { cwd: repoRoot, timeout: 30_000 });
    expect(stdout.trim()).toBe(expected);
  });
});
