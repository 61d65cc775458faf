/** The few statistics the tests and benchmarks share (nearest-rank percentiles over sorted samples). */

/** Nearest-rank percentile of an ascending-sorted array. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? Number.NaN) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** `values` ascending, ready for `percentile`. */
export function sortedOf(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values).sort();
}

/** Rounded to `digits` decimals; NaN and infinities pass through. */
export function round(value: number, digits = 1): number {
  return Number.isFinite(value) ? Math.round(value * 10 ** digits) / 10 ** digits : value;
}

/**
 * The band a count drawn from Binomial(n, p) falls in, `sds` standard deviations either side of
 * its mean n·p (normal approximation), rounded outwards and clipped to [0, n]. At 4 sd a correct
 * system fails the check about once in 15,000 runs.
 */
export function binomialBand(n: number, p: number, sds = 4): { low: number; high: number; mean: number; sd: number } {
  const mean = n * p;
  const sd = Math.sqrt(n * p * (1 - p));
  return { low: Math.max(0, Math.floor(mean - sds * sd)), high: Math.min(n, Math.ceil(mean + sds * sd)), mean, sd };
}
