import { aggregateParams, type Filters, filtersKey } from '../../../lib/filters';
import { useApi } from '../../../lib/use-api';
import type { CostBucket } from '../lib/prepare-cost';

export function useCostBuckets(agentId: string, f: Filters, bucket: CostBucket) {
  return useApi(`cost-series|${agentId}|${filtersKey(f)}|${bucket}`, (c, s) =>
    c.costSeries(agentId, { ...aggregateParams(f), bucket }, s),
  );
}

export function usePercentiles(agentId: string, f: Filters) {
  return useApi(`percentiles|${agentId}|${filtersKey(f)}`, (c, s) =>
    c.percentiles(agentId, aggregateParams(f), s),
  );
}

export function useTopSessions(agentId: string, f: Filters, by: 'cost' | 'duration', limit = 10) {
  return useApi(`top|${agentId}|${filtersKey(f)}|${by}|${limit}`, (c, s) =>
    c.topSessions(agentId, { ...aggregateParams(f), by, limit }, s),
  );
}

export function useCostModels(agentId: string, f: Filters, alternative: string | null) {
  return useApi(`cost-models|${agentId}|${filtersKey(f)}|${alternative ?? ''}`, (c, s) =>
    c.costModels(agentId, { ...aggregateParams(f), ...(alternative ? { alternative } : {}) }, s),
  );
}

export const usePrices = () => useApi('prices', (c, s) => c.prices(s));
