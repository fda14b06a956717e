import type { IncidentDetailResponse, IncidentView } from '../../../../../contracts/alerts';
import { isoDate } from '../../../lib/filters';
import { formatCount, formatMs, formatNumber, formatPct, formatTime, formatUsd } from '../../../lib/format';
import { withParams } from '../../../lib/router';
import { type View, viewHref } from '../../../lib/routes';

/**
 * Shapes incidents for the Incidents view. The manual acknowledge/resolve fields arrive with a newer API,
 * so they are optional here: the view works with answers from before and after that change.
 */

interface ManualFields {
  acknowledged_at?: string | null;
  acknowledged_by?: string | null;
  resolved_by?: string | null;
}
export type Incident = Omit<IncidentView, keyof ManualFields> & ManualFields;
export type IncidentDetail = Omit<IncidentDetailResponse, keyof ManualFields> & ManualFields;
export type Signal = IncidentView['trigger'];

/** The list's status filter, kept in `?status=`; `all` shows open incidents first, then resolved ones. */
export const STATUS_FILTERS = ['all', 'open', 'resolved'] as const;
export type StatusFilter = (typeof STATUS_FILTERS)[number];
export const STATUS_LABELS: Record<StatusFilter, string> = {
  all: 'Open, then resolved',
  open: 'Open',
  resolved: 'Resolved',
};

export function parseStatus(value: string | null): StatusFilter {
  return value === 'open' || value === 'resolved' ? value : 'all';
}

const METRIC_LABELS: Record<string, string> = {
  cost_per_session: 'cost per session',
  tokens_per_session: 'tokens per session',
  session_duration_p50: 'session duration p50',
  session_duration_p95: 'session duration p95',
  event_latency_p95: 'event latency p95',
  error_rate: 'error rate',
  event_error_rate: 'event error rate',
  sessions_per_hour: 'sessions per hour',
  cost: 'cost',
  llm_call_cost: 'LLM call cost',
  tokens: 'tokens',
  session_duration: 'session duration',
  event_latency: 'event latency',
  errors: 'errors',
  sessions: 'sessions',
  events: 'events',
  llm_calls: 'LLM calls',
};

/** "cost_per_session" → "cost per session"; a rule's "cost.p95" → "cost p95". */
export function metricLabel(metric: string): string {
  const [base, agg] = metric.split('.');
  const label = METRIC_LABELS[base ?? ''] ?? (base ?? metric).replace(/_/g, ' ');
  return agg ? `${label} ${agg}` : label;
}

type Unit = 'usd' | 'ms' | 'share' | 'count';

/** The unit of a metric, from its name (anomaly metrics and rule metrics alike). */
export function metricUnit(metric: string): Unit {
  const base = metric.split('.')[0] ?? metric;
  if (/cost/.test(base)) return 'usd';
  if (/duration|latency/.test(base)) return 'ms';
  if (/rate$/.test(base)) return 'share';
  return 'count';
}

export function formatMetric(metric: string, v: number | null | undefined): string {
  switch (metricUnit(metric)) {
    case 'usd':
      return formatUsd(v);
    case 'ms':
      return formatMs(v);
    case 'share':
      return formatPct(v);
    default:
      return v !== null && v !== undefined && Math.abs(v) >= 1000 ? formatCount(v) : formatNumber(v);
  }
}

/** "3h 20m" from one ISO time to another (or to now while open). */
export function formatDuration(fromIso: string, toIso: string | null, now: number): string {
  const from = Date.parse(fromIso);
  const to = toIso ? Date.parse(toIso) : now;
  if (!Number.isFinite(from) || !Number.isFinite(to)) return '—';
  const ms = Math.max(0, to - from);
  if (ms < 60_000) return '<1m';
  const minutes = Math.round(ms / 60_000);
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  return `${m}m`;
}

export interface SignalFacts {
  metric: string;
  slice: string | null;
  value: string;
  expected: string;
  band: string;
  z: string;
  window: string;
  reason: string;
}

/** What a signal saw: the value against the expected value and its band, the z-score and the window. */
export function describeSignal(s: Signal): SignalFacts {
  // A rule's "band" is one-sided (its threshold); an anomaly's has both edges.
  const band =
    s.lower === null && s.upper === null
      ? '—'
      : s.lower === null
        ? `up to ${formatMetric(s.metric, s.upper)}`
        : s.upper === null
          ? `from ${formatMetric(s.metric, s.lower)}`
          : `${formatMetric(s.metric, s.lower)} – ${formatMetric(s.metric, s.upper)}`;
  return {
    metric: metricLabel(s.metric),
    slice: s.slice && s.slice !== 'all' ? s.slice : null,
    value: s.reason === 'no_data' ? 'no data' : formatMetric(s.metric, s.value),
    expected: formatMetric(s.metric, s.expected),
    band,
    z: s.z === null ? '—' : `${s.z >= 0 ? '+' : ''}${s.z.toFixed(1)}`,
    window: `${formatTime(s.window.from)} – ${formatTime(s.window.to)} UTC`,
    reason:
      s.reason === 'threshold'
        ? 'above the rule threshold'
        : s.reason === 'no_data'
          ? 'no data (rule policy)'
          : `${s.direction === 'up' ? 'above' : 'below'} the baseline`,
  };
}

const TIMELINE_LABELS: Record<string, string> = {
  opened: 'Opened',
  escalated: 'Escalated',
  deescalated: 'De-escalated',
  normal: 'Back to normal',
  breach_again: 'Breached again',
  resolved: 'Resolved',
  acknowledged: 'Acknowledged',
  manually_resolved: 'Resolved by hand',
};

export function timelineLabel(type: string): string {
  return TIMELINE_LABELS[type] ?? type.replace(/_/g, ' ');
}

/** What the incident watched: its metric family for anomalies, the rule for rule incidents. */
export function incidentSubject(i: Pick<IncidentView, 'source' | 'family' | 'rule_id' | 'trigger'>): string {
  if (i.source === 'rule') return `rule · ${metricLabel(i.trigger.metric)}`;
  return `${i.family ?? 'anomaly'} · ${metricLabel(i.trigger.metric)}`;
}

const DAY_MS = 86_400_000;

/**
 * The dashboard URL of an incident's affected window on another view. The filter bar keeps whole UTC
 * days (`to` inclusive), so the window widens to the days it touches; the slice and production flag come
 * from the API's own link for the window.
 */
export function windowHref(search: string, incident: Incident, view: View): string {
  const from = Date.parse(incident.window.from);
  // A window ending exactly at midnight does not touch the next day.
  const to = Math.max(from, Date.parse(incident.window.to) - 1);
  const link = new URL(incident.links.sessions, 'http://x');
  const sp = link.searchParams;
  const production = sp.get('production');
  const patch: Record<string, string> = {
    from: isoDate(from),
    to: isoDate(Number.isFinite(to) ? to : from + DAY_MS),
    range: '',
    tag: sp.get('tag') ?? '',
    model: sp.get('tag') ? '' : (sp.get('model') ?? ''),
    production: production === 'false' || production === 'all' ? production : '',
  };
  if (view === 'sessions' && (incident.family === 'errors' || /error/.test(incident.trigger.metric))) {
    patch.has_error = 'true';
  }
  return viewHref(search, incident.agent_id, view, patch);
}

/** The list/detail URL of one incident (keeps the status filter and the shared filters). */
export function incidentHref(search: string, incidentId: string | null): string {
  return withParams(search, { incident: incidentId });
}

export interface IncidentRow {
  id: string;
  title: string;
  subject: string;
  status: 'open' | 'resolved';
  severity: 'warning' | 'critical';
  peak: 'warning' | 'critical';
  acknowledged: boolean;
  opened: string;
  resolved: string;
  duration: string;
}

export function prepareIncidentRows(list: Incident[], now: number): IncidentRow[] {
  return list.map((i) => ({
    id: i.incident_id,
    title: i.title,
    subject: incidentSubject(i),
    status: i.status,
    severity: i.severity,
    peak: i.peak_severity,
    acknowledged: Boolean(i.acknowledged_at),
    opened: formatTime(i.opened_at),
    resolved: i.status === 'resolved' ? formatTime(i.resolved_at) : '—',
    duration: formatDuration(i.opened_at, i.resolved_at, now),
  }));
}

/** Deliveries grouped by channel, in the order they were first tried. */
export function deliveriesByChannel(
  deliveries: IncidentView['deliveries'],
): Array<{ channelId: string; items: IncidentView['deliveries'] }> {
  const groups = new Map<string, IncidentView['deliveries']>();
  for (const d of deliveries) {
    const g = groups.get(d.channel_id) ?? [];
    g.push(d);
    groups.set(d.channel_id, g);
  }
  return [...groups].map(([channelId, items]) => ({ channelId, items }));
}

export type { IncidentDetailResponse };
