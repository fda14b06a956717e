import {
  type AlertRuleView,
  alertRuleBody,
  type Comparator,
  type NoDataPolicy,
  RULE_AGGREGATIONS,
  type RuleMetric,
} from '../../../../../contracts/alerts';

/**
 * The alert-rule editor's state and its translation to the API body. Checks run the contract's own
 * schema (contracts/alerts.ts), so the form and the server agree on every rule and name the same field.
 */

export const FILTER_KINDS = ['none', 'tag', 'model', 'experiment', 'event_type', 'error_type'] as const;
export type FilterKind = (typeof FILTER_KINDS)[number];
export const FILTER_LABELS: Record<FilterKind, string> = {
  none: 'No filter (whole agent)',
  tag: 'Tag (key:value)',
  model: 'Model',
  experiment: 'Experiment',
  event_type: 'Event type',
  error_type: 'Error type',
};

export interface RuleForm {
  name: string;
  /** This agent, or "*" for every agent (each judged on its own). */
  scope: 'agent' | 'all';
  metric: RuleMetric;
  aggregation: string;
  windowMinutes: string;
  comparator: Comparator;
  warning: string;
  critical: string;
  filterKind: FilterKind;
  filterValue: string;
  production: 'true' | 'false' | 'all';
  minVolume: string;
  noData: NoDataPolicy;
  channelIds: string[];
  enabled: boolean;
}

/** Form fields an error can be shown next to; `form` is the whole form. */
export type RuleField =
  | 'name'
  | 'scope'
  | 'metric'
  | 'aggregation'
  | 'windowMinutes'
  | 'comparator'
  | 'warning'
  | 'critical'
  | 'filter'
  | 'production'
  | 'minVolume'
  | 'noData'
  | 'channelIds'
  | 'enabled'
  | 'form';

export function aggregationsOf(metric: RuleMetric): readonly string[] {
  return RULE_AGGREGATIONS[metric];
}

export function emptyRuleForm(): RuleForm {
  return {
    name: '',
    scope: 'agent',
    metric: 'cost',
    aggregation: 'sum',
    windowMinutes: '60',
    comparator: '>',
    warning: '',
    critical: '',
    filterKind: 'none',
    filterValue: '',
    production: 'true',
    minVolume: '1',
    noData: 'ok',
    channelIds: [],
    enabled: true,
  };
}

/** A new metric keeps the aggregation when the metric takes it, else its first one. */
export function withMetric(form: RuleForm, metric: RuleMetric): RuleForm {
  const allowed = aggregationsOf(metric);
  return {
    ...form,
    metric,
    aggregation: allowed.includes(form.aggregation) ? form.aggregation : allowed[0]!,
  };
}

export function formFromRule(r: AlertRuleView): RuleForm {
  const kind = (['tag', 'model', 'experiment', 'event_type', 'error_type'] as const).find(
    (k) => r.filters[k] !== undefined,
  );
  return {
    name: r.name,
    scope: r.agent_id === '*' ? 'all' : 'agent',
    metric: r.metric,
    aggregation: r.aggregation,
    windowMinutes: String(r.window_minutes),
    comparator: r.comparator,
    warning: r.warning === null ? '' : String(r.warning),
    critical: r.critical === null ? '' : String(r.critical),
    filterKind: kind ?? 'none',
    filterValue: kind ? String(r.filters[kind]) : '',
    production: String(r.filters.production) as RuleForm['production'],
    minVolume: String(r.min_volume),
    noData: r.no_data,
    channelIds: [...r.channel_ids],
    enabled: r.enabled,
  };
}

/** Text → number; blank stays blank (null), anything else not a number is NaN (the schema rejects it). */
function num(s: string): number | null {
  const t = s.trim();
  if (t === '') return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : Number.NaN;
}

/** The JSON body of POST/PUT /api/alert-rules and of the preview. */
export function ruleBody(form: RuleForm, agentId: string): Record<string, unknown> {
  const filters: Record<string, unknown> = {
    production: form.production === 'all' ? 'all' : form.production === 'true',
  };
  if (form.filterKind !== 'none') filters[form.filterKind] = form.filterValue.trim();
  return {
    name: form.name.trim(),
    agent_id: form.scope === 'all' ? '*' : agentId,
    metric: form.metric,
    aggregation: form.aggregation,
    window_minutes: num(form.windowMinutes) ?? Number.NaN,
    comparator: form.comparator,
    warning: num(form.warning),
    critical: num(form.critical),
    filters,
    min_volume: num(form.minVolume) ?? 0,
    no_data: form.noData,
    channel_ids: form.channelIds,
    enabled: form.enabled,
  };
}

/** The form field an API field path belongs to (`filters.tag` → filter, `channel_ids[0]` → channelIds). */
export function ruleFieldOf(path: string | null): RuleField {
  if (!path) return 'form';
  if (path === 'filters.production') return 'production';
  if (path.startsWith('filters')) return 'filter';
  if (path.startsWith('channel_ids')) return 'channelIds';
  const map: Record<string, RuleField> = {
    name: 'name',
    agent_id: 'scope',
    metric: 'metric',
    aggregation: 'aggregation',
    window_minutes: 'windowMinutes',
    comparator: 'comparator',
    warning: 'warning',
    critical: 'critical',
    min_volume: 'minVolume',
    no_data: 'noData',
    enabled: 'enabled',
  };
  return map[path] ?? 'form';
}

export type FieldErrors<F extends string> = Partial<Record<F, string>>;

/** Every rule the contract finds broken, by form field (first message per field). */
export function checkRuleForm(form: RuleForm, agentId: string): FieldErrors<RuleField> {
  const r = alertRuleBody.safeParse(ruleBody(form, agentId));
  if (r.success) return {};
  const errors: FieldErrors<RuleField> = {};
  for (const issue of r.error.issues) {
    const path = issue.path
      .map((p, n) => (typeof p === 'number' ? `[${p}]` : n === 0 ? String(p) : `.${String(p)}`))
      .join('');
    const field = ruleFieldOf(path || null);
    errors[field] ??= /received undefined/.test(issue.message) ? 'is required' : issue.message;
  }
  return errors;
}
