import { useEffect, useMemo, useState } from 'react';
import type { SessionDetailResponse } from '../../../../../contracts/query-api';
import { Panel } from '../../../components/ui/card';
import { Group } from '../../../components/ui/group';
import { Icon } from '../../../components/ui/icon';
import { Link } from '../../../components/ui/link';
import { Async, Empty } from '../../../components/ui/states';
import { DataTable } from '../../../components/ui/table';
import { formatCount, formatMs, formatUsd } from '../../../lib/format';
import { useParams, useSearch } from '../../../lib/router';
import { VIEW_LABELS, type View, viewHref } from '../../../lib/routes';
import { useApiClient } from '../../../lib/use-api';
import { useSession } from '../api/use-sessions';
import { clampStep, replayOrder, replayState } from '../lib/replay';
import { outcomeOf, prepareSessionFacts } from '../lib/session-header';
import { layoutWaterfall, visibleRows } from '../lib/waterfall';
import { EventDetailView, EventDisclosure } from './event-detail';
import { ExportButtons } from './export-buttons';

const TABS = ['llm', 'tool', 'errors', 'evals'] as const;
type Tab = (typeof TABS)[number];

/** One session in full: header, waterfall, replay, every LLM call, tool call and error; export. */
export function SessionScreen({
  agentId,
  sessionId,
  from,
}: {
  agentId: string;
  sessionId: string;
  from: View;
}) {
  const state = useSession(agentId, sessionId);
  const search = useSearch();
  return (
    <main className="page">
      <Link href={viewHref(search, agentId, from)} className="back">
        ← {agentId} · {VIEW_LABELS[from]}
      </Link>
      <Async state={state} loadingLabel="Loading session…">
        {(d) => <SessionDetail agentId={agentId} detail={d} />}
      </Async>
    </main>
  );
}

function SessionDetail({ agentId, detail }: { agentId: string; detail: SessionDetailResponse }) {
  const client = useApiClient();
  const [params, setParams] = useParams();
  const s = detail.session;
  const order = useMemo(() => replayOrder(detail.events), [detail]);
  const waterfall = useMemo(() => layoutWaterfall(detail), [detail]);
  const step = clampStep(Number(params.get('step') ?? 0), order.length);
  const replay = useMemo(() => replayState(detail.events, order, step), [detail, order, step]);
  const [playing, setPlaying] = useState(false);
  const [collapsed, setCollapsed] = useState<Set<string>>(new Set());
  const tabRaw = params.get('tab');
  const tab: Tab = (TABS as readonly string[]).includes(tabRaw ?? '') ? (tabRaw as Tab) : 'llm';

  const go = (n: number) => setParams({ step: clampStep(n, order.length) || null }, { replace: true });

  useEffect(() => {
    if (!playing) return;
    if (step >= order.length - 1) {
      setPlaying(false);
      return;
    }
    const timer = setTimeout(() => setParams({ step: step + 1 }, { replace: true }), 700);
    return () => clearTimeout(timer);
  }, [playing, step, order.length, setParams]);

  const byId = useMemo(() => new Map(detail.events.map((e) => [e.event_id, e])), [detail]);
  const stepOf = useMemo(
    () => new Map(order.map((idx, pos) => [detail.events[idx]!.event_id, pos])),
    [detail, order],
  );
  const offsetOf = (id: string) => {
    const e = byId.get(id);
    return e ? Date.parse(e.started_at) - waterfall.startMs : 0;
  };
  const tabEvents = (ids: string[]) => ids.map((id) => byId.get(id)).filter((e) => e !== undefined);
  const lists: Record<Exclude<Tab, 'evals'>, string[]> = {
    llm: detail.llm_call_ids,
    tool: detail.tool_call_ids,
    errors: detail.error_ids,
  };
  const outcome = outcomeOf(detail);
  const rows = visibleRows(waterfall.rows, collapsed);
  const toggle = (id: string) =>
    setCollapsed((c) => {
      const next = new Set(c);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  return (
    <div className="stack" data-session-detail={s.session_id}>
      <header className="session-header">
        <div>
          <h1>{s.name ?? s.session_id}</h1>
          <div className="row-gap">
            <span className="mono muted small">{s.session_id}</span>
            <span className={`badge badge-${s.status === 'running' ? 'neutral' : outcome}`}>
              {s.status === 'running' ? 'running' : outcome}
            </span>
            <span className="badge">{s.production ? 'production' : 'non-production'}</span>
            {s.experiment_id && <span className="badge">experiment {s.experiment_id}</span>}
            {s.tags.map((t) => (
              <span key={t} className="tag">
                {t}
              </span>
            ))}
          </div>
          {s.task && <p className="muted">Task: {s.task}</p>}
          {s.is_successful_reason && <p className="muted">Outcome: {s.is_successful_reason}</p>}
        </div>
        <ExportButtons
          label="Export session"
          load={(format) => client.exportSession(agentId, s.session_id, format)}
        />
      </header>
      <dl className="facts facts-grid">
        {prepareSessionFacts(detail).map((f) => (
          <div key={f.label}>
            <dt>{f.label}</dt>
            <dd>{f.value}</dd>
            {f.detail && <dd className="muted small">{f.detail}</dd>}
          </div>
        ))}
      </dl>
      {detail.truncated && (
        <p className="callout">
          This session has more events than are shown here; the export holds the same subset.
        </p>
      )}

      {order.length === 0 ? (
        <Empty title="This session has no events yet" />
      ) : (
        <>
          <Panel
            title="Replay"
            subtitle="Step through the events in time order; the timeline and figures show the state at each step"
            id="replay"
          >
            <Group className="replay-controls" label="Replay controls">
              <button type="button" onClick={() => go(0)} aria-label="First step" disabled={step === 0}>
                <Icon name="first" />
              </button>
              <button
                type="button"
                onClick={() => go(step - 1)}
                aria-label="Previous step"
                disabled={step === 0}
              >
                <Icon name="prev" />
              </button>
              <button
                type="button"
                onClick={() => setPlaying(!playing)}
                aria-label={playing ? 'Pause' : 'Play'}
              >
                <Icon name={playing ? 'pause' : 'play'} />
              </button>
              <button
                type="button"
                onClick={() => go(step + 1)}
                aria-label="Next step"
                disabled={step >= order.length - 1}
              >
                <Icon name="next" />
              </button>
              <button
                type="button"
                onClick={() => go(order.length - 1)}
                aria-label="Last step"
                disabled={step >= order.length - 1}
              >
                <Icon name="last" />
              </button>
              <input
                type="range"
                min={0}
                max={order.length - 1}
                value={step}
                onChange={(e) => go(Number(e.target.value))}
                aria-label="Replay position"
              />
              <span className="replay-position" data-replay-step={step + 1}>
                Step {step + 1} of {order.length} · +{formatMs(replay.elapsedMs)}
              </span>
            </Group>
            <dl className="facts facts-inline" aria-label="State at this step">
              <div>
                <dt>Cost so far</dt>
                <dd data-fact="replay-cost">{formatUsd(replay.costUsd)}</dd>
              </div>
              <div>
                <dt>Tokens so far</dt>
                <dd>
                  {formatCount(replay.inputTokens)} in · {formatCount(replay.outputTokens)} out
                </dd>
              </div>
              <div>
                <dt>LLM calls</dt>
                <dd>{replay.llmCalls}</dd>
              </div>
              <div>
                <dt>Tool calls</dt>
                <dd>{replay.toolCalls}</dd>
              </div>
              <div>
                <dt>Errors</dt>
                <dd className={replay.errors > 0 ? 'tone-bad' : undefined}>{replay.errors}</dd>
              </div>
              <div>
                <dt>Running</dt>
                <dd>{replay.running.size}</dd>
              </div>
            </dl>
            {replay.current && (
              <EventDetailView event={replay.current} offsetMs={offsetOf(replay.current.event_id)} />
            )}
          </Panel>

          <Panel
            title="Timeline"
            subtitle={`${detail.events.length} events over ${formatMs(waterfall.spanMs)}; click a row to jump the replay to it`}
            id="timeline"
          >
            <ol className="waterfall" aria-label="Event timeline">
              <li className="waterfall-axis" aria-hidden="true">
                <span />
                <div className="waterfall-ticks">
                  {waterfall.ticks.map((t) => (
                    <span key={t.left} style={{ left: `${t.left}%` }}>
                      {t.label}
                    </span>
                  ))}
                </div>
              </li>
              {rows.map((r) => {
                const pos = stepOf.get(r.eventId) ?? 0;
                const cls = [
                  'waterfall-row',
                  replay.seen.has(r.eventId) ? 'seen' : 'future',
                  replay.current?.event_id === r.eventId ? 'current' : '',
                  r.failed ? 'failed' : '',
                ].join(' ');
                return (
                  <li
                    key={r.eventId}
                    className={cls}
                    data-event-row={r.eventId}
                    aria-current={replay.current?.event_id === r.eventId ? 'step' : undefined}
                  >
                    <div className="waterfall-label" style={{ paddingLeft: `${r.depth * 14}px` }}>
                      {r.childCount > 0 ? (
                        <button
                          type="button"
                          className="link-button caret"
                          aria-expanded={!collapsed.has(r.eventId)}
                          aria-label={`${collapsed.has(r.eventId) ? 'Expand' : 'Collapse'} ${r.label}`}
                          onClick={() => toggle(r.eventId)}
                        >
                          {collapsed.has(r.eventId) ? '▸' : '▾'}
                        </button>
                      ) : (
                        <span className="caret" />
                      )}
                      <button
                        type="button"
                        className="link-button"
                        onClick={() => go(pos)}
                        aria-label={`Replay from ${r.label}`}
                      >
                        <span className={`dot type-${r.type}`} /> {r.label}
                      </button>
                    </div>
                    <div className="waterfall-track">
                      <span
                        className={`waterfall-bar type-${r.type}`}
                        style={{ left: `${r.left}%`, width: `${r.width}%` }}
                        title={`${r.label} · +${formatMs(r.offsetMs)} · ${r.duration}${r.cost ? ` · ${r.cost}` : ''}`}
                      />
                    </div>
                    <div className="waterfall-meta num">
                      {r.duration}
                      {r.cost ? ` · ${r.cost}` : ''}
                    </div>
                  </li>
                );
              })}
            </ol>
          </Panel>
        </>
      )}

      <Panel title="Details" id="session-tabs">
        <div className="tabs" role="tablist" aria-label="Session details">
          {TABS.map((t) => {
            const count = t === 'evals' ? s.evals.length : lists[t].length;
            const label = { llm: 'LLM calls', tool: 'Tool calls', errors: 'Errors', evals: 'Evals' }[t];
            return (
              <button
                key={t}
                type="button"
                role="tab"
                aria-selected={tab === t}
                onClick={() => setParams({ tab: t === 'llm' ? null : t }, { replace: true })}
              >
                {label} <span className="count">{count}</span>
              </button>
            );
          })}
        </div>
        <div role="tabpanel">
          {tab === 'evals' ? (
            s.evals.length === 0 ? (
              <Empty title="No rubric results for this session" />
            ) : (
              <DataTable label="Evals" columns={['Rubric', 'Result', 'Description']}>
                {s.evals.map((e) => (
                  <tr key={`${e.name}-${e.at}`}>
                    <td>{e.name}</td>
                    <td className="mono">{String(e.result)}</td>
                    <td className="muted">{e.description ?? ''}</td>
                  </tr>
                ))}
              </DataTable>
            )
          ) : lists[tab].length === 0 ? (
            <Empty
              title={
                tab === 'errors'
                  ? 'No errors in this session'
                  : `No ${tab === 'llm' ? 'LLM' : 'tool'} calls in this session`
              }
            />
          ) : (
            <div className="event-list">
              {tabEvents(lists[tab]).map((e) => (
                <EventDisclosure key={e.event_id} event={e} offsetMs={offsetOf(e.event_id)} />
              ))}
            </div>
          )}
        </div>
      </Panel>
    </div>
  );
}
