import * as z from 'zod';
import { isoTime } from './common';

/**
 * The dashboard's query API (`/api/agents/{agent_id}/…`, `/api/agents/summary`, `/api/prices`).
 *
 * Every read takes an agent (path), a time window and optional filters, all as query-string parameters;
 * answers are typed JSON (CSV for exports). Aggregates are merged from hourly rollups; lists page with
 * opaque cursors. Field names are snake_case; times are ISO-8601 UTC; money is USD.
 */

// ---------------------------------------------------------------------------------------------------------
// Shared request parts
// ---------------------------------------------------------------------------------------------------------

export const RANGE_PRESETS = ['24h', '3d', '7d', '30d'] as const;
export const BUCKETS = ['1h', '1d', '3d', '1w', '2w', '1mo'] as const;
export type Bucket = (typeof BUCKETS)[number];
export const EVENT_TYPE_VALUES = ['llm', 'tool', 'error', 'generic', 'custom'] as const;
export const ERROR_CATEGORY_VALUES = [
  'timeout',
  'rate_limit',
  'api',
  'auth',
  'validation',
  'context_length',
  'content_filter',
  'tool',
  'network',
  'unknown',
] as const;

const dateOrTime = z.union(
  [z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'must be YYYY-MM-DD' }), isoTime],
  { error: 'must be a date (YYYY-MM-DD) or an ISO-8601 timestamp' },
);

const tagFilter = z
  .string()
  .regex(/^[^:=,]{1,64}[:=][^,]+$/, { error: 'must be key:value (e.g. tier:enterprise)' });

/** Window: `from`/`to` (dates are whole UTC days, `to` date inclusive) or `range` (24h, 3d, 7d, 30d, or Nh / Nd) back from now. */
export const windowParams = {
  from: dateOrTime.optional(),
  to: dateOrTime.optional(),
  range: z
    .string()
    .regex(/^\d{1,4}[hd]$/, {
      error: 'must be a preset (24h, 3d, 7d, 30d) or a number of hours/days like 12h',
    })
    .optional(),
};

/** Filters. For aggregates at most one of tag/model/event_type/error_type/experiment (one rollup slice). */
export const filterParams = {
  production: z.enum(['true', 'false', 'all'], { error: 'must be true, false or all' }).optional(),
  tag: tagFilter.optional(),
  model: z.string().min(1).max(256).optional(),
  event_type: z
    .enum(EVENT_TYPE_VALUES, { error: `must be one of ${EVENT_TYPE_VALUES.join(', ')}` })
    .optional(),
  error_type: z
    .enum(ERROR_CATEGORY_VALUES, { error: `must be one of ${ERROR_CATEGORY_VALUES.join(', ')}` })
    .optional(),
  experiment: z.string().min(1).max(256).optional(),
};

const bucketParam = z.enum(BUCKETS, { error: `must be one of ${BUCKETS.join(', ')}` });
const limitParam = (max: number, dflt: number) =>
  z.coerce
    .number<string | number>({ error: 'must be a number' })
    .int({ error: 'must be an integer' })
    .min(1, { error: 'must be at least 1' })
    .max(max, { error: `must be at most ${max}` })
    .default(dflt);

export const aggregateQuery = z.strictObject({ ...windowParams, ...filterParams });
export type AggregateQuery = z.output<typeof aggregateQuery>;

export const seriesQuery = z.strictObject({
  ...windowParams,
  ...filterParams,
  bucket: bucketParam.optional(),
});
export type SeriesQuery = z.output<typeof seriesQuery>;

export const BREAKDOWN_DIMENSIONS = ['model', 'event_type', 'error_type', 'experiment', 'tag:<key>'] as const;
const breakdownBy = z
  .string({ error: 'is required' })
  .regex(/^(model|event_type|error_type|experiment|tag:[^:=,]{1,64})$/, {
    error: 'must be model, event_type, error_type, experiment or tag:<key>',
  });

export const breakdownQuery = z.strictObject({
  ...windowParams,
  production: filterParams.production,
  by: breakdownBy,
});
export type BreakdownQuery = z.output<typeof breakdownQuery>;

export const costModelsQuery = z.strictObject({
  ...windowParams,
  ...filterParams,
  alternative: z.string().min(1).max(256).optional(),
});
export type CostModelsQuery = z.output<typeof costModelsQuery>;

export const qualityQuery = z.strictObject({
  ...windowParams,
  ...filterParams,
  bucket: bucketParam.optional(),
  by: z
    .string()
    .regex(/^(experiment|tag:[^:=,]{1,64})$/, { error: 'must be experiment or tag:<key>' })
    .optional(),
});
export type QualityQuery = z.output<typeof qualityQuery>;

export const COMPARE_MODES = ['previous', 'windows', 'before_after', 'tag', 'experiment'] as const;
export const compareQuery = z.strictObject({
  ...windowParams,
  ...filterParams,
  mode: z.enum(COMPARE_MODES, { error: `must be one of ${COMPARE_MODES.join(', ')}` }).default('previous'),
  /** mode=windows: the baseline window (B); the main window is A. */
  baseline_from: dateOrTime.optional(),
  baseline_to: dateOrTime.optional(),
  /** mode=before_after: the moment (a deploy); A = [from, at), B = [at, to). */
  at: z.optional(isoTime),
  /** mode=tag: A = tag_key:a, B = tag_key:b. */
  tag_key: z
    .string()
    .regex(/^[^:=,]{1,64}$/, { error: 'must be a tag key' })
    .optional(),
  a: z.string().min(1).max(256).optional(),
  b: z.string().min(1).max(256).optional(),
});
export type CompareQuery = z.output<typeof compareQuery>;

export const SESSION_SORTS = ['started_at', 'cost', 'duration', 'errors', 'tokens', 'events'] as const;
export type SessionSort = (typeof SESSION_SORTS)[number];

/** Session lists read the session store, so any combination of filters works (AND). */
export const sessionListQuery = z.strictObject({
  ...windowParams,
  ...filterParams,
  tag: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const list = (v ?? '').split(',').filter(Boolean);
      for (const t of list) {
        if (!tagFilter.safeParse(t).success) {
          ctx.addIssue({ code: 'custom', message: `"${t}" must be key:value (e.g. tier:enterprise)` });
          return z.NEVER;
        }
      }
      return list;
    }),
  status: z.enum(['running', 'finished'], { error: 'must be running or finished' }).optional(),
  has_error: z.enum(['true', 'false'], { error: 'must be true or false' }).optional(),
  fingerprint: z.string().min(1).max(128).optional(),
  min_cost: z.coerce
    .number<string | number>({ error: 'must be a number' })
    .min(0, { error: 'must not be negative' })
    .optional(),
  sort: z.enum(SESSION_SORTS, { error: `must be one of ${SESSION_SORTS.join(', ')}` }).default('started_at'),
  order: z.enum(['asc', 'desc'], { error: 'must be asc or desc' }).default('desc'),
  limit: limitParam(200, 50),
  cursor: z.string().max(2000).optional(),
});
export type SessionListQuery = z.output<typeof sessionListQuery>;

export const topSessionsQuery = z.strictObject({
  ...windowParams,
  ...filterParams,
  by: z.enum(['cost', 'duration'], { error: 'must be cost or duration' }).default('cost'),
  limit: limitParam(100, 10),
});
export type TopSessionsQuery = z.output<typeof topSessionsQuery>;

export const errorGroupsQuery = z.strictObject({
  ...windowParams,
  ...filterParams,
  limit: limitParam(200, 50),
  cursor: z.string().max(2000).optional(),
});
export type ErrorGroupsQuery = z.output<typeof errorGroupsQuery>;

export const exportFormat = z.enum(['json', 'csv'], { error: 'must be json or csv' }).default('json');
export const sessionExportQuery = z.strictObject({ format: exportFormat });
export const sessionListExportQuery = sessionListQuery
  .omit({ cursor: true, limit: true })
  .extend({ format: exportFormat, limit: limitParam(10_000, 1000) });
export type SessionListExportQuery = z.output<typeof sessionListExportQuery>;

export const agentsSummaryQuery = z.strictObject({
  ...windowParams,
  production: filterParams.production,
});

// ---------------------------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------------------------

const num = z.number();
const nnum = z.number().nullable();

export const windowView = z.object({ from: z.string(), to: z.string() });
export type WindowView = z.infer<typeof windowView>;

/**
 * Which rollup slice answered: `session` level slices (all, tag, experiment) carry session counts and
 * per-session distributions; `event` level slices (model, event type, error type) carry event figures
 * only, so session-level fields are null under them.
 */
export const filterView = z.object({
  slice: z.string(),
  level: z.enum(['session', 'event']),
  production: z.union([z.boolean(), z.literal('all')]),
});
export type FilterView = z.infer<typeof filterView>;

/** A figure with its value in the previous period of the same length. */
export const kpi = z.object({
  value: nnum,
  previous: nnum,
  change: nnum,
  /** Relative change (0.25 = +25 %); null when the previous value is 0 or null. */
  change_pct: nnum,
});
export type Kpi = z.infer<typeof kpi>;

export const overviewResponse = z.object({
  agent_id: z.string(),
  window: windowView,
  previous_window: windowView,
  filter: filterView,
  kpis: z.object({
    sessions: kpi,
    avg_duration_ms: kpi,
    total_cost_usd: kpi,
    avg_cost_usd: kpi,
    total_tokens: kpi,
    llm_calls: kpi,
    error_count: kpi,
    error_rate: kpi,
    success_rate: kpi,
    avg_eval: kpi,
  }),
  unpriced_events: num,
});
export type OverviewResponse = z.infer<typeof overviewResponse>;

export const projectionView = z.object({
  month_start: z.string(),
  month_end: z.string(),
  month_to_date_usd: num,
  /** Average daily spend over the last 7 days (or since the month started, when shorter). */
  daily_run_rate_usd: num,
  projected_month_usd: num,
});

export const costSeriesResponse = z.object({
  agent_id: z.string(),
  window: windowView,
  previous_window: windowView,
  filter: filterView,
  bucket: z.enum(BUCKETS),
  total_usd: num,
  previous_total_usd: num,
  points: z.array(
    z.object({
      start: z.string(),
      end: z.string(),
      cost_usd: num,
      previous_cost_usd: num,
      sessions: nnum,
      llm_calls: num,
      tokens: num,
    }),
  ),
  projection: projectionView,
});
export type CostSeriesResponse = z.infer<typeof costSeriesResponse>;

export const distribution = z.object({
  count: num,
  avg: nnum,
  p50: nnum,
  p75: nnum,
  p90: nnum,
  p95: nnum,
  p99: nnum,
  max: nnum,
});
export type Distribution = z.infer<typeof distribution>;

export const percentilesResponse = z.object({
  agent_id: z.string(),
  window: windowView,
  filter: filterView,
  /** Per settled session (null under event-level filters). */
  session_cost_usd: distribution.nullable(),
  session_duration_ms: distribution.nullable(),
  /** Per event with a duration. */
  event_latency_ms: distribution,
  /** Per priced LLM call. */
  llm_call_cost_usd: distribution,
  llm_call_tokens: distribution,
});
export type PercentilesResponse = z.infer<typeof percentilesResponse>;

export const breakdownRow = z.object({
  key: z.string(),
  sessions: nnum,
  events: num,
  llm_calls: num,
  errors: num,
  error_rate: nnum,
  cost_usd: num,
  cost_share: nnum,
  input_tokens: num,
  output_tokens: num,
  avg_latency_ms: nnum,
  p95_latency_ms: nnum,
  avg_session_cost_usd: nnum,
  success_rate: nnum,
});
export type BreakdownRow = z.infer<typeof breakdownRow>;

export const breakdownResponse = z.object({
  agent_id: z.string(),
  window: windowView,
  by: z.string(),
  level: z.enum(['session', 'event']),
  production: z.union([z.boolean(), z.literal('all')]),
  total_cost_usd: num,
  rows: z.array(breakdownRow),
});
export type BreakdownResponse = z.infer<typeof breakdownResponse>;

export const costModelsResponse = z.object({
  agent_id: z.string(),
  window: windowView,
  filter: filterView,
  total_cost_usd: num,
  alternative: z
    .object({ model: z.string(), provider: z.string(), input_per_mtok: num, output_per_mtok: num })
    .nullable(),
  rows: z.array(
    z.object({
      model: z.string(),
      llm_calls: num,
      input_tokens: num,
      output_tokens: num,
      cached_input_tokens: num,
      reasoning_tokens: num,
      cost_usd: num,
      share: nnum,
      unpriced_events: num,
      /** The same tokens priced at `alternative` (null without one). */
      what_if_cost_usd: nnum,
      what_if_savings_usd: nnum,
    }),
  ),
  what_if_total_usd: nnum,
});
export type CostModelsResponse = z.infer<typeof costModelsResponse>;

export const sessionSummary = z.object({
  session_id: z.string(),
  name: z.string().nullable(),
  started_at: z.string(),
  ended_at: z.string().nullable(),
  status: z.enum(['running', 'finished']),
  production: z.boolean(),
  tags: z.array(z.string()),
  experiment_id: z.string().nullable(),
  duration_ms: nnum,
  cost_usd: num,
  events: num,
  llm_calls: num,
  errors: num,
  tokens: num,
  is_successful: z.boolean().nullable(),
  session_eval: nnum,
});
export type SessionSummary = z.infer<typeof sessionSummary>;

export const topSessionsResponse = z.object({
  agent_id: z.string(),
  window: windowView,
  by: z.enum(['cost', 'duration']),
  /** The p99 of the same figure over the window (rollups), the outlier line; null when unknown. */
  p99: nnum,
  sessions: z.array(sessionSummary.extend({ above_p99: z.boolean() })),
});
export type TopSessionsResponse = z.infer<typeof topSessionsResponse>;

export const sessionListResponse = z.object({
  agent_id: z.string(),
  window: windowView,
  sessions: z.array(sessionSummary),
  cursor: z.string().nullable(),
});
export type SessionListResponse = z.infer<typeof sessionListResponse>;

export const errorSeriesResponse = z.object({
  agent_id: z.string(),
  window: windowView,
  filter: filterView,
  bucket: z.enum(BUCKETS),
  totals: z.object({ errors: num, by_category: z.record(z.string(), num), error_rate: nnum }),
  points: z.array(
    z.object({
      start: z.string(),
      end: z.string(),
      errors: num,
      by_category: z.record(z.string(), num),
      errored_sessions: nnum,
      error_rate: nnum,
    }),
  ),
});
export type ErrorSeriesResponse = z.infer<typeof errorSeriesResponse>;

export const errorGroupView = z.object({
  fingerprint: z.string(),
  category: z.string(),
  type: z.string().nullable(),
  message: z.string(),
  stack: z.string().nullable(),
  /** Stored occurrences. */
  count: num,
  /** Occurrences weighted by 1 / sample_rate (comparable with the rollup error counts). */
  estimated_count: num,
  sessions: num,
  first_seen: z.string(),
  last_seen: z.string(),
  sample_session_ids: z.array(z.string()),
  sample_event_id: z.string(),
});
export type ErrorGroupView = z.infer<typeof errorGroupView>;

export const errorGroupsResponse = z.object({
  agent_id: z.string(),
  window: windowView,
  groups: z.array(errorGroupView),
  cursor: z.string().nullable(),
});
export type ErrorGroupsResponse = z.infer<typeof errorGroupsResponse>;

export const latencyResponse = z.object({
  agent_id: z.string(),
  window: windowView,
  filter: filterView,
  bucket: z.enum(BUCKETS),
  session_duration_ms: distribution.nullable(),
  /** Session durations in display buckets (log-spaced edges); counts weighted by 1 / sample_rate. */
  histogram: z.array(z.object({ min_ms: num, max_ms: nnum, count: num })),
  by_event_type: z.array(z.object({ event_type: z.string(), latency_ms: distribution })),
  by_model: z.array(z.object({ model: z.string(), latency_ms: distribution })),
  points: z.array(
    z.object({
      start: z.string(),
      end: z.string(),
      session_p50_ms: nnum,
      session_p95_ms: nnum,
      session_p99_ms: nnum,
      event_p50_ms: nnum,
      event_p95_ms: nnum,
    }),
  ),
});
export type LatencyResponse = z.infer<typeof latencyResponse>;

const qualityFigures = {
  settled_sessions: num,
  success_rate: nnum,
  succeeded: num,
  failed: num,
  avg_eval: nnum,
  evals: num,
};

export const rubricView = z.object({
  name: z.string(),
  result_type: z.enum(['boolean', 'number', 'string']),
  count: num,
  /** boolean rubrics: share of true. */
  pass_rate: nnum,
  /** number rubrics. */
  avg: nnum,
  min: nnum,
  max: nnum,
  /** string rubrics: most frequent values. */
  top_values: z.array(z.object({ value: z.string(), count: num })),
  points: z.array(z.object({ start: z.string(), count: num, pass_rate: nnum, avg: nnum })),
});
export type RubricView = z.infer<typeof rubricView>;

export const qualityResponse = z.object({
  agent_id: z.string(),
  window: windowView,
  filter: filterView,
  bucket: z.enum(BUCKETS),
  totals: z.object(qualityFigures),
  previous: z.object(qualityFigures),
  points: z.array(z.object({ start: z.string(), end: z.string(), ...qualityFigures })),
  by: z.string().nullable(),
  rows: z.array(z.object({ key: z.string(), ...qualityFigures })),
  /** Per-rubric results (evals) of the sessions in the window; null when the store cannot list them. */
  rubrics: z.array(rubricView).nullable(),
  /** True when more eval results exist than were read. */
  rubrics_truncated: z.boolean(),
});
export type QualityResponse = z.infer<typeof qualityResponse>;

export const compareFigures = z.object({
  sessions: nnum,
  total_cost_usd: num,
  avg_cost_usd: nnum,
  p50_cost_usd: nnum,
  p90_cost_usd: nnum,
  p99_cost_usd: nnum,
  avg_duration_ms: nnum,
  p50_duration_ms: nnum,
  p95_duration_ms: nnum,
  p99_duration_ms: nnum,
  p95_event_latency_ms: nnum,
  total_tokens: num,
  llm_calls: num,
  error_count: num,
  error_rate: nnum,
  success_rate: nnum,
  avg_eval: nnum,
});
export type CompareFigures = z.infer<typeof compareFigures>;

const compareSide = z.object({
  label: z.string(),
  window: windowView,
  filter: filterView,
  figures: compareFigures,
});

export const compareResponse = z.object({
  agent_id: z.string(),
  mode: z.enum(COMPARE_MODES),
  a: compareSide,
  b: compareSide,
  /** b − a for each figure, and (b − a) / a. */
  deltas: z.record(z.string(), z.object({ change: nnum, change_pct: nnum })),
});
export type CompareResponse = z.infer<typeof compareResponse>;

export const agentsSummaryResponse = z.object({
  window: windowView,
  production: z.union([z.boolean(), z.literal('all')]),
  agents: z.array(
    z.object({
      agent_id: z.string(),
      created_at: z.string(),
      sessions: num,
      cost_usd: num,
      errors: num,
      error_rate: nnum,
      previous: z.object({ sessions: num, cost_usd: num, error_rate: nnum }),
    }),
  ),
});
export type AgentsSummaryResponse = z.infer<typeof agentsSummaryResponse>;

export const pricesResponse = z.object({
  at: z.string(),
  models: z.array(
    z.object({
      provider: z.string(),
      model: z.string(),
      input_per_mtok: num,
      output_per_mtok: num,
      cached_input_per_mtok: nnum,
      reasoning_per_mtok: nnum,
    }),
  ),
});
export type PricesResponse = z.infer<typeof pricesResponse>;

export const eventDetail = z.object({
  event_id: z.string(),
  parent_event_id: z.string().nullable(),
  /** Nesting depth in the parent/child tree (0 = root); events are listed depth-first. */
  depth: num,
  child_count: num,
  session_id: z.string(),
  type: z.enum(EVENT_TYPE_VALUES),
  raw_type: z.string(),
  name: z.string().nullable(),
  started_at: z.string(),
  duration_ms: nnum,
  model: z.string().nullable(),
  provider: z.string().nullable(),
  usage: z
    .object({ input_tokens: num, output_tokens: num, cached_input_tokens: num, reasoning_tokens: num })
    .nullable(),
  cost: z
    .object({
      usd: nnum,
      source: z.enum(['server', 'client', 'none']),
      client_usd: nnum,
      server_usd: nnum,
      price_id: z.string().nullable(),
      unpriced: z.boolean(),
    })
    .nullable(),
  error: z
    .object({
      category: z.string(),
      type: z.string().nullable(),
      message: z.string(),
      stack: z.string().nullable(),
      origin: z.enum(['user', 'system']),
      recoverable: z.boolean(),
      fingerprint: z.string(),
    })
    .nullable(),
  tags: z.array(z.string()),
  metadata: z.record(z.string(), z.unknown()).nullable(),
  payload: z.unknown(),
  payload_ref: z.string().nullable(),
  payload_pending: z.boolean(),
  source: z.string(),
});
export type EventDetail = z.infer<typeof eventDetail>;

export const sessionDetailResponse = z.object({
  session: sessionSummary.extend({
    agent_id: z.string(),
    task: z.string().nullable(),
    dataset_item_id: z.string().nullable(),
    rubrics: z.array(z.string()),
    sample_rate: num,
    stub: z.boolean(),
    is_successful_reason: z.string().nullable(),
    session_eval_reason: z.string().nullable(),
    evals: z.array(
      z.object({
        name: z.string(),
        result_type: z.enum(['boolean', 'number', 'string']),
        result: z.union([z.boolean(), num, z.string()]),
        description: z.string().nullable(),
        at: z.string(),
      }),
    ),
    input_tokens: num,
    output_tokens: num,
    cached_input_tokens: num,
    reasoning_tokens: num,
    unpriced_events: num,
    source: z.string(),
  }),
  events: z.array(eventDetail),
  /** Per model: calls, tokens and cost of the session's LLM calls. */
  models: z.array(
    z.object({ model: z.string(), llm_calls: num, input_tokens: num, output_tokens: num, cost_usd: num }),
  ),
  /** Ids (in `events`) of LLM calls, tool calls and failed events, for the deep-dive tabs. */
  llm_call_ids: z.array(z.string()),
  tool_call_ids: z.array(z.string()),
  error_ids: z.array(z.string()),
  truncated: z.boolean(),
});
export type SessionDetailResponse = z.infer<typeof sessionDetailResponse>;

export const sessionListExportResponse = z.object({
  agent_id: z.string(),
  window: windowView,
  sessions: z.array(sessionSummary),
  truncated: z.boolean(),
});
export type SessionListExportResponse = z.infer<typeof sessionListExportResponse>;
