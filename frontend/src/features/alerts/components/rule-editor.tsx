import { useState } from 'react';
import {
  type AlertRuleView,
  type ChannelView,
  COMPARATORS,
  NO_DATA_POLICIES,
  RULE_METRICS,
  type RuleMetric,
} from '../../../../../contracts/alerts';
import { ERROR_CATEGORY_VALUES, EVENT_TYPE_VALUES } from '../../../../../contracts/query-api';
import type { RulePreviewResponse } from '../../../lib/api-client';
import { ApiError } from '../../../lib/api-client';
import { formatTime } from '../../../lib/format';
import { useApiClient } from '../../../lib/use-api';
import { describeChangeError } from '../api/use-alerts';
import { formatRuleValue, thresholdUnit } from '../lib/format-value';
import {
  aggregationsOf,
  checkRuleForm,
  emptyRuleForm,
  FILTER_KINDS,
  FILTER_LABELS,
  type FieldErrors,
  type FilterKind,
  formFromRule,
  type RuleField,
  type RuleForm,
  ruleBody,
  ruleFieldOf,
  withMetric,
} from '../lib/rule-form';
import { Field } from './field';

const NO_DATA_LABELS: Record<string, string> = {
  ok: 'Judge it normal',
  keep: 'Keep the last state',
  warning: 'Raise a warning',
  critical: 'Raise critical',
};

/** Create or edit one alert rule, with a preview of what it would say now. */
export function RuleEditor({
  agentId,
  rule,
  channels,
  onSaved,
  onCancel,
}: {
  agentId: string;
  rule: AlertRuleView | null;
  channels: ChannelView[];
  onSaved: (rule: AlertRuleView) => void;
  onCancel: () => void;
}) {
  const client = useApiClient();
  const [form, setForm] = useState<RuleForm>(() => (rule ? formFromRule(rule) : emptyRuleForm()));
  const [errors, setErrors] = useState<FieldErrors<RuleField>>({});
  const [busy, setBusy] = useState<'save' | 'preview' | null>(null);
  const [preview, setPreview] = useState<RulePreviewResponse | null>(null);
  const set = (patch: Partial<RuleForm>) => setForm((f) => ({ ...f, ...patch }));

  /** Client checks first (the contract's schema); then the server, whose 400 names the field. */
  const submit = async (kind: 'save' | 'preview') => {
    const found = checkRuleForm(form, agentId);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setBusy(kind);
    const body = ruleBody(form, agentId);
    try {
      if (kind === 'preview') {
        setPreview(await client.previewAlertRule(body));
      } else {
        const saved = rule
          ? await client.updateAlertRule(rule.rule_id, body)
          : await client.createAlertRule(body);
        onSaved(saved);
      }
    } catch (e) {
      const err = e as Error;
      const field = err instanceof ApiError && err.status === 400 ? ruleFieldOf(err.field) : 'form';
      setErrors({ [field]: field === 'form' ? describeChangeError(err) : err.message });
      if (kind === 'preview') setPreview(null);
    } finally {
      setBusy(null);
    }
  };

  const filterOptions: readonly string[] | null =
    form.filterKind === 'event_type'
      ? EVENT_TYPE_VALUES
      : form.filterKind === 'error_type'
        ? ERROR_CATEGORY_VALUES
        : null;
  const unit = thresholdUnit(form.metric);

  return (
    <form
      className="rule-form"
      aria-label={rule ? `Edit rule ${rule.name}` : 'New alert rule'}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void submit('save');
      }}
    >
      <div className="form-grid">
        <Field label="Name" name="name" error={errors.name}>
          {(p) => (
            <input {...p} value={form.name} maxLength={128} onChange={(e) => set({ name: e.target.value })} />
          )}
        </Field>
        <Field label="Applies to" name="scope" error={errors.scope}>
          {(p) => (
            <select
              {...p}
              value={form.scope}
              onChange={(e) => set({ scope: e.target.value as RuleForm['scope'] })}
            >
              <option value="agent">{agentId}</option>
              <option value="all">Every agent (each judged on its own)</option>
            </select>
          )}
        </Field>
        <Field label="Metric" name="metric" error={errors.metric}>
          {(p) => (
            <select
              {...p}
              value={form.metric}
              onChange={(e) => setForm((f) => withMetric(f, e.target.value as RuleMetric))}
            >
              {RULE_METRICS.map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Aggregation" name="aggregation" error={errors.aggregation}>
          {(p) => (
            <select {...p} value={form.aggregation} onChange={(e) => set({ aggregation: e.target.value })}>
              {aggregationsOf(form.metric).map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Window (minutes)" name="windowMinutes" error={errors.windowMinutes} hint="5 – 10080">
          {(p) => (
            <input
              {...p}
              inputMode="numeric"
              value={form.windowMinutes}
              onChange={(e) => set({ windowMinutes: e.target.value })}
            />
          )}
        </Field>
        <Field label="Comparator" name="comparator" error={errors.comparator}>
          {(p) => (
            <select
              {...p}
              value={form.comparator}
              onChange={(e) => set({ comparator: e.target.value as RuleForm['comparator'] })}
            >
              {COMPARATORS.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Warning level" name="warning" error={errors.warning} hint={unit}>
          {(p) => (
            <input
              {...p}
              inputMode="decimal"
              value={form.warning}
              onChange={(e) => set({ warning: e.target.value })}
            />
          )}
        </Field>
        <Field label="Critical level" name="critical" error={errors.critical} hint={unit}>
          {(p) => (
            <input
              {...p}
              inputMode="decimal"
              value={form.critical}
              onChange={(e) => set({ critical: e.target.value })}
            />
          )}
        </Field>
        <Field label="Filter" name="filter" error={errors.filter} hint="A rule reads one slice">
          {(p) => (
            <span className="inline-form">
              <select
                {...p}
                value={form.filterKind}
                onChange={(e) => set({ filterKind: e.target.value as FilterKind, filterValue: '' })}
              >
                {FILTER_KINDS.map((k) => (
                  <option key={k} value={k}>
                    {FILTER_LABELS[k]}
                  </option>
                ))}
              </select>
              {form.filterKind !== 'none' &&
                (filterOptions ? (
                  <select
                    aria-label="Filter value"
                    value={form.filterValue}
                    onChange={(e) => set({ filterValue: e.target.value })}
                  >
                    <option value="">Choose…</option>
                    {filterOptions.map((v) => (
                      <option key={v} value={v}>
                        {v}
                      </option>
                    ))}
                  </select>
                ) : (
                  <input
                    aria-label="Filter value"
                    value={form.filterValue}
                    placeholder={form.filterKind === 'tag' ? 'tier:enterprise' : ''}
                    onChange={(e) => set({ filterValue: e.target.value })}
                  />
                ))}
            </span>
          )}
        </Field>
        <Field label="Traffic" name="production" error={errors.production}>
          {(p) => (
            <select
              {...p}
              value={form.production}
              onChange={(e) => set({ production: e.target.value as RuleForm['production'] })}
            >
              <option value="true">Production</option>
              <option value="false">Experiments &amp; tests</option>
              <option value="all">All traffic</option>
            </select>
          )}
        </Field>
        <Field
          label="Minimum volume"
          name="minVolume"
          error={errors.minVolume}
          hint="units the window must hold"
        >
          {(p) => (
            <input
              {...p}
              inputMode="numeric"
              value={form.minVolume}
              onChange={(e) => set({ minVolume: e.target.value })}
            />
          )}
        </Field>
        <Field label="When there is no data" name="noData" error={errors.noData}>
          {(p) => (
            <select
              {...p}
              value={form.noData}
              onChange={(e) => set({ noData: e.target.value as RuleForm['noData'] })}
            >
              {NO_DATA_POLICIES.map((p) => (
                <option key={p} value={p}>
                  {NO_DATA_LABELS[p]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Channels" name="channelIds" error={errors.channelIds}>
          {(p) => (
            <select
              {...p}
              multiple
              value={form.channelIds}
              size={Math.min(5, Math.max(2, channels.length))}
              onChange={(e) => set({ channelIds: [...e.target.selectedOptions].map((o) => o.value) })}
            >
              {channels.map((c) => (
                <option key={c.channel_id} value={c.channel_id}>
                  {c.name} ({c.type})
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Enabled" name="enabled" error={errors.enabled}>
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
        <button type="submit" disabled={busy !== null}>
          {busy === 'save' ? 'Saving…' : rule ? 'Save rule' : 'Create rule'}
        </button>
        <button type="button" disabled={busy !== null} onClick={() => void submit('preview')}>
          {busy === 'preview' ? 'Previewing…' : 'Preview'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
      {preview && <RulePreview preview={preview} />}
    </form>
  );
}

function RulePreview({ preview }: { preview: RulePreviewResponse }) {
  const r = preview.rule;
  return (
    <section className="rule-preview" aria-label="Preview">
      <h4>Preview at {formatTime(preview.at)} UTC</h4>
      <p className="muted small">
        What this rule would say if it were checked now: {r.metric} {r.aggregation} {r.comparator}{' '}
        {r.warning !== null ? `${formatRuleValue(r.metric, r.warning)} (warning)` : ''}
        {r.warning !== null && r.critical !== null ? ', ' : ''}
        {r.critical !== null ? `${formatRuleValue(r.metric, r.critical)} (critical)` : ''}.
      </p>
      {preview.results.length === 0 ? (
        <p className="muted">No agent to judge.</p>
      ) : (
        <table className="table" aria-label="Preview results">
          <thead>
            <tr>
              <th>Agent</th>
              <th className="num">Value</th>
              <th className="num">Volume</th>
              <th>Window</th>
              <th>Would be</th>
            </tr>
          </thead>
          <tbody>
            {preview.results.map((x) => (
              <tr key={x.agent_id} data-preview={x.agent_id}>
                <td>{x.agent_id}</td>
                <td className="num">{x.no_data ? '—' : formatRuleValue(r.metric, x.value)}</td>
                <td className="num">{x.volume}</td>
                <td className="small">
                  {formatTime(x.window.from)} – {formatTime(x.window.to)} UTC
                </td>
                <td data-outcome={x.no_data ? 'no_data' : (x.severity ?? 'ok')}>
                  {x.no_data ? (
                    <span className="badge">no data{x.severity ? ` → ${x.severity}` : ''}</span>
                  ) : x.severity ? (
                    <span className={`badge severity-${x.severity}`}>{x.severity}</span>
                  ) : (
                    <span className="badge badge-success">normal</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
