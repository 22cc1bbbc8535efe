/** Small numeric helpers for the report. */

/** Median of the finite values (NaN when none). */
export function median(values: readonly number[]): number {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

/** Nearest-rank percentile of `values` (q in 0..1). */
export function percentile(values: readonly number[], q: number): number {
  const v = [...values].sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  return v[Math.min(v.length - 1, Math.max(0, Math.ceil(q * v.length) - 1))]!;
}

export const fmt = {
  int: (x: number): string => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '–'),
  ms: (x: number, digits = 2): string => (Number.isFinite(x) ? x.toFixed(digits) : '–'),
  pct: (x: number): string => (Number.isFinite(x) ? `${Math.round(x * 100)} %` : '–'),
  mb: (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : '–'),
  verdict: (ok: boolean): string => (ok ? '✅' : '❌'),
};

/** A Markdown table. */
export function table(head: string[], rows: string[][], align?: Array<'l' | 'r'>): string {
  const sep = head.map((_, i) => ((align?.[i] ?? (i === 0 ? 'l' : 'r')) === 'r' ? '---:' : '---'));
  return [head, sep, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}
