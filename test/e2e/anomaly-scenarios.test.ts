import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { incidentDetailResponse, type NotificationPayload, WEBHOOK_HEADERS } from '../../contracts/alerts';
import { LogNotifier } from '../../lambdas/adapters/notify/log';
import { DEFAULT_ALERT_CONFIG } from '../../lambdas/domain/alerts/config';
import { verifyWebhookSignature } from '../../lambdas/domain/alerts/signing';
import { FakeClock, type RunningVigil, startVigil } from '../helpers/local-runtime';
import { type Receiver, startReceiver } from '../helpers/receiver';
import { type AgentTraffic, batches, DAY, HOUR, seedHistory, sessionsBetween } from '../helpers/traffic';

/**
 * The scenarios on the real local runtime: four agents with the same kind of traffic, eight days
 * of history (past the 7-day warm-up), then a live day sent through the batch API five minutes at a
 * time while the anomaly job runs every five minutes, as scheduled. One agent stays steady; the others
 * get a cost spike, an error burst, and a latency regression after a deploy (and a rollback). Every
 * incident goes to a generic webhook and a Slack webhook (a real HTTP server on 127.0.0.1) and to the
 * log channel.
 */
const MIN = 60_000;
const START = Date.parse('2026-11-02T06:00:00Z'); // a Monday
const LIVE = START + 8 * DAY; // Tuesday 06:00
const END = LIVE + 14 * HOUR;
const at = (h: number, m = 0) => LIVE + h * HOUR + m * MIN;
const inside = (t: number, from: number, to: number) => t >= from && t < to;

const SCENARIOS = {
  cost: { from: at(3, 20), to: at(5, 20) }, // 09:20–11:20, prompts four times longer
  errors: { from: at(4, 40), to: at(5, 40) }, // 10:40–11:40, half of all sessions hit a rate limit
  latency: { from: at(7, 10), to: at(10, 10) }, // deploy 13:10 (v1.1, model 1.6× slower), rollback 16:10
};

const AGENTS: AgentTraffic[] = [
  { agentId: 'steady-bot', peakPerHour: 30, seed: 1 },
  {
    agentId: 'cost-bot',
    peakPerHour: 30,
    seed: 2,
    effects: (t) => (inside(t, SCENARIOS.cost.from, SCENARIOS.cost.to) ? { costFactor: 4 } : {}),
  },
  {
    agentId: 'errors-bot',
    peakPerHour: 30,
    seed: 3,
    effects: (t) => (inside(t, SCENARIOS.errors.from, SCENARIOS.errors.to) ? { errorRate: 0.5 } : {}),
  },
  {
    agentId: 'latency-bot',
    peakPerHour: 30,
    seed: 4,
    effects: (t) =>
      inside(t, SCENARIOS.latency.from, SCENARIOS.latency.to) ? { latencyFactor: 1.6, version: '1.1' } : {},
  },
];

describe('anomaly scenarios (fake clock, generated traffic through the batch API)', () => {
  const clock = new FakeClock(LIVE);
  const secret = 'whsec-scenarios-0123456789';
  let v: RunningVigil;
  let receiver: Receiver;
  const logged: NotificationPayload[] = [];
  // biome-ignore lint/suspicious/noExplicitAny: incident views are checked against the contract below
  const incidents = new Map<string, any[]>();

  beforeAll(async () => {
    v = await startVigil({ clock });
    receiver = await startReceiver();
    for (const a of AGENTS) {
      await seedHistory(v.rt.deps, () => v.rt.stores.db.sync(), a.agentId, sessionsBetween(a, START, LIVE));
    }
    await v.rt.baselineJob();
    v.rt.alertDeps.notifiers.log = new LogNotifier((_line, p) => logged.push(p));
    await v.call('POST', '/api/channels', {
      type: 'webhook',
      name: 'pager',
      url: `${receiver.url}/webhook`,
      secret,
    });
    await v.call('POST', '/api/channels', {
      type: 'slack',
      name: '#alerts',
      webhook_url: `${receiver.url}/slack`,
    });
    await v.call('POST', '/api/channels', { type: 'log', name: 'terminal' });

    for (let t = LIVE; t < END; t += 5 * MIN) {
      clock.t = t + 5 * MIN;
      for (const a of AGENTS) {
        for (const body of batches(a.agentId, sessionsBetween(a, t, t + 5 * MIN))) {
          const res = await v.call('POST', '/api/v1/batch', body);
          if (res.status !== 200) throw new Error(`batch refused: ${res.status} ${JSON.stringify(res.body)}`);
        }
      }
      await v.rt.anomalyJob();
    }
    for (const a of AGENTS) {
      const res = await v.call('GET', `/api/agents/${a.agentId}/incidents?limit=50`);
      incidents.set(a.agentId, res.body.incidents);
      if (process.env.DEBUG_SCENARIOS) {
        for (const i of res.body.incidents)
          console.log(
            a.agentId,
            i.title,
            i.severity,
            i.peak_severity,
            i.first_breach_at,
            i.opened_at,
            i.resolved_at,
            JSON.stringify(i.trigger),
            JSON.stringify(i.timeline),
          );
      }
    }
  }, 600_000);

  afterAll(async () => {
    await receiver?.stop();
    await v?.stop();
  });

  /** Every notification about one incident, per channel, in order. */
  function notifications(incidentId: string) {
    const parse = (path: string) =>
      receiver.received
        .filter((r) => r.path === path)
        .map((r) => ({ r, p: JSON.parse(r.body) as NotificationPayload }))
        .filter(({ p }) => p.incident?.incident_id === incidentId);
    return {
      webhook: parse('/webhook'),
      slack: receiver.received
        .filter((r) => r.path === '/slack' && r.body.includes(incidentId))
        .map((r) => (JSON.parse(r.body) as { text: string }).text),
      log: logged.filter((p) => p.incident?.incident_id === incidentId).map((p) => p.type),
    };
  }

  function theOnly(agentId: string) {
    const list = incidents.get(agentId)!;
    expect(list, `${agentId}: ${JSON.stringify(list.map((i) => [i.title, i.opened_at]))}`).toHaveLength(1);
    return list[0];
  }

  /** Minutes from the start of the regression to the first breach, the incident, and the notice. */
  function report(
    name: string,
    scenario: { from: number },
    i: { first_breach_at: string; opened_at: string; resolved_at: string | null },
    noticeAt: number,
  ) {
    const minutes = (t: string | number) =>
      Math.round(((typeof t === 'string' ? Date.parse(t) : t) - scenario.from) / MIN);
    const out = {
      breach: minutes(i.first_breach_at),
      opened: minutes(i.opened_at),
      notice: minutes(noticeAt),
    };
    console.log(
      `${name}: first breach +${out.breach} min, incident opened +${out.opened} min, ` +
        `notified +${out.notice} min, resolved ${i.resolved_at}`,
    );
    return out;
  }

  it('raises no incident for the steady agent', () => {
    expect(incidents.get('steady-bot')).toEqual([]);
    expect(receiver.received.filter((r) => r.body.includes('steady-bot'))).toEqual([]);
  });

  /**
   * One incident, of the right peak severity, resolved after the traffic is normal again; each channel
   * hears exactly once that it opened — at its peak severity: a warning's first notice is held, so one
   * that turns critical meanwhile goes out once, at critical — and once that it is over. Every webhook
   * delivery reached the local HTTP server with a valid signature.
   */
  function assertScenario(
    agentId: string,
    family: string,
    severity: 'warning' | 'critical',
    scenario: { from: number; to: number },
    label: string,
  ) {
    const i = theOnly(agentId);
    expect(i).toMatchObject({ family, peak_severity: severity, status: 'resolved' });
    expect(Date.parse(i.first_breach_at)).toBeGreaterThanOrEqual(scenario.from);
    expect(Date.parse(i.resolved_at)).toBeGreaterThan(scenario.to);
    const n = notifications(i.incident_id);
    // Webhook: one notice that it opened, at the peak severity, then one that it resolved.
    expect(n.webhook.map(({ p }) => [p.type, p.incident!.severity])).toEqual([
      ['incident.opened', severity],
      ['incident.resolved', expect.any(String)],
    ]);
    for (const { r, p } of n.webhook) {
      expect(
        verifyWebhookSignature({
          secret,
          signature: r.headers[WEBHOOK_HEADERS.signature] as string,
          timestamp: r.headers[WEBHOOK_HEADERS.timestamp] as string,
          body: r.body,
          nowSeconds: Date.parse(p.sent_at) / 1000,
        }),
      ).toBe(true);
    }
    // Slack and the log channel: the same two notices.
    expect(n.slack.map((text) => /\((opened|resolved)\)/.exec(text)?.[1])).toEqual(['opened', 'resolved']);
    expect(n.log).toEqual(['incident.opened', 'incident.resolved']);
    // The incident's own record: per channel one non-resolve delivery and one resolved, both sent.
    const byChannel = new Map<string, string[]>();
    for (const d of i.deliveries) {
      byChannel.set(d.channel_id, [...(byChannel.get(d.channel_id) ?? []), `${d.type}:${d.status}`]);
    }
    expect([...byChannel.values()]).toEqual(
      Array.from({ length: 3 }, () => ['incident.opened:sent', 'incident.resolved:sent']),
    );
    const noticeAt = Date.parse(n.webhook[0]!.p.sent_at);
    const delay = report(label, scenario, i, noticeAt);
    expect(delay.opened).toBeLessThanOrEqual(60);
    expect(noticeAt - scenario.from).toBeLessThanOrEqual(75 * MIN);
    return { incident: i, noticeAt };
  }

  it('opens exactly one critical cost incident for the cost spike, notifies each channel and resolves', () => {
    assertScenario('cost-bot', 'cost', 'critical', SCENARIOS.cost, 'cost spike ×4');
  });

  it('opens exactly one critical error incident for the error burst, notifies each channel and resolves', () => {
    assertScenario('errors-bot', 'errors', 'critical', SCENARIOS.errors, 'error burst 50 %');
  });

  it('opens exactly one warning latency incident after the deploy and resolves after the rollback', () => {
    const { incident, noticeAt } = assertScenario(
      'latency-bot',
      'latency',
      'warning',
      SCENARIOS.latency,
      'latency ×1.6 after deploy',
    );
    // A warning that never escalates is still notified, once its hold is over.
    expect(noticeAt).toBe(Date.parse(incident.opened_at) + DEFAULT_ALERT_CONFIG.anomalyPolicy.warningHoldMs);
  });

  it('signs every webhook delivery so the receiver can verify it', () => {
    // Assess
    const hooks = receiver.received.filter((r) => r.path === '/webhook');
    expect(hooks).toHaveLength(6);
    for (const r of hooks) {
      const sentAt = Date.parse((JSON.parse(r.body) as NotificationPayload).sent_at) / 1000;
      expect(
        verifyWebhookSignature({
          secret,
          signature: r.headers[WEBHOOK_HEADERS.signature] as string,
          timestamp: r.headers[WEBHOOK_HEADERS.timestamp] as string,
          body: r.body,
          nowSeconds: sentAt,
        }),
      ).toBe(true);
    }
    // Each delivery has its own id; a retried one would repeat it.
    expect(new Set(hooks.map((r) => r.headers[WEBHOOK_HEADERS.delivery])).size).toBe(hooks.length);
  });

  it('shows what triggered an incident, its window and the top sessions in it', async () => {
    // Act
    const id = incidents.get('cost-bot')![0].incident_id;
    const res = await v.call('GET', `/api/agents/cost-bot/incidents/${id}`);
    // Assess
    const d = incidentDetailResponse.parse(res.body);
    expect(d.trigger).toMatchObject({ metric: 'cost_per_session', slice: 'all', reason: 'anomaly' });
    expect(d.trigger.value!).toBeGreaterThan(d.trigger.upper!);
    expect(Date.parse(d.window.from)).toBeLessThanOrEqual(SCENARIOS.cost.from + HOUR);
    expect(d.top_sessions.length).toBeGreaterThan(0);
    expect(Date.parse(d.top_sessions[0]!.started_at)).toBeGreaterThanOrEqual(SCENARIOS.cost.from);
    expect(d.timeline.map((e) => e.type)).toContain('resolved');
    expect(d.links.baseline).toContain('metric=cost_per_session');
  });

  it('leaves the flagged period out of the next day’s baseline', async () => {
    // Act: the daily job at the next midnight
    clock.t = LIVE + 18 * HOUR; // Wednesday 00:00
    await v.rt.baselineJob();
    const res = await v.call('GET', '/api/agents/cost-bot/baselines?slice=all&range=1d');
    const steady = await v.call('GET', '/api/agents/steady-bot/baselines?slice=all&range=1d');
    // Assess
    expect(res.body.baselines.at(-1)).toMatchObject({ date: '2026-11-11', status: 'ready' });
    expect(res.body.baselines.at(-1).excluded_hours).toBeGreaterThanOrEqual(3);
    expect(steady.body.baselines.at(-1).excluded_hours).toBe(0);
  });
});
