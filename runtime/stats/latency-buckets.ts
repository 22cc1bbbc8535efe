/**
 * Latency histogram buckets shared by every replica: counts per bucket add up across
 * replicas (Redis HINCRBY), and p50/p95 are computed from the merged counts.
 */

/** Upper bounds in ms (a sample ≤ bound lands in the first such bucket); beyond the last: +Inf. */
export const LATENCY_BUCKETS_MS: readonly number[] = [
  5, 10, 25, 50, 75, 100, 150, 200, 300, 400, 500, 750, 1000, 1500, 2000, 3000, 5000, 7500, 10_000, 15_000, 20_000, 30_000, 60_000,
  120_000, 300_000,
];

/** The bucket label of a sample: its upper bound in ms, or `inf`. */
export function bucketLabel(latencyMs: number): string {
  for (let i = 0; i < LATENCY_BUCKETS_MS.length; i++) if (latencyMs <= (LATENCY_BUCKETS_MS[i] as number)) return LABELS[i] as string;
  return 'inf';
}
const LABELS = LATENCY_BUCKETS_MS.map(String);

/**
 * The q-quantile (0 < q ≤ 1) of a histogram given as counts by bucket label, interpolating
 * linearly inside the bucket that holds the rank (as Prometheus' histogram_quantile does;
 * a bucket spans (previous bound, bound], the first starts at 0). A rank in +Inf reports
 * the last finite bound. Null
 * without samples. Labels of unknown bounds (another version's buckets) count as their
 * own bound.
 */
export function quantileMs(countsByLabel: ReadonlyMap<string, number>, q: number): number | null {
  const buckets: Array<[number, number]> = [];
  for (const [label, count] of countsByLabel) {
    const bound = label === 'inf' ? Infinity : Number(label);
    if (!Number.isNaN(bound) && count > 0) buckets.push([bound, count]);
  }
  buckets.sort((a, b) => a[0] - b[0]);
  const total = buckets.reduce((n, [, c]) => n + c, 0);
  if (total === 0) return null;
  const bounds = [...new Set([...LATENCY_BUCKETS_MS, ...buckets.map(([b]) => b)])].filter(Number.isFinite).sort((a, b) => a - b);
  const lowerOf = (upper: number): number => {
    let lower = 0;
    for (const b of bounds) if (b < upper) lower = b;
    return lower;
  };
  const rank = q * total;
  let seen = 0;
  for (const [upper, count] of buckets) {
    if (seen + count >= rank) {
      const lower = lowerOf(upper);
      if (upper === Infinity) return lower;
      return Math.round(lower + ((upper - lower) * (rank - seen)) / count);
    }
    seen += count;
  }
  return bounds[bounds.length - 1] ?? null;
}
