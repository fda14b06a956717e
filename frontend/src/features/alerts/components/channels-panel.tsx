import { useState } from 'react';
import type { ChannelView } from '../../../../../contracts/alerts';
import { Panel } from '../../../components/ui/card';
import { Async, Empty } from '../../../components/ui/states';
import { DataTable } from '../../../components/ui/table';
import { formatTime } from '../../../lib/format';
import type { ApiState } from '../../../lib/use-api';
import { useApiClient } from '../../../lib/use-api';
import { describeChangeError } from '../api/use-alerts';
import {
  CHANNEL_TYPE_LABELS,
  CHANNEL_TYPES,
  type ChannelField,
  type ChannelForm,
  channelFieldOf,
  channelRequestBody,
  channelTarget,
  checkChannelForm,
  emptyChannelForm,
  formFromChannel,
} from '../lib/channel-form';
import {
  CheckboxField,
  EditDeleteButtons,
  EditorForm,
  FormActions,
  formBinder,
  InputField,
  SelectField,
  useCheckedSubmit,
  useEditing,
  useRowDelete,
} from './form-parts';

const SEVERITIES = ['warning', 'critical'] as const;
const SEVERITY_LABELS = { warning: 'Warning and critical', critical: 'Critical only' };

/** Notification channels: list (targets masked by the API), create, edit, delete and send a test. */
export function ChannelsPanel({
  channels,
  onChanged,
}: {
  channels: ApiState<{ channels: ChannelView[] }>;
  onChanged: () => void;
}) {
  const client = useApiClient();
  const editing = useEditing((c: ChannelView) => c.channel_id);
  const [tests, setTests] = useState<Record<string, { ok: boolean; text: string } | 'sending'>>({});
  const [rowError, setRowError] = useState<{ id: string; text: string } | null>(null);
  const del = useRowDelete((c: ChannelView) => client.deleteChannel(c.channel_id), {
    ok: () => onChanged(),
    failed: (c, text) => setRowError({ id: c.channel_id, text }),
  });

  const sendTest = (c: ChannelView) => {
    setTests((t) => ({ ...t, [c.channel_id]: 'sending' }));
    client.testChannel(c.channel_id).then(
      (r) => {
        setTests((t) => ({
          ...t,
          [c.channel_id]: r.ok
            ? { ok: true, text: 'Test delivered' }
            : { ok: false, text: `Test failed: ${r.error ?? 'unknown error'}` },
        }));
        // The channel's last delivery changed.
        onChanged();
      },
      (e: Error) => setTests((t) => ({ ...t, [c.channel_id]: { ok: false, text: describeChangeError(e) } })),
    );
  };
  const remove = (c: ChannelView) => {
    setRowError(null);
    void del.remove(c);
  };

  return (
    <Panel
      title="Channels"
      subtitle="Where incidents are sent. Secrets are write-only: URLs are shown masked."
      id="channels"
      actions={editing.newButton('New channel')}
    >
      {editing.isOpen && (
        <ChannelEditor
          key={editing.key}
          channel={editing.item}
          onSaved={() => {
            editing.close();
            onChanged();
          }}
          onCancel={editing.close}
        />
      )}
      <Async
        state={channels}
        isEmpty={(d) => d.channels.length === 0}
        empty={
          <Empty title="No channels yet">
            Add one (a log channel needs nothing else) and pick it in a rule.
          </Empty>
        }
      >
        {(d) => (
          <DataTable label="Channels" columns={['Name', 'Type', 'Target', 'Anomalies', 'Last delivery', '']}>
            {d.channels.map((c) => {
              const test = tests[c.channel_id];
              return (
                <tr key={c.channel_id} data-channel={c.channel_id}>
                  <td>
                    {c.name}
                    {!c.enabled && <span className="badge">disabled</span>}
                  </td>
                  <td>{CHANNEL_TYPE_LABELS[c.type]}</td>
                  <td className="mono small wrap" data-target={c.type}>
                    {channelTarget(c)}
                  </td>
                  <td>{c.notify_anomalies ? `${c.min_severity} and up` : 'rules only'}</td>
                  <td>
                    {c.last_delivery ? (
                      <span className={c.last_delivery.ok ? 'tone-good' : 'tone-bad'}>
                        {formatTime(c.last_delivery.at)} {c.last_delivery.ok ? 'ok' : c.last_delivery.error}
                      </span>
                    ) : (
                      <span className="muted">never</span>
                    )}
                  </td>
                  <td>
                    <div className="row-gap">
                      <button type="button" disabled={test === 'sending'} onClick={() => sendTest(c)}>
                        {test === 'sending' ? 'Sending…' : 'Send test'}
                      </button>
                      <EditDeleteButtons
                        rowId={c.channel_id}
                        asking={del}
                        onEdit={() => editing.edit(c)}
                        onDelete={() => remove(c)}
                      />
                    </div>
                    {test && test !== 'sending' && (
                      <div
                        className={test.ok ? 'tone-good' : 'tone-bad'}
                        role={test.ok ? 'status' : 'alert'}
                        data-test-result={test.ok ? 'ok' : 'failed'}
                      >
                        {test.text}
                      </div>
                    )}
                    {rowError?.id === c.channel_id && (
                      <div className="field-error" role="alert">
                        {rowError.text}
                      </div>
                    )}
                  </td>
                </tr>
              );
            })}
          </DataTable>
        )}
      </Async>
    </Panel>
  );
}

function ChannelEditor({
  channel,
  onSaved,
  onCancel,
}: {
  channel: ChannelView | null;
  onSaved: () => void;
  onCancel: () => void;
}) {
  const client = useApiClient();
  const update = channel !== null;
  const [form, setForm] = useState<ChannelForm>(() =>
    channel ? formFromChannel(channel) : emptyChannelForm(),
  );
  const { errors, busy, submit } = useCheckedSubmit<ChannelField, 'save'>(channelFieldOf);
  const set = (patch: Partial<ChannelForm>) => setForm((f) => ({ ...f, ...patch }));
  const bind = formBinder(form, set, errors);

  const save = () =>
    submit('save', checkChannelForm(form, update), async () => {
      const body = channelRequestBody(form, update);
      if (channel) await client.updateChannel(channel.channel_id, body);
      else await client.createChannel(body);
      // Whatever was typed (secrets included) leaves memory with the form.
      setForm(emptyChannelForm(form.type));
      onSaved();
    });

  const keepHint = update ? 'leave blank to keep the stored value' : undefined;
  return (
    <EditorForm
      className="channel-form"
      label={channel ? `Edit channel ${channel.name}` : 'New channel'}
      onSubmit={() => void save()}
      error={errors.form}
      actions={
        <FormActions
          submit={busy ? 'Saving…' : update ? 'Save channel' : 'Create channel'}
          disabled={busy !== null}
          onCancel={onCancel}
        />
      }
    >
      <SelectField
        {...bind('type')}
        label="Type"
        disabled={update}
        options={CHANNEL_TYPES}
        labels={CHANNEL_TYPE_LABELS}
      />
      <InputField {...bind('name')} label="Channel name" maxLength={128} />
      {form.type === 'sns' && (
        <InputField
          {...bind('topicArn')}
          label="SNS topic ARN"
          hint="blank: the deployment's alert topic"
          placeholder="arn:aws:sns:us-east-1:123456789012:alerts"
        />
      )}
      {form.type === 'slack' && (
        <InputField
          {...bind('webhookUrl')}
          label="Slack webhook URL"
          hint={keepHint}
          type="password"
          autoComplete="off"
          placeholder={channel?.webhook_url ?? 'https://hooks.slack.com/services/…'}
        />
      )}
      {form.type === 'webhook' && (
        <>
          <InputField
            {...bind('url')}
            label="Webhook URL"
            hint={keepHint}
            autoComplete="off"
            placeholder={channel?.url ?? 'https://example.com/vigil'}
          />
          <InputField
            {...bind('secret')}
            label="Signing secret"
            hint={
              update
                ? channel?.has_secret
                  ? 'set; leave blank to keep it'
                  : keepHint
                : 'at least 16 characters'
            }
            type="password"
            autoComplete="new-password"
          />
        </>
      )}
      <SelectField {...bind('minSeverity')} label="Severity" options={SEVERITIES} labels={SEVERITY_LABELS} />
      <CheckboxField {...bind('notifyAnomalies')} label="Anomaly incidents" />
      <CheckboxField {...bind('enabled')} label="Channel enabled" />
    </EditorForm>
  );
}
