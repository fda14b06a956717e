import { Link } from '../../components/ui/link';
import type { IncidentListResponse } from '../../lib/api-client';
import { viewHref } from '../../lib/routes';
import { useApi } from '../../lib/use-api';

export interface OpenCount {
  total: number;
  critical: number;
}

/** Open incidents per agent. */
export function countOpen(data: IncidentListResponse | null): Map<string, OpenCount> {
  const counts = new Map<string, OpenCount>();
  for (const i of data?.incidents ?? []) {
    if (i.status !== 'open') continue;
    const c = counts.get(i.agent_id) ?? { total: 0, critical: 0 };
    c.total += 1;
    if (i.severity === 'critical') c.critical += 1;
    counts.set(i.agent_id, c);
  }
  return counts;
}

/**
 * Open incidents of every visible agent. A failure (older API, no alerting) reads as "none known":
 * the badges are a hint, the Incidents view is the place that reports errors.
 */
export function useOpenIncidents(): Map<string, OpenCount> | null {
  const state = useApi('open-incidents', (c, s) => c.openIncidents(s));
  if (state.status === 'error') return new Map();
  return state.data ? countOpen(state.data) : null;
}

/** "2 open" in red when one is critical, amber otherwise; nothing when there are none. */
export function OpenIncidentsBadge({
  count,
  agentId,
  search = '',
}: {
  count: OpenCount | undefined;
  agentId: string;
  search?: string;
}) {
  if (!count || count.total === 0) return null;
  const tone = count.critical > 0 ? 'bad' : 'warn';
  const label = `${count.total} open incident${count.total === 1 ? '' : 's'}${
    count.critical > 0 ? `, ${count.critical} critical` : ''
  }`;
  return (
    <Link
      href={viewHref(search, agentId, 'incidents')}
      className={`incident-badge tone-${tone}`}
      title={label}
    >
      {count.total} open
    </Link>
  );
}
