/** docs/production.md: its config examples validate, and its bounds and defaults are the code's. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateDirs } from '../../runtime/config/validate.js';
import { DEFAULT_RATE_LIMIT_MESSAGE } from '../../runtime/config/snapshot.js';
import { HISTORY_TTL_DEFAULT_MS, RATE_LIMIT_MESSAGES_MAX } from '../../schema/config.js';

const root = join(import.meta.dirname, '..', '..');
const doc = readFileSync(join(root, 'docs', 'production.md'), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'swb-docs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('docs/production.md', () => {
  it('every YAML block is a valid config on its own', async () => {
    const blocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] as string);
    expect(blocks.length).toBeGreaterThan(0);
    for (const [i, block] of blocks.entries()) {
      const sub = join(dir, `block-${i}`);
      mkdirSync(sub);
      writeFileSync(join(sub, 'config.yaml'), block);
      expect(await validateDirs([sub], { env: {}, allowPrivateNetwork: false }), `block ${i}`).toEqual([]);
    }
  });

  it('states the defaults and bounds the code applies', () => {
    expect(doc).toContain(DEFAULT_RATE_LIMIT_MESSAGE);
    expect(doc).toContain(`1–${RATE_LIMIT_MESSAGES_MAX.toLocaleString('en-US')}`);
    expect(HISTORY_TTL_DEFAULT_MS).toBe(7 * 86_400_000);
    expect(doc).toMatch(/\| `historyTtl` \|.*from `1m` to `365d` \| `7d` \|/);
  });
});
