import { randomBytes } from 'node:crypto';
import type { AlertRuleBody, Comparator, RuleFilters, Severity } from '../../../contracts/alerts';
import type { AlertRule, Signal } from '../alert-ports';
import { validationError } from '../errors';
import { epochHour, HOUR_MS } from '../model';
import { mergeRecords, parseTag, type RollupRecord, tagSlice } from '../rollup';
import { Sketch } from '../sketch';
import type { Check } from './incident';

/** Explicit alert rules: a metric aggregated over a trailing window of hourly rollups, against thresholds. */

export const newRuleId = (): string => `rule_${randomBytes(8).toString('hex')}`;

/** The rollup slice and production flag a rule reads. */
export function ruleSlice(f: RuleFilters): { slice: string; production: boolean | null } {
  const production = f.production === 'all' ? null : f.production;
  if (f.tag) {
    const { key, value } = parseTag(f.tag);
    return { slice: tagSlice(key, value), production };
  }
  if (f.model) return { slice: `model:${f.model}`, production };
  if (f.experiment) return { slice: `exp:${f.experiment}`, production };
  if (f.event_type) return { slice: `type:${f.event_type}`, production };
  if (f.error_type) return { slice: `err:${f.error_type}`, production };
  return { slice: 'all', production };
}

/** Whether a metric + aggregation needs session-level figures (absent under model/type/error slices). */
export function needsSessions(metric: AlertRule['metric'], aggregation: AlertRule['aggregation']): boolean {
  if (metric === 'session_duration' || metric === 'error_rate' || metric === 'sessions') return true;
  return metric === 'cost' && aggregation !== 'sum';
}

export function ruleFromBody(body: AlertRuleBody, ruleId: string, now: number, createdAt = now): AlertRule {
  const { slice } = ruleSlice(body.filters);
  if (needsSessions(body.metric, body.aggregation) && !(slice === 'all' || /^(tag|exp):/.test(slice))) {
    throw validationError(
      'filters',
      `${body.metric} ${body.aggregation} is a per-session figure: filter by tag or experiment only (not model, event_type or error_type)`,
    );
  }
  return {
    ruleId,
    name: body.name,
    agentId: body.agent_id,
    metric: body.metric,
    aggregation: body.aggregation,
    windowMinutes: body.window_minutes,
    comparator: body.comparator,
    warning: body.warning,
    critical: body.critical,
    filters: body.filters,
    minVolume: body.min_volume,
    noData: body.no_data,
    channelIds: body.channel_ids,
    enabled: body.enabled,
    createdAt,
    updatedAt: now,
  };
}

/** Hours a rule reads at `now`: those overlapping the last `windowMinutes`. */
export function ruleWindow(
  rule: Pick<AlertRule, 'windowMinutes'>,
  now: number,
): { fromHour: number; toHour: number } {
  return { fromHour: epochHour(now - rule.windowMinutes * 60_000), toHour: epochHour(now) + 1 };
}

const P: Record<string, number> = { p50: 0.5, p90: 0.9, p95: 0.95, p99: 0.99 };
const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);

/** A rule's figure over merged records, and the units behind it. */
export function ruleValue(
  rule: Pick<AlertRule, 'metric' | 'aggregation'>,
  r: RollupRecord,
): { value: number | null; volume: number } {
  const c = r.counters;
  const pct = P[rule.aggregation];
  const sk = (bins: Record<string, number>) => (pct === undefined ? null : new Sketch(bins).quantile(pct));
  const tokens = c.inputTokens + c.outputTokens;
  switch (rule.metric) {
    case 'cost':
      if (rule.aggregation === 'sum') return { value: c.events > 0 ? c.costUsd : null, volume: c.events };
      return {
        value:
          rule.aggregation === 'avg'
            ? ratio(c.sessionCostSum, c.settledSessions)
            : sk(r.sketches.sessionCost),
        volume: c.settledSessions,
      };
    case 'llm_call_cost':
      return {
        value: rule.aggregation === 'avg' ? ratio(c.costUsd, c.llmCalls) : sk(r.sketches.llmCost),
        volume: c.llmCalls,
      };
    case 'tokens':
      if (rule.aggregation === 'sum') return { value: c.events > 0 ? tokens : null, volume: c.events };
      return {
        value: rule.aggregation === 'avg' ? ratio(tokens, c.llmCalls) : sk(r.sketches.llmTokens),
        volume: c.llmCalls,
      };
    case 'session_duration':
      return {
        value:
          rule.aggregation === 'avg'
            ? ratio(c.sessionDurationSum, c.sessionDurationCount)
            : sk(r.sketches.sessionDuration),
        volume: c.sessionDurationCount,
      };
    case 'event_latency':
      return {
        value:
          rule.aggregation === 'avg' ? ratio(c.latencySumMs, c.latencyCount) : sk(r.sketches.eventLatency),
        volume: c.latencyCount,
      };
    case 'errors':
      return { value: c.errors, volume: c.events };
    case 'error_rate':
      return { value: ratio(c.erroredSessions, c.settledSessions), volume: c.settledSessions };
    case 'event_error_rate':
      return { value: ratio(c.errors, c.events), volume: c.events };
    case 'sessions':
      return { value: c.sessions, volume: c.sessions };
    case 'events':
      return { value: c.events, volume: c.events };
    case 'llm_calls':
      return { value: c.llmCalls, volume: c.llmCalls };
  }
}

export function compare(value: number, comparator: Comparator, threshold: number): boolean {
  switch (comparator) {
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
  }
}

export interface RuleEvaluation {
  agentId: string;
  value: number | null;
  volume: number;
  windowFrom: number;
  windowTo: number;
  noData: boolean;
  severity: Severity | null;
}

/** Evaluates a rule for one agent on the records of its window (one slice, any production flags). */
export function evaluateRule(
  rule: AlertRule,
  agentId: string,
  records: RollupRecord[],
  now: number,
): RuleEvaluation {
  const { fromHour } = ruleWindow(rule, now);
  const { slice } = ruleSlice(rule.filters);
  const merged = mergeRecords(records, { agentId, hour: fromHour, production: true, slice });
  const { value, volume } = ruleValue(rule, merged);
  const noData = value === null || volume < rule.minVolume;
  let severity: Severity | null = null;
  if (!noData) {
    if (rule.critical !== null && compare(value, rule.comparator, rule.critical)) severity = 'critical';
    else if (rule.warning !== null && compare(value, rule.comparator, rule.warning)) severity = 'warning';
  } else if (rule.noData === 'warning' || rule.noData === 'critical') {
    severity = rule.noData;
  }
  return {
    agentId,
    value: value === null ? null : Number(value.toPrecision(8)),
    volume,
    windowFrom: fromHour * HOUR_MS,
    windowTo: now,
    noData,
    severity,
  };
}

/** The state-machine input for one rule evaluation. */
export function ruleCheck(rule: AlertRule, e: RuleEvaluation, now: number): Check {
  const up = rule.comparator === '>' || rule.comparator === '>=';
  const threshold =
    e.severity === 'critical'
      ? rule.critical
      : e.severity === 'warning'
        ? rule.warning
        : (rule.warning ?? rule.critical);
  const signal: Signal = {
    metric: `${rule.metric}.${rule.aggregation}`,
    slice: ruleSlice(rule.filters).slice,
    value: e.value,
    expected: threshold,
    lower: up ? null : (rule.warning ?? rule.critical),
    upper: up ? (rule.warning ?? rule.critical) : null,
    z: null,
    direction: up ? 'up' : 'down',
    severity: e.severity,
    volume: e.volume,
    windowFrom: e.windowFrom,
    windowTo: e.windowTo,
    at: now,
    reason: e.noData ? 'no_data' : 'threshold',
  };
  return {
    agentId: e.agentId,
    key: `rule:${rule.ruleId}`,
    source: 'rule',
    family: null,
    ruleId: rule.ruleId,
    title: `${rule.name} (${e.agentId})`,
    severity: e.severity,
    normal: e.severity === null,
    hold: e.noData && rule.noData === 'keep',
    trigger: e.severity ? signal : null,
    signals: e.severity ? [signal] : [],
  };
}
