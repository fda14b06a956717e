import type { MetricFamily } from '../../../contracts/alerts';
import type { Baseline, MetricBaseline } from '../alert-ports';
import { epochHour, HOUR_MS } from '../model';
import { mergeRecords, type RollupRecord } from '../rollup';
import { Sketch } from '../sketch';
import { dayDistance, HOURS_PER_WEEK, hourOfWeek, isWeekend, utcDate, weekDistance } from './hour-of-week';
import { type MetricSpec, metricsForSlice } from './metrics';
import { median, robustSpreads, sig, trimmedMean } from './stats';

export interface BaselineSettings {
  /** Trailing history a baseline is computed from. @default 14 */
  windowDays: number;
  /** History (from the first hour with traffic) needed before a baseline judges anything. @default 7 */
  warmupDays: number;
  /** Least hours a pool needs before its figure is trusted (else the next, wider pool). @default 3 */
  minPoolHours: number;
  /** A per-unit pool also needs this many times the metric's minimum window volume. @default 2 */
  poolVolumeFactor: number;
  /**
   * Days each daily baseline is kept (so bands can be charted and compared), counted from its date;
   * the daily job deletes older ones (DynamoDB: the table's TTL). @default 90
   */
  retentionDays: number;
}

export const DEFAULT_BASELINE_SETTINGS: BaselineSettings = {
  windowDays: 14,
  warmupDays: 7,
  minPoolHours: 3,
  poolVolumeFactor: 2,
  retentionDays: 90,
};

export interface BaselineInput {
  agentId: string;
  slice: string;
  production: boolean;
  /** The baseline covers the history before this time (rounded down to the hour). */
  asOf: number;
  computedAt: number;
  /** Hourly records of this slice and production flag, keyed by epoch hour (missing hour = no traffic). */
  hourly: ReadonlyMap<number, RollupRecord>;
  /** Hours to leave out, per metric family (periods already flagged as anomalous). */
  excluded: ReadonlyMap<MetricFamily, ReadonlySet<number>>;
  settings: BaselineSettings;
}

interface Sample {
  how: number;
  v: number;
  n: number;
  /** The hour's record (per-unit metrics): pools merge records, so a pool's value is exact. */
  record?: RollupRecord;
}

const active = (r: RollupRecord | undefined): boolean =>
  !!r && (r.counters.sessions > 0 || r.counters.events > 0 || r.counters.settledSessions > 0);

/**
 * A baseline from hourly rollups: for every metric an expected value per hour of the week (the figure over
 * comparable hours — the same hour of the week ±1 h, widening to the same hour of day on days of the same
 * kind and then to every hour while the history is thin) and one robust spread of windows around those
 * expectations (MAD and tail percentiles), normalised per unit of volume so a window of any size can be
 * judged against it.
 */
export function computeBaseline(input: BaselineInput): Baseline {
  const s = input.settings;
  const windowTo = epochHour(input.asOf);
  const windowFrom = windowTo - s.windowDays * 24;
  let dataFrom: number | null = null;
  for (let h = windowFrom; h < windowTo; h++) {
    if (active(input.hourly.get(h))) {
      dataFrom = h;
      break;
    }
  }
  const warm = dataFrom !== null && windowTo - dataFrom >= s.warmupDays * 24;
  const hours: number[] = [];
  if (dataFrom !== null) for (let h = dataFrom; h < windowTo; h++) hours.push(h);

  let excludedHours = 0;
  const metrics: MetricBaseline[] = [];
  const countedFamilies = new Set<MetricFamily>();
  for (const spec of metricsForSlice(input.slice)) {
    const skip = input.excluded.get(spec.family) ?? new Set<number>();
    const kept = hours.filter((h) => !skip.has(h));
    if (!countedFamilies.has(spec.family)) {
      countedFamilies.add(spec.family);
      excludedHours += hours.length - kept.length;
    }
    metrics.push(modelMetric(spec, kept, input.hourly, s));
  }
  return {
    agentId: input.agentId,
    slice: input.slice,
    production: input.production,
    date: utcDate(windowTo * HOUR_MS),
    computedAt: input.computedAt,
    windowFrom: windowFrom * HOUR_MS,
    windowTo: windowTo * HOUR_MS,
    dataFrom: dataFrom === null ? null : dataFrom * HOUR_MS,
    status: warm ? 'ready' : 'warming_up',
    warmupEndsAt: warm || dataFrom === null ? null : (dataFrom + s.warmupDays * 24) * HOUR_MS,
    excludedHours,
    metrics,
  };
}

function samplesOf(spec: MetricSpec, hours: number[], hourly: ReadonlyMap<number, RollupRecord>): Sample[] {
  const out: Sample[] = [];
  for (const h of hours) {
    const r = hourly.get(h);
    if (spec.kind === 'rate') {
      out.push({ how: hourOfWeek(h), v: r ? r.counters.sessions : 0, n: 1 });
      continue;
    }
    if (!r) continue;
    const n = spec.volume(r);
    const v = spec.value(r, 1);
    if (n > 0 && v !== null && Number.isFinite(v)) {
      out.push({ how: hourOfWeek(h), v, n, record: r });
    }
  }
  return out;
}

function modelMetric(
  spec: MetricSpec,
  hours: number[],
  hourly: ReadonlyMap<number, RollupRecord>,
  s: BaselineSettings,
): MetricBaseline {
  const samples = samplesOf(spec, hours, hourly);
  const enough = (pool: Sample[]) =>
    pool.length >= s.minPoolHours &&
    (spec.kind === 'rate' || pool.reduce((t, x) => t + x.n, 0) >= spec.minVolume * s.poolVolumeFactor);
  // Per-unit metrics: the figure over the pooled hours (a pooled share or quantile is unbiased; a median
  // of hourly shares is 0 wherever most hours see no error). Counts: a trimmed mean (robust, and free of
  // the median's integer steps at a few sessions per hour).
  const centerOf = (pool: Sample[]) =>
    spec.kind === 'rate'
      ? trimmedMean(
          pool.map((x) => x.v),
          0.2,
        )
      : pooledValue(spec, pool);

  const center: Array<number | null> = new Array(HOURS_PER_WEEK).fill(null);
  const volume: number[] = new Array(HOURS_PER_WEEK).fill(0);
  let pools = '';
  // Day-kind and all-hours pools are shared by many hours of the week: merge each once.
  const cache = new Map<string, number | null>();
  const cached = (key: string, pool: Sample[]) => {
    if (!cache.has(key)) cache.set(key, pool.length > 0 ? centerOf(pool) : null);
    return cache.get(key)!;
  };
  for (let k = 0; k < HOURS_PER_WEEK; k++) {
    const week = samples.filter((x) => weekDistance(x.how, k) <= 1);
    let pool: Sample[] = week;
    let tag = 'w';
    let key = `w${k}`;
    if (!enough(pool)) {
      pool = samples.filter((x) => isWeekend(x.how) === isWeekend(k) && dayDistance(x.how, k) <= 1);
      tag = 'd';
      key = `d${isWeekend(k)}${k % 24}`;
    }
    if (!enough(pool)) {
      pool = samples;
      tag = 'a';
      key = 'a';
    }
    const c = cached(key, pool);
    center[k] = c === null ? null : sig(c);
    pools += c === null ? '-' : tag;
    const volumes = (week.length > 0 ? week : pool).map((x) => x.n);
    volume[k] = spec.kind === 'rate' ? (center[k] ?? 0) : sig(median(volumes) ?? 0, 4);
  }

  const typical = median(center.filter((c): c is number => c !== null)) ?? 0;
  const floor = spec.minUnitSpread(typical);
  const empirical = robustSpreads(blockResiduals(spec, samples, center));
  const asymptotic = spec.quantile ? quantileSpreads(spec, samples, spec.quantile.p) : { up: 0, down: 0 };
  const spreads = {
    up: Math.max(empirical.up, asymptotic.up),
    down: Math.max(empirical.down, asymptotic.down),
  };
  return {
    metric: spec.name,
    center,
    volume,
    pools,
    spreadUp: sig(Math.max(spreads.up, floor)),
    spreadDown: sig(Math.max(spreads.down, floor)),
    hours: samples.length,
    units: sig(
      samples.reduce((t, x) => t + (spec.kind === 'rate' ? x.v : x.n), 0),
      10,
    ),
  };
}

function pooledValue(spec: MetricSpec, pool: Sample[]): number | null {
  const records = pool.map((x) => x.record).filter((r): r is RollupRecord => !!r);
  if (records.length === 0) return null;
  return spec.value(mergeRecords(records, records[0]!.key), pool.length);
}

/**
 * Standardised residuals of windows like the ones detection judges: runs of consecutive hours merged
 * until they hold the metric's minimum volume (a quiet agent's window spans hours, a busy one's one
 * hour). Per-unit: (value − expected) · √units; rate: (count − expected) / √expected. Their spread is the
 * noise a window of that size really shows: skew, heavy tails and a median jumping between clusters of
 * sessions included, which no sampling formula knows about.
 */
function blockResiduals(spec: MetricSpec, samples: Sample[], center: Array<number | null>): number[] {
  const out: number[] = [];
  let block: Sample[] = [];
  let units = 0;
  let expected = 0;
  let weight = 0;
  for (const x of samples) {
    const c = center[x.how];
    if (c === null || c === undefined) continue;
    block.push(x);
    if (spec.kind === 'rate') {
      units += x.v;
      expected += c;
      if (expected < spec.minVolume) continue;
      out.push((units - expected) / Math.sqrt(Math.max(expected, 1)));
    } else {
      units += x.n;
      expected += c * x.n;
      weight += x.n;
      if (units < spec.minVolume) continue;
      const records = block.map((b) => b.record).filter((r): r is RollupRecord => !!r);
      const v = spec.value(mergeRecords(records, records[0]!.key), block.length);
      if (v !== null && Number.isFinite(v)) out.push((v - expected / weight) * Math.sqrt(units));
    }
    block = [];
    units = 0;
    expected = 0;
    weight = 0;
  }
  return out;
}

/**
 * Per-unit spreads of a sample quantile from sampling alone: √(p(1−p)) / f(Q(p)), the density f read off
 * the pooled sketch on each side of Q(p). A floor under the empirical spread when history is short.
 */
function quantileSpreads(spec: MetricSpec, samples: Sample[], p: number): { up: number; down: number } {
  const sketch = new Sketch();
  const name = spec.quantile!.sketch;
  for (const x of samples) if (x.record) sketch.merge(x.record.sketches[name]);
  const d = Math.min(0.05, (1 - p) / 2, p / 2);
  const q = sketch.quantile(p);
  const hi = sketch.quantile(p + d);
  const lo = sketch.quantile(p - d);
  if (q === null || hi === null || lo === null) return { up: 0, down: 0 };
  const k = Math.sqrt(p * (1 - p));
  return { up: (k * (hi - q)) / d, down: (k * (q - lo)) / d };
}

/** The median over the week of a metric's expected values (a one-number summary for cards). */
export function typicalValue(m: MetricBaseline): number | null {
  return median(m.center.filter((c): c is number => c !== null));
}
