import type { AnomalyMetric, MetricFamily, Severity } from '../../../contracts/alerts';
import type { Baseline, MetricBaseline } from '../alert-ports';
import { hourOfWeek } from '../baselines/hour-of-week';
import type { Gate, MetricSpec } from '../baselines/metrics';
import { binomialZ } from '../baselines/stats';
import { epochHour, HOUR_MS } from '../model';
import { mergeRecords, type RollupRecord } from '../rollup';

export interface DetectSettings {
  /** The judged window spans at least this much time (ending now). @default 20 */
  minWindowMinutes: number;
  /** …and grows hour by hour up to this many hours until it holds the metric's minimum volume. @default 12 */
  maxWindowHours: number;
  /**
   * The same limit for slices (tags, models, experiments): a thin slice judged over hours would keep an
   * incident open long after the agent as a whole is back to normal. @default 1
   */
  maxSliceWindowHours: number;
  /** Robust z-score for a warning (with the metric's warning gate). @default 4 */
  zWarning: number;
  /**
   * Robust z-score for critical (with the metric's critical gate). Severity is mostly about size (the
   * gates); this only asks for more certainty before calling something critical. @default 5
   */
  zCritical: number;
  /**
   * Hysteresis: a metric counts as back to normal only once its z-score and change fall below this share
   * of the warning thresholds. @default 0.75
   */
  resolveFactor: number;
}

export const DEFAULT_DETECT_SETTINGS: DetectSettings = {
  minWindowMinutes: 20,
  maxWindowHours: 12,
  maxSliceWindowHours: 1,
  zWarning: 4,
  zCritical: 5,
  resolveFactor: 0.75,
};

export type MetricState = 'ok' | 'outside' | 'insufficient_data' | 'warming_up' | 'no_baseline';

/** The verdict on one metric of one slice at one moment. */
export interface Judgement {
  metric: AnomalyMetric;
  family: MetricFamily;
  /** A supporting metric's breach is evidence, not a reason to open an incident. */
  supporting: boolean;
  slice: string;
  state: MetricState;
  severity: Severity | null;
  /** Clearly inside the band (below the hysteresis level); insufficient data counts as normal. */
  normal: boolean;
  value: number | null;
  expected: number | null;
  /** The values beyond which this window would raise a warning. */
  lower: number | null;
  upper: number | null;
  z: number | null;
  direction: 'up' | 'down';
  volume: number;
  windowFrom: number;
  windowTo: number;
}

const passes = (gate: Gate, rel: number, abs: number, factor = 1): boolean =>
  (gate.rel === undefined || rel >= gate.rel * factor) &&
  (gate.abs === undefined || abs >= gate.abs * factor);

interface Window {
  hours: number[];
  /** Hours of time covered (the current hour counts by its elapsed share). */
  covered: number;
  from: number;
  record: RollupRecord;
}

/**
 * Judges the most recent traffic of one metric against its baseline.
 *
 * The window is the current hour so far, widened by whole earlier hours until it covers
 * `minWindowMinutes` and holds the metric's minimum volume (at most `maxWindowHours`): a step change is
 * judged on post-change traffic as soon as there is enough of it, and a quiet agent is judged over a
 * longer span instead of on a handful of sessions. The expected value is the baseline's hour-of-week
 * value for the hours in the window; the deviation is a robust z-score (residual spread from MAD and tail
 * quantiles, scaled by the window's volume) that must also clear the metric's relative/absolute gate.
 */
export function judge(
  spec: MetricSpec,
  baseline: Baseline | null,
  hourly: ReadonlyMap<number, RollupRecord>,
  slice: string,
  now: number,
  settings: DetectSettings,
): Judgement {
  const model = baseline?.metrics.find((m) => m.metric === spec.name) ?? null;
  const base: Judgement = {
    metric: spec.name,
    family: spec.family,
    supporting: spec.role === 'supporting',
    slice,
    state: 'no_baseline',
    severity: null,
    normal: true,
    value: null,
    expected: null,
    lower: null,
    upper: null,
    z: null,
    direction: 'up',
    volume: 0,
    windowFrom: now,
    windowTo: now,
  };
  const current = epochHour(now);
  const elapsed = (now - current * HOUR_MS) / HOUR_MS;
  let last: { w: Window; expectedCount: number } | null = null;
  const maxHours =
    slice === 'all'
      ? settings.maxWindowHours
      : Math.min(settings.maxWindowHours, settings.maxSliceWindowHours);
  for (let k = 0; k < maxHours; k++) {
    const covered = k + elapsed;
    if (covered * 60 < settings.minWindowMinutes) continue;
    // The current hour joins only once some of it has passed (a replay must not read ahead).
    const hours: number[] = [];
    for (let h = current - k; h <= current; h++) if (h < current || elapsed > 0) hours.push(h);
    const records = hours.map((h) => hourly.get(h)).filter((r): r is RollupRecord => !!r);
    const w: Window = {
      hours,
      covered,
      from: (current - k) * HOUR_MS,
      record: mergeRecords(records, { agentId: '', hour: current, production: true, slice }),
    };
    const expectedCount = model ? expectedSessions(model, hours, current, elapsed) : 0;
    last = { w, expectedCount };
    const enough =
      spec.kind === 'rate' ? expectedCount >= spec.minVolume : spec.volume(w.record) >= spec.minVolume;
    if (enough) break;
    last = { w, expectedCount: Number.NaN };
  }
  if (!last) {
    // No window long enough yet (a slice in the first minutes of an hour).
    const state = !baseline
      ? 'no_baseline'
      : baseline.status === 'warming_up'
        ? 'warming_up'
        : 'insufficient_data';
    return { ...base, state };
  }
  const { w } = last;
  const volume = spec.volume(w.record);
  const value = spec.value(w.record, w.covered);
  const out: Judgement = { ...base, value, volume, windowFrom: w.from, windowTo: now };
  if (!baseline || !model) return out;
  if (baseline.status === 'warming_up') return { ...out, state: 'warming_up' };
  if (Number.isNaN(last.expectedCount) || value === null) return { ...out, state: 'insufficient_data' };
  return spec.kind === 'rate'
    ? judgeRate(spec, model, w, last.expectedCount, out, settings)
    : judgePerUnit(spec, model, w, hourly, out, settings);
}

/** Sessions the baseline expects over the window's hours (the current one by its elapsed share). */
function expectedSessions(model: MetricBaseline, hours: number[], current: number, elapsed: number): number {
  let e = 0;
  for (const h of hours) e += (model.center[hourOfWeek(h)] ?? 0) * (h === current ? elapsed : 1);
  return e;
}

function verdict(
  spec: MetricSpec,
  value: number,
  expected: number,
  z: number,
  settings: DetectSettings,
): { severity: Severity | null; normal: boolean; direction: 'up' | 'down' } {
  const up = value >= expected;
  const direction = up ? 'up' : 'down';
  if (!up && spec.direction === 'up') return { severity: null, normal: true, direction };
  const warning = up ? spec.warning : (spec.warningDown ?? spec.warning);
  const critical = up ? spec.critical : (spec.criticalDown ?? spec.critical);
  const abs = Math.abs(value - expected);
  const rel = expected !== 0 ? abs / Math.abs(expected) : abs > 0 ? Number.POSITIVE_INFINITY : 0;
  const az = Math.abs(z);
  const zw = spec.z?.warning ?? settings.zWarning;
  const zc = spec.z?.critical ?? settings.zCritical;
  const severity: Severity | null =
    az >= zc && passes(critical, rel, abs)
      ? 'critical'
      : az >= zw && passes(warning, rel, abs)
        ? 'warning'
        : null;
  const elevated = az >= zw * settings.resolveFactor && passes(warning, rel, abs, settings.resolveFactor);
  return { severity, normal: severity === null && !elevated, direction };
}

/**
 * The values beyond which a window raises a warning: the z-score band at this volume, widened to the
 * metric's relative/absolute gate. Per-unit metrics: `units` is the window's volume; rate metrics:
 * `expected` and the band are counts of sessions.
 */
export function warningBand(
  spec: MetricSpec,
  model: Pick<MetricBaseline, 'spreadUp' | 'spreadDown'>,
  expected: number,
  units: number,
  settings: Pick<DetectSettings, 'zWarning'>,
): { lower: number; upper: number; sdUp: number; sdDown: number } {
  let sdUp: number;
  let sdDown: number;
  if (spec.kind === 'rate') {
    const sd = Math.sqrt(Math.max(expected, 1));
    sdUp = model.spreadUp * sd;
    sdDown = model.spreadDown * sd;
  } else {
    const n = Math.max(units, 1);
    const floor = spec.minWindowSpread(expected);
    sdUp = Math.max(model.spreadUp / Math.sqrt(n), floor);
    sdDown = Math.max(model.spreadDown / Math.sqrt(n), floor);
  }
  const up = spec.warning;
  const down = spec.warningDown ?? spec.warning;
  const zw = spec.z?.warning ?? settings.zWarning;
  const upper = Math.max(expected + zw * sdUp, expected * (1 + (up.rel ?? 0)), expected + (up.abs ?? 0));
  const lower =
    spec.direction === 'both'
      ? Math.min(expected - zw * sdDown, expected * (1 - (down.rel ?? 0)))
      : expected - zw * sdDown;
  return { lower: Math.max(0, lower), upper, sdUp, sdDown };
}

function judgePerUnit(
  spec: MetricSpec,
  model: MetricBaseline,
  w: Window,
  hourly: ReadonlyMap<number, RollupRecord>,
  out: Judgement,
  settings: DetectSettings,
): Judgement {
  // Expected value: the hours' expected values weighted by the volume each hour contributes.
  let sum = 0;
  let weight = 0;
  for (const h of w.hours) {
    const c = model.center[hourOfWeek(h)];
    const r = hourly.get(h);
    const n = r ? spec.volume(r) : 0;
    if (c === null || c === undefined || n <= 0) continue;
    sum += c * n;
    weight += n;
  }
  if (weight <= 0) return { ...out, state: 'no_baseline' };
  const expected = sum / weight;
  const value = out.value!;
  const band = warningBand(spec, model, expected, out.volume, settings);
  let z = value >= expected ? (value - expected) / band.sdUp : (value - expected) / band.sdDown;
  if (spec.hits && value > expected) {
    z = Math.min(z, binomialZ(spec.hits(w.record), out.volume, Math.max(expected, spec.minShare ?? 0)));
  }
  // Failures of a single session, however many of its events they span, are no evidence of a change.
  const oneSession =
    spec.hitSessions !== undefined &&
    value > expected &&
    spec.hitSessions(w.record) < (spec.minHitSessions ?? 2);
  const v = oneSession
    ? { severity: null, normal: true, direction: 'up' as const }
    : verdict(spec, value, expected, z, settings);
  return {
    ...out,
    state: v.severity ? 'outside' : 'ok',
    severity: v.severity,
    normal: v.normal,
    direction: v.direction,
    expected: round(expected),
    z: round(z, 3),
    upper: round(band.upper),
    lower: round(band.lower),
    value: round(value),
  };
}

function judgeRate(
  spec: MetricSpec,
  model: MetricBaseline,
  w: Window,
  expectedCount: number,
  out: Judgement,
  settings: DetectSettings,
): Judgement {
  const observed = out.volume;
  const band = warningBand(spec, model, expectedCount, expectedCount, settings);
  const z =
    observed >= expectedCount
      ? (observed - expectedCount) / band.sdUp
      : (observed - expectedCount) / band.sdDown;
  const v = verdict(spec, observed, expectedCount, z, settings);
  const per = (count: number) => round(count / w.covered);
  return {
    ...out,
    state: v.severity ? 'outside' : 'ok',
    severity: v.severity,
    normal: v.normal,
    direction: v.direction,
    value: per(observed),
    expected: per(expectedCount),
    z: round(z, 3),
    upper: per(band.upper),
    lower: per(band.lower),
  };
}

const round = (v: number, digits = 6): number =>
  v === 0 || !Number.isFinite(v) ? v : Number(v.toPrecision(digits));
