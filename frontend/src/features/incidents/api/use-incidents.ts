import type { IncidentListParams } from '../../../lib/api-client';
import { type Filters, filtersKey, windowParams } from '../../../lib/filters';
import { useApi } from '../../../lib/use-api';
import { usePagedApi } from '../../../lib/use-paged-api';
import type { Incident, IncidentDetail } from '../lib/prepare-incidents';

const PAGE = 25;

/**
 * One status of the agent's incidents, newest first, paged with the API's cursor. Open incidents are
 * listed whatever their age; resolved ones are those overlapping the filter bar's window.
 */
export function useIncidentList(
  agentId: string,
  status: 'open' | 'resolved' | 'all',
  filters: Filters,
  version = 0,
) {
  const params: IncidentListParams = {
    status,
    limit: PAGE,
    ...(status === 'open' ? {} : windowParams(filters)),
  };
  const key = `incidents|${agentId}|${status}|${status === 'open' ? '' : filtersKey(filters)}|${version}`;
  return usePagedApi(
    key,
    (c, cursor, signal) =>
      c.incidents(agentId, { ...params, ...(cursor ? { cursor } : {}) }, signal) as Promise<{
        incidents: Incident[];
        cursor: string | null;
      }>,
  );
}

export function useIncident(agentId: string, incidentId: string | null) {
  return useApi<IncidentDetail>(incidentId ? `incident|${agentId}|${incidentId}` : null, (c, s) =>
    c.incident(agentId, incidentId!, s),
  );
}

/** Channel names for the deliveries table (ids are shown when the list cannot be read). */
export function useChannelNames() {
  return useApi('channels', (c, s) => c.channels(s));
}
