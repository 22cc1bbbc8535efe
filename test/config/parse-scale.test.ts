/**
 * Pathological YAML: many keys (duplicate detection must stay linear), lone-CR line endings
 * (correct line:column), and nesting deep enough to overflow a recursive parser (a located
 * "nesting too deep" problem, not a stack overflow).
 */
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { parseFile } from '../../runtime/config/parse-file.js';
import { MAX_NESTING, yamlOptions } from '../../runtime/config/yaml-options.js';

const problems = (text: string) => parseFile(text).problems.map((p) => `${p.line}:${p.column} ${p.rule} ${p.message}`);

function manyKeys(n: number): string {
  const lines = ['headers:'];
  for (let i = 0; i < n; i++) lines.push(`  x-header-${i}: value-${i}`);
  return `${lines.join('\n')}\n`;
}

function fastest(text: string): number {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const parsed = parseFile(text);
    best = Math.min(best, performance.now() - t0);
    expect(parsed.problems).toEqual([]);
  }
  return best;
}

describe('duplicate keys at scale', () => {
  it("turns the yaml library's pairwise duplicate-key check off (the converter does it in one pass)", () => {
    expect(yamlOptions.uniqueKeys).toBe(false);
  });

  it('reports every one of 10,000 duplicates at its second occurrence, naming the first line', () => {
    const n = 10_000;
    const lines = ['m:'];
    for (let i = 0; i < n; i++) lines.push(`  k${i}: 1`);
    for (let i = 0; i < n; i++) lines.push(`  k${i}: 2`);
    const found = parseFile(`${lines.join('\n')}\n`).problems;
    expect(found).toHaveLength(n);
    expect(found[0]).toEqual({ line: n + 2, column: 3, rule: 'duplicate-key', message: 'duplicate key "k0" (first at line 2)' });
    expect(found[n - 1]).toMatchObject({ line: 2 * n + 1, message: `duplicate key "k${n - 1}" (first at line ${n + 1})` });
  });

  it('keeps treating 1: and "1": as one key', () => {
    expect(problems('1: a\n"1": b\n')).toEqual(['2:1 duplicate-key duplicate key "1" (first at line 1)']);
  });

  it('parses 4x the keys in well under 16x the time (linear, not quadratic)', () => {
    fastest(manyKeys(1000)); // warm-up
    const small = fastest(manyKeys(5000));
    const large = fastest(manyKeys(20_000));
    // Linear is about 4x; the quadratic check measured 16x. 10x leaves room for a loaded machine.
    expect(large / Math.max(small, 1)).toBeLessThan(10);
  }, 120_000);
});

describe('line endings and nesting', () => {
  it('reads lone CR as a line break (old Mac files): line and column are right', () => {
    expect(problems('a: 1\rb: [1\rc: 3\r')).toEqual(parseFile('a: 1\nb: [1\nc: 3\n').problems.map((p) => `${p.line}:${p.column} ${p.rule} ${p.message}`));
    expect(problems('a: 1\rb: 2\ra: 3\r')).toEqual(['3:1 duplicate-key duplicate key "a" (first at line 1)']);
    expect(parseFile('a: 1\rb: 2\r').docs[0]?.value).toEqual({ a: 1, b: 2 });
  });

  it.each([
    ['flow lists', `a: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`, `1:${4 + MAX_NESTING}`],
    ['flow mappings', `a: ${'{a: '.repeat(10_000)}1${'}'.repeat(10_000)}\n`, `1:${4 + 4 * MAX_NESTING}`],
  ])('refuses 10,000-deep %s with "nesting too deep", located at the first level past the limit', (_name, text, at) => {
    expect(problems(text)).toEqual([`${at} yaml-syntax nesting too deep (limit ${MAX_NESTING} levels of lists and mappings)`]);
  });

  it('refuses deep block nesting the same way (no stack overflow message)', () => {
    const found = parseFile(`a:\n  ${'- '.repeat(10_000)}x\n`).problems;
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ rule: 'yaml-syntax', message: `nesting too deep (limit ${MAX_NESTING} levels of lists and mappings)`, line: 2 });
    // Deep, but not deep enough to overflow the parser: the converter's own limit applies.
    expect(problems(`a:\n  ${'- '.repeat(150)}x\n`)).toEqual([`2:${3 + 2 * MAX_NESTING} yaml-syntax nesting too deep (limit ${MAX_NESTING} levels of lists and mappings)`]);
  });

  it('accepts nesting up to the limit, and brackets inside quotes and comments', () => {
    const ok = `a: ${'['.repeat(MAX_NESTING - 1)}${']'.repeat(MAX_NESTING - 1)}\nb: "${'['.repeat(500)}"\nc: '${'{'.repeat(500)}'\n# ${'['.repeat(500)}\n`;
    expect(problems(ok)).toEqual([]);
  });
});
