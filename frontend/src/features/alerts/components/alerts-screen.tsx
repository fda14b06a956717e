import { lazy, Suspense, useState } from 'react';
import type { AlertRuleView } from '../../../../../contracts/alerts';
import { Panel } from '../../../components/ui/card';
import { Async, Empty, Loading } from '../../../components/ui/states';
import type { Filters } from '../../../lib/filters';
import { formatTime } from '../../../lib/format';
import { useApiClient } from '../../../lib/use-api';
import { describeChangeError, useAlertRules, useChannels } from '../api/use-alerts';
import { describeRule, describeRuleFilter } from '../lib/rule-text';

// The editors check forms with the contract's zod schemas: loaded when this view needs them, so the
// dashboard's first load does not carry them (api-client.ts loads the response schemas lazily too).
const RuleEditor = lazy(() => import('./rule-editor').then((m) => ({ default: m.RuleEditor })));
const ChannelsPanel = lazy(() => import('./channels-panel').then((m) => ({ default: m.ChannelsPanel })));

type Editing = { mode: 'new' } | { mode: 'edit'; rule: AlertRuleView } | null;

/** The agent's alert rules (its own and every-agent ones), their editor, and the channels they notify. */
export function AlertsScreen({ agentId }: { agentId: string; filters: Filters }) {
  const client = useApiClient();
  const rules = useAlertRules();
  const channels = useChannels();
  const [editing, setEditing] = useState<Editing>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const channelList = channels.data?.channels ?? [];
  const channelName = (id: string) => channelList.find((c) => c.channel_id === id)?.name ?? id;

  const remove = (r: AlertRuleView) => {
    setNotice(null);
    client.deleteAlertRule(r.rule_id).then(
      () => {
        setConfirming(null);
        setNotice({ ok: true, text: `Deleted rule “${r.name}”.` });
        rules.reload();
      },
      (e: Error) => {
        setConfirming(null);
        setNotice({ ok: false, text: describeChangeError(e) });
      },
    );
  };

  return (
    <div className="stack">
      <Panel
        title="Alert rules"
        subtitle={`Rules for ${agentId} and rules for every agent. A rule opens an incident when its metric crosses a level.`}
        id="alert-rules"
        actions={
          editing === null && (
            <button type="button" onClick={() => setEditing({ mode: 'new' })}>
              New rule
            </button>
          )
        }
      >
        {notice && (
          <p className={notice.ok ? 'tone-good' : 'field-error'} role={notice.ok ? 'status' : 'alert'}>
            {notice.text}
          </p>
        )}
        {editing && (
          <Suspense fallback={<Loading label="Loading the editor…" />}>
            <RuleEditor
              key={editing.mode === 'edit' ? editing.rule.rule_id : 'new'}
              agentId={agentId}
              rule={editing.mode === 'edit' ? editing.rule : null}
              channels={channelList}
              onSaved={(saved) => {
                setEditing(null);
                setNotice({ ok: true, text: `Saved rule “${saved.name}”.` });
                rules.reload();
              }}
              onCancel={() => setEditing(null)}
            />
          </Suspense>
        )}
        <Async
          state={rules}
          isEmpty={(d) => !d.rules.some((r) => r.agent_id === agentId || r.agent_id === '*')}
          empty={
            <Empty title="No alert rules for this agent">
              Anomaly detection still runs; add a rule for a fixed level.
            </Empty>
          }
        >
          {(d) => (
            <table className="table" aria-label="Alert rules">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Condition</th>
                  <th>Slice</th>
                  <th>Channels</th>
                  <th>Updated</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {d.rules
                  .filter((r) => r.agent_id === agentId || r.agent_id === '*')
                  .map((r) => (
                    <tr key={r.rule_id} data-rule={r.rule_id}>
                      <td>
                        {r.name}
                        {r.agent_id === '*' && <span className="badge">every agent</span>}
                        {!r.enabled && <span className="badge">disabled</span>}
                      </td>
                      <td className="mono small">{describeRule(r)}</td>
                      <td className="small">{describeRuleFilter(r)}</td>
                      <td>
                        {r.channel_ids.length === 0 ? (
                          <span className="muted">none</span>
                        ) : (
                          r.channel_ids.map(channelName).join(', ')
                        )}
                      </td>
                      <td>{formatTime(r.updated_at)}</td>
                      <td>
                        <div className="row-gap">
                          <button type="button" onClick={() => setEditing({ mode: 'edit', rule: r })}>
                            Edit
                          </button>
                          {confirming === r.rule_id ? (
                            <>
                              <button type="button" className="danger" onClick={() => remove(r)}>
                                Confirm delete
                              </button>
                              <button type="button" onClick={() => setConfirming(null)}>
                                Keep
                              </button>
                            </>
                          ) : (
                            <button type="button" onClick={() => setConfirming(r.rule_id)}>
                              Delete
                            </button>
                          )}
                        </div>
                      </td>
                    </tr>
                  ))}
              </tbody>
            </table>
          )}
        </Async>
      </Panel>
      <Suspense fallback={<Loading label="Loading channels…" />}>
        <ChannelsPanel channels={channels} onChanged={channels.reload} />
      </Suspense>
    </div>
  );
}
