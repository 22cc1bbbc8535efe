import { describe, expect, it } from 'vitest';
import { chiSquarePValue, logGamma, sampleRatioMismatch, SRM_MIN_PER_ARM } from '../../runtime/stats/srm.js';

describe('chiSquarePValue', () => {
  it('matches the textbook critical values', () => {
    // [x, df, p] from standard chi-square tables.
    const table: Array<[number, number, number]> = [
      [3.841459, 1, 0.05],
      [6.634897, 1, 0.01],
      [10.827566, 1, 0.001],
      [5.991465, 2, 0.05],
      [7.814728, 3, 0.05],
      [16.26624, 3, 0.001],
      [18.307038, 10, 0.05],
      [0.454936, 1, 0.5],
    ];
    for (const [x, df, p] of table) expect(chiSquarePValue(x, df), `x=${x} df=${df}`).toBeCloseTo(p, 5);
  });

  it('equals the closed form for 2 degrees of freedom, exp(-x/2), across the range', () => {
    for (const x of [0.01, 0.5, 1, 2.9, 3.1, 10, 40, 120]) expect(chiSquarePValue(x, 2) / Math.exp(-x / 2)).toBeCloseTo(1, 9);
  });

  it('is 1 at 0, decreases with x, and rejects a bad df', () => {
    expect(chiSquarePValue(0, 1)).toBe(1);
    let last = 1;
    for (let x = 0.5; x < 60; x += 0.5) {
      const p = chiSquarePValue(x, 3);
      expect(p).toBeLessThan(last);
      last = p;
    }
    expect(() => chiSquarePValue(1, 0)).toThrow(RangeError);
  });

  it('logGamma agrees with factorials', () => {
    expect(logGamma(1)).toBeCloseTo(0, 12);
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
  });
});

describe('sampleRatioMismatch', () => {
  it('flags a skewed 50/50 split and passes a fair one', () => {
    const skewed = sampleRatioMismatch([{ observed: 80, weight: 50 }, { observed: 20, weight: 50 }]);
    expect(skewed).toMatchObject({ checked: true, degreesOfFreedom: 1, mismatch: true });
    expect(skewed.chiSquare).toBeCloseTo(36, 10);
    expect(skewed.pValue).toBeLessThan(1e-8);
    const fair = sampleRatioMismatch([{ observed: 52, weight: 50 }, { observed: 48, weight: 50 }]);
    expect(fair).toMatchObject({ checked: true, mismatch: false });
    expect(fair.pValue).toBeGreaterThan(0.5);
  });

  it('uses the configured weights, not equal shares', () => {
    // 90/10 observed exactly as configured: no mismatch; the same counts against 50/50 are one.
    expect(sampleRatioMismatch([{ observed: 900, weight: 90 }, { observed: 100, weight: 10 }]).mismatch).toBe(false);
    expect(sampleRatioMismatch([{ observed: 900, weight: 1 }, { observed: 100, weight: 1 }]).mismatch).toBe(true);
  });

  it('waits for the minimum per arm and ignores weight-0 arms', () => {
    expect(sampleRatioMismatch([{ observed: 100, weight: 50 }, { observed: SRM_MIN_PER_ARM - 1, weight: 50 }])).toMatchObject({ checked: false, pValue: null, mismatch: false });
    expect(sampleRatioMismatch([{ observed: 100, weight: 1 }, { observed: 5, weight: 0 }])).toMatchObject({ checked: false, degreesOfFreedom: 0 });
    expect(sampleRatioMismatch([{ observed: 60, weight: 1 }, { observed: 40, weight: 1 }, { observed: 3, weight: 0 }])).toMatchObject({ checked: true, degreesOfFreedom: 1 });
  });
});
