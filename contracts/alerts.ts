import * as z from 'zod';
import { id, isoTime } from './common';
import { ERROR_CATEGORY_VALUES, EVENT_TYPE_VALUES } from './query-api';

/**
 * Baselines, anomaly incidents, alert rules and notification channels (`/api/agents/{agent_id}/baselines…`,
 * `/api/agents/{agent_id}/incidents…`, `/api/incidents`, `/api/alert-rules…`, `/api/channels…`).
 *
 * Field names are snake_case; times are ISO-8601 UTC; money is USD; durations are ms. Secrets (webhook
 * URLs, signing secrets) are write-only: answers show a masked form.
 */

// ---------------------------------------------------------------------------------------------------------
// Vocabulary
// ---------------------------------------------------------------------------------------------------------

export const SEVERITIES = ['warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** What the baselines model and the anomaly checks judge. */
export const ANOMALY_METRICS = [
  'cost_per_session',
  'tokens_per_session',
  'session_duration_p50',
  'session_duration_p95',
  'event_latency_p95',
  'error_rate',
  'event_error_rate',
  'sessions_per_hour',
] as const;
export type AnomalyMetric = (typeof ANOMALY_METRICS)[number];

/** Metrics that move together for one cause; an agent has at most one open anomaly incident per family. */
export const METRIC_FAMILIES = ['cost', 'errors', 'latency', 'volume'] as const;
export type MetricFamily = (typeof METRIC_FAMILIES)[number];

/** What an explicit alert rule measures, and which aggregations each one takes. */
export const RULE_AGGREGATIONS = {
  /** USD: sum = spend of the events in the window; avg and pXX = per settled session. */
  cost: ['sum', 'avg', 'p50', 'p90', 'p95', 'p99'],
  /** USD per priced LLM call. */
  llm_call_cost: ['avg', 'p50', 'p90', 'p95', 'p99'],
  /** Input + output tokens: sum over events; avg and pXX per LLM call. */
  tokens: ['sum', 'avg', 'p50', 'p90', 'p95', 'p99'],
  /** ms, per settled session. */
  session_duration: ['avg', 'p50', 'p90', 'p95', 'p99'],
  /** ms, per event with a duration. */
  event_latency: ['avg', 'p50', 'p90', 'p95', 'p99'],
  /** Failed events. */
  errors: ['count'],
  /** Share (0–1) of settled sessions with at least one failed event. */
  error_rate: ['rate'],
  /** Share (0–1) of events that failed. */
  event_error_rate: ['rate'],
  /** Sessions started. */
  sessions: ['count'],
  events: ['count'],
  llm_calls: ['count'],
} as const satisfies Record<string, readonly string[]>;
export type RuleMetric = keyof typeof RULE_AGGREGATIONS;
export const RULE_METRICS = Object.keys(RULE_AGGREGATIONS) as RuleMetric[];
export const AGGREGATIONS = ['sum', 'count', 'rate', 'avg', 'p50', 'p90', 'p95', 'p99'] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

export const COMPARATORS = ['>', '>=', '<', '<='] as const;
export type Comparator = (typeof COMPARATORS)[number];

/** When a rule's window has no data (or less than `min_volume`): judge it normal, keep the last state, or raise. */
export const NO_DATA_POLICIES = ['ok', 'keep', 'warning', 'critical'] as const;
export type NoDataPolicy = (typeof NO_DATA_POLICIES)[number];

export const CHANNEL_TYPES = ['sns', 'slack', 'webhook', 'log'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

export const NOTIFICATION_TYPES = [
  'incident.opened',
  'incident.escalated',
  'incident.resolved',
  'test',
] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

/** Headers of a generic webhook delivery. The signature is `v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`. */
export const WEBHOOK_HEADERS = {
  signature: 'x-vigil-signature',
  timestamp: 'x-vigil-timestamp',
  event: 'x-vigil-event',
  delivery: 'x-vigil-delivery',
} as const;

// ---------------------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------------------

const enumOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `must be one of ${values.join(', ')}` });

const dateOrTime = z.union(
  [z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'must be YYYY-MM-DD' }), isoTime],
  { error: 'must be a date (YYYY-MM-DD) or an ISO-8601 timestamp' },
);
const windowParams = {
  from: dateOrTime.optional(),
  to: dateOrTime.optional(),
  range: z
    .string()
    .regex(/^\d{1,4}[hd]$/, { error: 'must be a number of hours or days like 24h or 14d' })
    .optional(),
};
const sliceParam = z
  .string()
  .regex(/^(all|model:.+|tag:[^=]+=.+|exp:.+)$/, { error: 'must be all, model:<m>, tag:<k>=<v> or exp:<id>' })
  .max(300);
const limitParam = (max: number, dflt: number) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int({ error: 'must be an integer' })
    .min(1, { error: 'must be at least 1' })
    .max(max, { error: `must be at most ${max}` })
    .default(dflt);

export const baselineListQuery = z.strictObject({ ...windowParams, slice: sliceParam.optional() });
export type BaselineListQuery = z.output<typeof baselineListQuery>;

export const baselineSeriesQuery = z.strictObject({
  ...windowParams,
  slice: sliceParam.default('all'),
  metric: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const list = (v ?? '').split(',').filter(Boolean);
      for (const m of list) {
        if (!(ANOMALY_METRICS as readonly string[]).includes(m)) {
          ctx.addIssue({ code: 'custom', message: `"${m}" is not one of ${ANOMALY_METRICS.join(', ')}` });
          return z.NEVER;
        }
      }
      return list as AnomalyMetric[];
    }),
});
export type BaselineSeriesQuery = z.output<typeof baselineSeriesQuery>;

export const baselineStatusQuery = z.strictObject({ slice: sliceParam.default('all') });

export const INCIDENT_STATUSES = ['open', 'resolved'] as const;
export const incidentListQuery = z.strictObject({
  ...windowParams,
  status: enumOf(['open', 'resolved', 'all']).default('all'),
  source: enumOf(['anomaly', 'rule', 'all']).default('all'),
  limit: limitParam(200, 50),
  cursor: z.string().max(2000).optional(),
});
export type IncidentListQuery = z.output<typeof incidentListQuery>;

/**
 * Body of `POST /api/agents/{agent_id}/incidents/{incident_id}/acknowledge` and `…/resolve` (admin scope);
 * both answer the incident (IncidentView). Unknown fields are refused, naming the field.
 */
export const incidentActionBody = z.strictObject({
  note: z
    .string({ error: 'must be a string' })
    .max(500, { error: 'must be at most 500 characters' })
    .optional(),
});
export type IncidentActionBody = z.output<typeof incidentActionBody>;

const tagFilter = z
  .string()
  .regex(/^[^:=,]{1,64}[:=][^,]+$/, { error: 'must be key:value (e.g. tier:enterprise)' });

/** A rule reads one rollup slice: at most one of tag / model / experiment / event_type / error_type. */
export const ruleFilters = z
  .strictObject({
    production: z
      .union([z.boolean(), z.literal('all')], { error: 'must be true, false or "all"' })
      .default(true),
    tag: tagFilter.optional(),
    model: z.string().min(1).max(256).optional(),
    experiment: z.string().min(1).max(256).optional(),
    event_type: enumOf(EVENT_TYPE_VALUES).optional(),
    error_type: enumOf(ERROR_CATEGORY_VALUES).optional(),
  })
  .superRefine((f, ctx) => {
    const set = (['tag', 'model', 'experiment', 'event_type', 'error_type'] as const).filter(
      (k) => f[k] !== undefined,
    );
    if (set.length > 1) {
      ctx.addIssue({
        code: 'custom',
        path: [set[1]!],
        message: `only one of tag, model, experiment, event_type, error_type (a rule reads one slice); got ${set.join(' and ')}`,
      });
    }
  });
export type RuleFilters = z.output<typeof ruleFilters>;

const thresholdValue = z.number({ error: 'must be a number' }).finite().nullable();

const ruleShape = {
  name: z.string().min(1, { error: 'must not be empty' }).max(128),
  /** One agent, or "*" for every agent (each judged on its own). */
  agent_id: z.union([z.literal('*'), id]).default('*'),
  metric: enumOf(RULE_METRICS as [RuleMetric, ...RuleMetric[]]),
  aggregation: enumOf(AGGREGATIONS),
  /** The rule reads the hourly rollups overlapping the last `window_minutes`. @default 60 */
  window_minutes: z
    .number({ error: 'must be a number' })
    .int({ error: 'must be an integer' })
    .min(5, { error: 'must be at least 5' })
    .max(10_080, { error: 'must be at most 10080 (7 days)' })
    .default(60),
  comparator: enumOf(COMPARATORS).default('>'),
  warning: thresholdValue.default(null),
  critical: thresholdValue.default(null),
  filters: ruleFilters.default({ production: true }),
  /** Units (sessions, events, calls) the window must hold to be judged; below it the no-data policy applies. */
  min_volume: z.number({ error: 'must be a number' }).min(0).max(1e9).default(1),
  no_data: enumOf(NO_DATA_POLICIES).default('ok'),
  channel_ids: z.array(id).max(20, { error: 'must have at most 20 channels' }).default([]),
  enabled: z.boolean({ error: 'must be a boolean' }).default(true),
};

function checkRule(
  r: {
    metric: RuleMetric;
    aggregation: Aggregation;
    warning: number | null;
    critical: number | null;
    comparator: Comparator;
  },
  ctx: z.RefinementCtx,
): void {
  const allowed = RULE_AGGREGATIONS[r.metric] as readonly string[];
  if (!allowed.includes(r.aggregation)) {
    ctx.addIssue({
      code: 'custom',
      path: ['aggregation'],
      message: `${r.metric} takes ${allowed.join(', ')}`,
    });
  }
  if (r.warning === null && r.critical === null) {
    ctx.addIssue({
      code: 'custom',
      path: ['warning'],
      message: 'give a warning or a critical level (or both)',
    });
  }
  if (r.warning !== null && r.critical !== null) {
    const up = r.comparator === '>' || r.comparator === '>=';
    if (up ? r.critical < r.warning : r.critical > r.warning) {
      ctx.addIssue({
        code: 'custom',
        path: ['critical'],
        message: `must be ${up ? 'at or above' : 'at or below'} the warning level for comparator ${r.comparator}`,
      });
    }
  }
}

export const alertRuleBody = z.strictObject(ruleShape).superRefine(checkRule);
export type AlertRuleBody = z.output<typeof alertRuleBody>;

const httpUrl = z
  .string()
  .max(2048)
  .refine(
    (s) => {
      try {
        const u = new URL(s);
        return u.protocol === 'https:' || u.protocol === 'http:';
      } catch {
        return false;
      }
    },
    { error: 'must be an http(s) URL' },
  );
const channelCommon = {
  name: z.string().min(1, { error: 'must not be empty' }).max(128),
  /** Receives anomaly incidents (rules name their channels themselves). @default true */
  notify_anomalies: z.boolean().default(true),
  /** Least severity sent to this channel. @default warning */
  min_severity: enumOf(SEVERITIES).default('warning'),
  /** Agents whose anomaly incidents this channel receives. @default "*" */
  agents: z.union([z.literal('*'), z.array(id).min(1).max(1000)]).default('*'),
  enabled: z.boolean().default(true),
};
const snsTopicArn = z
  .string()
  .regex(/^arn:aws[\w-]*:sns:[\w-]+:\d{12}:[\w.-]{1,256}$/, { error: 'must be an SNS topic ARN' });
const signingSecret = z
  .string()
  .min(16, { error: 'must be at least 16 characters' })
  .max(256, { error: 'must be at most 256 characters' });

/** Create a channel. Secret fields are write-only. */
export const channelBody = z.discriminatedUnion(
  'type',
  [
    /** An SNS topic (email subscriptions live on the topic); default: the deployment's alert topic. */
    z.strictObject({ ...channelCommon, type: z.literal('sns'), topic_arn: snsTopicArn.optional() }),
    z.strictObject({ ...channelCommon, type: z.literal('slack'), webhook_url: httpUrl }),
    /** Signed with HMAC-SHA256 of "<timestamp>.<body>" under `secret`, see WEBHOOK_HEADERS. */
    z.strictObject({ ...channelCommon, type: z.literal('webhook'), url: httpUrl, secret: signingSecret }),
    /** Writes alerts to the process log (stdout locally, CloudWatch on AWS). */
    z.strictObject({ ...channelCommon, type: z.literal('log') }),
  ],
  { error: `type: must be one of ${CHANNEL_TYPES.join(', ')}` },
);
export type ChannelBody = z.output<typeof channelBody>;

/** Replace a channel; omitted secret fields keep their stored value. */
export const channelUpdateBody = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ ...channelCommon, type: z.literal('sns'), topic_arn: snsTopicArn.optional() }),
    z.strictObject({ ...channelCommon, type: z.literal('slack'), webhook_url: httpUrl.optional() }),
    z.strictObject({
      ...channelCommon,
      type: z.literal('webhook'),
      url: httpUrl.optional(),
      secret: signingSecret.optional(),
    }),
    z.strictObject({ ...channelCommon, type: z.literal('log') }),
  ],
  { error: `type: must be one of ${CHANNEL_TYPES.join(', ')}` },
);
export type ChannelUpdateBody = z.output<typeof channelUpdateBody>;

// ---------------------------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------------------------

const num = z.number();
const nnum = z.number().nullable();
const window = z.object({ from: z.string(), to: z.string() });

export const metricBaselineView = z.object({
  metric: z.enum(ANOMALY_METRICS),
  family: z.enum(METRIC_FAMILIES),
  unit: z.string(),
  /** Median over the week's hours of the expected value. */
  typical: nnum,
  /** Expected value for each hour of the week, Monday 00:00 UTC first (168 entries). */
  expected_by_hour_of_week: z.array(nnum),
  /** Robust spread of one unit (session, event, or for sessions_per_hour one expected session) above/below. */
  spread_up: num,
  spread_down: num,
  hours: num,
  volume: num,
});
export const baselineView = z.object({
  agent_id: z.string(),
  slice: z.string(),
  production: z.boolean(),
  date: z.string(),
  computed_at: z.string(),
  window: window,
  data_from: z.string().nullable(),
  status: z.enum(['ready', 'warming_up']),
  warmup_ends_at: z.string().nullable(),
  excluded_hours: num,
  metrics: z.array(metricBaselineView),
});
export type BaselineView = z.infer<typeof baselineView>;
export const baselineListResponse = z.object({ agent_id: z.string(), baselines: z.array(baselineView) });

export const bandPoint = z.object({
  hour: z.string(),
  actual: nnum,
  volume: num,
  expected: nnum,
  /** The warning band for this hour's volume; null where no baseline applies. */
  lower: nnum,
  upper: nnum,
  outside: z.boolean(),
  baseline_date: z.string().nullable(),
});
export const baselineSeriesResponse = z.object({
  agent_id: z.string(),
  slice: z.string(),
  window: window,
  series: z.array(
    z.object({
      metric: z.enum(ANOMALY_METRICS),
      family: z.enum(METRIC_FAMILIES),
      unit: z.string(),
      direction: z.enum(['up', 'both']),
      points: z.array(bandPoint),
    }),
  ),
});
export type BaselineSeriesResponse = z.infer<typeof baselineSeriesResponse>;

export const METRIC_STATES = ['ok', 'outside', 'insufficient_data', 'warming_up', 'no_baseline'] as const;
export const metricStatusView = z.object({
  metric: z.enum(ANOMALY_METRICS),
  family: z.enum(METRIC_FAMILIES),
  unit: z.string(),
  state: z.enum(METRIC_STATES),
  severity: z.enum(SEVERITIES).nullable(),
  value: nnum,
  expected: nnum,
  lower: nnum,
  upper: nnum,
  z: nnum,
  volume: num,
  window: window.nullable(),
});
export const baselineStatusResponse = z.object({
  agent_id: z.string(),
  slice: z.string(),
  at: z.string(),
  baseline: z
    .object({
      date: z.string(),
      status: z.enum(['ready', 'warming_up']),
      warmup_ends_at: z.string().nullable(),
    })
    .nullable(),
  metrics: z.array(metricStatusView),
  open_incidents: num,
});
export type BaselineStatusResponse = z.infer<typeof baselineStatusResponse>;

export const signalView = z.object({
  metric: z.string(),
  slice: z.string(),
  value: nnum,
  expected: nnum,
  lower: nnum,
  upper: nnum,
  z: nnum,
  direction: z.enum(['up', 'down']),
  severity: z.enum(SEVERITIES).nullable(),
  volume: num,
  window: window,
  at: z.string(),
  /** Why a rule fired without a value (no_data policy). */
  reason: z.enum(['threshold', 'anomaly', 'no_data']),
});
export const incidentView = z.object({
  incident_id: z.string(),
  agent_id: z.string(),
  source: z.enum(['anomaly', 'rule']),
  family: z.enum(METRIC_FAMILIES).nullable(),
  rule_id: z.string().nullable(),
  title: z.string(),
  status: z.enum(INCIDENT_STATUSES),
  severity: z.enum(SEVERITIES),
  peak_severity: z.enum(SEVERITIES),
  opened_at: z.string(),
  /** The first check that saw the breach (the incident opens once it is confirmed). */
  first_breach_at: z.string(),
  last_breach_at: z.string(),
  /** Set while an open incident's metrics are back to normal (it resolves after the cooldown). */
  normal_since: z.string().nullable(),
  resolved_at: z.string().nullable(),
  /**
   * Set once someone acknowledges it (POST …/acknowledge). Who: the API key id, or the dashboard user's
   * JWT subject. An acknowledged incident sends no more notices except the resolved one.
   */
  acknowledged_at: z.string().nullable(),
  acknowledged_by: z.string().nullable(),
  /** Who resolved it by hand (POST …/resolve); null when it resolved by itself or is open. */
  resolved_by: z.string().nullable(),
  /** The affected period: from the start of the window that first breached to resolution (or now). */
  window: window,
  trigger: signalView,
  signals: z.array(signalView),
  timeline: z.array(
    z.object({
      at: z.string(),
      /** acknowledged and manually_resolved are a person's actions; their detail is the note. */
      type: z.enum([
        'opened',
        'escalated',
        'deescalated',
        'normal',
        'breach_again',
        'resolved',
        'acknowledged',
        'manually_resolved',
      ]),
      severity: z.enum(SEVERITIES).nullable(),
      detail: z.string().nullable(),
    }),
  ),
  deliveries: z.array(
    z.object({
      channel_id: z.string(),
      type: z.enum(NOTIFICATION_TYPES),
      status: z.enum(['pending', 'sent', 'failed', 'cancelled']),
      /** Held warnings are not sent before this time. */
      not_before: z.string().nullable(),
      attempts: num,
      last_attempt_at: z.string().nullable(),
      error: z.string().nullable(),
    }),
  ),
  /** API paths for the affected window (the dashboard links them). */
  links: z.object({
    sessions: z.string(),
    top_sessions: z.string(),
    metrics: z.string(),
    baseline: z.string(),
  }),
});
export type IncidentView = z.infer<typeof incidentView>;

export const incidentListResponse = z.object({
  incidents: z.array(incidentView),
  cursor: z.string().nullable(),
});
export const incidentDetailResponse = incidentView.extend({
  top_sessions: z.array(
    z.object({
      session_id: z.string(),
      started_at: z.string(),
      status: z.string(),
      cost_usd: num,
      duration_ms: nnum,
      errors: num,
      tokens: num,
    }),
  ),
});
export type IncidentDetailResponse = z.infer<typeof incidentDetailResponse>;

export const alertRuleView = z.object({
  rule_id: z.string(),
  name: z.string(),
  agent_id: z.string(),
  metric: z.enum(RULE_METRICS as [RuleMetric, ...RuleMetric[]]),
  aggregation: z.enum(AGGREGATIONS),
  window_minutes: num,
  comparator: z.enum(COMPARATORS),
  warning: nnum,
  critical: nnum,
  filters: z.object({
    production: z.union([z.boolean(), z.literal('all')]),
    tag: z.string().optional(),
    model: z.string().optional(),
    experiment: z.string().optional(),
    event_type: z.string().optional(),
    error_type: z.string().optional(),
  }),
  min_volume: num,
  no_data: z.enum(NO_DATA_POLICIES),
  channel_ids: z.array(z.string()),
  enabled: z.boolean(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type AlertRuleView = z.infer<typeof alertRuleView>;

export const rulePreviewResponse = z.object({
  rule: alertRuleView.omit({ rule_id: true, created_at: true, updated_at: true }),
  at: z.string(),
  results: z.array(
    z.object({
      agent_id: z.string(),
      value: nnum,
      volume: num,
      window: window,
      /** The severity this check alone would give (null = normal); `no_data` when the window is too thin. */
      severity: z.enum(SEVERITIES).nullable(),
      no_data: z.boolean(),
    }),
  ),
});

export const channelView = z.object({
  channel_id: z.string(),
  name: z.string(),
  type: z.enum(CHANNEL_TYPES),
  /** sns: the topic (null = the deployment's alert topic). */
  topic_arn: z.string().nullable().optional(),
  /** slack / webhook: masked, e.g. "https://hooks.slack.com/…x9Qz". */
  webhook_url: z.string().optional(),
  url: z.string().optional(),
  has_secret: z.boolean().optional(),
  notify_anomalies: z.boolean(),
  min_severity: z.enum(SEVERITIES),
  agents: z.union([z.literal('*'), z.array(z.string())]),
  enabled: z.boolean(),
  created_at: z.string(),
  updated_at: z.string(),
  last_delivery: z.object({ at: z.string(), ok: z.boolean(), error: z.string().nullable() }).nullable(),
});
export type ChannelView = z.infer<typeof channelView>;

export const channelTestResponse = z.object({
  channel_id: z.string(),
  ok: z.boolean(),
  error: z.string().nullable(),
});

/** The JSON body of a webhook delivery (and the payload the other channels render). */
export const notificationPayload = z.object({
  version: z.literal(1),
  type: z.enum(NOTIFICATION_TYPES),
  sent_at: z.string(),
  delivery_id: z.string(),
  incident: z
    .object({
      incident_id: z.string(),
      agent_id: z.string(),
      title: z.string(),
      source: z.enum(['anomaly', 'rule']),
      status: z.enum(INCIDENT_STATUSES),
      severity: z.enum(SEVERITIES),
      opened_at: z.string(),
      resolved_at: z.string().nullable(),
      window: window,
      trigger: signalView,
      link: z.string(),
    })
    .nullable(),
  text: z.string(),
});
export type NotificationPayload = z.infer<typeof notificationPayload>;
