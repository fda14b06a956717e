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

/** Standard normal quantile Φ⁻¹(p), Acklam's rational approximation (relative error below 1.2e-9). */
export function normalQuantile(p: number): number {
  if (p <= 0) return Number.NEGATIVE_INFINITY;
  if (p >= 1) return Number.POSITIVE_INFINITY;
  const a = [
    -39.6968302866538, 220.946098424521, -275.928510446969, 138.357751867269, -30.6647980661472,
    2.50662827745924,
  ];
  const b = [-54.4760987982241, 161.585836858041, -155.698979859887, 66.8013118877197, -13.2806815528857];
  const c = [
    -0.00778489400243029, -0.322396458041136, -2.40075827716184, -2.54973253934373, 4.37466414146497,
    2.93816398269878,
  ];
  const d = [0.00778469570904146, 0.32246712907004, 2.445134137143, 3.75440866190742];
  const tail = (q: number) =>
    (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
    ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const r = p - 0.5;
  const t = r * r;
  return (
    ((((((a[0]! * t + a[1]!) * t + a[2]!) * t + a[3]!) * t + a[4]!) * t + a[5]!) * r) /
    (((((b[0]! * t + b[1]!) * t + b[2]!) * t + b[3]!) * t + b[4]!) * t + 1)
  );
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7). */
function logGamma(x: number): number {
  const g = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const y = x - 1;
  let s = g[0]!;
  for (let i = 1; i < 9; i++) s += g[i]! / (y + i);
  const t = y + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(s);
}

/** P(X ≥ k) for X ~ Binomial(n, p), summed in log space (exact for small counts where normal approximations fail). */
export function binomialUpperTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  const lp = Math.log(p);
  const lq = Math.log(1 - p);
  const lnN = logGamma(n + 1);
  let sum = 0;
  for (let i = Math.ceil(k); i <= n; i++) {
    const term = Math.exp(lnN - logGamma(i + 1) - logGamma(n - i + 1) + i * lp + (n - i) * lq);
    sum += term;
    if (term < sum * 1e-15 && i > n * p) break;
  }
  return Math.min(1, sum);
}

/**
 * The one-sided z-score of seeing at least `k` of `n` when the share is `p`: Φ⁻¹(1 − P(X ≥ k)). At a
 * handful of sessions this is far more honest than (k/n − p)/√(p(1−p)/n): 2 failures in 10 sessions at a
 * 2 % base rate happen 1.6 % of the time (z ≈ 2.1), not once in 30 000 (z ≈ 4).
 */
export function binomialZ(k: number, n: number, p: number): number {
  const tail = binomialUpperTail(Math.round(k), Math.max(Math.round(n), 0), p);
  return tail <= 0 ? 40 : Math.min(40, -normalQuantile(tail));
}
