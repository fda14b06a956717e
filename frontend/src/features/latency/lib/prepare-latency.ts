import type { Distribution, LatencyResponse } from '../../../../../contracts/query-api';
import type { BarChartData, LineChartData } from '../../../components/ui/charts/layout';
import { formatCount, formatMs } from '../../../lib/format';
import { bucketLabels, SERIES } from '../../../lib/series';

type Histogram = LatencyResponse['histogram'];

/** "100–250 ms", "≥ 1h". */
export function histogramLabel(b: Histogram[number]): string {
  const short = (ms: number) =>
    formatMs(ms)
      .replace(/\.00 s$/, ' s')
      .replace(/ 0s$/, '');
  if (b.max_ms === null) return `≥ ${short(b.min_ms)}`;
  if (b.min_ms === 0) return `< ${short(b.max_ms)}`;
  return `${short(b.min_ms)}–${short(b.max_ms)}`;
}

/**
 * Where a value falls on the histogram's axis, in bars (1.5 = middle of the second bar). Buckets are
 * log-spaced, so the position inside a bucket is interpolated on a log scale.
 */
export function markerPosition(h: Histogram, value: number): number {
  for (let i = 0; i < h.length; i++) {
    const b = h[i]!;
    if (b.max_ms !== null && value >= b.max_ms) continue;
    if (value < b.min_ms) return i;
    if (b.max_ms === null) return i + 0.5;
    const f =
      b.min_ms > 0
        ? (Math.log(value) - Math.log(b.min_ms)) / (Math.log(b.max_ms) - Math.log(b.min_ms))
        : value / b.max_ms;
    return i + Math.min(1, Math.max(0, f));
  }
  return h.length;
}

/**
 * The bucket range worth showing: from one empty bucket below the first that holds sessions to one
 * above the last, over every histogram given (side-by-side charts share it).
 */
export function histogramRange(histograms: ReadonlyArray<Histogram>): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = -1;
  let len = 0;
  for (const h of histograms) {
    len = Math.max(len, h.length);
    h.forEach((b, i) => {
      if (b.count > 0) {
        lo = Math.min(lo, i);
        hi = Math.max(hi, i);
      }
    });
  }
  if (hi < 0) return [0, Math.max(0, len - 1)];
  return [Math.max(0, lo - 1), Math.min(len - 1, hi + 1)];
}

/** Session durations as bars over `range` (default: trimmed to this histogram), with P50/P95/P99 markers. */
export function prepareHistogram(l: LatencyResponse, range?: [number, number]): BarChartData {
  const h = l.histogram;
  const [lo, hi] = range ?? histogramRange([h]);
  const shown = h.slice(lo, hi + 1);
  const d = l.session_duration_ms;
  const markers: Array<{ at: number; label: string }> = [];
  if (d && d.count > 0) {
    for (const [label, v] of [
      ['P50', d.p50],
      ['P95', d.p95],
      ['P99', d.p99],
    ] as const) {
      if (v !== null) markers.push({ at: markerPosition(shown, v), label: `${label} ${formatMs(v)}` });
    }
  }
  return {
    labels: shown.map(histogramLabel),
    titles: shown.map((b) => `${histogramLabel(b)}`),
    stacks: [{ key: 'sessions', label: 'Sessions', color: SERIES[1]! }],
    values: shown.map((b) => [b.count]),
    formatY: (v) => formatCount(Math.round(v)),
    markers,
  };
}

/** Session duration percentiles per bucket; empty buckets are gaps. */
export function prepareLatencyTrend(l: LatencyResponse): LineChartData {
  const { labels, titles } = bucketLabels(
    l.points.map((p) => p.start),
    l.bucket,
  );
  const sessionLevel = l.points.some((p) => p.session_p50_ms !== null);
  const series = sessionLevel
    ? [
        { id: 'p50', label: 'P50', color: SERIES[0]!, values: l.points.map((p) => p.session_p50_ms) },
        { id: 'p95', label: 'P95', color: SERIES[2]!, values: l.points.map((p) => p.session_p95_ms) },
        { id: 'p99', label: 'P99', color: SERIES[3]!, values: l.points.map((p) => p.session_p99_ms) },
      ]
    : [
        { id: 'e50', label: 'Event P50', color: SERIES[0]!, values: l.points.map((p) => p.event_p50_ms) },
        { id: 'e95', label: 'Event P95', color: SERIES[2]!, values: l.points.map((p) => p.event_p95_ms) },
      ];
  return { labels, titles, series, formatY: formatMs };
}

export interface LatencyRow {
  key: string;
  count: string;
  p50: string;
  p95: string;
  p99: string;
  avg: string;
  max: string;
  /** 0–100: p95 relative to the slowest row's p95. */
  bar: number;
}

/** Per event type (workflow step kind) or model, slowest p95 first; types with no timed events dropped. */
export function prepareLatencyRows(
  rows: ReadonlyArray<{ key: string; latency: Distribution }>,
): LatencyRow[] {
  const timed = rows.filter((r) => r.latency.count > 0);
  const maxP95 = Math.max(1, ...timed.map((r) => r.latency.p95 ?? 0));
  return [...timed]
    .sort((a, b) => (b.latency.p95 ?? 0) - (a.latency.p95 ?? 0))
    .map((r) => ({
      key: r.key,
      count: formatCount(r.latency.count),
      p50: formatMs(r.latency.p50),
      p95: formatMs(r.latency.p95),
      p99: formatMs(r.latency.p99),
      avg: formatMs(r.latency.avg),
      max: formatMs(r.latency.max),
      bar: Math.round(((r.latency.p95 ?? 0) / maxP95) * 100),
    }));
}

export function prepareDurationFigures(
  l: LatencyResponse,
): Array<{ id: string; label: string; value: string; detail?: string }> {
  const d = l.session_duration_ms;
  if (!d || d.count === 0) return [];
  return [
    { id: 'p50', label: 'P50 duration', value: formatMs(d.p50) },
    { id: 'p95', label: 'P95 duration', value: formatMs(d.p95) },
    { id: 'p99', label: 'P99 duration', value: formatMs(d.p99) },
    {
      id: 'avg',
      label: 'Average',
      value: formatMs(d.avg),
      detail: `max ${formatMs(d.max)} · ${formatCount(d.count)} sessions`,
    },
  ];
}
