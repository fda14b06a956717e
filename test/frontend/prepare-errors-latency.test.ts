import { describe, expect, it } from 'vitest';
import {
  categoryTotals,
  prepareErrorBars,
  prepareErrorRate,
  prepareGroups,
} from '../../frontend/src/features/errors/lib/prepare-errors';
import {
  histogramLabel,
  histogramRange,
  markerPosition,
  prepareDurationFigures,
  prepareHistogram,
  prepareLatencyRows,
  prepareLatencyTrend,
} from '../../frontend/src/features/latency/lib/prepare-latency';
import * as F from './fixtures';

describe('error preparation', () => {
  it('orders categories by their total', () => {
    expect(categoryTotals(F.errorSeries()).map((c) => c.category)).toEqual([
      'rate_limit',
      'tool',
      'api',
      'timeout',
      'network',
    ]);
  });

  it('stacks each bucket by category in that order', () => {
    const d = prepareErrorBars(F.errorSeries());
    expect(d.stacks.map((s) => s.key)[0]).toBe('rate_limit');
    expect(d.values[2]).toEqual([5, 0, 1, 0, 0]);
  });

  it('leaves buckets without settled sessions as gaps in the error rate', () => {
    const d = prepareErrorRate(F.errorSeries());
    expect(d.series[0]!.values[4]).toBeNull();
    expect(d.series[0]!.values[0]).toBeCloseTo(0.04);
  });

  it('shows estimated counts of sampled errors and keeps stack and samples', () => {
    const [rate, tool] = prepareGroups(F.errorGroups().groups);
    expect(rate).toMatchObject({
      count: '≈10',
      sessions: '4',
      categoryLabel: 'rate limit',
      type: 'RateLimitError',
    });
    expect(rate!.stack).toContain('client.ts:512');
    expect(tool!.count).toBe('3');
    expect(tool!.sampleSessionIds).toEqual(['demo-000009']);
  });
});

describe('latency preparation', () => {
  const l = F.latency();

  it('labels log-spaced buckets', () => {
    expect(histogramLabel({ min_ms: 0, max_ms: 100, count: 0 })).toBe('< 100 ms');
    expect(histogramLabel({ min_ms: 2000, max_ms: 5000, count: 0 })).toBe('2 s–5 s');
    expect(histogramLabel({ min_ms: 60000, max_ms: null, count: 0 })).toBe('≥ 1m');
  });

  it('trims the histogram to the buckets that hold sessions plus one on each side', () => {
    expect(histogramRange([l.histogram])).toEqual([3, 11]);
    const d = prepareHistogram(l);
    expect(d.labels[0]).toBe('500 ms–1 s');
    expect(d.values).toHaveLength(9);
  });

  it('shares one range across histograms shown side by side', () => {
    const empty = l.histogram.map((b) => ({ ...b, count: 0 }));
    expect(histogramRange([empty, l.histogram])).toEqual([3, 11]);
    expect(histogramRange([empty])).toEqual([0, 11]);
  });

  it('places percentile markers inside their bucket on a log scale', () => {
    const h = l.histogram;
    expect(markerPosition(h, 5000)).toBeCloseTo(6, 5);
    expect(markerPosition(h, Math.sqrt(5000 * 10000))).toBeCloseTo(6.5, 5);
    expect(markerPosition(h, 50)).toBeCloseTo(0.5, 5);
    const d = prepareHistogram(l);
    expect(d.markers!.map((m) => m.label)).toEqual(['P50 8.19 s', 'P95 16.2 s', 'P99 49.5 s']);
  });

  it('draws session percentiles over time with gaps for empty buckets', () => {
    const d = prepareLatencyTrend(l);
    expect(d.series.map((s) => s.id)).toEqual(['p50', 'p95', 'p99']);
    expect(d.series[0]!.values[1]).toBeNull();
  });

  it('falls back to event percentiles when no session figures exist', () => {
    const ev = {
      ...l,
      points: l.points.map((p) => ({
        ...p,
        session_p50_ms: null,
        session_p95_ms: null,
        session_p99_ms: null,
      })),
    };
    expect(prepareLatencyTrend(ev).series.map((s) => s.id)).toEqual(['e50', 'e95']);
  });

  it('ranks step kinds by p95 and drops kinds without timed events', () => {
    const rows = prepareLatencyRows(
      l.by_event_type.map((r) => ({ key: r.event_type, latency: r.latency_ms })),
    );
    expect(rows.map((r) => r.key)).toEqual(['llm', 'tool']);
    expect(rows[0]!.bar).toBe(100);
    expect(rows[1]!.bar).toBe(35);
  });

  it('gives P50/P95/P99 duration figures, none without sessions', () => {
    expect(
      prepareDurationFigures(l)
        .map((f) => f.value)
        .slice(0, 3),
    ).toEqual(['8.19 s', '16.2 s', '49.5 s']);
    expect(prepareDurationFigures({ ...l, session_duration_ms: null })).toEqual([]);
  });
});
