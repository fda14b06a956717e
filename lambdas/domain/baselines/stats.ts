/**
 * Robust statistics for baselines. Everything here ignores non-finite inputs and answers null (or 0 for
 * spreads) on empty input rather than NaN, so callers never propagate NaN into stored baselines.
 */

/** 1 / Φ⁻¹(3/4): scales a median absolute deviation to a standard deviation under a normal model. */
export const MAD_TO_SD = 1.4826;
/** Φ⁻¹(0.95) and Φ⁻¹(0.99): one-sided percentiles of a standard normal. */
export const Z95 = 1.6449;
export const Z99 = 2.3263;

const finite = (xs: readonly number[]): number[] => xs.filter((x) => Number.isFinite(x));

/** Quantile q ∈ [0, 1] of already sorted values, linear interpolation between ranks. */
export function quantileSorted(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const pos = Math.min(Math.max(q, 0), 1) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return a + (b - a) * (pos - lo);
}

export function quantile(values: readonly number[], q: number): number | null {
  return quantileSorted(
    finite(values).sort((a, b) => a - b),
    q,
  );
}

export const median = (values: readonly number[]): number | null => quantile(values, 0.5);

/** Mean of the values left after dropping `share` of them at each end (0.2: the middle 60 %). */
export function trimmedMean(values: readonly number[], share: number): number | null {
  const sorted = finite(values).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const cut = Math.floor(sorted.length * Math.min(Math.max(share, 0), 0.49));
  const kept = sorted.slice(cut, sorted.length - cut);
  return kept.reduce((s, v) => s + v, 0) / kept.length;
}

/** Median absolute deviation around the values' own median. */
export function mad(values: readonly number[]): number {
  const m = median(values);
  if (m === null) return 0;
  return median(finite(values).map((v) => Math.abs(v - m))) ?? 0;
}

/**
 * Robust one-sided spreads of residuals: the largest of the MAD-based standard deviation and those implied
 * by the 95th and 99th (resp. 5th and 1st) percentiles. The tail terms keep skew and heavy tails that do
 * happen (a long session in one hour out of ten, a median jumping between step counts) inside the band
 * instead of flagging them, while a single outlier hour cannot widen it (percentiles, not the maximum).
 */
export function robustSpreads(residuals: readonly number[]): { up: number; down: number } {
  const sorted = finite(residuals).sort((a, b) => a - b);
  if (sorted.length === 0) return { up: 0, down: 0 };
  const core = MAD_TO_SD * mad(sorted);
  const center = quantileSorted(sorted, 0.5)!;
  const at = (q: number) => quantileSorted(sorted, q)!;
  const up = Math.max(core, (at(0.95) - center) / Z95, (at(0.99) - center) / Z99);
  const down = Math.max(core, (center - at(0.05)) / Z95, (center - at(0.01)) / Z99);
  return { up, down };
}

/** Rounds to `digits` significant digits (keeps stored baselines compact without losing meaning). */
export function sig(v: number, digits = 6): number {
  if (!Number.isFinite(v) || v === 0) return 0;
  return Number(v.toPrecision(digits));
}
