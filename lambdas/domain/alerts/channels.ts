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

/**
 * The incident's deliveries after a transition. opened: one per routed channel (a warning's held for
 * `warningHoldMs`). escalated: a held first notification is released at once (it goes out at critical),
 * a channel already told gets an escalation, a channel that only takes critical gets its first. resolved:
 * every channel that was told hears it resolved; held ones are cancelled.
 */
export function planDeliveries(
  incident: Incident,
  transition: Transition,
  channels: readonly Channel[],
  rule: Pick<AlertRule, 'channelIds'> | null,
  now: number,
  warningHoldMs: number,
): Delivery[] {
  const make = (channelId: string, type: Delivery['type'], notBefore: number | null = null): Delivery => ({
    channelId,
    type,
    status: 'pending',
    notBefore,
    attempts: 0,
    lastAttemptAt: null,
    error: null,
    deliveryId: randomUUID(),
  });
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
