import { useState } from 'react';
import { Panel } from '../../../components/ui/card';
import { Link } from '../../../components/ui/link';
import { choicesOf, SelectLabel } from '../../../components/ui/select-label';
import { Async, Empty, LoadMore } from '../../../components/ui/states';
import { DataTable, num } from '../../../components/ui/table';
import { describeWindow, type Filters } from '../../../lib/filters';
import { useParams, useSearch } from '../../../lib/router';
import { useIncidentList } from '../api/use-incidents';
import {
  incidentHref,
  parseStatus,
  prepareIncidentRows,
  STATUS_FILTERS,
  STATUS_LABELS,
  type StatusFilter,
} from '../lib/prepare-incidents';
import { IncidentDetailPanel } from './incident-detail';
import { SeverityBadge } from './severity-badge';

/**
 * The agent's incidents (anomalies and rule breaches): open ones first, then resolved ones of the
 * filter bar's window, each opening its detail through `?incident=<id>` so it can be linked.
 */
export function IncidentsScreen({ agentId, filters }: { agentId: string; filters: Filters }) {
  const [params, setParams] = useParams();
  const status = parseStatus(params.get('status'));
  const selected = params.get('incident');
  // Bumped after an acknowledge/resolve so both lists ask again instead of showing cached pages.
  const [version, setVersion] = useState(0);
  const lists = { agentId, filters, selected, version };
  return (
    <div className="stack">
      <div className="filter-bar" role="toolbar" aria-label="Incident filters">
        <SelectLabel
          label="Status"
          ariaLabel="Incident status"
          value={status}
          onChange={(v) => setParams({ status: v === 'all' ? null : v }, { replace: true })}
          choices={choicesOf(STATUS_FILTERS, STATUS_LABELS)}
        />
      </div>
      {selected && (
        <IncidentDetailPanel
          agentId={agentId}
          incidentId={selected}
          onChanged={() => setVersion((v) => v + 1)}
        />
      )}
      {status !== 'resolved' && <IncidentList {...lists} status="open" />}
      {status !== 'open' && <IncidentList {...lists} status="resolved" />}
    </div>
  );
}

function IncidentList({
  agentId,
  filters,
  status,
  selected,
  version,
}: {
  agentId: string;
  filters: Filters;
  status: Exclude<StatusFilter, 'all'>;
  selected: string | null;
  version: number;
}) {
  const search = useSearch();
  const list = useIncidentList(agentId, status, filters, version);
  const title = status === 'open' ? 'Open incidents' : 'Resolved incidents';
  const now = Date.now();
  return (
    <Panel
      title={title}
      subtitle={status === 'open' ? 'Whenever they opened' : describeWindow(filters)}
      id={`incidents-${status}`}
    >
      <Async
        state={list.first}
        isEmpty={(p) => p.incidents.length === 0}
        empty={
          <Empty title={status === 'open' ? 'No open incidents' : 'No resolved incidents in this window'}>
            {status === 'open'
              ? 'Every checked metric is within its baseline and every alert rule is quiet.'
              : 'Widen the window to see older ones.'}
          </Empty>
        }
      >
        {() => (
          <>
            <DataTable
              label={title}
              columns={['Severity', 'Incident', 'What', 'Opened', 'Resolved', num('Duration')]}
            >
              {prepareIncidentRows(
                list.pages.flatMap((p) => p.incidents),
                now,
              ).map((r) => (
                <tr
                  key={r.id}
                  data-incident={r.id}
                  aria-selected={r.id === selected}
                  className={r.id === selected ? 'incident-selected' : undefined}
                >
                  <td>
                    <SeverityBadge severity={r.severity} />
                    {r.peak !== r.severity && (
                      <span className="muted small" title="Peak severity">
                        {' '}
                        peak {r.peak}
                      </span>
                    )}
                  </td>
                  <td>
                    <Link href={incidentHref(search, r.id)}>{r.title}</Link>
                    {r.acknowledged && <span className="badge">acknowledged</span>}
                  </td>
                  <td className="muted">{r.subject}</td>
                  <td>{r.opened}</td>
                  <td>{r.resolved}</td>
                  <td className="num">{r.duration}</td>
                </tr>
              ))}
            </DataTable>
            <LoadMore list={list} what={`${status} incidents`} />
          </>
        )}
      </Async>
    </Panel>
  );
}
