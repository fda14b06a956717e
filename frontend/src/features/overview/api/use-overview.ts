import { aggregateParams, type Filters, filtersKey, isoDate, trendBucket } from '../../../lib/filters';
import { useApi } from '../../../lib/use-api';
import { statusSliceFor } from '../lib/baseline-badges';

export function useOverview(agentId: string, f: Filters) {
  return useApi(`overview|${agentId}|${filtersKey(f)}`, (c, s) => c.overview(agentId, aggregateParams(f), s));
}

export function useCostTrend(agentId: string, f: Filters) {
  const bucket = trendBucket(f, Date.now());
  return useApi(`cost-series|${agentId}|${filtersKey(f)}|${bucket}`, (c, s) =>
    c.costSeries(agentId, { ...aggregateParams(f), bucket }, s),
  );
}

/** This calendar month (UTC) day by day, for the month-end projection; the slice filter applies. */
export function useMonthCost(agentId: string, f: Filters) {
  const now = new Date();
  const monthStart = isoDate(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const today = isoDate(now.getTime());
  const params = {
    ...aggregateParams(f),
    range: undefined,
    from: monthStart,
    to: today,
    bucket: '1d' as const,
  };
  return useApi(`month-cost|${agentId}|${f.tag}|${f.model}|${f.production}|${today}`, (c, s) =>
    c.costSeries(agentId, params, s),
  );
}

/**
 * Each baseline metric now against its band, for the cards' markers. Asked alongside the overview;
 * null key (no request) when baselines do not apply (traffic other than production).
 */
export function useBaselineMarkers(agentId: string, f: Filters) {
  const slice = statusSliceFor(f);
  return useApi(slice === null ? null : `baseline-status|${agentId}|${slice}`, (c, s) =>
    c.baselineStatus(agentId, { slice: slice ?? 'all' }, s),
  );
}
