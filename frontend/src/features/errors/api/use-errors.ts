import type { ErrorGroupsParams } from '../../../lib/api-client';
import { aggregateParams, type Filters, filtersKey, trendBucket } from '../../../lib/filters';
import { useApi } from '../../../lib/use-api';
import { usePagedApi } from '../../../lib/use-paged-api';

export function useErrorSeries(agentId: string, f: Filters) {
  const bucket = trendBucket(f, Date.now());
  return useApi(`errors-series|${agentId}|${filtersKey(f)}|${bucket}`, (c, s) =>
    c.errorSeries(agentId, { ...aggregateParams(f), bucket }, s),
  );
}

/** Error groups by fingerprint, optionally of one category, 25 per page. */
export function useErrorGroups(agentId: string, f: Filters, category: string | null) {
  const params: ErrorGroupsParams = {
    ...aggregateParams(f),
    ...(category ? { error_type: category as ErrorGroupsParams['error_type'] } : {}),
    limit: 25,
  };
  return usePagedApi(`errors-groups|${agentId}|${filtersKey(f)}|${category ?? ''}`, (c, cursor, s) =>
    c.errorGroups(agentId, { ...params, ...(cursor ? { cursor } : {}) }, s),
  );
}
