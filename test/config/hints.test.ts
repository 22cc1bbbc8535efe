/**
 * Config errors a new user hits, each with the hint that fixes it: an over-indented line
 * (YAML's "Implicit keys need to be on a single line" names the line to fix) and a channel
 * switched on with `http:` or `http: true` (says `http: {}`).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateDirs } from '../../runtime/config/validate.js';

const root = mkdtempSync(join(tmpdir(), 'swb-hints-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
async function problemsOf(yaml: string) {
  const dir = join(root, String(n++));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'bot.yaml'), yaml);
  return (await validateDirs([dir], { env: {}, requireEnv: false })).map(({ line, column, rule, message }) => ({ line, column, rule, message }));
}
const head = 'apiVersion: switchboard/v1\nkind: Integration\nname: echo\ntype: echo\n---\napiVersion: switchboard/v1\nkind: Bot\nname: demo\n';

describe('config hints', () => {
  it('an over-indented key names the deeper line, once', async () => {
    const problems = await problemsOf(`${head}displayName: Demo\n  systemPrompt: Be brief.\nchannels:\n  http: {}\nintegrations:\n  - name: echo\n`);
    expect(problems).toEqual([
      {
        line: 9,
        column: 14,
        rule: 'yaml-syntax',
        message: 'Implicit keys need to be on a single line (line 10 is indented deeper than line 9: keys of one mapping must start in the same column)',
      },
    ]);
  });

  for (const value of ['', ' true', ' null']) {
    it(`channels.http:${value || ' (nothing)'} says to write http: {}`, async () => {
      const problems = await problemsOf(`${head}channels:\n  http:${value}\nintegrations:\n  - name: echo\n`);
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatchObject({ line: 10, rule: 'invalid-type' });
      expect(problems[0]?.message).toMatch(/^channels\.http must be a mapping, got .* \(write "http: \{\}" to enable the channel with no options\)$/);
    });
  }
});
