/**
 * `switchboard validate … | head`: the reader closes the pipe early. The CLI must finish
 * quietly (no EPIPE stack on stderr) with its own exit code (1: the tree has problems).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, ensureBuilt } from './built-cli.js';

let dir: string;
beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'swb-epipe-'));
  // Thousands of unknown keys: far more output than a pipe buffer holds.
  const keys = Array.from({ length: 6000 }, (_, i) => `unknown-key-number-${i}: 1`).join('\n');
  writeFileSync(join(dir, 'bad.yaml'), `apiVersion: switchboard/v1\nkind: Integration\nname: bad\ntype: echo\n${keys}\n`);
}, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function pipeToHead(): Promise<{ cliStatus: string; stderr: string; head: string }> {
  // PIPESTATUS[0] is the CLI's own exit status; `head -n 2` exits after two lines.
  const script = `"${process.execPath}" "${cliPath}" validate "${dir}" 2>"${dir}/stderr" | head -n 2; echo "status=\${PIPESTATUS[0]}"; cat "${dir}/stderr"`;
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('close', () => {
      const m = /status=(\d+)\n/.exec(out);
      if (!m) return reject(new Error(`no status in ${out}`));
      resolve({ cliStatus: m[1] as string, head: out.slice(0, m.index), stderr: out.slice(m.index + m[0].length) });
    });
  });
}

describe('validate into a pipe that closes', () => {
  it('exits with its own code and no stack when the reader goes away', async () => {
    const { cliStatus, stderr, head } = await pipeToHead();
    expect(head.split('\n').filter(Boolean)).toHaveLength(2);
    expect(head).toContain('unknown-key');
    expect(stderr).toBe('');
    expect(cliStatus).toBe('1');
  }, 60_000);
});
