/**
 * Fuzz: mutated config trees (the example documents with values of the wrong type, deleted
 * and unknown keys, and now and then damaged YAML text) through `validateDirs`. It never
 * throws, and every problem is located: a known rule, a line and column inside the file.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { rules } from '../../runtime/config/rules.js';
import { validateDirs } from '../../runtime/config/validate.js';
import { mutate, seededRandom, type Rng } from '../helpers/mutate.js';

const CASES = 2000;
const examples = join(import.meta.dirname, '..', '..', 'examples', 'config');
const seeds: unknown[][] = readdirSync(examples)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => parseAllDocuments(readFileSync(join(examples, f), 'utf8')).map((d) => d.toJS() as unknown));

const dir = mkdtempSync(join(tmpdir(), 'swb-tree-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function damage(text: string, rng: Rng): string {
  const at = Math.floor(rng() * text.length);
  const pieces = ['\t', ': :', '[', '{', '"', "'", '&a ', '*a', '!!binary ', '\r', '\n  - ', '${', '---\n', '%YAML 1.1\n'];
  return text.slice(0, at) + (pieces[Math.floor(rng() * pieces.length)] as string) + text.slice(at);
}

describe('config tree fuzz', () => {
  it(`${CASES} mutated trees: validate never throws and every problem is located`, async () => {
    const rng = seededRandom(0x7ee5);
    const seen = new Set<string>();
    for (let i = 0; i < CASES; i++) {
      const docs = seeds[i % seeds.length] as unknown[];
      const mutated = docs.map((d) => (rng() < 0.6 ? mutate(d, rng) : d));
      let text = mutated.map((d) => stringify(d)).join('---\n');
      if (rng() < 0.3) text = damage(text, rng);
      const file = join(dir, 'tree.yaml');
      writeFileSync(file, text);
      let problems;
      try {
        problems = await validateDirs([dir], { cwd: dir });
      } catch (err) {
        throw new Error(`case ${i}: validate threw ${String(err)} for:\n${text}`);
      }
      const lines = text.split(/\r\n|\r|\n/).length;
      for (const p of problems) {
        seen.add(p.rule);
        const where = `case ${i}: ${JSON.stringify(p)} in:\n${text}`;
        if (!(p.rule in rules) || p.file !== 'tree.yaml' || !(p.line >= 1 && p.line <= lines) || !(p.column >= 1) || p.message.trim() === '') throw new Error(where);
      }
    }
    // The fuzz reaches many rules, not only YAML syntax.
    expect(seen.size).toBeGreaterThan(8);
  }, 120_000);
});
