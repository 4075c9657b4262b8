/** Pure statistics helpers for the benchmark (no I/O, unit-tested in stats.test.ts). */

/** Nearest-rank percentile (p in [0,100]) of the values; NaN for an empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((Math.min(Math.max(p, 0), 100) / 100) * sorted.length);
  return sorted[Math.max(rank - 1, 0)] as number;
}

/** Median as the mean of the two middle values for even counts. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export interface Summary {
  n: number;
  min: number;
  p50: number;
  p95: number;
  max: number;
}

export function summarize(values: readonly number[]): Summary {
  return {
    n: values.length,
    min: values.length ? Math.min(...values) : Number.NaN,
    p50: median(values),
    p95: percentile(values, 95),
    max: values.length ? Math.max(...values) : Number.NaN,
  };
}

/** How many times faster `fast` is than `slow` (slow / fast), NaN when either is missing. */
export function ratio(slow: number, fast: number): number {
  if (!Number.isFinite(slow) || !Number.isFinite(fast) || fast <= 0) return Number.NaN;
  return slow / fast;
}

/** Rounds for display and JSON: 2 significant decimals below 10, 1 below 100, else integers. */
export function round(x: number): number {
  if (!Number.isFinite(x)) return x;
  const a = Math.abs(x);
  const d = a < 10 ? 100 : a < 100 ? 10 : 1;
  return Math.round(x * d) / d;
}
