import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderAll } from '../../schema/render.js';

const root = join(import.meta.dirname, '..', '..');

describe('generated schema files', () => {
  it('match the zod schemas (run `npm run schema` after editing schema/*.ts)', async () => {
    const rendered = await renderAll();
    expect(Object.keys(rendered).length).toBeGreaterThanOrEqual(4);
    for (const [file, text] of Object.entries(rendered)) {
      expect(readFileSync(join(root, file), 'utf8'), `${file} has drifted`).toBe(text);
    }
  });
});
