import { useState } from 'react';
import type { ChannelView } from '../../../../../contracts/alerts';
import { Panel } from '../../../components/ui/card';
import { Async, Empty } from '../../../components/ui/states';
import { ApiError } from '../../../lib/api-client';
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
import { Field } from './field';

type Editing = { mode: 'new' } | { mode: 'edit'; channel: ChannelView } | null;

/** Notification channels: list (targets masked by the API), create, edit, delete and send a test. */
export function ChannelsPanel({
  channels,
  onChanged,
}: {
  channels: ApiState<{ channels: ChannelView[] }>;
  onChanged: () => void;
}) {
  const client = useApiClient();
  const [editing, setEditing] = useState<Editing>(null);
  const [tests, setTests] = useState<Record<string, { ok: boolean; text: string } | 'sending'>>({});
  const [confirming, setConfirming] = useState<string | null>(null);
  const [rowError, setRowError] = useState<{ id: string; text: string } | null>(null);

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
    client.deleteChannel(c.channel_id).then(
      () => {
        setConfirming(null);
        onChanged();
      },
      (e: Error) => {
        setConfirming(null);
        setRowError({ id: c.channel_id, text: describeChangeError(e) });
      },
    );
  };

  return (
    <Panel
      title="Channels"
      subtitle="Where incidents are sent. Secrets are write-only: URLs are shown masked."
      id="channels"
      actions={
        editing === null && (
          <button type="button" onClick={() => setEditing({ mode: 'new' })}>
            New channel
          </button>
        )
      }
    >
      {editing && (
        <ChannelEditor
          key={editing.mode === 'edit' ? editing.channel.channel_id : 'new'}
          channel={editing.mode === 'edit' ? editing.channel : null}
          onSaved={() => {
            setEditing(null);
            onChanged();
          }}
          onCancel={() => setEditing(null)}
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
          <table className="table" aria-label="Channels">
            <thead>
              <tr>
                <th>Name</th>
                <th>Type</th>
                <th>Target</th>
                <th>Anomalies</th>
                <th>Last delivery</th>
                <th />
              </tr>
            </thead>
            <tbody>
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
                        <button type="button" onClick={() => setEditing({ mode: 'edit', channel: c })}>
                          Edit
                        </button>
                        {confirming === c.channel_id ? (
                          <>
                            <button type="button" className="danger" onClick={() => remove(c)}>
                              Confirm delete
                            </button>
                            <button type="button" onClick={() => setConfirming(null)}>
                              Keep
                            </button>
                          </>
                        ) : (
                          <button type="button" onClick={() => setConfirming(c.channel_id)}>
                            Delete
                          </button>
                        )}
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
            </tbody>
          </table>
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
  const [errors, setErrors] = useState<Partial<Record<ChannelField, string>>>({});
  const [busy, setBusy] = useState(false);
  const set = (patch: Partial<ChannelForm>) => setForm((f) => ({ ...f, ...patch }));

  const save = async () => {
    const found = checkChannelForm(form, update);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    const body = channelRequestBody(form, update);
    try {
      if (channel) await client.updateChannel(channel.channel_id, body);
      else await client.createChannel(body);
      // Whatever was typed (secrets included) leaves memory with the form.
      setForm(emptyChannelForm(form.type));
      onSaved();
    } catch (e) {
      const err = e as Error;
      const field = err instanceof ApiError && err.status === 400 ? channelFieldOf(err.field) : 'form';
      setErrors({ [field]: field === 'form' ? describeChangeError(err) : err.message });
    } finally {
      setBusy(false);
    }
  };

  const keepHint = update ? 'leave blank to keep the stored value' : undefined;
  return (
    <form
      className="channel-form"
      aria-label={channel ? `Edit channel ${channel.name}` : 'New channel'}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <div className="form-grid">
        <Field label="Type" name="type" error={errors.type}>
          {(p) => (
            <select
              {...p}
              value={form.type}
              disabled={update}
              onChange={(e) => set({ type: e.target.value as ChannelForm['type'] })}
            >
              {CHANNEL_TYPES.map((t) => (
                <option key={t} value={t}>
                  {CHANNEL_TYPE_LABELS[t]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Channel name" name="name" error={errors.name}>
          {(p) => (
            <input {...p} value={form.name} maxLength={128} onChange={(e) => set({ name: e.target.value })} />
          )}
        </Field>
        {form.type === 'sns' && (
          <Field
            label="SNS topic ARN"
            name="topicArn"
            error={errors.topicArn}
            hint="blank: the deployment's alert topic"
          >
            {(p) => (
              <input
                {...p}
                value={form.topicArn}
                placeholder="arn:aws:sns:us-east-1:123456789012:alerts"
                onChange={(e) => set({ topicArn: e.target.value })}
              />
            )}
          </Field>
        )}
        {form.type === 'slack' && (
          <Field label="Slack webhook URL" name="webhookUrl" error={errors.webhookUrl} hint={keepHint}>
            {(p) => (
              <input
                {...p}
                type="password"
                autoComplete="off"
                value={form.webhookUrl}
                placeholder={channel?.webhook_url ?? 'https://hooks.slack.com/services/…'}
                onChange={(e) => set({ webhookUrl: e.target.value })}
              />
            )}
          </Field>
        )}
        {form.type === 'webhook' && (
          <>
            <Field label="Webhook URL" name="url" error={errors.url} hint={keepHint}>
              {(p) => (
                <input
                  {...p}
                  autoComplete="off"
                  value={form.url}
                  placeholder={channel?.url ?? 'https://example.com/vigil'}
                  onChange={(e) => set({ url: e.target.value })}
                />
              )}
            </Field>
            <Field
              label="Signing secret"
              name="secret"
              error={errors.secret}
              hint={
                update
                  ? channel?.has_secret
                    ? 'set; leave blank to keep it'
                    : keepHint
                  : 'at least 16 characters'
              }
            >
              {(p) => (
                <input
                  {...p}
                  type="password"
                  autoComplete="new-password"
                  value={form.secret}
                  onChange={(e) => set({ secret: e.target.value })}
                />
              )}
            </Field>
          </>
        )}
        <Field label="Severity" name="minSeverity">
          {(p) => (
            <select
              {...p}
              value={form.minSeverity}
              onChange={(e) => set({ minSeverity: e.target.value as ChannelForm['minSeverity'] })}
            >
              <option value="warning">Warning and critical</option>
              <option value="critical">Critical only</option>
            </select>
          )}
        </Field>
        <Field label="Anomaly incidents" name="notifyAnomalies">
          {(p) => (
            <input
              {...p}
              type="checkbox"
              checked={form.notifyAnomalies}
              onChange={(e) => set({ notifyAnomalies: e.target.checked })}
            />
          )}
        </Field>
        <Field label="Channel enabled" name="enabled">
          {(p) => (
            <input
              {...p}
              type="checkbox"
              checked={form.enabled}
              onChange={(e) => set({ enabled: e.target.checked })}
            />
          )}
        </Field>
      </div>
      {errors.form && (
        <p className="field-error" role="alert" data-error-for="form">
          {errors.form}
        </p>
      )}
      <div className="row-gap">
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : update ? 'Save channel' : 'Create channel'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
