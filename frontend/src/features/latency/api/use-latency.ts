import { aggregateParams, type Filters, filtersKey, trendBucket } from '../../../lib/filters';
import { useApi } from '../../../lib/use-api';

export function useLatency(agentId: string, f: Filters) {
  const bucket = trendBucket(f, Date.now());
  return useApi(`latency|${agentId}|${filtersKey(f)}|${bucket}`, (c, s) =>
    c.latency(agentId, { ...aggregateParams(f), bucket }, s),
  );
}
