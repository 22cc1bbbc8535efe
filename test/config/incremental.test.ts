/**
 * The loader's incremental state: after any sequence of edits, a warm loader must report
 * exactly what a fresh loader reports, and published snapshots must never change.
 */
import { mkdtempSync, rmSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { frozenMap } from '../../runtime/config/frozen-map.js';
import { createConfigLoader } from '../../runtime/config/loader.js';

const integration = (name: string) => `apiVersion: switchboard/v1\nkind: Integration\nname: ${name}\ntype: echo\n`;
const bot = (name: string, ...uses: string[]) =>
  `apiVersion: switchboard/v1\nkind: Bot\nname: ${name}\nchannels:\n  http: {}\nintegrations:\n${uses.map((u) => `  - name: ${u}\n`).join('')}`;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sb-incr-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const old = new Date(Date.now() - 60_000);
function write(name: string, text: string): void {
  writeFileSync(join(dir, name), text);
  // Old mtimes keep the racy-read guard out of the way; sizes differ between versions anyway.
  utimesSync(join(dir, name), old, new Date(old.getTime() + text.length));
}

async function compare(warm: ReturnType<typeof createConfigLoader>) {
  const a = await warm.analyze(dir, { env: {}, cwd: dir });
  const b = await createConfigLoader().analyze(dir, { env: {}, cwd: dir });
  expect(a.problems).toEqual(b.problems);
  expect(a.documentCount).toBe(b.documentCount);
  expect(a.snapshot?.revision).toBe(b.snapshot?.revision);
  expect(a.snapshot && [...a.snapshot.integrations]).toEqual(b.snapshot && [...b.snapshot.integrations]);
  expect(a.snapshot && [...a.snapshot.bots]).toEqual(b.snapshot && [...b.snapshot.bots]);
  return a;
}

describe('incremental reloads', () => {
  it('match a fresh load through duplicates, missing references, deletions and fixes', async () => {
    const warm = createConfigLoader();
    write('a.yaml', `${integration('echo')}---\n${bot('demo', 'echo')}`);
    expect((await compare(warm)).problems).toEqual([]);

    write('b.yaml', integration('echo'));
    expect((await compare(warm)).problems.map((p) => `${p.file}:${p.line} ${p.rule}`)).toEqual(['b.yaml:3 duplicate-name']);

    write('b.yaml', integration('other'));
    expect((await compare(warm)).problems).toEqual([]);

    write('a.yaml', bot('demo', 'echo', 'missing'));
    expect((await compare(warm)).problems.map((p) => `${p.file}:${p.line} ${p.rule}`)).toEqual([
      'a.yaml:7 unknown-integration',
      'a.yaml:8 unknown-integration',
    ]);

    write('c.yaml', `${integration('echo')}---\n${integration('missing')}`);
    const fixed = await compare(warm);
    expect(fixed.problems).toEqual([]);
    expect([...(fixed.snapshot?.integrations.keys() ?? [])].sort()).toEqual(['echo', 'missing', 'other']);

    unlinkSync(join(dir, 'c.yaml'));
    expect((await compare(warm)).problems.map((p) => p.rule)).toEqual(['unknown-integration', 'unknown-integration']);

    write('c.yaml', `${integration('echo')}---\n${integration('missing')}`);
    unlinkSync(join(dir, 'b.yaml'));
    expect((await compare(warm)).snapshot?.integrations.size).toBe(2);
  });

  it('never changes a snapshot it already published', async () => {
    const warm = createConfigLoader();
    write('a.yaml', `${integration('one')}---\n${bot('demo', 'one')}`);
    const first = await warm.load(dir, { env: {} });
    if (!first.ok) throw new Error('invalid');
    write('b.yaml', integration('two'));
    write('a.yaml', `${integration('one')}---\n${bot('demo', 'one', 'two')}`);
    const second = await warm.load(dir, { env: {} });
    if (!second.ok) throw new Error('invalid');
    expect([...first.snapshot.integrations.keys()]).toEqual(['one']);
    expect(first.snapshot.bots.get('demo')?.integrations.map((e) => e.name)).toEqual(['one']);
    expect([...second.snapshot.integrations.keys()]).toEqual(['one', 'two']);
    expect(second.snapshot.bots.get('demo')?.integrations.map((e) => e.name)).toEqual(['one', 'two']);
    expect(second.snapshot.revision).not.toBe(first.snapshot.revision);
    const third = await warm.load(dir, { env: {} });
    if (!third.ok) throw new Error('invalid');
    expect(third.snapshot.revision).toBe(second.snapshot.revision);
    expect(third.snapshot.integrations).toBe(second.snapshot.integrations);
  });
});

describe('FrozenMap', () => {
  it('reads like a Map, refuses writes, and derives new maps without touching old ones', () => {
    const a = frozenMap<string, number>([
      ['y', 2],
      ['x', 1],
    ]);
    const current = new Map([
      ['x', 10],
      ['z', 3],
      ['a', 0],
    ]);
    const b = a.next(current, ['x', 'y', 'z', 'a']);
    expect([...a]).toEqual([
      ['x', 1],
      ['y', 2],
    ]);
    expect([...b]).toEqual([
      ['a', 0],
      ['x', 10],
      ['z', 3],
    ]);
    expect([b.size, b.get('y'), b.has('y'), b.get('z'), b.has('z')]).toEqual([3, undefined, false, 3, true]);
    expect([...b.keys()]).toEqual(['a', 'x', 'z']);
    expect([...b.values()]).toEqual([0, 10, 3]);
    const seen: string[] = [];
    for (const [k, v] of b) seen.push(`${k}=${v}`);
    expect(seen).toEqual(['a=0', 'x=10', 'z=3']);
    expect(new Map(b).get('x')).toBe(10);
    expect(() => (b as unknown as Map<string, number>).set('q', 1)).toThrow(TypeError);
    expect(Object.isFrozen(b)).toBe(true);
  });
});
