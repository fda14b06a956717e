import { lazy, Suspense, useState } from 'react';
import type { AlertRuleView } from '../../../../../contracts/alerts';
import { Panel } from '../../../components/ui/card';
import { Async, Empty, Loading } from '../../../components/ui/states';
import { DataTable } from '../../../components/ui/table';
import type { Filters } from '../../../lib/filters';
import { formatTime } from '../../../lib/format';
import { useApiClient } from '../../../lib/use-api';
import { useAlertRules, useChannels } from '../api/use-alerts';
import { describeRule, describeRuleFilter } from '../lib/rule-text';
import { EditDeleteButtons, useEditing, useRowDelete } from './form-parts';

// The editors check forms with the contract's zod schemas: loaded when this view needs them, so the
// dashboard's first load does not carry them (api-client.ts loads the response schemas lazily too).
const RuleEditor = lazy(() => import('./rule-editor').then((m) => ({ default: m.RuleEditor })));
const ChannelsPanel = lazy(() => import('./channels-panel').then((m) => ({ default: m.ChannelsPanel })));

/** The agent's alert rules (its own and every-agent ones), their editor, and the channels they notify. */
export function AlertsScreen({ agentId }: { agentId: string; filters: Filters }) {
  const client = useApiClient();
  const rules = useAlertRules();
  const channels = useChannels();
  const editing = useEditing((r: AlertRuleView) => r.rule_id);
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const channelList = channels.data?.channels ?? [];
  const channelName = (id: string) => channelList.find((c) => c.channel_id === id)?.name ?? id;

  const del = useRowDelete((r: AlertRuleView) => client.deleteAlertRule(r.rule_id), {
    ok: (r) => {
      setNotice({ ok: true, text: `Deleted rule “${r.name}”.` });
      rules.reload();
    },
    failed: (_r, text) => setNotice({ ok: false, text }),
  });
  const remove = (r: AlertRuleView) => {
    setNotice(null);
    void del.remove(r);
  };

  return (
    <div className="stack">
      <Panel
        title="Alert rules"
        subtitle={`Rules for ${agentId} and rules for every agent. A rule opens an incident when its metric crosses a level.`}
        id="alert-rules"
        actions={editing.newButton('New rule')}
      >
        {notice && (
          <p className={notice.ok ? 'tone-good' : 'field-error'} role={notice.ok ? 'status' : 'alert'}>
            {notice.text}
          </p>
        )}
        {editing.isOpen && (
          <Suspense fallback={<Loading label="Loading the editor…" />}>
            <RuleEditor
              key={editing.key}
              agentId={agentId}
              rule={editing.item}
              channels={channelList}
              onSaved={(saved) => {
                editing.close();
                setNotice({ ok: true, text: `Saved rule “${saved.name}”.` });
                rules.reload();
              }}
              onCancel={editing.close}
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
            <DataTable
              label="Alert rules"
              columns={['Name', 'Condition', 'Slice', 'Channels', 'Updated', '']}
            >
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
                        <EditDeleteButtons
                          rowId={r.rule_id}
                          asking={del}
                          onEdit={() => editing.edit(r)}
                          onDelete={() => remove(r)}
                        />
                      </div>
                    </td>
                  </tr>
                ))}
            </DataTable>
          )}
        </Async>
      </Panel>
      <Suspense fallback={<Loading label="Loading channels…" />}>
        <ChannelsPanel channels={channels} onChanged={channels.reload} />
      </Suspense>
    </div>
  );
}
