import type {
  AnomalyMetric,
  BaselineSeriesResponse,
  BaselineStatusResponse,
} from '../../../../../contracts/alerts';
import type { BaselineListResponse } from '../../../lib/api-client';
import { DEFAULT_RANGE, type Filters, isoDate, windowLengthMs } from '../../../lib/filters';
import {
  formatCount,
  formatDay,
  formatMs,
  formatNumber,
  formatPct,
  formatTime,
  formatUsd,
} from '../../../lib/format';
import { bucketLabels } from '../../../lib/series';

/**
 * Shaping of the baselines API for the Baselines view and the overview's markers: metric names and
 * units, slices, the window the series endpoint accepts, band charts and the status table. Pure.
 */

export const METRIC_LABELS: Record<AnomalyMetric, string> = {
  cost_per_session: 'Cost per session (median)',
  tokens_per_session: 'Tokens per session',
  session_duration_p50: 'Session duration p50',
  session_duration_p95: 'Session duration p95',
  event_latency_p95: 'Event latency p95',
  error_rate: 'Error rate (sessions)',
  event_error_rate: 'Event error rate',
  sessions_per_hour: 'Sessions per hour',
};

/** Every metric, in the contract's order (a type-only import keeps zod out of the dashboard's first load). */
export const METRIC_ORDER = Object.keys(METRIC_LABELS) as AnomalyMetric[];

export const isAnomalyMetric = (v: string | null | undefined): v is AnomalyMetric =>
  (METRIC_ORDER as readonly string[]).includes(v ?? '');

/** A formatter for a unit the API names (`usd`, `tokens`, `ms`, `ratio`, `sessions/h`). */
export function formatterFor(unit: string): (v: number | null) => string {
  switch (unit) {
    case 'usd':
      return formatUsd;
    case 'tokens':
      return formatCount;
    case 'ms':
      return formatMs;
    case 'ratio':
      return (v) => formatPct(v);
    case 'sessions/h':
      return (v) => (v === null ? formatNumber(v) : `${formatNumber(v, v < 10 ? 2 : 1)}/h`);
    default:
      return (v) => formatNumber(v);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Slices
// ---------------------------------------------------------------------------------------------------------

/** "all" → "All traffic", "tag:tier=pro" → "tier=pro", "model:gpt-4o" → "model gpt-4o". */
export function sliceLabel(slice: string): string {
  if (slice === 'all') return 'All traffic';
  if (slice.startsWith('tag:')) return slice.slice(4);
  if (slice.startsWith('model:')) return `model ${slice.slice(6)}`;
  if (slice.startsWith('exp:')) return `experiment ${slice.slice(4)}`;
  return slice;
}

const SLICE = /^(all|model:.+|tag:[^=]+=.+|exp:.+)$/;

/**
 * The baseline slice the filter bar's tag or model filter means (the rollups' naming: `tag:key=value`,
 * `model:name`), or "all".
 */
export function sliceOfFilters(f: Pick<Filters, 'tag' | 'model'>): string {
  if (f.tag) {
    const m = /^([^:=]{1,64})[:=](.+)$/s.exec(f.tag);
    if (m) return `tag:${m[1]!.trim()}=${m[2]!.trim()}`;
  }
  if (f.model) return `model:${f.model}`;
  return 'all';
}

/** The slice to show: the `slice` URL parameter when well formed, else the filter bar's slice. */
export function chosenSlice(param: string | null, f: Pick<Filters, 'tag' | 'model'>): string {
  return param && param.length <= 300 && SLICE.test(param) ? param : sliceOfFilters(f);
}

/** The slice picker: "all" first, then every slice with a baseline (sorted), and the current one. */
export function sliceOptions(
  list: BaselineListResponse | null,
  current: string,
): Array<{ value: string; label: string }> {
  const slices = new Set<string>((list?.baselines ?? []).map((b) => b.slice));
  slices.delete('all');
  const rest = [...slices].sort();
  if (current !== 'all' && !slices.has(current)) rest.unshift(current);
  return ['all', ...rest].map((value) => ({ value, label: sliceLabel(value) }));
}

// ---------------------------------------------------------------------------------------------------------
// Window
// ---------------------------------------------------------------------------------------------------------

const DAY_MS = 86_400_000;
export const MAX_SERIES_DAYS = 31;

/**
 * The window parameters for `/baselines/series` (at most 31 days): the filter bar's window, or its last
 * 31 days (custom dates: the 31 days ending on `to`) with a note saying so.
 */
export function seriesWindow(
  f: Filters,
  now: number,
): { params: { range?: string; from?: string; to?: string }; note: string | null } {
  const len = windowLengthMs(f, now);
  if (len <= MAX_SERIES_DAYS * DAY_MS) {
    if (f.from || f.to) {
      return { params: { ...(f.from ? { from: f.from } : {}), ...(f.to ? { to: f.to } : {}) }, note: null };
    }
    return { params: { range: f.range ?? DEFAULT_RANGE }, note: null };
  }
  const note = `Bands are charted for at most ${MAX_SERIES_DAYS} days: showing the last ${MAX_SERIES_DAYS} days of the window.`;
  if (f.to) {
    const to = Date.parse(`${f.to}T00:00:00Z`);
    return { params: { from: isoDate(to - (MAX_SERIES_DAYS - 1) * DAY_MS), to: f.to }, note };
  }
  return { params: { range: `${MAX_SERIES_DAYS}d` }, note };
}

// ---------------------------------------------------------------------------------------------------------
// Band charts
// ---------------------------------------------------------------------------------------------------------

export type BaselineSeries = BaselineSeriesResponse['series'][number];

export interface BandChartData {
  /** Axis labels per hour; '' for an hour that gets no label. */
  labels: readonly string[];
  titles: readonly string[];
  /** Per hour; null where no baseline applies (the band has a gap there). */
  expected: ReadonlyArray<number | null>;
  lower: ReadonlyArray<number | null>;
  upper: ReadonlyArray<number | null>;
  /** Per hour; null where the hour had nothing to measure. */
  actual: ReadonlyArray<number | null>;
  /** Per hour: where the actual value fell outside the band ("above" or "below"), else null. */
  outside: ReadonlyArray<'above' | 'below' | null>;
  formatY: (v: number) => string;
}

export type ChartState = 'ok' | 'no_baseline' | 'no_data';

export interface BandChartModel {
  metric: AnomalyMetric;
  label: string;
  unit: string;
  /** "Costs, errors and latency only alarm upwards". */
  direction: 'up' | 'both';
  data: BandChartData;
  state: ChartState;
  outsideCount: number;
  hours: number;
  /** The newest baseline date the chart's bands come from. */
  baselineDate: string | null;
}

const sideOf = (actual: number, lower: number | null, upper: number | null): 'above' | 'below' => {
  if (upper !== null && actual > upper) return 'above';
  if (lower !== null && actual < lower) return 'below';
  // The API judged it outside with a band we cannot see; the expected value tells the side.
  return 'above';
};

/** One metric's hourly band, expected line and actual values, with the hours outside marked. */
export function prepareBandChart(s: BaselineSeries): BandChartModel {
  const hours = s.points.map((p) => p.hour);
  const { labels: hourly, titles } = bucketLabels(hours, '1h');
  // Past two days an axis of hours is unreadable: label midnights with the day, nothing else.
  const labels =
    hours.length > 48 ? hours.map((h) => (new Date(h).getUTCHours() === 0 ? formatDay(h) : '')) : hourly;
  const fmt = formatterFor(s.unit);
  const outside = s.points.map((p) =>
    p.outside && p.actual !== null ? sideOf(p.actual, p.lower, p.upper) : null,
  );
  const hasBand = s.points.some((p) => p.expected !== null && p.upper !== null);
  const hasActual = s.points.some((p) => p.actual !== null && (s.unit !== 'sessions/h' || p.actual > 0));
  let baselineDate: string | null = null;
  for (const p of s.points)
    if (p.baseline_date && (!baselineDate || p.baseline_date > baselineDate)) baselineDate = p.baseline_date;
  return {
    metric: s.metric,
    label: METRIC_LABELS[s.metric] ?? s.metric,
    unit: s.unit,
    direction: s.direction,
    data: {
      labels,
      titles,
      expected: s.points.map((p) => p.expected),
      lower: s.points.map((p) => (p.lower === null ? null : Math.max(0, p.lower))),
      // A thin hour's band can reach past 100 % for a share; nothing can be above all.
      upper: s.points.map((p) => (p.upper !== null && s.unit === 'ratio' ? Math.min(1, p.upper) : p.upper)),
      actual: s.points.map((p) => p.actual),
      outside,
      formatY: (v) => fmt(v),
    },
    state: !hasActual ? 'no_data' : !hasBand ? 'no_baseline' : 'ok',
    outsideCount: outside.filter((o) => o !== null).length,
    hours: s.points.length,
    baselineDate,
  };
}

/** The charts of a series answer, in the contract's metric order, limited to `metric` when given. */
export function prepareBandCharts(
  res: BaselineSeriesResponse,
  metric: AnomalyMetric | null = null,
): BandChartModel[] {
  const order = (m: AnomalyMetric) => METRIC_ORDER.indexOf(m);
  return res.series
    .filter((s) => metric === null || s.metric === metric)
    .sort((a, b) => order(a.metric) - order(b.metric))
    .map(prepareBandChart);
}

// ---------------------------------------------------------------------------------------------------------
// Status
// ---------------------------------------------------------------------------------------------------------

export type MetricStatus = BaselineStatusResponse['metrics'][number];

/** Which side of its band a judged metric is on; null when it is not outside. */
export function outsideSide(m: MetricStatus): 'above' | 'below' | null {
  if (m.state !== 'outside') return null;
  if (m.value === null) return null;
  if (m.upper !== null && m.value > m.upper) return 'above';
  if (m.lower !== null && m.value < m.lower) return 'below';
  return m.expected !== null && m.value < m.expected ? 'below' : 'above';
}

const STATE_LABELS: Record<MetricStatus['state'], string> = {
  ok: 'Within usual range',
  outside: 'Outside usual range',
  insufficient_data: 'Not enough data yet',
  warming_up: 'Warming up',
  no_baseline: 'No baseline',
};

export interface StatusRow {
  metric: AnomalyMetric;
  label: string;
  state: MetricStatus['state'];
  stateLabel: string;
  /** "warning", "critical" or null. */
  severity: string | null;
  tone: 'bad' | 'warn' | 'neutral' | 'good';
  value: string;
  expected: string;
  band: string;
  volume: string;
  window: string;
}

/** The status table: one row per metric, in the contract's order. */
export function prepareStatusRows(s: BaselineStatusResponse): StatusRow[] {
  const order = (m: AnomalyMetric) => METRIC_ORDER.indexOf(m);
  return [...s.metrics]
    .sort((a, b) => order(a.metric) - order(b.metric))
    .map((m) => {
      const fmt = formatterFor(m.unit);
      const side = outsideSide(m);
      return {
        metric: m.metric,
        label: METRIC_LABELS[m.metric] ?? m.metric,
        state: m.state,
        stateLabel: side ? `${side === 'above' ? 'Above' : 'Below'} usual range` : STATE_LABELS[m.state],
        severity: m.severity,
        tone:
          m.state === 'outside'
            ? m.severity === 'critical'
              ? 'bad'
              : 'warn'
            : m.state === 'ok'
              ? 'good'
              : 'neutral',
        value: fmt(m.value),
        expected: fmt(m.expected),
        band: m.lower === null && m.upper === null ? '—' : `${fmt(m.lower)} – ${fmt(m.upper)}`,
        volume: formatCount(m.volume),
        window: m.window ? `${formatTime(m.window.from)} – ${formatTime(m.window.to)}` : '—',
      };
    });
}

export interface BaselineNotice {
  kind: 'none' | 'warming_up' | 'ready';
  title: string;
  detail: string;
}

/** What the slice's baseline allows: nothing yet, bands drawn but nothing judged, or judged. */
export function baselineNotice(s: BaselineStatusResponse): BaselineNotice {
  const b = s.baseline;
  const slice = sliceLabel(s.slice);
  if (!b) {
    return {
      kind: 'none',
      title: 'No baseline yet',
      detail:
        s.slice === 'all'
          ? 'Baselines are computed once a day from the last 14 days of production traffic; this agent has none yet.'
          : `${slice} has no baseline: only the busiest tags, experiments and models get one.`,
    };
  }
  if (b.status === 'warming_up') {
    return {
      kind: 'warming_up',
      title: 'Warming up',
      detail: `The baseline needs 7 days of history before anything is judged${
        b.warmup_ends_at ? ` (until ${formatTime(b.warmup_ends_at)} UTC)` : ''
      }: the bands are shown, no hour is marked outside.`,
    };
  }
  return { kind: 'ready', title: 'Baseline ready', detail: `Baseline of ${b.date}.` };
}
