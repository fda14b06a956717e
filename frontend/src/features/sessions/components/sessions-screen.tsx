import { Panel } from '../../../components/ui/card';
import { Link } from '../../../components/ui/link';
import { Async, Empty, ErrorState } from '../../../components/ui/states';
import { describeSlice, describeWindow, type Filters } from '../../../lib/filters';
import { useParams, useSearch } from '../../../lib/router';
import { sessionHref } from '../../../lib/routes';
import { useApiClient } from '../../../lib/use-api';
import { useSessionList } from '../api/use-sessions';
import {
  listParams,
  parseListState,
  prepareSessionRows,
  SORT_LABELS,
  SORTS,
  type Sort,
} from '../lib/session-list';
import { ExportButtons } from './export-buttons';

/** Every session of the window, any combination of filters, newest (or costliest, slowest…) first. */
export function SessionsScreen({ agentId, filters }: { agentId: string; filters: Filters }) {
  const [params, setParams] = useParams();
  const search = useSearch();
  const state = parseListState(params);
  const list = useSessionList(agentId, filters, state);
  const client = useApiClient();
  const slice = describeSlice(filters);

  return (
    <Panel
      title="Sessions"
      subtitle={`${describeWindow(filters)}${slice ? ` · ${slice}` : ''}${state.fingerprint ? ` · error ${state.fingerprint}` : ''}`}
      id="sessions"
      actions={
        <ExportButtons
          label="Export sessions"
          load={(format) => client.exportSessions(agentId, listParams(filters, state), format)}
        />
      }
    >
      <div className="filter-bar" role="toolbar" aria-label="Session filters">
        <label className="select-label">
          Sort
          <select
            aria-label="Sort"
            value={state.sort}
            onChange={(e) =>
              setParams(
                { sort: e.target.value === 'started_at' ? null : (e.target.value as Sort) },
                { replace: true },
              )
            }
          >
            {SORTS.map((s) => (
              <option key={s} value={s}>
                {SORT_LABELS[s]}
              </option>
            ))}
          </select>
        </label>
        <label className="select-label">
          Errors
          <select
            aria-label="Errors"
            value={state.hasError ?? ''}
            onChange={(e) => setParams({ has_error: e.target.value || null }, { replace: true })}
          >
            <option value="">Any</option>
            <option value="true">With errors</option>
            <option value="false">Without errors</option>
          </select>
        </label>
        <label className="select-label">
          Status
          <select
            aria-label="Status"
            value={state.status ?? ''}
            onChange={(e) => setParams({ status: e.target.value || null }, { replace: true })}
          >
            <option value="">Any</option>
            <option value="finished">Finished</option>
            <option value="running">Running</option>
          </select>
        </label>
        {state.fingerprint && (
          <button
            type="button"
            className="chip"
            onClick={() => setParams({ fingerprint: null }, { replace: true })}
          >
            error {state.fingerprint} ✕
          </button>
        )}
      </div>
      <Async
        state={list.first}
        isEmpty={(p) => p.sessions.length === 0}
        empty={<Empty title="No sessions match">Widen the window or remove a filter.</Empty>}
      >
        {() => (
          <>
            <table className="table" aria-label="Sessions">
              <thead>
                <tr>
                  <th>Session</th>
                  <th>Started</th>
                  <th>Outcome</th>
                  <th className="num">Duration</th>
                  <th className="num">Cost</th>
                  <th className="num">Tokens</th>
                  <th className="num">LLM calls</th>
                  <th className="num">Errors</th>
                  <th>Tags</th>
                </tr>
              </thead>
              <tbody>
                {prepareSessionRows(list.pages.flatMap((p) => p.sessions)).map((r) => (
                  <tr key={r.sessionId} data-session={r.sessionId}>
                    <td>
                      <Link href={sessionHref(search, agentId, r.sessionId)}>{r.name}</Link>
                      {r.experiment && <span className="badge">exp {r.experiment}</span>}
                    </td>
                    <td>{r.started}</td>
                    <td>
                      <span className={`badge badge-${r.status === 'running' ? 'neutral' : r.outcome}`}>
                        {r.status === 'running' ? 'running' : r.outcome}
                      </span>
                    </td>
                    <td className="num">{r.duration}</td>
                    <td className="num">{r.cost}</td>
                    <td className="num">{r.tokens}</td>
                    <td className="num">{r.llmCalls}</td>
                    <td className={`num ${r.errors > 0 ? 'tone-bad' : ''}`}>{r.errors}</td>
                    <td className="tags">
                      {r.tags.map((t) => (
                        <span key={t} className="tag">
                          {t}
                        </span>
                      ))}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {list.moreError && <ErrorState error={list.moreError} onRetry={list.loadMore} />}
            {list.hasMore && (
              <button type="button" className="load-more" onClick={list.loadMore} disabled={list.loadingMore}>
                {list.loadingMore ? 'Loading…' : 'Load more sessions'}
              </button>
            )}
          </>
        )}
      </Async>
    </Panel>
  );
}
