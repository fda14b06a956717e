import type { AnomalyMetric } from '../../../../../contracts/alerts';
import { useApi } from '../../../lib/use-api';

/** The baselines of the last 14 days: which slices have one (for the slice picker). */
export function useBaselineList(agentId: string) {
  return useApi(`baselines|${agentId}`, (c, s) => c.baselines(agentId, {}, s));
}

/** Every metric's band and actual values over the window (one request; the metric picker filters). */
export function useBaselineSeries(
  agentId: string,
  slice: string,
  window: { range?: string; from?: string; to?: string },
  metrics: AnomalyMetric[] = [],
) {
  const metric = metrics.join(',');
  return useApi(
    `baseline-series|${agentId}|${slice}|${window.range ?? ''}|${window.from ?? ''}|${window.to ?? ''}|${metric}`,
    (c, s) => c.baselineSeries(agentId, { ...window, slice, ...(metric ? { metric } : {}) }, s),
  );
}

/** Each metric now against its band. `slice` null: nothing to ask (the state stays loading). */
export function useBaselineStatus(agentId: string, slice: string | null) {
  return useApi(slice === null ? null : `baseline-status|${agentId}|${slice}`, (c, s) =>
    c.baselineStatus(agentId, { slice: slice ?? 'all' }, s),
  );
}
