import { aggregateParams, type Filters, filtersKey, trendBucket } from '../../../lib/filters';
import { useApi } from '../../../lib/use-api';

export function useQuality(agentId: string, f: Filters, by: string | null) {
  const bucket = trendBucket(f, Date.now());
  return useApi(`quality|${agentId}|${filtersKey(f)}|${bucket}|${by ?? ''}`, (c, s) =>
    c.quality(agentId, { ...aggregateParams(f), bucket, ...(by ? { by } : {}) }, s),
  );
}
