/**
 * docs/reviewing-a-change.md: its example comment is what the command prints today, and its
 * Switchboard YAML blocks validate.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateDirs } from '../../runtime/config/validate.js';
import { renderDocExample } from '../diff/doc-example.js';

const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'reviewing-a-change.md'), 'utf8');

describe('docs/reviewing-a-change.md', () => {
  it('shows the comment switchboard diff renders for the fixture change', async () => {
    const m = /<!-- example:start -->\n````markdown\n([\s\S]*?)````\n<!-- example:end -->/.exec(doc);
    expect(m, 'the example block').not.toBeNull();
    const r = await renderDocExample();
    expect(r.code).toBe(0);
    expect(m![1]).toBe(r.stdout);
  });

  it('every Switchboard YAML block validates', async () => {
    const blocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((b) => b[1] as string).filter((b) => b.includes('apiVersion: switchboard/'));
    expect(blocks.length).toBeGreaterThan(0);
    for (const block of blocks) {
      const dir = mkdtempSync(join(tmpdir(), 'swb-doc-'));
      try {
        writeFileSync(join(dir, 'block.yaml'), block);
        expect(await validateDirs(['.'], { cwd: dir, env: {} })).toEqual([]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });
});
