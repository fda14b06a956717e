import { useState } from 'react';
import {
  type AlertRuleView,
  type ChannelView,
  COMPARATORS,
  NO_DATA_POLICIES,
  RULE_METRICS,
} from '../../../../../contracts/alerts';
import { ERROR_CATEGORY_VALUES, EVENT_TYPE_VALUES } from '../../../../../contracts/query-api';
import { DataTable, num } from '../../../components/ui/table';
import type { RulePreviewResponse } from '../../../lib/api-client';
import { formatTime } from '../../../lib/format';
import { useApiClient } from '../../../lib/use-api';
import { formatRuleValue, thresholdUnit } from '../lib/format-value';
import {
  aggregationsOf,
  checkRuleForm,
  emptyRuleForm,
  FILTER_KINDS,
  FILTER_LABELS,
  type FilterKind,
  formFromRule,
  type RuleField,
  type RuleForm,
  ruleBody,
  ruleFieldOf,
  withMetric,
} from '../lib/rule-form';
import { Field } from './field';
import {
  CheckboxField,
  EditorForm,
  FormActions,
  formBinder,
  InputField,
  SelectField,
  useCheckedSubmit,
} from './form-parts';

const SCOPES = ['agent', 'all'] as const;
const PRODUCTION_CHOICES = ['true', 'false', 'all'] as const;
const PRODUCTION_LABELS = { true: 'Production', false: 'Experiments & tests', all: 'All traffic' };

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
  const {
    errors,
    busy,
    submit: checkedSubmit,
  } = useCheckedSubmit<RuleField, 'save' | 'preview'>(ruleFieldOf);
  const [preview, setPreview] = useState<RulePreviewResponse | null>(null);
  const set = (patch: Partial<RuleForm>) => setForm((f) => ({ ...f, ...patch }));
  const bind = formBinder(form, set, errors);

  const submit = async (kind: 'save' | 'preview') => {
    const body = ruleBody(form, agentId);
    const outcome = await checkedSubmit(kind, checkRuleForm(form, agentId), async () => {
      if (kind === 'preview') {
        setPreview(await client.previewAlertRule(body));
      } else {
        const saved = rule
          ? await client.updateAlertRule(rule.rule_id, body)
          : await client.createAlertRule(body);
        onSaved(saved);
      }
    });
    if (outcome === 'failed' && kind === 'preview') setPreview(null);
  };

  const filterOptions: readonly string[] | null =
    form.filterKind === 'event_type'
      ? EVENT_TYPE_VALUES
      : form.filterKind === 'error_type'
        ? ERROR_CATEGORY_VALUES
        : null;
  const unit = thresholdUnit(form.metric);

  return (
    <EditorForm
      className="rule-form"
      label={rule ? `Edit rule ${rule.name}` : 'New alert rule'}
      onSubmit={() => void submit('save')}
      error={errors.form}
      actions={
        <FormActions
          submit={busy === 'save' ? 'Saving…' : rule ? 'Save rule' : 'Create rule'}
          disabled={busy !== null}
          onCancel={onCancel}
        >
          <button type="button" disabled={busy !== null} onClick={() => void submit('preview')}>
            {busy === 'preview' ? 'Previewing…' : 'Preview'}
          </button>
        </FormActions>
      }
      after={preview && <RulePreview preview={preview} />}
    >
      <InputField {...bind('name')} label="Name" maxLength={128} />
      <SelectField
        {...bind('scope')}
        label="Applies to"
        options={SCOPES}
        labels={{ agent: agentId, all: 'Every agent (each judged on its own)' }}
      />
      <SelectField
        {...bind('metric')}
        label="Metric"
        options={RULE_METRICS}
        onChange={(metric) => setForm((f) => withMetric(f, metric))}
      />
      <SelectField {...bind('aggregation')} label="Aggregation" options={aggregationsOf(form.metric)} />
      <InputField {...bind('windowMinutes')} label="Window (minutes)" hint="5 – 10080" inputMode="numeric" />
      <SelectField {...bind('comparator')} label="Comparator" options={COMPARATORS} />
      <InputField {...bind('warning')} label="Warning level" hint={unit} inputMode="decimal" />
      <InputField {...bind('critical')} label="Critical level" hint={unit} inputMode="decimal" />
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
      <SelectField
        {...bind('production')}
        label="Traffic"
        options={PRODUCTION_CHOICES}
        labels={PRODUCTION_LABELS}
      />
      <InputField
        {...bind('minVolume')}
        label="Minimum volume"
        hint="units the window must hold"
        inputMode="numeric"
      />
      <SelectField
        {...bind('noData')}
        label="When there is no data"
        options={NO_DATA_POLICIES}
        labels={NO_DATA_LABELS}
      />
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
      <CheckboxField {...bind('enabled')} label="Enabled" />
    </EditorForm>
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
        <DataTable
          label="Preview results"
          columns={['Agent', num('Value'), num('Volume'), 'Window', 'Would be']}
        >
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
        </DataTable>
      )}
    </section>
  );
}
