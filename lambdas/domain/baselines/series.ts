import type { AnomalyMetric } from '../../../contracts/alerts';
import type { Baseline, BaselineStore, MetricBaseline } from '../alert-ports';
import type { AlertConfig } from '../alerts/config';
import { type Judgement, warningBand } from '../alerts/detect';
import { epochHour, HOUR_MS } from '../model';
import type { RollupStore } from '../ports';
import { typicalValue } from './compute';
import { hourOfWeek, utcDate } from './hour-of-week';
import { METRIC_BY_NAME, type MetricSpec, metricsForSlice } from './metrics';
import { byHour } from './service';

const DAY_MS = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
const round = (v: number | null): number | null =>
  v === null || !Number.isFinite(v) || v === 0 ? v : Number(v.toPrecision(6));

/** The API shape of a stored baseline. */
export function baselineView(b: Baseline) {
  return {
    agent_id: b.agentId,
    slice: b.slice,
    production: b.production,
    date: b.date,
    computed_at: iso(b.computedAt),
    window: { from: iso(b.windowFrom), to: iso(b.windowTo) },
    data_from: b.dataFrom === null ? null : iso(b.dataFrom),
    status: b.status,
    warmup_ends_at: b.warmupEndsAt === null ? null : iso(b.warmupEndsAt),
    excluded_hours: b.excludedHours,
    metrics: b.metrics.map((m) => {
      const spec = METRIC_BY_NAME.get(m.metric)!;
      return {
        metric: m.metric,
        family: spec.family,
        unit: spec.unit,
        typical: round(typicalValue(m)),
        expected_by_hour_of_week: m.center,
        spread_up: m.spreadUp,
        spread_down: m.spreadDown,
        hours: m.hours,
        volume: m.units,
      };
    }),
  };
}

/** The band a metric's hourly value is judged against, for an hour with `units` of volume. */
function hourBand(spec: MetricSpec, model: MetricBaseline, how: number, units: number, config: AlertConfig) {
  const expected = model.center[how] ?? null;
  if (expected === null) return null;
  const volume = units > 0 ? units : (model.volume[how] ?? 0);
  const b = warningBand(spec, model, expected, spec.kind === 'rate' ? expected : volume, config.detect);
  return { expected, lower: b.lower, upper: b.upper };
}

/**
 * Each metric's band over time with the actual hourly values: for every hour of [from, to), the baseline
 * in force that day (the newest one dated on or before it), the expected value and warning band for the
 * hour's volume, the actual value and whether it fell outside.
 */
export async function baselineSeries(
  deps: { rollups: RollupStore; baselines: BaselineStore; alertConfig: AlertConfig },
  q: { agentId: string; slice: string; metrics: AnomalyMetric[]; from: number; to: number },
) {
  const fromHour = epochHour(q.from);
  const toHour = Math.ceil(q.to / HOUR_MS);
  const baselines = await deps.baselines.list({
    agentId: q.agentId,
    production: deps.alertConfig.production,
    slice: q.slice,
    fromDate: utcDate(q.from - 7 * DAY_MS),
    toDate: utcDate(q.to),
  });
  const byDate = [...baselines].sort((a, b) =>
    a.date < b.date ? -1 : a.date > b.date ? 1 : a.computedAt - b.computedAt,
  );
  const inForce = (hour: number): Baseline | null => {
    const day = utcDate(hour * HOUR_MS);
    let found: Baseline | null = null;
    for (const b of byDate) if (b.date <= day) found = b;
    return found;
  };
  const hourly = byHour(
    await deps.rollups.query(q.agentId, deps.alertConfig.production, q.slice, fromHour, toHour),
  );
  const specs = metricsForSlice(q.slice).filter((s) => q.metrics.length === 0 || q.metrics.includes(s.name));
  return {
    agent_id: q.agentId,
    slice: q.slice,
    window: { from: iso(fromHour * HOUR_MS), to: iso(toHour * HOUR_MS) },
    series: specs.map((spec) => {
      const points = [];
      for (let h = fromHour; h < toHour; h++) {
        const r = hourly.get(h);
        const units = r ? spec.volume(r) : 0;
        const actual = r ? spec.value(r, 1) : spec.kind === 'rate' ? 0 : null;
        const b = inForce(h);
        const model = b?.metrics.find((m) => m.metric === spec.name) ?? null;
        const band = model ? hourBand(spec, model, hourOfWeek(h), units, deps.alertConfig) : null;
        const outside =
          b?.status === 'ready' &&
          band !== null &&
          actual !== null &&
          (actual > band.upper || (spec.direction === 'both' && actual < band.lower));
        points.push({
          hour: iso(h * HOUR_MS),
          actual: round(actual),
          volume: round(units) ?? 0,
          expected: round(band?.expected ?? null),
          lower: round(band?.lower ?? null),
          upper: round(band?.upper ?? null),
          outside,
          baseline_date: b?.date ?? null,
        });
      }
      return { metric: spec.name, family: spec.family, unit: spec.unit, direction: spec.direction, points };
    }),
  };
}

/** A judgement as an overview card shows it. */
export function metricStatusView(j: Judgement) {
  const spec = METRIC_BY_NAME.get(j.metric)!;
  const judged = j.state === 'ok' || j.state === 'outside';
  return {
    metric: j.metric,
    family: j.family,
    unit: spec.unit,
    state: j.state,
    severity: j.severity,
    value: j.value,
    expected: j.expected,
    lower: j.lower,
    upper: j.upper,
    z: j.z,
    volume: j.volume,
    window:
      judged || j.state === 'insufficient_data' ? { from: iso(j.windowFrom), to: iso(j.windowTo) } : null,
  };
}
