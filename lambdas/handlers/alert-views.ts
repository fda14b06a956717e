import type { AlertRuleView, ChannelView, IncidentView } from '../../contracts/alerts';
import type { AlertRule, Channel, Incident } from '../domain/alert-ports';
import { maskUrl } from '../domain/alerts/channels';
import { signalToView } from '../domain/alerts/notification';

/** Public JSON shapes of alert records (snake_case, ISO times, secrets masked). */

const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

export function ruleView(r: AlertRule): AlertRuleView {
  return {
    rule_id: r.ruleId,
    name: r.name,
    agent_id: r.agentId,
    metric: r.metric,
    aggregation: r.aggregation,
    window_minutes: r.windowMinutes,
    comparator: r.comparator,
    warning: r.warning,
    critical: r.critical,
    filters: r.filters,
    min_volume: r.minVolume,
    no_data: r.noData,
    channel_ids: r.channelIds,
    enabled: r.enabled,
    created_at: iso(r.createdAt),
    updated_at: iso(r.updatedAt),
  };
}

/** A channel as the API shows it: webhook URLs masked, the signing secret never. */
export function channelView(c: Channel): ChannelView {
  return {
    channel_id: c.channelId,
    name: c.name,
    type: c.type,
    ...(c.type === 'sns' ? { topic_arn: c.topicArn } : {}),
    ...(c.type === 'slack' ? { webhook_url: maskUrl(c.webhookUrl) } : {}),
    ...(c.type === 'webhook' ? { url: maskUrl(c.url), has_secret: c.secret !== null } : {}),
    notify_anomalies: c.notifyAnomalies,
    min_severity: c.minSeverity,
    agents: c.agents,
    enabled: c.enabled,
    created_at: iso(c.createdAt),
    updated_at: iso(c.updatedAt),
    last_delivery: c.lastDelivery
      ? { at: iso(c.lastDelivery.at), ok: c.lastDelivery.ok, error: c.lastDelivery.error }
      : null,
  };
}

const SORT_BY_FAMILY: Record<string, 'cost' | 'duration'> = { cost: 'cost', latency: 'duration' };

/** Query-string filters that narrow the query API to the incident's slice and production flag. */
export function sliceQuery(slice: string): string {
  if (slice.startsWith('tag:')) return `&tag=${encodeURIComponent(slice.slice(4).replace('=', ':'))}`;
  if (slice.startsWith('model:')) return `&model=${encodeURIComponent(slice.slice(6))}`;
  if (slice.startsWith('exp:')) return `&experiment=${encodeURIComponent(slice.slice(4))}`;
  if (slice.startsWith('type:')) return `&event_type=${encodeURIComponent(slice.slice(5))}`;
  if (slice.startsWith('err:')) return `&error_type=${encodeURIComponent(slice.slice(4))}`;
  return '';
}

export function incidentView(i: Incident, now: number, production: boolean | 'all' = true): IncidentView {
  const to = i.windowTo ?? now;
  const a = `/api/agents/${encodeURIComponent(i.agentId)}`;
  const span = `from=${encodeURIComponent(iso(i.windowFrom))}&to=${encodeURIComponent(iso(Math.max(to, i.windowFrom + 1)))}`;
  const filter = `&production=${production}${sliceQuery(i.trigger.slice)}`;
  const chartSpan = `from=${encodeURIComponent(iso(i.windowFrom - 86_400_000))}&to=${encodeURIComponent(iso(to + 6 * 3_600_000))}`;
  return {
    incident_id: i.incidentId,
    agent_id: i.agentId,
    source: i.source,
    family: i.family,
    rule_id: i.ruleId,
    title: i.title,
    status: i.status,
    severity: i.severity,
    peak_severity: i.peakSeverity,
    opened_at: iso(i.openedAt),
    first_breach_at: iso(i.firstBreachAt),
    last_breach_at: iso(i.lastBreachAt),
    normal_since: isoOrNull(i.normalSince),
    resolved_at: isoOrNull(i.resolvedAt),
    acknowledged_at: isoOrNull(i.acknowledgedAt),
    acknowledged_by: i.acknowledgedBy,
    resolved_by: i.resolvedBy,
    window: { from: iso(i.windowFrom), to: iso(to) },
    trigger: signalToView(i.trigger),
    signals: i.signals.map(signalToView),
    timeline: i.timeline.map((e) => ({
      at: iso(e.at),
      type: e.type,
      severity: e.severity,
      detail: e.detail,
    })),
    deliveries: i.deliveries.map((d) => ({
      channel_id: d.channelId,
      type: d.type,
      status: d.status,
      not_before: isoOrNull(d.notBefore),
      attempts: d.attempts,
      last_attempt_at: isoOrNull(d.lastAttemptAt),
      error: d.error,
    })),
    links: {
      sessions: `${a}/sessions?${span}${filter}`,
      top_sessions: `${a}/sessions/top?${span}${filter}&by=${SORT_BY_FAMILY[i.family ?? ''] ?? 'cost'}`,
      metrics: `${a}/overview?${span}${filter}`,
      baseline:
        i.source === 'anomaly'
          ? `${a}/baselines/series?${chartSpan}&slice=${encodeURIComponent(i.trigger.slice)}&metric=${i.trigger.metric}`
          : `${a}/baselines/series?${chartSpan}`,
    },
  };
}
