import { describe, expect, it } from 'vitest';
import { bucketLabel, LATENCY_BUCKETS_MS, quantileMs } from '../../runtime/stats/latency-buckets.js';

describe('latency buckets', () => {
  it('labels a sample with the first bound ≥ it, or inf', () => {
    expect(bucketLabel(0)).toBe('5');
    expect(bucketLabel(5)).toBe('5');
    expect(bucketLabel(5.01)).toBe('10');
    expect(bucketLabel(240)).toBe('300');
    expect(bucketLabel(300_000)).toBe('300000');
    expect(bucketLabel(300_001)).toBe('inf');
    expect(LATENCY_BUCKETS_MS).toHaveLength(25);
  });

  it('interpolates quantiles inside the bucket holding the rank', () => {
    // 100 samples in (200, 300]: p50 at the middle, p95 near the top.
    expect(quantileMs(new Map([['300', 100]]), 0.5)).toBe(250);
    expect(quantileMs(new Map([['300', 100]]), 0.95)).toBe(295);
    // 50 in (0, 5], 50 in (750, 1000]: p50 is 5, p95 is 750 + 250 · 45/50.
    const two = new Map([
      ['5', 50],
      ['1000', 50],
    ]);
    expect(quantileMs(two, 0.5)).toBe(5);
    expect(quantileMs(two, 0.95)).toBe(975);
  });

  it('reports the last finite bound for ranks in +Inf, and null without samples', () => {
    expect(quantileMs(new Map([['inf', 3]]), 0.5)).toBe(300_000);
    expect(quantileMs(new Map([['100', 1], ['inf', 9]]), 0.95)).toBe(300_000);
    expect(quantileMs(new Map(), 0.5)).toBeNull();
    expect(quantileMs(new Map([['100', 0]]), 0.5)).toBeNull();
  });

  it('merges counts of several replicas by adding them', () => {
    const replicaA = new Map([['100', 10]]);
    const replicaB = new Map([['100', 30], ['1000', 40]]);
    const merged = new Map([['100', 40], ['1000', 40]]);
    // 40 in (75, 100], 40 in (750, 1000].
    expect(quantileMs(merged, 0.5)).toBe(100);
    expect(quantileMs(merged, 0.75)).toBe(875);
    expect(quantileMs(replicaA, 0.5)).toBe(88); // 75 + 25 · 5/10
    expect(quantileMs(replicaB, 0.5)).toBe(781); // 750 + 250 · 5/40
  });
});
