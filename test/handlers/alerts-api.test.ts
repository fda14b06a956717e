import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  alertRuleView,
  baselineListResponse,
  baselineSeriesResponse,
  baselineStatusResponse,
  channelView,
  incidentDetailResponse,
  incidentListResponse,
  incidentView,
  rulePreviewResponse,
  WEBHOOK_HEADERS,
} from '../../contracts/alerts';
import { verifyWebhookSignature } from '../../lambdas/domain/alerts/signing';
import { FakeClock, type RunningVigil, startVigil } from '../helpers/local-runtime';
import { type Receiver, startReceiver } from '../helpers/receiver';
import { type AgentTraffic, DAY, HOUR, seedHistory, sessionsBetween } from '../helpers/traffic';

/** The alerts API on the real local runtime (DuckDB, HTTP on 127.0.0.1), time driven by a fake clock. */
describe('alerts API', () => {
  // Monday 2026-11-02 06:00 UTC; eight days of history, so the baselines are past the 7-day warm-up.
  const START = Date.parse('2026-11-02T06:00:00Z');
  const NOW = START + 8 * DAY + 4 * HOUR;
  const clock = new FakeClock(NOW);
  const agent: AgentTraffic = { agentId: 'shop-bot', peakPerHour: 20, seed: 11 };
  const secret = 'whsec-shop-bot-0123456789';
  let v: RunningVigil;
  let receiver: Receiver;
  let keyFor: (scopes: string[], agents: '*' | string[]) => Promise<string>;

  beforeAll(async () => {
    v = await startVigil({ clock });
    receiver = await startReceiver();
    await seedHistory(
      v.rt.deps,
      () => v.rt.stores.db.sync(),
      agent.agentId,
      sessionsBetween(agent, START, NOW),
    );
    await v.rt.baselineJob();
    keyFor = async (scopes, agents) => {
      const res = await v.call('POST', '/api/admin/keys', { name: `k-${scopes.join('-')}`, scopes, agents });
      return res.body.key as string;
    };
  }, 120_000);
  afterAll(async () => {
    await receiver?.stop();
    await v?.stop();
  });

  const as = (key: string) => ({ authorization: `Api-Key ${key}` });

  describe('baselines', () => {
    it('lists the stored daily baselines of the agent and its busy slices', async () => {
      // Act
      const res = await v.call('GET', '/api/agents/shop-bot/baselines?range=2d');
      // Assess
      expect(res.status).toBe(200);
      const body = baselineListResponse.parse(res.body);
      const all = body.baselines.find((b) => b.slice === 'all')!;
      expect(all).toMatchObject({ date: '2026-11-10', status: 'ready', warmup_ends_at: null });
      expect(body.baselines.map((b) => b.slice)).toContain('tag:tier=free');
      const volume = all.metrics.find((m) => m.metric === 'sessions_per_hour')!;
      expect(volume.expected_by_hour_of_week).toHaveLength(168);
    });

    it('charts each metric as a band over time with the actual hourly values', async () => {
      // Act
      const res = await v.call(
        'GET',
        '/api/agents/shop-bot/baselines/series?from=2026-11-10T00:00:00Z&to=2026-11-10T11:00:00Z&metric=cost_per_session,sessions_per_hour',
      );
      // Assess
      expect(res.status).toBe(200);
      const body = baselineSeriesResponse.parse(res.body);
      expect(body.series.map((s) => s.metric)).toEqual(['cost_per_session', 'sessions_per_hour']);
      const cost = body.series[0]!.points;
      expect(cost).toHaveLength(11);
      const filled = cost.filter((p) => p.actual !== null);
      expect(filled.length).toBeGreaterThan(5);
      for (const p of filled) {
        expect(p.baseline_date).toBe('2026-11-10');
        expect(p.lower!).toBeLessThanOrEqual(p.expected!);
        expect(p.upper!).toBeGreaterThanOrEqual(p.expected!);
        expect(p.outside).toBe(false);
      }
      // The hour that starts now has no traffic yet.
      expect(cost.at(-1)!.actual).toBeNull();
    });

    it('says where each metric stands now, for overview cards', async () => {
      // Act
      const res = await v.call('GET', '/api/agents/shop-bot/baselines/status');
      // Assess
      expect(res.status).toBe(200);
      const body = baselineStatusResponse.parse(res.body);
      expect(body.baseline).toMatchObject({ status: 'ready' });
      expect(body.metrics.map((m) => m.metric)).toContain('event_latency_p95');
      expect(body.metrics.some((m) => m.state === 'outside')).toBe(false);
      expect(body.open_incidents).toBe(0);
    });

    it('names the parameter a request gets wrong', async () => {
      // Act
      const badMetric = await v.call('GET', '/api/agents/shop-bot/baselines/series?metric=cost,nope');
      const unknown = await v.call('GET', '/api/agents/shop-bot/baselines?colour=blue');
      const tooLong = await v.call('GET', '/api/agents/shop-bot/baselines/series?range=60d');
      // Assess
      expect(badMetric).toMatchObject({ status: 400, body: { field: 'metric' } });
      expect(unknown).toMatchObject({ status: 400, body: { field: 'colour' } });
      expect(tooLong).toMatchObject({ status: 400, body: { field: 'from' } });
    });

    it('serves baselines from the alerts handler while the query API keeps the rest of /api/agents', async () => {
      // Act
      const overview = await v.call('GET', '/api/agents/shop-bot/overview?range=24h');
      // Assess
      expect(overview.status).toBe(200);
    });
  });

  describe('channels', () => {
    it('creates a webhook channel and never shows its URL or secret in full', async () => {
      // Act
      const created = await v.call('POST', '/api/channels', {
        type: 'webhook',
        name: 'on-call',
        url: `${receiver.url}/hook/abcdef-token`,
        secret,
      });
      const listed = await v.call('GET', '/api/channels');
      // Assess
      expect(created.status).toBe(201);
      const view = channelView.parse(created.body);
      expect(view).toMatchObject({
        type: 'webhook',
        has_secret: true,
        notify_anomalies: true,
        min_severity: 'warning',
      });
      expect(view.url).toBe(`${receiver.url}/…oken`);
      expect(JSON.stringify(listed.body)).not.toContain('abcdef-token');
      expect(JSON.stringify(listed.body)).not.toContain(secret);
    });

    it('sends a signed test notification and records the outcome', async () => {
      // Prepare
      const { body: ch } = await v.call('POST', '/api/channels', {
        type: 'webhook',
        name: 't',
        url: `${receiver.url}/test`,
        secret,
      });
      const before = receiver.received.length;
      // Act
      const res = await v.call('POST', `/api/channels/${ch.channel_id}/test`);
      // Assess
      expect(res.body).toEqual({ channel_id: ch.channel_id, ok: true, error: null });
      const got = receiver.received[before]!;
      expect(JSON.parse(got.body)).toMatchObject({ type: 'test', incident: null });
      expect(
        verifyWebhookSignature({
          secret,
          signature: got.headers[WEBHOOK_HEADERS.signature] as string,
          timestamp: got.headers[WEBHOOK_HEADERS.timestamp] as string,
          body: got.body,
          nowSeconds: clock.now() / 1000,
        }),
      ).toBe(true);
      expect((await v.call('GET', `/api/channels/${ch.channel_id}`)).body.last_delivery).toMatchObject({
        ok: true,
      });
    });

    it('reports a failing test send without failing the request', async () => {
      // Prepare
      const { body: ch } = await v.call('POST', '/api/channels', {
        type: 'slack',
        name: 's',
        webhook_url: `${receiver.url}/slack`,
      });
      receiver.respondWith(502);
      // Act
      const res = await v.call('POST', `/api/channels/${ch.channel_id}/test`);
      receiver.respondWith(200);
      // Assess
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ ok: false, error: 'slack webhook: HTTP 502' });
    });

    it('keeps stored secrets when an update leaves them out, and asks for them when the type changes', async () => {
      // Prepare
      const { body: ch } = await v.call('POST', '/api/channels', {
        type: 'webhook',
        name: 'a',
        url: `${receiver.url}/keep`,
        secret,
      });
      // Act
      const renamed = await v.call('PUT', `/api/channels/${ch.channel_id}`, {
        type: 'webhook',
        name: 'renamed',
        min_severity: 'critical',
      });
      const retyped = await v.call('PUT', `/api/channels/${ch.channel_id}`, {
        type: 'slack',
        name: 'renamed',
      });
      const stored = await v.rt.alertDeps.channels.get(ch.channel_id);
      // Assess
      expect(renamed.body).toMatchObject({ name: 'renamed', min_severity: 'critical', has_secret: true });
      expect(stored).toMatchObject({ secret, url: `${receiver.url}/keep` });
      expect(retyped).toMatchObject({ status: 400, body: { field: 'webhook_url' } });
    });

    it('validates bodies field by field and deletes once', async () => {
      // Act
      const shortSecret = await v.call('POST', '/api/channels', {
        type: 'webhook',
        name: 'w',
        url: 'https://x.example',
        secret: 'short',
      });
      const badType = await v.call('POST', '/api/channels', { type: 'pager', name: 'p' });
      const { body: ch } = await v.call('POST', '/api/channels', { type: 'log', name: 'terminal' });
      const deleted = await v.call('DELETE', `/api/channels/${ch.channel_id}`);
      const again = await v.call('DELETE', `/api/channels/${ch.channel_id}`);
      // Assess
      expect(shortSecret).toMatchObject({ status: 400, body: { field: 'secret' } });
      expect(badType.status).toBe(400);
      expect(deleted.body).toEqual({ channel_id: ch.channel_id, deleted: true });
      expect(again.status).toBe(404);
    });
  });

  describe('alert rules', () => {
    it('creates, reads, replaces and deletes a rule', async () => {
      // Act
      const created = await v.call('POST', '/api/alert-rules', {
        name: 'p95 latency',
        agent_id: 'shop-bot',
        metric: 'event_latency',
        aggregation: 'p95',
        warning: 2000,
        critical: 5000,
        filters: { model: 'gpt-4o-mini' },
      });
      const id = created.body.rule_id;
      const replaced = await v.call('PUT', `/api/alert-rules/${id}`, {
        ...created.body,
        rule_id: undefined,
        created_at: undefined,
        updated_at: undefined,
        warning: 2500,
      });
      const got = await v.call('GET', `/api/alert-rules/${id}`);
      const list = await v.call('GET', '/api/alert-rules');
      const deleted = await v.call('DELETE', `/api/alert-rules/${id}`);
      // Assess
      expect(created.status).toBe(201);
      expect(alertRuleView.parse(created.body)).toMatchObject({
        window_minutes: 60,
        comparator: '>',
        no_data: 'ok',
      });
      expect(replaced.status, JSON.stringify(replaced.body)).toBe(200);
      expect(got.body).toMatchObject({ warning: 2500, created_at: created.body.created_at });
      expect(list.body.rules.map((r: { rule_id: string }) => r.rule_id)).toContain(id);
      expect(deleted.body).toEqual({ rule_id: id, deleted: true });
      expect((await v.call('GET', `/api/alert-rules/${id}`)).status).toBe(404);
    });

    it('refuses unknown channels and invalid aggregations, naming the field', async () => {
      // Act
      const channels = await v.call('POST', '/api/alert-rules', {
        name: 'x',
        metric: 'errors',
        aggregation: 'count',
        warning: 1,
        channel_ids: ['ch_nope'],
      });
      const aggregation = await v.call('POST', '/api/alert-rules', {
        name: 'x',
        metric: 'sessions',
        aggregation: 'p99',
        warning: 1,
      });
      // Assess
      expect(channels).toMatchObject({ status: 400, body: { field: 'channel_ids[0]' } });
      expect(aggregation).toMatchObject({ status: 400, body: { field: 'aggregation' } });
    });

    it('previews what a rule would say now', async () => {
      // Act
      const res = await v.call('POST', '/api/alert-rules/preview', {
        name: 'sessions this hour',
        agent_id: 'shop-bot',
        metric: 'sessions',
        aggregation: 'count',
        comparator: '<',
        warning: 1_000_000,
      });
      // Assess
      expect(res.status).toBe(200);
      const body = rulePreviewResponse.parse(res.body);
      expect(body.results).toHaveLength(1);
      expect(body.results[0]).toMatchObject({ agent_id: 'shop-bot', severity: 'warning', no_data: false });
    });
  });

  describe('scopes', () => {
    it('lets a read key read and refuses it every change', async () => {
      // Prepare
      const read = await keyFor(['read'], '*');
      // Act
      const list = await v.call('GET', '/api/channels', undefined, as(read));
      const create = await v.call('POST', '/api/channels', { type: 'log', name: 'x' }, as(read));
      const rule = await v.call(
        'POST',
        '/api/alert-rules',
        { name: 'x', metric: 'errors', aggregation: 'count', warning: 1 },
        as(read),
      );
      // Assess
      expect(list.status).toBe(200);
      expect(create.status).toBe(403);
      expect(rule.status).toBe(403);
    });

    it("keeps a key to its agents: no other agent's baselines or incidents, no rule for every agent", async () => {
      // Prepare
      const other = await keyFor(['read', 'admin'], ['other-bot']);
      // Act
      const baselines = await v.call('GET', '/api/agents/shop-bot/baselines', undefined, as(other));
      const incidents = await v.call('GET', '/api/agents/shop-bot/incidents', undefined, as(other));
      const everyAgent = await v.call(
        'POST',
        '/api/alert-rules',
        { name: 'x', metric: 'errors', aggregation: 'count', warning: 1 },
        as(other),
      );
      const anonymous = await v.call('GET', '/api/channels', undefined, { authorization: '' });
      // Assess
      expect([baselines.status, incidents.status, everyAgent.status, anonymous.status]).toEqual([
        403, 403, 403, 401,
      ]);
    });
  });

  describe('a rule-driven incident', () => {
    it('opens on the first breach, notifies, shows its window and top sessions, and resolves', async () => {
      // Prepare: a rule on failed events, a webhook for it, and a batch with five failing calls
      const before = receiver.received.length;
      const { body: ch } = await v.call('POST', '/api/channels', {
        type: 'webhook',
        name: 'rules only',
        url: `${receiver.url}/rules`,
        secret,
        notify_anomalies: false,
      });
      const { body: rule } = await v.call('POST', '/api/alert-rules', {
        name: 'failed calls',
        agent_id: 'shop-bot',
        metric: 'errors',
        aggregation: 'count',
        window_minutes: 30,
        warning: 3,
        critical: 50,
        channel_ids: [ch.channel_id],
      });
      const t = new Date(clock.now() - 60_000).toISOString();
      await v.call('POST', '/api/v1/batch', {
        agent_id: 'shop-bot',
        sessions: [{ session_id: 'failing-1', production_monitoring: true, started_at: t, ended_at: t }],
        events: [1, 2, 3, 4, 5].map((i) => ({
          event_id: `f${i}`,
          session_id: 'failing-1',
          type: 'llm',
          started_at: t,
          duration_ms: 100,
          model: 'gpt-4o-mini',
          error: { message: 'upstream 503', status_code: 503 },
        })),
      });
      // Act
      const opened = await v.rt.anomalyJob();
      const list = await v.call('GET', '/api/agents/shop-bot/incidents?status=open&source=rule');
      const incidentId = list.body.incidents[0]?.incident_id;
      const detail = await v.call('GET', `/api/agents/shop-bot/incidents/${incidentId}`);
      const everywhere = await v.call('GET', '/api/incidents?status=open');
      // …then two hours without failures, checked every 5 minutes
      const resolvedAt: number[] = [];
      for (let i = 0; i < 24; i++) {
        clock.advance(5 * 60_000);
        if ((await v.rt.anomalyJob()).resolved > 0) resolvedAt.push(clock.now());
      }
      const after = await v.call('GET', `/api/agents/shop-bot/incidents/${incidentId}`);
      // Assess
      expect(opened).toMatchObject({ opened: 1, sent: 1 });
      expect(incidentListResponse.parse(list.body).incidents).toHaveLength(1);
      const d = incidentDetailResponse.parse(detail.body);
      expect(d).toMatchObject({
        source: 'rule',
        rule_id: rule.rule_id,
        status: 'open',
        severity: 'warning',
        title: 'failed calls (shop-bot)',
      });
      expect(d.trigger).toMatchObject({ metric: 'errors.count', value: 5, expected: 3, reason: 'threshold' });
      expect(d.top_sessions[0]).toMatchObject({ session_id: 'failing-1', errors: 5 });
      expect(d.links.sessions).toMatch(/^\/api\/agents\/shop-bot\/sessions\?from=.*&production=true$/);
      expect(everywhere.body.incidents.map((i: { incident_id: string }) => i.incident_id)).toContain(
        incidentId,
      );
      expect(resolvedAt).toHaveLength(1);
      expect(after.body).toMatchObject({ status: 'resolved' });
      const types = receiver.received
        .slice(before)
        .filter((r) => r.path === '/rules')
        .map((r) => JSON.parse(r.body).type);
      expect(types).toEqual(['incident.opened', 'incident.resolved']);
      expect(after.body.deliveries.map((x: { status: string }) => x.status)).toEqual(['sent', 'sent']);
    });

    it('answers 404 for an incident of another agent', async () => {
      expect((await v.call('GET', '/api/agents/other-bot/incidents/inc_nope')).status).toBe(404);
    });
  });
});

describe('acknowledging and resolving incidents by hand', () => {
  const START = Date.parse('2026-11-02T06:00:00Z');
  const clock = new FakeClock(START);
  const secret = 'whsec-ops-bot-0123456789';
  const AGENT = 'ops-bot';
  let v: RunningVigil;
  let receiver: Receiver;
  let admin: { key: string; id: string };
  let incidentId: string;
  let openedNotices: number;
  const as = (key: string) => ({ authorization: `Api-Key ${key}` });
  const path = (action: string, agent = AGENT, id = incidentId) =>
    `/api/agents/${agent}/incidents/${id}/${action}`;
  const notices = () => receiver.received.filter((r) => r.path === '/manual');
  let failing = 0;
  /** n failed LLM calls a minute ago: the rule (warning at 3, critical at 20 in 30 min) breaches. */
  const fail = (n: number) => {
    const t = new Date(clock.now() - 60_000).toISOString();
    const sessionId = `failing-${++failing}`;
    return v.call('POST', '/api/v1/batch', {
      agent_id: AGENT,
      sessions: [{ session_id: sessionId, production_monitoring: true, started_at: t, ended_at: t }],
      events: Array.from({ length: n }, (_, i) => ({
        event_id: `${sessionId}-${i}`,
        session_id: sessionId,
        type: 'llm',
        started_at: t,
        duration_ms: 100,
        error: { message: 'upstream 503', status_code: 503 },
      })),
    });
  };

  beforeAll(async () => {
    v = await startVigil({ clock });
    receiver = await startReceiver();
    const { body: ch } = await v.call('POST', '/api/channels', {
      type: 'webhook',
      name: 'ops pager',
      url: `${receiver.url}/manual`,
      secret,
      notify_anomalies: false,
    });
    await v.call('POST', '/api/alert-rules', {
      name: 'ops failures',
      agent_id: AGENT,
      metric: 'errors',
      aggregation: 'count',
      window_minutes: 30,
      warning: 3,
      critical: 20,
      channel_ids: [ch.channel_id],
    });
    const k = await v.call('POST', '/api/admin/keys', {
      name: 'ops admin',
      scopes: ['admin'],
      agents: [AGENT],
    });
    admin = { key: k.body.key, id: k.body.key_id };
    await fail(5);
    await v.rt.anomalyJob();
    const open = await v.call('GET', `/api/agents/${AGENT}/incidents?status=open`);
    incidentId = open.body.incidents[0].incident_id;
    openedNotices = notices().length;
  }, 60_000);
  afterAll(async () => {
    await receiver?.stop();
    await v?.stop();
  });

  it('refuses other callers, unknown incidents and bad bodies, naming the field', async () => {
    // Prepare
    const read = (await v.call('POST', '/api/admin/keys', { name: 'r', scopes: ['read'], agents: '*' })).body
      .key;
    const other = (
      await v.call('POST', '/api/admin/keys', { name: 'o', scopes: ['admin'], agents: ['x-bot'] })
    ).body.key;
    // Act
    const readOnly = await v.call('POST', path('acknowledge'), {}, as(read));
    const otherAgent = await v.call('POST', path('resolve'), {}, as(other));
    const unknown = await v.call('POST', path('acknowledge', AGENT, 'inc_nope'), {});
    const wrongAgent = await v.call('POST', path('resolve', 'shop-bot'), {});
    const extra = await v.call('POST', path('acknowledge'), { note: 'x', colour: 'red' });
    const long = await v.call('POST', path('resolve'), { note: 'x'.repeat(501) });
    const notText = await v.call('POST', path('acknowledge'), { note: 5 });
    const after = await v.call('GET', `/api/agents/${AGENT}/incidents/${incidentId}`);
    // Assess
    expect([readOnly.status, otherAgent.status, unknown.status, wrongAgent.status]).toEqual([
      403, 403, 404, 404,
    ]);
    expect(extra).toMatchObject({ status: 400, body: { field: 'colour' } });
    expect(long).toMatchObject({ status: 400, body: { field: 'note' } });
    expect(long.body.detail).toContain('500');
    expect(notText).toMatchObject({ status: 400, body: { field: 'note' } });
    expect(after.body).toMatchObject({ status: 'open', acknowledged_at: null, acknowledged_by: null });
  });

  it('acknowledges once, stamping who and when, and silences the escalation that follows', async () => {
    // Act
    const ackAt = clock.now();
    const first = await v.call(
      'POST',
      path('acknowledge'),
      { note: '  looking into the 503s  ' },
      as(admin.key),
    );
    clock.advance(60_000);
    const again = await v.call('POST', path('acknowledge'), { note: 'me too' });
    await fail(25);
    const run = await v.rt.anomalyJob();
    const after = await v.call('GET', `/api/agents/${AGENT}/incidents/${incidentId}`);
    // Assess
    expect(first.status).toBe(200);
    const view = incidentView.parse(first.body);
    expect(view).toMatchObject({
      status: 'open',
      acknowledged_at: new Date(ackAt).toISOString(),
      acknowledged_by: admin.id,
    });
    expect(view.timeline.at(-1)).toEqual({
      at: new Date(ackAt).toISOString(),
      type: 'acknowledged',
      severity: null,
      detail: 'looking into the 503s',
    });
    expect(again.status).toBe(200);
    expect(again.body.acknowledged_by).toBe(admin.id);
    expect(again.body.timeline).toEqual(first.body.timeline);
    expect(run.escalated).toBe(1);
    expect(after.body).toMatchObject({ severity: 'critical', peak_severity: 'critical' });
    expect(after.body.timeline.map((e: { type: string }) => e.type)).toContain('escalated');
    expect(notices().map((r) => JSON.parse(r.body).type)).toEqual(['incident.opened']);
    expect(openedNotices).toBe(1);
  });

  it('resolves now, tells the channel that heard of it at once (signed), and refuses a second resolve', async () => {
    // Act
    const at = clock.now();
    const res = await v.call('POST', path('resolve'), { note: 'upstream fixed' }, as(admin.key));
    const twice = await v.call('POST', path('resolve'), {});
    const ackAfter = await v.call('POST', path('acknowledge'), {});
    // Assess
    expect(res.status).toBe(200);
    const view = incidentView.parse(res.body);
    expect(view).toMatchObject({
      status: 'resolved',
      resolved_at: new Date(at).toISOString(),
      resolved_by: admin.id,
      window: { to: new Date(at).toISOString() },
    });
    expect(view.timeline.at(-1)).toMatchObject({ type: 'manually_resolved', detail: 'upstream fixed' });
    expect(view.deliveries.map((d) => [d.type, d.status])).toEqual([
      ['incident.opened', 'sent'],
      ['incident.resolved', 'sent'],
    ]);
    const hooks = notices();
    expect(hooks.map((r) => JSON.parse(r.body).type)).toEqual(['incident.opened', 'incident.resolved']);
    const last = hooks.at(-1)!;
    expect(
      verifyWebhookSignature({
        secret,
        signature: last.headers[WEBHOOK_HEADERS.signature] as string,
        timestamp: last.headers[WEBHOOK_HEADERS.timestamp] as string,
        body: last.body,
        nowSeconds: at / 1000,
      }),
    ).toBe(true);
    expect(twice.status).toBe(409);
    expect(twice.body.detail).toMatch(/already resolved/);
    expect(ackAfter.status).toBe(200);
  });

  it('starts the cooldown: a rule still breaching opens a new incident only once it has passed', async () => {
    // Prepare
    const resolvedAt = Date.parse(
      (await v.call('GET', `/api/agents/${AGENT}/incidents/${incidentId}`)).body.resolved_at,
    );
    // Act: failures keep coming, checked every 5 minutes
    const opened: number[] = [];
    for (let i = 0; i < 5; i++) {
      clock.advance(5 * 60_000);
      await fail(5);
      if ((await v.rt.anomalyJob()).opened > 0) opened.push(clock.now());
    }
    const list = await v.call('GET', `/api/agents/${AGENT}/incidents?status=all`);
    // Assess: the rule policy's cooldown is 15 minutes
    expect(opened).toEqual([resolvedAt + 15 * 60_000]);
    expect(list.body.incidents).toHaveLength(2);
  });
});
