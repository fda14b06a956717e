import { describe, expect, it } from 'vitest';
import {
  dayDistance,
  hourOfWeek,
  isWeekend,
  utcDate,
  weekDistance,
} from '../../lambdas/domain/baselines/hour-of-week';
import {
  MAD_TO_SD,
  mad,
  median,
  quantile,
  robustSpreads,
  sig,
  trimmedMean,
} from '../../lambdas/domain/baselines/stats';

const epochHourOf = (iso: string) => Date.parse(iso) / 3_600_000;

describe('robust statistics', () => {
  it('interpolates quantiles between ranks and ignores non-finite values', () => {
    // Act / Assess
    expect(quantile([4, 1, 3, 2, Number.NaN], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5], 0.95)).toBeCloseTo(4.8, 10);
    expect(quantile([], 0.5)).toBeNull();
    expect(median([7])).toBe(7);
  });

  it('measures spread with the median absolute deviation, untouched by one wild value', () => {
    // Prepare
    const steady = [10, 11, 9, 10, 12, 8, 10];
    // Act
    const withOutlier = mad([...steady, 10_000]);
    // Assess
    expect(mad(steady)).toBe(1);
    expect(withOutlier).toBe(1);
    expect(mad([])).toBe(0);
  });

  it('gives a normal sample a spread close to its standard deviation', () => {
    // Prepare: a deterministic standard normal sample (inverse CDF of evenly spaced probabilities)
    const sample = Array.from({ length: 999 }, (_, i) => inverseNormal((i + 1) / 1000));
    // Act
    const { up, down } = robustSpreads(sample);
    // Assess
    expect(up).toBeCloseTo(1, 1);
    expect(down).toBeCloseTo(1, 1);
    expect(MAD_TO_SD * mad(sample)).toBeCloseTo(1, 1);
  });

  it('widens the upper spread for a heavy right tail but keeps the lower one tight', () => {
    // Prepare: mostly 0 ± 1, one value in ten far above
    const sample = Array.from({ length: 200 }, (_, i) => (i % 10 === 0 ? 20 : ((i % 7) - 3) / 3));
    // Act
    const { up, down } = robustSpreads(sample);
    // Assess
    expect(up).toBeGreaterThan(5);
    expect(down).toBeLessThan(2);
  });

  it('trims the ends before averaging', () => {
    expect(trimmedMean([1, 2, 3, 4, 100], 0.2)).toBe(3);
    expect(trimmedMean([5], 0.2)).toBe(5);
    expect(trimmedMean([], 0.2)).toBeNull();
  });

  it('rounds to significant digits, mapping non-finite values to 0', () => {
    expect(sig(0.000123456789, 3)).toBe(0.000123);
    expect(sig(Number.NaN)).toBe(0);
  });
});

describe('hour-of-week profiles', () => {
  it('numbers the hours of the week from Monday 00:00 UTC', () => {
    // 2026-11-02 is a Monday
    expect(hourOfWeek(epochHourOf('2026-11-02T00:00:00Z'))).toBe(0);
    expect(hourOfWeek(epochHourOf('2026-11-04T13:00:00Z'))).toBe(2 * 24 + 13);
    expect(hourOfWeek(epochHourOf('2026-11-08T23:00:00Z'))).toBe(167);
    expect(hourOfWeek(0)).toBe(72); // 1970-01-01 was a Thursday
  });

  it('tells weekends from weekdays and measures circular distances', () => {
    expect(isWeekend(4 * 24 + 23)).toBe(false);
    expect(isWeekend(5 * 24)).toBe(true);
    expect(weekDistance(0, 167)).toBe(1);
    expect(dayDistance(23, 24)).toBe(1);
    expect(dayDistance(2, 22)).toBe(4);
    expect(utcDate(Date.parse('2026-11-02T23:59:59Z'))).toBe('2026-11-02');
  });
});

/** Acklam's rational approximation of the standard normal quantile (enough for a test sample). */
function inverseNormal(p: number): number {
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
  const q = p < 0.5 ? Math.sqrt(-2 * Math.log(p)) : Math.sqrt(-2 * Math.log(1 - p));
  if (p < 0.02425 || p > 1 - 0.02425) {
    const x =
      (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
    return p < 0.5 ? x : -x;
  }
  const r = p - 0.5;
  const t = r * r;
  return (
    ((((((a[0]! * t + a[1]!) * t + a[2]!) * t + a[3]!) * t + a[4]!) * t + a[5]!) * r) /
    (((((b[0]! * t + b[1]!) * t + b[2]!) * t + b[3]!) * t + b[4]!) * t + 1)
  );
}
