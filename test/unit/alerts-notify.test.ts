import { describe, expect, it } from 'vitest';
import { notificationPayload } from '../../contracts/alerts';
import { snsSubject } from '../../lambdas/adapters/notify/sns';
import type { Channel, Incident } from '../../lambdas/domain/alert-ports';
import {
  ensureResolvedNotices,
  maskUrl,
  planDeliveries,
  routeChannels,
  silenceDeliveries,
} from '../../lambdas/domain/alerts/channels';
import {
  buildPayload,
  formatValue,
  incidentLink,
  renderSlack,
  renderSubject,
} from '../../lambdas/domain/alerts/notification';
import { signWebhook, verifyWebhookSignature } from '../../lambdas/domain/alerts/signing';

const T0 = Date.parse('2026-11-10T10:00:00Z');

const channel = (id: string, over: Partial<Channel> = {}): Channel => ({
  channelId: id,
  name: id,
  type: 'log',
  topicArn: null,
  webhookUrl: null,
  url: null,
  secret: null,
  notifyAnomalies: true,
  minSeverity: 'warning',
  agents: '*',
  enabled: true,
  createdAt: T0,
  updatedAt: T0,
  lastDelivery: null,
  ...over,
});

const incident = (over: Partial<Incident> = {}): Incident => ({
  incidentId: 'inc_1',
  agentId: 'support-bot',
  key: 'anomaly:cost',
  source: 'anomaly',
  family: 'cost',
  ruleId: null,
  title: 'Cost anomaly on support-bot',
  status: 'open',
  severity: 'warning',
  peakSeverity: 'warning',
  firstBreachAt: T0,
  openedAt: T0,
  lastBreachAt: T0,
  normalSince: null,
  resolvedAt: null,
  acknowledgedAt: null,
  acknowledgedBy: null,
  resolvedBy: null,
  windowFrom: T0 - 3_600_000,
  windowTo: null,
  trigger: {
    metric: 'cost_per_session',
    slice: 'all',
    value: 0.04,
    expected: 0.01,
    lower: 0.005,
    upper: 0.015,
    z: 12.3,
    direction: 'up',
    severity: 'warning',
    volume: 30,
    windowFrom: T0 - 3_600_000,
    windowTo: T0,
    at: T0,
    reason: 'anomaly',
  },
  signals: [],
  timeline: [],
  deliveries: [],
  version: 1,
  updatedAt: T0,
  ...over,
});

describe('webhook signatures', () => {
  const body = JSON.stringify({ hello: 'world' });
  const secret = 'a-signing-secret-of-32-characters';

  it('verifies what it signed, within the time tolerance', () => {
    // Prepare
    const signature = signWebhook(secret, 1_700_000_000, body);
    // Act / Assess
    expect(signature).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(
      verifyWebhookSignature({ secret, signature, timestamp: '1700000000', body, nowSeconds: 1_700_000_100 }),
    ).toBe(true);
  });

  it('refuses a changed body, a wrong secret, a stale timestamp or a missing header', () => {
    // Prepare
    const signature = signWebhook(secret, 1_700_000_000, body);
    const check = (over: Partial<Parameters<typeof verifyWebhookSignature>[0]>) =>
      verifyWebhookSignature({
        secret,
        signature,
        timestamp: '1700000000',
        body,
        nowSeconds: 1_700_000_000,
        ...over,
      });
    // Act / Assess
    expect(check({ body: body.replace('world', 'w0rld') })).toBe(false);
    expect(check({ secret: `${secret}x` })).toBe(false);
    expect(check({ nowSeconds: 1_700_000_000 + 301 })).toBe(false);
    expect(check({ signature: undefined })).toBe(false);
    expect(check({ timestamp: 'soon' })).toBe(false);
  });
});

describe('notification payloads', () => {
  it('carry the incident, its trigger and a link, and match the contract', () => {
    // Act
    const p = buildPayload({
      type: 'incident.opened',
      incident: incident(),
      deliveryId: 'd-1',
      now: T0,
      link: incidentLink('https://vigil.example.com/', incident()),
    });
    // Assess
    expect(notificationPayload.parse(p)).toEqual(p);
    expect(p.incident).toMatchObject({
      incident_id: 'inc_1',
      severity: 'warning',
      link: 'https://vigil.example.com/agents/support-bot/incidents/inc_1',
    });
    expect(p.text).toContain('[WARNING] Cost anomaly on support-bot (opened)');
    expect(p.text).toContain('cost_per_session $0.0400, vs expected $0.0100 ×4.0, z 12.3');
  });

  it('render for people: subjects, Slack blocks, units', () => {
    // Prepare
    const p = buildPayload({
      type: 'incident.resolved',
      incident: incident({ status: 'resolved', resolvedAt: T0 }),
      deliveryId: 'd',
      now: T0,
      link: null,
    });
    // Act
    const slack = renderSlack(p);
    // Assess
    expect(renderSubject(p)).toBe('[RESOLVED] Cost anomaly on support-bot');
    expect(slack.text).toMatch(/^:white_check_mark: /);
    expect(slack.blocks[0]).toMatchObject({ type: 'section', text: { type: 'mrkdwn' } });
    expect(formatValue('event_latency_p95', 1234.4)).toBe('1234 ms');
    expect(formatValue('error_rate', 0.125)).toBe('12.5 %');
    expect(formatValue('sessions_per_hour', 42)).toBe('42.0/h');
    expect(incidentLink(null, incident())).toBe('/api/agents/support-bot/incidents/inc_1');
  });

  it('keep SNS subjects to 100 printable ASCII characters', () => {
    expect(snsSubject(`[WARNING] Coût ${'x'.repeat(200)}\nline`)).toMatch(/^\[WARNING\] Cout x+$/);
    expect(snsSubject(`${'y'.repeat(150)}`)).toHaveLength(100);
  });
});

describe('channel routing and deliveries', () => {
  const channels = [
    channel('all'),
    channel('critical-only', { minSeverity: 'critical' }),
    channel('other-agent', { agents: ['triage-bot'] }),
    channel('no-anomalies', { notifyAnomalies: false }),
    channel('disabled', { enabled: false }),
  ];

  it('sends anomalies to channels that take them for the agent, at or above their least severity', () => {
    // Act
    const warning = routeChannels(channels, incident(), null, 'warning').map((c) => c.channelId);
    const critical = routeChannels(channels, incident(), null, 'critical').map((c) => c.channelId);
    // Assess
    expect(warning).toEqual(['all']);
    expect(critical).toEqual(['all', 'critical-only']);
  });

  it("sends a rule's incidents to the rule's channels only", () => {
    // Act
    const routed = routeChannels(
      channels,
      incident({ source: 'rule' }),
      { channelIds: ['no-anomalies'] },
      'warning',
    );
    // Assess
    expect(routed.map((c) => c.channelId)).toEqual(['no-anomalies']);
  });

  it('tells channels about an escalation once, and the critical-only channel for the first time', () => {
    // Prepare
    const opened = incident();
    opened.deliveries = planDeliveries(opened, 'opened', channels, null, T0, 0).map((d) => ({
      ...d,
      status: 'sent' as const,
    }));
    // Act
    const escalated = planDeliveries({ ...opened, severity: 'critical' }, 'escalated', channels, null, T0, 0);
    // Assess
    expect(escalated.map((d) => [d.channelId, d.type, d.status])).toEqual([
      ['all', 'incident.opened', 'sent'],
      ['all', 'incident.escalated', 'pending'],
      ['critical-only', 'incident.opened', 'pending'],
    ]);
  });

  it('holds a warning when asked, sends it at critical if it escalates meanwhile, cancels it if it resolves', () => {
    // Prepare
    const opened = incident();
    opened.deliveries = planDeliveries(opened, 'opened', channels, null, T0, 30 * 60_000);
    // Act
    const escalated = planDeliveries(
      { ...opened, severity: 'critical' },
      'escalated',
      channels,
      null,
      T0 + 60_000,
      30 * 60_000,
    );
    const resolved = planDeliveries(
      { ...opened, status: 'resolved' },
      'resolved',
      channels,
      null,
      T0 + 60_000,
      30 * 60_000,
    );
    // Assess
    expect(opened.deliveries[0]).toMatchObject({ type: 'incident.opened', notBefore: T0 + 30 * 60_000 });
    expect(escalated.filter((d) => d.channelId === 'all')).toMatchObject([
      { type: 'incident.opened', notBefore: null },
    ]);
    expect(resolved.map((d) => d.status)).toEqual(['cancelled']);
  });

  it('tells the channels that heard of an incident that it resolved', () => {
    // Prepare
    const opened = incident();
    opened.deliveries = planDeliveries(opened, 'opened', channels, null, T0, 0).map((d) => ({
      ...d,
      status: 'sent' as const,
    }));
    // Act
    const resolved = planDeliveries({ ...opened, status: 'resolved' }, 'resolved', channels, null, T0, 0);
    // Assess
    expect(resolved.filter((d) => d.type === 'incident.resolved').map((d) => d.channelId)).toEqual(['all']);
    expect(new Set(resolved.map((d) => d.deliveryId)).size).toBe(resolved.length);
  });

  it('sends nothing more for an acknowledged incident but its resolved notice', () => {
    // Prepare: "all" was told it opened; it escalated, and was acknowledged before the next run sent that
    const opened = incident();
    opened.deliveries = planDeliveries(opened, 'opened', channels, null, T0, 0).map((d) => ({
      ...d,
      status: 'sent' as const,
    }));
    const critical = { ...opened, severity: 'critical' as const };
    critical.deliveries = planDeliveries(critical, 'escalated', channels, null, T0 + 60_000, 0);
    // Act
    const acked = {
      ...critical,
      acknowledgedAt: T0 + 90_000,
      deliveries: silenceDeliveries(critical.deliveries),
    };
    const again = planDeliveries(acked, 'escalated', channels, null, T0 + 120_000, 0);
    const resolved = planDeliveries(
      { ...acked, status: 'resolved' },
      'resolved',
      channels,
      null,
      T0 + 180_000,
      0,
    );
    // Assess
    expect(acked.deliveries.map((d) => [d.channelId, d.type, d.status])).toEqual([
      ['all', 'incident.opened', 'sent'],
      ['all', 'incident.escalated', 'cancelled'],
      ['critical-only', 'incident.opened', 'cancelled'],
    ]);
    expect(again).toEqual(acked.deliveries);
    expect(resolved.slice(3).map((d) => [d.channelId, d.type, d.status])).toEqual([
      ['all', 'incident.resolved', 'pending'],
    ]);
  });

  it('cancels a held warning when the incident is acknowledged during the hold', () => {
    // Prepare
    const opened = incident();
    opened.deliveries = planDeliveries(opened, 'opened', channels, null, T0, 20 * 60_000);
    // Act
    const acked = {
      ...opened,
      acknowledgedAt: T0 + 60_000,
      deliveries: silenceDeliveries(opened.deliveries),
    };
    const escalated = planDeliveries({ ...acked, severity: 'critical' }, 'escalated', channels, null, T0, 0);
    const resolved = planDeliveries({ ...acked, status: 'resolved' }, 'resolved', channels, null, T0, 0);
    // Assess
    expect(acked.deliveries.map((d) => d.status)).toEqual(['cancelled']);
    expect(escalated).toEqual(acked.deliveries);
    expect(resolved.map((d) => d.type)).toEqual(['incident.opened']);
  });

  it('adds a resolved notice for a channel told just as the incident was resolved, once', () => {
    // Prepare: the opened notice went out while a person resolved the incident
    const opened = incident();
    const sent = planDeliveries(opened, 'opened', channels, null, T0, 0).map((d) => ({
      ...d,
      status: 'sent' as const,
    }));
    // Act
    const once = ensureResolvedNotices(sent);
    const twice = ensureResolvedNotices(once);
    // Assess
    expect(once.map((d) => [d.channelId, d.type])).toEqual([
      ['all', 'incident.opened'],
      ['all', 'incident.resolved'],
    ]);
    expect(twice).toEqual(once);
  });

  it('masks secret URLs down to scheme, host and four characters', () => {
    expect(maskUrl('https://hooks.slack.com/services/T000/B000/abcdefghijklmnopQRSTxyz9')).toBe(
      'https://hooks.slack.com/…xyz9',
    );
    expect(maskUrl('http://127.0.0.1:9/h')).toBe('http://127.0.0.1:9/…');
    expect(maskUrl(null)).toBeUndefined();
  });
});
