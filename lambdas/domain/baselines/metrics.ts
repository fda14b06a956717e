import type { AnomalyMetric, MetricFamily } from '../../../contracts/alerts';
import type { CounterName, RollupRecord, SketchName } from '../rollup';
import { Sketch } from '../sketch';

/**
 * The metrics baselines model and anomaly checks judge, each derived from hourly rollups.
 *
 * `per_unit` metrics are a figure per session or per event (a median, a share, a mean): their noise
 * shrinks with the square root of the units behind them, so spreads are stored per unit and scaled to the
 * volume of the window being judged. `rate` metrics count sessions per hour (Poisson-like noise).
 */
export type MetricKind = 'per_unit' | 'rate';
/** Session-level figures exist in `all`, `tag:` and `exp:` slices; `model:` slices carry event figures only. */
export type MetricLevel = 'session' | 'event';

/** A change must clear both gates that are set: relative to the expected value, and absolute. */
export interface Gate {
  rel?: number;
  abs?: number;
}

export interface MetricSpec {
  name: AnomalyMetric;
  family: MetricFamily;
  unit: 'usd' | 'tokens' | 'ms' | 'ratio' | 'sessions/h';
  kind: MetricKind;
  level: MetricLevel;
  /** up: only a rise is anomalous (costs, errors, latency); both: volume drops count too. */
  direction: 'up' | 'both';
  /**
   * supporting: joins an incident as evidence (and holds it open) but cannot open one alone. For figures
   * a single runaway session can swing in a quiet window: a mean of tokens, a 95th percentile of sessions.
   */
  role?: 'primary' | 'supporting';
  /**
   * Quantile metrics: the sketch and quantile the value reads. Their baselines pool sketches (a 95th
   * percentile of 7 sessions is not one of 40, so hourly values would bias the expectation).
   */
  quantile?: { sketch: SketchName; p: number };
  /** The figure over merged records; `hours` is the time they cover (rate metrics divide by it). */
  value(r: RollupRecord, hours: number): number | null;
  /** Units behind the figure: settled sessions, events, sessions started. */
  volume(r: RollupRecord): number;
  /**
   * Share metrics: the count of "hits" among the units (errored sessions, failed events). A rise is then
   * also tested exactly (binomial), and the smaller z counts: the normal approximation alone calls two
   * failures in ten sessions a five-sigma event.
   */
  hits?: (r: RollupRecord) => number;
  /** Least base share a binomial test assumes (a clean history still fails now and then). */
  minShare?: number;
  /**
   * Event-level shares: how many sessions the window's hits can have come from (errored sessions, plus
   * sessions not settled yet, which may hold some). Events of one session fail together (a runaway
   * session past its context limit fails step after step), so their hits are not independent trials.
   */
  hitSessions?: (r: RollupRecord) => number;
  /**
   * A rise needs hits from at least this many sessions: one session's failures are one failure, which
   * the session-level share judges. @default 2 (where `hitSessions` is set)
   */
  minHitSessions?: number;
  /** Least units a window must hold to be judged (rate: expected sessions in the window). */
  minVolume: number;
  warning: Gate;
  critical: Gate;
  /**
   * Robust z-scores for warning and critical when they differ from the detection settings' (shares use
   * lower ones: their absolute gates already demand a change that matters).
   */
  z?: { warning: number; critical: number };
  /** Gates for a fall (direction both). */
  warningDown?: Gate;
  criticalDown?: Gate;
  /** Least per-unit spread, given the typical value (keeps a too-quiet history from making a hair trigger). */
  minUnitSpread(typical: number): number;
  /** Least standard deviation of a window's figure, given the expected value. */
  minWindowSpread(expected: number): number;
}

const q = (bins: Record<string, number>, p: number): number | null => new Sketch(bins).quantile(p);
const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);
const relFloor = (share: number, abs: number) => (v: number) => Math.max(Math.abs(v) * share, abs);

/**
 * A latency quantile (ms, rises only): its value is the quantile of `sketch` and its volume the counter
 * of values in that sketch, so the two cannot disagree.
 */
function latencyQuantile(o: {
  name: AnomalyMetric;
  level: MetricLevel;
  sketch: SketchName;
  count: CounterName;
  p: number;
  minVolume: number;
  warning: Gate;
  critical: Gate;
  floor: number;
  role?: MetricSpec['role'];
}): MetricSpec {
  return {
    name: o.name,
    family: 'latency',
    unit: 'ms',
    kind: 'per_unit',
    level: o.level,
    direction: 'up',
    ...(o.role ? { role: o.role } : {}),
    quantile: { sketch: o.sketch, p: o.p },
    value: (r) => (r.counters[o.count] > 0 ? q(r.sketches[o.sketch], o.p) : null),
    volume: (r) => r.counters[o.count],
    minVolume: o.minVolume,
    warning: o.warning,
    critical: o.critical,
    minUnitSpread: () => 0,
    minWindowSpread: relFloor(0.05, o.floor),
  };
}
/** A share's binomial standard deviation per unit, with p held away from 0 so a clean history still has width. */
const binomial = (pMin: number) => (p: number) => {
  const x = Math.min(Math.max(p, pMin), 0.5);
  return Math.sqrt(x * (1 - x));
};

export const METRIC_SPECS: readonly MetricSpec[] = [
  {
    name: 'cost_per_session',
    family: 'cost',
    unit: 'usd',
    kind: 'per_unit',
    level: 'session',
    direction: 'up',
    // The typical (median) session: one runaway session must not move it, a prompt regression does.
    quantile: { sketch: 'sessionCost', p: 0.5 },
    value: (r) => (r.counters.settledSessions > 0 ? q(r.sketches.sessionCost, 0.5) : null),
    volume: (r) => r.counters.settledSessions,
    minVolume: 10,
    warning: { rel: 0.3 },
    critical: { rel: 1 },
    minUnitSpread: () => 0,
    minWindowSpread: relFloor(0.05, 1e-6),
  },
  {
    name: 'tokens_per_session',
    family: 'cost',
    unit: 'tokens',
    kind: 'per_unit',
    level: 'session',
    direction: 'up',
    role: 'supporting',
    // Event tokens in the window over sessions started in it (rollups hold no per-session token figure).
    value: (r) => ratio(r.counters.inputTokens + r.counters.outputTokens, r.counters.sessions),
    volume: (r) => r.counters.sessions,
    minVolume: 10,
    warning: { rel: 0.3 },
    critical: { rel: 1 },
    minUnitSpread: () => 0,
    minWindowSpread: relFloor(0.05, 1),
  },
  latencyQuantile({
    name: 'session_duration_p50',
    level: 'session',
    sketch: 'sessionDuration',
    count: 'sessionDurationCount',
    p: 0.5,
    minVolume: 10,
    warning: { rel: 0.3, abs: 200 },
    critical: { rel: 1, abs: 1000 },
    floor: 50,
  }),
  latencyQuantile({
    name: 'session_duration_p95',
    level: 'session',
    role: 'supporting',
    sketch: 'sessionDuration',
    count: 'sessionDurationCount',
    p: 0.95,
    // A 95th percentile of fewer sessions is little more than their maximum.
    minVolume: 40,
    warning: { rel: 0.3, abs: 200 },
    critical: { rel: 1, abs: 1000 },
    floor: 50,
  }),
  latencyQuantile({
    name: 'event_latency_p95',
    level: 'event',
    sketch: 'eventLatency',
    count: 'latencyCount',
    p: 0.95,
    minVolume: 60,
    warning: { rel: 0.3, abs: 100 },
    critical: { rel: 1, abs: 500 },
    floor: 20,
  }),
  {
    name: 'error_rate',
    family: 'errors',
    unit: 'ratio',
    kind: 'per_unit',
    level: 'session',
    direction: 'up',
    value: (r) => ratio(r.counters.erroredSessions, r.counters.settledSessions),
    volume: (r) => r.counters.settledSessions,
    hits: (r) => r.counters.erroredSessions,
    minShare: 0.01,
    minVolume: 10,
    warning: { abs: 0.1, rel: 0.5 },
    critical: { abs: 0.25, rel: 1 },
    z: { warning: 3.5, critical: 4 },
    minUnitSpread: binomial(0.02),
    minWindowSpread: () => 0.01,
  },
  {
    name: 'event_error_rate',
    family: 'errors',
    unit: 'ratio',
    kind: 'per_unit',
    level: 'event',
    direction: 'up',
    value: (r) => ratio(r.counters.errors, r.counters.events),
    volume: (r) => r.counters.events,
    hits: (r) => r.counters.errors,
    hitSessions: (r) =>
      r.counters.erroredSessions + Math.max(0, r.counters.sessions - r.counters.settledSessions),
    minHitSessions: 2,
    minShare: 0.005,
    minVolume: 30,
    warning: { abs: 0.05, rel: 0.5 },
    critical: { abs: 0.15, rel: 1 },
    z: { warning: 3.5, critical: 4 },
    minUnitSpread: binomial(0.01),
    minWindowSpread: () => 0.005,
  },
  {
    name: 'sessions_per_hour',
    family: 'volume',
    unit: 'sessions/h',
    kind: 'rate',
    level: 'session',
    direction: 'both',
    value: (r, hours) => (hours > 0 ? r.counters.sessions / hours : null),
    volume: (r) => r.counters.sessions,
    minVolume: 10,
    warning: { rel: 1 },
    critical: { rel: 3 },
    warningDown: { rel: 0.5 },
    criticalDown: { rel: 0.9 },
    // Poisson: the standardised residual (count − λ) / √λ has spread 1.
    minUnitSpread: () => 1,
    minWindowSpread: () => 0,
  },
];

export const METRIC_BY_NAME: ReadonlyMap<AnomalyMetric, MetricSpec> = new Map(
  METRIC_SPECS.map((m) => [m.name, m]),
);

export const specOf = (name: AnomalyMetric): MetricSpec => METRIC_BY_NAME.get(name)!;

/** Which level of figures a slice carries. */
export const sliceLevel = (slice: string): MetricLevel =>
  slice === 'all' || slice.startsWith('tag:') || slice.startsWith('exp:') ? 'session' : 'event';

/**
 * Metrics a slice can be judged on. Volume only for the whole agent: a slice's share moving (a deploy
 * retiring a version tag, a customer tier shifting) is a change of mix, not an incident.
 */
export const metricsForSlice = (slice: string): MetricSpec[] =>
  slice === 'all'
    ? [...METRIC_SPECS]
    : METRIC_SPECS.filter(
        (m) => m.kind !== 'rate' && (sliceLevel(slice) === 'session' || m.level === 'event'),
      );
