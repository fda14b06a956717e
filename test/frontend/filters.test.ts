import { describe, expect, it } from 'vitest';
import {
  aggregateParams,
  describeSlice,
  describeWindow,
  filtersToParams,
  parseFilters,
  trendBucket,
  windowLengthMs,
} from '../../frontend/src/lib/filters';

const NOW = Date.parse('2026-12-04T20:20:00Z');

describe('parseFilters', () => {
  it('defaults to the last 7 days of production traffic', () => {
    expect(parseFilters('')).toEqual({
      range: '7d',
      from: null,
      to: null,
      tag: null,
      model: null,
      production: 'true',
    });
  });

  it('reads a custom date range and drops the preset', () => {
    const f = parseFilters('?range=30d&from=2026-11-01&to=2026-11-15');
    expect(f).toMatchObject({ range: null, from: '2026-11-01', to: '2026-11-15' });
  });

  it('ignores malformed values instead of failing', () => {
    const f = parseFilters('?range=lots&from=yesterday&tag=nocolon&production=maybe');
    expect(f).toMatchObject({ range: '7d', from: null, tag: null, production: 'true' });
  });

  it('drops an end date before the start date', () => {
    expect(parseFilters('?from=2026-11-15&to=2026-11-01').to).toBeNull();
  });

  it('keeps one slice: a tag wins over a model (aggregates take one dimension)', () => {
    expect(parseFilters('?tag=tier:pro&model=gpt-4o')).toMatchObject({ tag: 'tier:pro', model: null });
    expect(parseFilters('?model=gpt-4o')).toMatchObject({ tag: null, model: 'gpt-4o' });
  });
});

describe('aggregateParams', () => {
  it('sends the range, the slice and non-default traffic only', () => {
    expect(aggregateParams(parseFilters('?range=30d&tag=tier:pro'))).toEqual({
      range: '30d',
      tag: 'tier:pro',
    });
    expect(aggregateParams(parseFilters('?from=2026-11-01&to=2026-11-02&production=all'))).toEqual({
      from: '2026-11-01',
      to: '2026-11-02',
      production: 'all',
    });
  });

  it('round-trips through URL parameters without the defaults', () => {
    expect(filtersToParams(parseFilters('?range=7d'))).toEqual({
      range: null,
      from: null,
      to: null,
      tag: null,
      model: null,
      production: null,
    });
  });
});

describe('windows and buckets', () => {
  it('measures preset and custom windows like the API (end date inclusive)', () => {
    expect(windowLengthMs(parseFilters('?range=24h'), NOW)).toBe(86_400_000);
    expect(windowLengthMs(parseFilters('?from=2026-11-01&to=2026-11-02'), NOW)).toBe(2 * 86_400_000);
  });

  it('uses hourly buckets up to 3 days, daily up to 90, weekly beyond', () => {
    expect(trendBucket(parseFilters('?range=24h'), NOW)).toBe('1h');
    expect(trendBucket(parseFilters('?range=3d'), NOW)).toBe('1h');
    expect(trendBucket(parseFilters('?range=30d'), NOW)).toBe('1d');
    expect(trendBucket(parseFilters('?from=2026-01-01&to=2026-06-30'), NOW)).toBe('1w');
  });

  it('describes the window and slice for subtitles', () => {
    expect(describeWindow(parseFilters('?range=30d'))).toBe('Last 30d');
    expect(describeWindow(parseFilters('?from=2026-11-01&to=2026-11-15'))).toBe('Nov 1 – Nov 15');
    expect(describeSlice(parseFilters('?model=gpt-4o'))).toBe('model gpt-4o');
  });
});
