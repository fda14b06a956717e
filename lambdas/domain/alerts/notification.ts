import type { NotificationPayload, NotificationType } from '../../../contracts/alerts';
import type { Incident, Signal } from '../alert-ports';

/** What a channel receives: one JSON payload (sent as-is to webhooks) and text renderings of it. */

const iso = (ms: number): string => new Date(ms).toISOString();

export function signalToView(s: Signal) {
  return {
    metric: s.metric,
    slice: s.slice,
    value: s.value,
    expected: s.expected,
    lower: s.lower,
    upper: s.upper,
    z: s.z,
    direction: s.direction,
    severity: s.severity,
    volume: s.volume,
    window: { from: iso(s.windowFrom), to: iso(s.windowTo) },
    at: iso(s.at),
    reason: s.reason,
  };
}

/** Where a person looks at the incident: the dashboard when its URL is known, else the API. */
export function incidentLink(
  dashboardUrl: string | null,
  incident: Pick<Incident, 'agentId' | 'incidentId'>,
) {
  const path = `/agents/${encodeURIComponent(incident.agentId)}/incidents/${incident.incidentId}`;
  return dashboardUrl ? `${dashboardUrl.replace(/\/+$/, '')}${path}` : `/api${path}`;
}

const UNITS: Record<string, 'usd' | 'ms' | 'ratio' | 'tokens' | 'rate' | 'count'> = {
  cost_per_session: 'usd',
  cost: 'usd',
  llm_call_cost: 'usd',
  tokens_per_session: 'tokens',
  tokens: 'tokens',
  session_duration_p50: 'ms',
  session_duration_p95: 'ms',
  session_duration: 'ms',
  event_latency_p95: 'ms',
  event_latency: 'ms',
  error_rate: 'ratio',
  event_error_rate: 'ratio',
  sessions_per_hour: 'rate',
};

/** A metric value for people: $0.0123, 1.8 s, 12.5 %, 42.0/h. */
export function formatValue(metric: string, v: number | null): string {
  if (v === null) return 'no data';
  const base = metric.split(/[.:]/)[0]!;
  switch (UNITS[base] ?? 'count') {
    case 'usd':
      return v >= 1 ? `$${v.toFixed(2)}` : `$${v.toPrecision(3)}`;
    case 'ms':
      return v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`;
    case 'ratio':
      return `${(v * 100).toFixed(1)} %`;
    case 'tokens':
      return `${Math.round(v).toLocaleString('en-US')} tokens`;
    case 'rate':
      return `${v.toFixed(1)}/h`;
    default:
      return Number.isInteger(v) ? String(v) : v.toPrecision(4);
  }
}

/** One line about a signal: "cost_per_session $0.0400 vs expected $0.0100 (×4.0, z 12.3)". */
export function describeSignal(s: Signal): string {
  const where = s.slice === 'all' ? '' : ` [${s.slice}]`;
  if (s.reason === 'no_data') return `${s.metric}${where}: no data in the window`;
  const parts = [`${s.metric}${where} ${formatValue(s.metric, s.value)}`];
  if (s.expected !== null) {
    const ratio = s.value !== null && s.expected > 0 ? ` ×${(s.value / s.expected).toFixed(1)}` : '';
    parts.push(
      `vs ${s.reason === 'threshold' ? 'threshold' : 'expected'} ${formatValue(s.metric, s.expected)}${ratio}`,
    );
  }
  if (s.z !== null) parts.push(`z ${s.z.toFixed(1)}`);
  return parts.join(', ');
}

export function buildPayload(input: {
  type: NotificationType;
  incident: Incident | null;
  deliveryId: string;
  now: number;
  link: string | null;
  /** For test sends: the channel's name. */
  channelName?: string;
}): NotificationPayload {
  const { incident, type } = input;
  const body: NotificationPayload = {
    version: 1,
    type,
    sent_at: iso(input.now),
    delivery_id: input.deliveryId,
    incident: incident
      ? {
          incident_id: incident.incidentId,
          agent_id: incident.agentId,
          title: incident.title,
          source: incident.source,
          status: incident.status,
          severity: incident.severity,
          opened_at: iso(incident.openedAt),
          resolved_at: incident.resolvedAt === null ? null : iso(incident.resolvedAt),
          window: { from: iso(incident.windowFrom), to: iso(incident.windowTo ?? input.now) },
          trigger: signalToView(incident.trigger),
          link: input.link ?? '',
        }
      : null,
    text: '',
  };
  body.text = renderText(body, incident);
  return body;
}

const VERB: Record<NotificationType, string> = {
  'incident.opened': 'opened',
  'incident.escalated': 'escalated',
  'incident.resolved': 'resolved',
  test: 'test',
};

/** A short subject line (SNS email subjects take at most 100 characters). */
export function renderSubject(p: NotificationPayload): string {
  if (!p.incident) return 'Vigil test notification';
  const i = p.incident;
  const tag = p.type === 'incident.resolved' ? 'RESOLVED' : i.severity.toUpperCase();
  return `[${tag}] ${i.title}`.replace(/[\r\n]+/g, ' ').slice(0, 100);
}

function renderText(p: NotificationPayload, incident: Incident | null): string {
  if (!p.incident || !incident) {
    return 'Vigil test notification: this channel is set up correctly.';
  }
  const i = p.incident;
  const lines = [
    `${renderSubject(p)} (${VERB[p.type]})`,
    describeSignal(incident.trigger),
    `Window: ${i.window.from} – ${p.type === 'incident.resolved' ? i.window.to : 'now'}`,
  ];
  const others = incident.signals.filter(
    (s) => s.severity && !(s.metric === incident.trigger.metric && s.slice === incident.trigger.slice),
  );
  if (others.length > 0) lines.push(`Also: ${others.slice(0, 3).map(describeSignal).join('; ')}`);
  lines.push(`Incident ${i.incident_id}${i.link ? `: ${i.link}` : ''}`);
  return lines.join('\n');
}

/** Slack incoming-webhook body: the text as a fallback plus a block with the details. */
export function renderSlack(p: NotificationPayload) {
  const emoji =
    p.type === 'test'
      ? ':wave:'
      : p.type === 'incident.resolved'
        ? ':white_check_mark:'
        : p.incident?.severity === 'critical'
          ? ':rotating_light:'
          : ':warning:';
  const [first, ...rest] = p.text.split('\n');
  return {
    text: `${emoji} ${first}`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `${emoji} *${first}*` } },
      ...(rest.length > 0 ? [{ type: 'section', text: { type: 'mrkdwn', text: rest.join('\n') } }] : []),
    ],
  };
}
