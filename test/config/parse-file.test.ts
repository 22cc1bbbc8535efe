import { describe, expect, it } from 'vitest';
import { parseFile } from '../../runtime/config/parse-file.js';

const values = (text: string) => parseFile(text).docs.map((d) => d.value);
const problems = (text: string) => parseFile(text).problems.map((p) => `${p.line}:${p.column} ${p.rule}`);

describe('safe YAML parsing', () => {
  it('uses YAML 1.2 core even under a %YAML 1.1 directive: yes/on/off stay strings', () => {
    const text = '%YAML 1.1\n---\na: yes\nb: on\nc: off\nd: true\ne: 017\nf: 0x1F\ng: ~\n';
    expect(values(text)).toEqual([{ a: 'yes', b: 'on', c: 'off', d: true, e: 17, f: 31, g: null }]);
    expect(problems(text)).toEqual([]);
  });

  it('rejects non-core tags (!!binary, !!timestamp, !!set, local tags) but accepts core ones', () => {
    const text = 'a: !!binary aGk=\nb: !!timestamp 2001-12-14\nc: !!set {x}\nd: !foo bar\ne: !!str 3\nf: !!int "7"\n';
    expect(problems(text)).toEqual(['1:4 yaml-tag', '2:4 yaml-tag', '3:4 yaml-tag', '4:4 yaml-tag']);
    expect(parseFile(text).docs[0]?.yamlOk).toBe(false);
    expect(parseFile('e: !!str 3\nf: !!int "7"\n').docs[0]?.value).toEqual({ e: '3', f: 7 });
  });

  it('does not apply merge keys', () => {
    const text = 'base: &b {x: 1}\nuse:\n  <<: *b\n';
    expect(values(text)).toEqual([{ base: { x: 1 }, use: { '<<': { x: 1 } } }]);
  });

  it('reports duplicate keys at the second occurrence, also when YAML types differ but JS keys collide', () => {
    expect(problems('a: 1\nb: 2\na: 3\n')).toEqual(['3:1 duplicate-key']);
    expect(problems('1: a\n"1": b\n')).toEqual(['2:1 duplicate-key']);
  });

  it('splits multi-document files and skips empty documents', () => {
    const parsed = parseFile('# comment only\n---\na: 1\n---\n---\nb: 2\n...\n');
    expect(parsed.docs.map((d) => [d.index, d.value, d.position.line])).toEqual([
      [0, { a: 1 }, 3],
      [2, { b: 2 }, 6],
    ]);
    expect(parseFile('').docs).toEqual([]);
  });

  it('expands aliases by copy, so each use has its own path', () => {
    const parsed = parseFile('x: &t "Bearer ${TOKEN}"\ny: *t\n');
    expect(parsed.docs[0]?.value).toEqual({ x: 'Bearer ${TOKEN}', y: 'Bearer ${TOKEN}' });
    expect(parsed.docs[0]?.envStrings.map((s) => s.path)).toEqual([['x'], ['y']]);
    expect(parsed.envVars).toEqual(['TOKEN']);
  });

  it('stops alias expansion past the limit quickly and locates the alias', () => {
    const levels = ['a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]'];
    for (let i = 1; i < 12; i++) levels.push(`l${i}: &l${i} [${Array(10).fill(i === 1 ? '*a' : `*l${i - 1}`).join(', ')}]`);
    // 10^12 nodes uncapped: stopping at all (within the test timeout) is the proof, the location the detail.
    const parsed = parseFile(`${levels.join('\n')}\n`);
    expect(parsed.problems.map((p) => `${p.line}:${p.column} ${p.rule}`)).toEqual(['4:45 yaml-alias']);
  });

  it('rejects collection keys and keeps __proto__ as a plain key', () => {
    expect(problems('? [a, b]\n: c\n')).toEqual(['1:3 invalid-type']);
    const value = parseFile('__proto__: {polluted: true}\n').docs[0]?.value as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('treats parser warnings as errors', () => {
    expect(problems('%YAML 1.3\n---\na: 1\n')).toEqual(['1:7 yaml-syntax']);
  });

  it('records where each env reference is written, also in block scalars', () => {
    const parsed = parseFile('a: |\n  line one\n  token ${TOKEN} and ${OTHER:-x}\nb: "q ${Q}"\n');
    const strings = parsed.docs[0]?.envStrings ?? [];
    expect(strings.map((s) => [s.path, s.refPositions])).toEqual([
      [['a'], [{ line: 3, column: 9 }, { line: 3, column: 22 }]],
      [['b'], [{ line: 4, column: 7 }]],
    ]);
    expect(parsed.envVars).toEqual(['OTHER', 'Q', 'TOKEN']);
  });

  it('does not interpolate keys', () => {
    const parsed = parseFile('${KEY}: value\n');
    expect(parsed.docs[0]?.value).toEqual({ '${KEY}': 'value' });
    expect(parsed.docs[0]?.envStrings).toEqual([]);
  });
});
