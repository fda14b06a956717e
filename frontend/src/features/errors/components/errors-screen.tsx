import { useState } from 'react';
import { Panel } from '../../../components/ui/card';
import { BarChart } from '../../../components/ui/charts/bar-chart';
import { LineChart } from '../../../components/ui/charts/line-chart';
import { Group } from '../../../components/ui/group';
import { Link } from '../../../components/ui/link';
import { Async, Empty, LoadMore } from '../../../components/ui/states';
import { describeWindow, type Filters } from '../../../lib/filters';
import { formatCount, formatPct } from '../../../lib/format';
import { useParams, useSearch } from '../../../lib/router';
import { sessionHref, viewHref } from '../../../lib/routes';
import { useErrorGroups, useErrorSeries } from '../api/use-errors';
import {
  categoryLabel,
  categoryTotals,
  type GroupRow,
  prepareErrorBars,
  prepareErrorRate,
  prepareGroups,
} from '../lib/prepare-errors';

/** "Where does it fail?" — errors by category over time, and grouped by fingerprint. */
export function ErrorsScreen({ agentId, filters }: { agentId: string; filters: Filters }) {
  const [params, setParams] = useParams();
  const category = params.get('category');
  const series = useErrorSeries(agentId, filters);
  const groups = useErrorGroups(agentId, filters, category);

  return (
    <div className="stack">
      <Panel title="Errors by category" subtitle={describeWindow(filters)} id="errors-series">
        <Async state={series}>
          {(s) => (
            <>
              <p className="muted small">
                {formatCount(s.totals.errors)} errors
                {s.totals.error_rate !== null
                  ? ` · ${formatPct(s.totals.error_rate)} of sessions had one`
                  : ''}
              </p>
              <Group className="chips" label="Categories">
                {categoryTotals(s).map((c) => (
                  <button
                    key={c.category}
                    type="button"
                    className="chip"
                    aria-pressed={category === c.category}
                    onClick={() =>
                      setParams({ category: category === c.category ? null : c.category }, { replace: true })
                    }
                  >
                    <span className="swatch" style={{ background: c.color, borderColor: c.color }} />
                    {c.label} <strong>{formatCount(c.count)}</strong>
                  </button>
                ))}
              </Group>
              <BarChart
                id="errors-by-category"
                title="Errors per bucket by category"
                data={prepareErrorBars(s)}
              />
              <LineChart
                id="error-rate"
                title="Share of sessions with an error"
                data={prepareErrorRate(s)}
                height={160}
              />
            </>
          )}
        </Async>
      </Panel>

      <Panel
        title="Error groups"
        subtitle={
          category
            ? `Category ${categoryLabel(category)} · same fingerprint = same error`
            : 'Same fingerprint = same error (type, message shape, stack)'
        }
        id="error-groups"
      >
        <Async
          state={groups.first}
          isEmpty={(first) => first.groups.length === 0}
          empty={<Empty title="No errors in this window">Nothing failed — or nothing was sent.</Empty>}
        >
          {() => (
            <>
              <table className="table" aria-label="Error groups">
                <thead>
                  <tr>
                    <th>Error</th>
                    <th>Category</th>
                    <th className="num">Count</th>
                    <th className="num">Sessions</th>
                    <th>First seen</th>
                    <th>Last seen</th>
                  </tr>
                </thead>
                {prepareGroups(groups.pages.flatMap((p) => p.groups)).map((row) => (
                  <GroupRows key={row.fingerprint} row={row} agentId={agentId} />
                ))}
              </table>
              <LoadMore list={groups} what="groups" />
            </>
          )}
        </Async>
      </Panel>
    </div>
  );
}

function GroupRows({ row, agentId }: { row: GroupRow; agentId: string }) {
  const [open, setOpen] = useState(false);
  const search = useSearch();
  return (
    <tbody className="group" data-fingerprint={row.fingerprint}>
      <tr>
        <td>
          <button type="button" className="link-button" aria-expanded={open} onClick={() => setOpen(!open)}>
            <span className="caret" aria-hidden="true">
              {open ? '▾' : '▸'}
            </span>
            <span className="mono">{row.type}</span>: {truncate(row.message, 140)}
          </button>
        </td>
        <td>
          <span className="badge" style={{ borderColor: row.color }}>
            {row.categoryLabel}
          </span>
        </td>
        <td className="num strong">{row.count}</td>
        <td className="num">{row.sessions}</td>
        <td>{row.firstSeen}</td>
        <td>{row.lastSeen}</td>
      </tr>
      {open && (
        <tr className="group-detail">
          <td colSpan={6}>
            <p className="mono wrap">{row.message}</p>
            {row.stack ? (
              <pre className="stack-trace">{row.stack}</pre>
            ) : (
              <p className="muted">No stack trace was sent.</p>
            )}
            <div className="row-gap">
              <span className="muted">Affected sessions:</span>
              {row.sampleSessionIds.map((id) => (
                <Link key={id} href={sessionHref(search, agentId, id)} className="mono">
                  {id}
                </Link>
              ))}
              <Link href={viewHref(search, agentId, 'sessions', { fingerprint: row.fingerprint })}>
                All affected sessions →
              </Link>
            </div>
          </td>
        </tr>
      )}
    </tbody>
  );
}

const truncate = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
