/**
 * Sample-ratio mismatch: does the observed split of assignments fit the configured
 * weights? A chi-square goodness-of-fit test over the arms with weight > 0, flagged at
 * p < 0.001 once every arm has at least 8 assignments (GrowthBook's rule: below that the
 * chi-square approximation is poor and early noise would raise false alarms).
 */

/** The p-value below which a split is flagged. */
export const SRM_P_THRESHOLD = 0.001;
/** Assignments every arm needs before the test runs. */
export const SRM_MIN_PER_ARM = 8;

export interface SrmResult {
  /** False when the test could not run yet (fewer than two weighted arms, or an arm below the minimum). */
  checked: boolean;
  chiSquare: number | null;
  degreesOfFreedom: number;
  pValue: number | null;
  /** True when checked and p < SRM_P_THRESHOLD. */
  mismatch: boolean;
}

/**
 * Tests observed counts against expected shares (any non-negative weights; arms with
 * weight 0 are left out, with their counts).
 */
export function sampleRatioMismatch(arms: ReadonlyArray<{ observed: number; weight: number }>): SrmResult {
  const weighted = arms.filter((a) => a.weight > 0);
  const df = Math.max(0, weighted.length - 1);
  const total = weighted.reduce((n, a) => n + a.observed, 0);
  const weightSum = weighted.reduce((n, a) => n + a.weight, 0);
  if (weighted.length < 2 || weighted.some((a) => a.observed < SRM_MIN_PER_ARM)) {
    return { checked: false, chiSquare: null, degreesOfFreedom: df, pValue: null, mismatch: false };
  }
  let chiSquare = 0;
  for (const a of weighted) {
    const expected = (total * a.weight) / weightSum;
    chiSquare += (a.observed - expected) ** 2 / expected;
  }
  const pValue = chiSquarePValue(chiSquare, df);
  return { checked: true, chiSquare, degreesOfFreedom: df, pValue, mismatch: pValue < SRM_P_THRESHOLD };
}

/** P(X ≥ x) for X chi-square distributed with `df` degrees of freedom: Q(df/2, x/2). */
export function chiSquarePValue(x: number, df: number): number {
  if (!(df > 0)) throw new RangeError(`degrees of freedom must be positive (got ${df})`);
  if (!(x > 0)) return 1;
  return regularizedGammaQ(df / 2, x / 2);
}

/** Upper regularized incomplete gamma Q(a, x): series below a + 1, continued fraction above (Numerical Recipes §6.2). */
export function regularizedGammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  const lnPrefix = -x + a * Math.log(x) - logGamma(a);
  if (x < a + 1) {
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 1000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-15) break;
    }
    return Math.max(0, 1 - sum * Math.exp(lnPrefix));
  }
  // Lentz's method for the continued fraction.
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return Math.min(1, Math.exp(lnPrefix) * h);
}

const LANCZOS = [676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];

/** ln Γ(z) for z > 0 (Lanczos, g = 7; relative error ~1e-15). */
export function logGamma(z: number): number {
  if (z < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * z)) - logGamma(1 - z);
  const x = z - 1;
  let sum = 0.99999999999980993;
  for (let i = 0; i < LANCZOS.length; i++) sum += (LANCZOS[i] as number) / (x + i + 1);
  const t = x + LANCZOS.length - 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(sum);
}
