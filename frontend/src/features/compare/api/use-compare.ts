import type { CompareResponse } from '../../../../../contracts/query-api';
import type { CompareParams } from '../../../lib/api-client';
import { toQueryString } from '../../../lib/api-client';
import { useApi } from '../../../lib/use-api';
import { sideBucket, sideParams } from '../lib/prepare-compare';

export function useCompare(agentId: string, params: CompareParams | null) {
  const key = params ? `compare|${agentId}|${toQueryString(params as Record<string, string>)}` : null;
  return useApi(key, (c, s) => c.compare(agentId, params!, s));
}

/** Cost series and duration histogram of one side of a comparison. */
export function useSideSeries(agentId: string, side: CompareResponse['a'] | null) {
  const p = side ? sideParams(side) : null;
  const bucket = side ? sideBucket(side) : '1d';
  const key = p ? `${agentId}|${toQueryString(p)}|${bucket}` : null;
  const cost = useApi(key && `side-cost|${key}`, (c, s) => c.costSeries(agentId, { ...p, bucket }, s));
  const latency = useApi(key && `side-latency|${key}`, (c, s) => c.latency(agentId, { ...p, bucket }, s));
  return { cost, latency };
}

/** Experiments seen in the window (they run outside production, so all traffic is read). */
export function useExperiments(agentId: string, window: { range?: string; from?: string; to?: string }) {
  return useApi(`experiments|${agentId}|${toQueryString(window)}`, (c, s) =>
    c.breakdown(agentId, { ...window, production: 'all', by: 'experiment' }, s),
  );
}
