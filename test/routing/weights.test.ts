import { describe, expect, it } from 'vitest';
import { buildWeightTable, pickWeighted, weightTable } from '../../runtime/routing/weights.js';
import { makeBot, seededRandom } from './fixtures.js';

const ab = [
  { name: 'a', weight: 70 },
  { name: 'b', weight: 30 },
];

describe('pickWeighted', () => {
  it('splits [0,1) into intervals proportional to weight, in list order', () => {
    expect(pickWeighted(ab, 0)).toBe('a');
    expect(pickWeighted(ab, 0.6999)).toBe('a');
    expect(pickWeighted(ab, 0.7)).toBe('b');
    expect(pickWeighted(ab, 0.999999)).toBe('b');
  });

  it('clamps draws outside [0,1)', () => {
    expect(pickWeighted(ab, 1)).toBe('b');
    expect(pickWeighted(ab, 7)).toBe('b');
    expect(pickWeighted(ab, -1)).toBe('a');
    expect(pickWeighted(ab, Number.NaN)).toBe('a');
  });

  it('never picks weight 0 and returns undefined when nothing has weight', () => {
    const entries = [
      { name: 'off', weight: 0 },
      { name: 'x', weight: 1 },
      { name: 'off2', weight: 0 },
      { name: 'y', weight: 3 },
    ];
    expect(pickWeighted(entries, 0)).toBe('x');
    expect(pickWeighted(entries, 0.2499)).toBe('x');
    expect(pickWeighted(entries, 0.25)).toBe('y');
    expect(pickWeighted(entries, 0.9999)).toBe('y');
    expect(pickWeighted([{ name: 'off', weight: 0 }], 0.5)).toBeUndefined();
    expect(pickWeighted([], 0.5)).toBeUndefined();
  });
});

describe('weightTable', () => {
  it('precomputes the weighted entries, total, fallbacks and weights by name', () => {
    const t = buildWeightTable([
      { name: 'gpt', weight: 90, fallback: false },
      { name: 'claude', weight: 10, fallback: true },
      { name: 'echo', weight: 0, fallback: true },
    ]);
    expect(t.weighted).toEqual([
      { name: 'gpt', weight: 90 },
      { name: 'claude', weight: 10 },
    ]);
    expect(t.total).toBe(100);
    expect(t.fallbacks).toEqual(['claude', 'echo']);
    expect([t.weightOf('gpt'), t.weightOf('claude'), t.weightOf('echo'), t.weightOf('gone')]).toEqual([90, 10, 0, 0]);
  });

  it('pick() agrees with pickWeighted for random configs and draws', () => {
    const rnd = seededRandom(7);
    for (let c = 0; c < 200; c++) {
      const entries = Array.from({ length: 1 + Math.floor(rnd() * 12) }, (_, i) => ({
        name: `i${i}`,
        weight: rnd() < 0.25 ? 0 : Math.floor(rnd() * 100),
        fallback: false,
      }));
      const table = buildWeightTable(entries);
      for (let d = 0; d < 50; d++) {
        const u = rnd();
        expect(table.pick(u)).toBe(pickWeighted(entries, u));
      }
      expect(table.pick(0)).toBe(pickWeighted(entries, 0));
    }
  });

  it('is computed once per ResolvedBot object (a reload makes new objects)', () => {
    const bot = makeBot(ab);
    const first = weightTable(bot);
    expect(weightTable(bot)).toBe(first);
    const reloaded = makeBot(ab);
    expect(weightTable(reloaded)).not.toBe(first);
  });
});
