import { useState } from 'react';
import type { ChannelView } from '../../../../../contracts/alerts';
import { Panel } from '../../../components/ui/card';
import { Fact } from '../../../components/ui/facts';
import { Link } from '../../../components/ui/link';
import { Async, Empty } from '../../../components/ui/states';
import { DataTable, num } from '../../../components/ui/table';
import { formatCount, formatMs, formatTime, formatUsd } from '../../../lib/format';
import { useSearch } from '../../../lib/router';
import { sessionHref } from '../../../lib/routes';
import { useApiClient } from '../../../lib/use-api';
import { describeActionError, type IncidentAction, runIncidentAction } from '../api/incident-actions';
import { useChannelNames, useIncident } from '../api/use-incidents';
import {
  deliveriesByChannel,
  describeSignal,
  formatDuration,
  type IncidentDetail,
  incidentHref,
  incidentSubject,
  type Signal,
  timelineLabel,
  windowHref,
} from '../lib/prepare-incidents';
import { SeverityBadge } from './severity-badge';

/** One incident: what triggered it, every signal, the timeline, deliveries and the sessions it hit. */
export function IncidentDetailPanel({
  agentId,
  incidentId,
  onChanged,
}: {
  agentId: string;
  incidentId: string;
  onChanged: () => void;
}) {
  const state = useIncident(agentId, incidentId);
  const search = useSearch();
  return (
    <Panel
      title="Incident"
      subtitle={incidentId}
      id="incident-detail"
      actions={<Link href={incidentHref(search, null)}>Close</Link>}
    >
      <Async state={state} loadingLabel="Loading the incident…">
        {(i) => (
          <IncidentBody
            incident={i}
            onChanged={() => {
              state.reload();
              onChanged();
            }}
          />
        )}
      </Async>
    </Panel>
  );
}

function IncidentBody({ incident: i, onChanged }: { incident: IncidentDetail; onChanged: () => void }) {
  const search = useSearch();
  const now = Date.now();
  return (
    <div className="incident-detail" data-incident-detail={i.incident_id}>
      <div className="incident-head">
        <h3>
          <SeverityBadge severity={i.severity} /> {i.title}
        </h3>
        <p className="muted">
          <span className={`badge incident-status-${i.status}`}>{i.status}</span>{' '}
          {i.acknowledged_at && (
            <span className="badge" data-acknowledged="true">
              acknowledged {formatTime(i.acknowledged_at)}
              {i.acknowledged_by ? ` by ${i.acknowledged_by}` : ''}
            </span>
          )}{' '}
          {incidentSubject(i)} · peak {i.peak_severity} · opened {formatTime(i.opened_at)}
          {i.resolved_at ? ` · resolved ${formatTime(i.resolved_at)}` : ''}
          {i.resolved_by ? ` by ${i.resolved_by}` : ''} · {i.status === 'open' ? 'open for' : 'lasted'}{' '}
          {formatDuration(i.opened_at, i.resolved_at, now)}
          {i.normal_since && i.status === 'open' ? ` · normal since ${formatTime(i.normal_since)}` : ''}
        </p>
        <p className="row-gap">
          <span className="muted">
            Affected window {formatTime(i.window.from)} – {formatTime(i.window.to)} UTC:
          </span>
          <Link href={windowHref(search, i, 'overview')}>Open on Overview</Link>
          <Link href={windowHref(search, i, 'sessions')}>Open on Sessions</Link>
        </p>
        {i.status === 'open' && <IncidentActions incident={i} onChanged={onChanged} />}
      </div>

      <h4>What triggered it</h4>
      <SignalFacts signal={i.trigger} />

      <h4>Signals ({i.signals.length})</h4>
      {i.signals.length === 0 ? (
        <p className="muted">No other signal joined this incident.</p>
      ) : (
        <SignalTable signals={i.signals} />
      )}

      <h4>Timeline</h4>
      <ol className="incident-timeline" aria-label="Timeline">
        {i.timeline.map((t, n) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: timeline entries have no id and never reorder
          <li key={n} data-timeline={t.type}>
            <span className="mono small">{formatTime(t.at)}</span> <strong>{timelineLabel(t.type)}</strong>
            {t.severity && <SeverityBadge severity={t.severity} />}
            {t.detail && <span className="muted"> — {t.detail}</span>}
          </li>
        ))}
      </ol>

      <h4>Notifications</h4>
      <Deliveries deliveries={i.deliveries} />

      <h4>Top sessions in the affected window</h4>
      {i.top_sessions.length === 0 ? (
        <Empty title="No sessions in this window" />
      ) : (
        <DataTable
          label="Top sessions"
          columns={[
            'Session',
            'Started',
            'Status',
            num('Cost'),
            num('Duration'),
            num('Tokens'),
            num('Errors'),
          ]}
        >
          {i.top_sessions.map((s) => (
            <tr key={s.session_id} data-session={s.session_id}>
              <td>
                <Link href={sessionHref(search, i.agent_id, s.session_id)}>{s.session_id}</Link>
              </td>
              <td>{formatTime(s.started_at)}</td>
              <td>{s.status}</td>
              <td className="num">{formatUsd(s.cost_usd)}</td>
              <td className="num">{formatMs(s.duration_ms)}</td>
              <td className="num">{formatCount(s.tokens)}</td>
              <td className={`num ${s.errors > 0 ? 'tone-bad' : ''}`}>{s.errors}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </div>
  );
}

function SignalFacts({ signal }: { signal: Signal }) {
  const f = describeSignal(signal);
  return (
    <dl className="facts facts-grid" data-signal="trigger">
      <Fact label="Metric">
        {f.metric}
        {f.slice && <span className="tag">{f.slice}</span>}
      </Fact>
      <Fact label="Value" id="value">
        {f.value}
      </Fact>
      <Fact label="Expected" id="expected">
        {f.expected}
      </Fact>
      <Fact label="Band" id="band">
        {f.band}
      </Fact>
      <Fact label="z" id="z">
        {f.z}
      </Fact>
      <Fact label="Volume">{formatCount(signal.volume)}</Fact>
      <Fact label="Window" id="window">
        {f.window}
      </Fact>
      <Fact label="Why">
        {f.reason} <SeverityBadge severity={signal.severity} />
      </Fact>
    </dl>
  );
}

function SignalTable({ signals }: { signals: Signal[] }) {
  return (
    <DataTable
      label="Signals"
      columns={['Metric', 'Slice', num('Value'), num('Expected'), 'Band', num('z'), 'Window', 'Severity']}
    >
      {signals.map((s, n) => {
        const f = describeSignal(s);
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: signals have no id and never reorder
          <tr key={n}>
            <td>{f.metric}</td>
            <td>{f.slice ?? 'all'}</td>
            <td className="num">{f.value}</td>
            <td className="num">{f.expected}</td>
            <td>{f.band}</td>
            <td className="num">{f.z}</td>
            <td className="small">{f.window}</td>
            <td>
              <SeverityBadge severity={s.severity} />
            </td>
          </tr>
        );
      })}
    </DataTable>
  );
}

function Deliveries({ deliveries }: { deliveries: IncidentDetail['deliveries'] }) {
  const channels = useChannelNames();
  const names = new Map<string, ChannelView>(
    (channels.data?.channels ?? []).map((c) => [c.channel_id, c] as const),
  );
  if (deliveries.length === 0) return <p className="muted">No channel was notified.</p>;
  return (
    <DataTable
      label="Deliveries"
      columns={['Channel', 'Notification', 'Status', num('Attempts'), 'Last attempt', 'Error']}
    >
      {deliveriesByChannel(deliveries).flatMap((g) =>
        g.items.map((d, n) => {
          const c = names.get(g.channelId);
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: one channel's deliveries never reorder
            <tr key={`${g.channelId}-${n}`} data-delivery={d.status}>
              <td>
                {n === 0 && (c ? `${c.name} (${c.type})` : <span className="mono">{g.channelId}</span>)}
              </td>
              <td>{d.type}</td>
              <td>
                <span
                  className={`badge ${d.status === 'failed' ? 'badge-failure' : d.status === 'sent' ? 'badge-success' : ''}`}
                >
                  {d.status}
                </span>
                {d.status === 'pending' && d.not_before && (
                  <span className="muted small"> not before {formatTime(d.not_before)}</span>
                )}
              </td>
              <td className="num">{d.attempts}</td>
              <td>{formatTime(d.last_attempt_at)}</td>
              <td className="tone-bad wrap">{d.error ?? ''}</td>
            </tr>
          );
        }),
      )}
    </DataTable>
  );
}

function IncidentActions({ incident: i, onChanged }: { incident: IncidentDetail; onChanged: () => void }) {
  const client = useApiClient();
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState<IncidentAction | null>(null);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const run = (action: IncidentAction) => {
    setBusy(action);
    setResult(null);
    runIncidentAction(client, action, i.agent_id, i.incident_id, note).then(
      () => {
        setBusy(null);
        setNote('');
        setResult({ ok: true, text: action === 'acknowledge' ? 'Acknowledged.' : 'Resolved.' });
        onChanged();
      },
      (e: Error) => {
        setBusy(null);
        setResult({ ok: false, text: describeActionError(action, e) });
      },
    );
  };
  return (
    <fieldset className="plain inline-form incident-actions" aria-label="Incident actions">
      <label>
        Note
        <input
          aria-label="Note"
          value={note}
          maxLength={500}
          placeholder="optional"
          onChange={(e) => setNote(e.target.value)}
        />
      </label>
      {!i.acknowledged_at && (
        <button type="button" disabled={busy !== null} onClick={() => run('acknowledge')}>
          {busy === 'acknowledge' ? 'Acknowledging…' : 'Acknowledge'}
        </button>
      )}
      <button type="button" disabled={busy !== null} onClick={() => run('resolve')}>
        {busy === 'resolve' ? 'Resolving…' : 'Resolve'}
      </button>
      {result && (
        <span role={result.ok ? 'status' : 'alert'} className={result.ok ? 'tone-good' : 'tone-bad'}>
          {result.text}
        </span>
      )}
    </fieldset>
  );
}
