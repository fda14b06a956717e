import { randomBytes, randomUUID } from 'node:crypto';
import type { ChannelBody, ChannelUpdateBody, Severity } from '../../../contracts/alerts';
import type { AlertRule, Channel, Delivery, Incident } from '../alert-ports';
import { validationError } from '../errors';
import { severityRank, type Transition } from './incident';

/** Notification channels: creation, secret masking, and which channels hear about an incident. */

export const newChannelId = (): string => `ch_${randomBytes(8).toString('hex')}`;

/**
 * A secret URL as the API shows it: scheme and host, then the last four characters, e.g.
 * "https://hooks.slack.com/…x9Qz". Enough to recognise a URL, never enough to use it.
 */
export function maskUrl(url: string | null): string | undefined {
  if (url === null) return undefined;
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/…${url.length > 24 ? url.slice(-4) : ''}`;
  } catch {
    return '…';
  }
}

export function channelFromBody(body: ChannelBody, channelId: string, now: number): Channel {
  return {
    channelId,
    name: body.name,
    type: body.type,
    topicArn: body.type === 'sns' ? (body.topic_arn ?? null) : null,
    webhookUrl: body.type === 'slack' ? body.webhook_url : null,
    url: body.type === 'webhook' ? body.url : null,
    secret: body.type === 'webhook' ? body.secret : null,
    notifyAnomalies: body.notify_anomalies,
    minSeverity: body.min_severity,
    agents: body.agents,
    enabled: body.enabled,
    createdAt: now,
    updatedAt: now,
    lastDelivery: null,
  };
}

/** Replaces a channel's settings; secrets left out of the body keep their stored values (same type only). */
export function updateChannel(existing: Channel, body: ChannelUpdateBody, now: number): Channel {
  const same = existing.type === body.type;
  const keep = <T>(given: T | undefined, stored: T | null, field: string): T => {
    if (given !== undefined) return given;
    if (same && stored !== null) return stored;
    throw validationError(field, `is required when the channel becomes a ${body.type} channel`);
  };
  return {
    ...existing,
    name: body.name,
    type: body.type,
    topicArn: body.type === 'sns' ? (body.topic_arn ?? null) : null,
    webhookUrl: body.type === 'slack' ? keep(body.webhook_url, existing.webhookUrl, 'webhook_url') : null,
    url: body.type === 'webhook' ? keep(body.url, existing.url, 'url') : null,
    secret: body.type === 'webhook' ? keep(body.secret, existing.secret, 'secret') : null,
    notifyAnomalies: body.notify_anomalies,
    minSeverity: body.min_severity,
    agents: body.agents,
    enabled: body.enabled,
    updatedAt: now,
  };
}

const admits = (c: Channel, severity: Severity): boolean =>
  c.enabled && severityRank(severity) >= severityRank(c.minSeverity);

/**
 * Channels an incident at this severity goes to: a rule's own channels, or for an anomaly every channel
 * that takes anomalies for the agent; either way only at or above the channel's least severity.
 */
export function routeChannels(
  channels: readonly Channel[],
  incident: Pick<Incident, 'source' | 'agentId'>,
  rule: Pick<AlertRule, 'channelIds'> | null,
  severity: Severity,
): Channel[] {
  return channels.filter((c) => {
    if (!admits(c, severity)) return false;
    if (incident.source === 'rule') return rule?.channelIds.includes(c.channelId) ?? false;
    return c.notifyAnomalies && (c.agents === '*' || c.agents.includes(incident.agentId));
  });
}

const newDelivery = (
  channelId: string,
  type: Delivery['type'],
  notBefore: number | null = null,
): Delivery => ({
  channelId,
  type,
  status: 'pending',
  notBefore,
  attempts: 0,
  lastAttemptAt: null,
  error: null,
  deliveryId: randomUUID(),
});

/** Not sent yet and never tried: a held warning, or a notice the next run would send. */
const unsent = (d: Delivery) => d.status === 'pending' && d.attempts === 0;

/**
 * Acknowledging silences an incident: notices not yet sent (held warnings, escalations) are cancelled.
 * Notices already tried keep their retries (a channel that was told should hear how it ends).
 */
export function silenceDeliveries(deliveries: readonly Delivery[]): Delivery[] {
  return deliveries.map((d) =>
    d.type !== 'incident.resolved' && unsent(d) ? { ...d, status: 'cancelled' as const } : { ...d },
  );
}

/**
 * A resolved incident's deliveries with one resolved notice for every channel that was sent (or tried)
 * a notice about it and has none yet. Idempotent: used when a delivery outcome lands on an incident
 * that was resolved meanwhile.
 */
export function ensureResolvedNotices(deliveries: readonly Delivery[]): Delivery[] {
  const told = new Set(
    deliveries
      .filter((d) => d.type !== 'incident.resolved' && (d.status === 'sent' || d.status === 'failed'))
      .map((d) => d.channelId),
  );
  for (const d of deliveries) if (d.type === 'incident.resolved') told.delete(d.channelId);
  return [...deliveries, ...[...told].map((id) => newDelivery(id, 'incident.resolved'))];
}

/**
 * The incident's deliveries after a transition. opened: one per routed channel (a warning's held for
 * `warningHoldMs`). escalated: a held first notification is released at once (it goes out at critical),
 * a channel already told gets an escalation, a channel that only takes critical gets its first; none of
 * that once someone acknowledged the incident. resolved: every channel that was told hears it resolved;
 * held ones are cancelled.
 */
export function planDeliveries(
  incident: Incident,
  transition: Transition,
  channels: readonly Channel[],
  rule: Pick<AlertRule, 'channelIds'> | null,
  now: number,
  warningHoldMs: number,
): Delivery[] {
  const make = newDelivery;
  const deliveries = incident.deliveries.map((d) => ({ ...d }));
  const held = (d: Delivery) => d.status === 'pending' && d.type !== 'incident.resolved';
  if (transition === 'resolved') {
    const told = new Set<string>();
    for (const d of deliveries) {
      if (d.type === 'incident.resolved') continue;
      if (d.status === 'pending' && d.attempts === 0) d.status = 'cancelled';
      else if (d.status === 'sent' || d.status === 'pending' || d.status === 'failed') told.add(d.channelId);
    }
    return [...deliveries, ...[...told].map((id) => make(id, 'incident.resolved'))];
  }
  // Acknowledged: someone is on it, so nothing more goes out until it resolves.
  if (incident.acknowledgedAt !== null) return deliveries;
  const routed = routeChannels(channels, incident, rule, incident.severity);
  if (transition === 'opened') {
    const hold = incident.severity === 'warning' && warningHoldMs > 0 ? now + warningHoldMs : null;
    return [...deliveries, ...routed.map((c) => make(c.channelId, 'incident.opened', hold))];
  }
  for (const c of routed) {
    const pending = deliveries.find((d) => d.channelId === c.channelId && held(d));
    if (pending) {
      pending.notBefore = null;
      continue;
    }
    const told = deliveries.some((d) => d.channelId === c.channelId && d.type === 'incident.opened');
    deliveries.push(make(c.channelId, told ? 'incident.escalated' : 'incident.opened'));
  }
  return deliveries;
}
