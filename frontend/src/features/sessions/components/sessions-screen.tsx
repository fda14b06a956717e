import { Panel } from '../../../components/ui/card';
import { Link } from '../../../components/ui/link';
import { type Choice, choicesOf, SelectLabel } from '../../../components/ui/select-label';
import { Async, Empty, LoadMore } from '../../../components/ui/states';
import { DataTable, num } from '../../../components/ui/table';
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

const HAS_ERROR_CHOICES: Choice[] = [
  { value: '', label: 'Any' },
  { value: 'true', label: 'With errors' },
  { value: 'false', label: 'Without errors' },
];
const STATUS_CHOICES: Choice[] = [
  { value: '', label: 'Any' },
  { value: 'finished', label: 'Finished' },
  { value: 'running', label: 'Running' },
];

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
        <SelectLabel
          label="Sort"
          value={state.sort}
          onChange={(v) => setParams({ sort: v === 'started_at' ? null : (v as Sort) }, { replace: true })}
          choices={choicesOf(SORTS, SORT_LABELS)}
        />
        <SelectLabel
          label="Errors"
          value={state.hasError ?? ''}
          onChange={(v) => setParams({ has_error: v || null }, { replace: true })}
          choices={HAS_ERROR_CHOICES}
        />
        <SelectLabel
          label="Status"
          value={state.status ?? ''}
          onChange={(v) => setParams({ status: v || null }, { replace: true })}
          choices={STATUS_CHOICES}
        />
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
            <DataTable
              label="Sessions"
              columns={[
                'Session',
                'Started',
                'Outcome',
                num('Duration'),
                num('Cost'),
                num('Tokens'),
                num('LLM calls'),
                num('Errors'),
                'Tags',
              ]}
            >
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
            </DataTable>
            <LoadMore list={list} what="sessions" />
          </>
        )}
      </Async>
    </Panel>
  );
}
