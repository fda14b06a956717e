// @vitest-environment jsdom
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { type IncidentDetailResponse, incidentDetailResponse } from '../../contracts/alerts';
import { json, type Route, recordingApi } from './fake-api';
import { openApp, params, resetAppAroundEachTest } from './render-app';

/**
 * The Incidents view against a fake API that records method, path, query and JSON body of every request
 * (other screens' calls fall through to test/frontend/fake-api.ts). Fixtures are checked against the
 * contract's response schema, so the screen is tested on answers the real API can give.
 */

const AGENT = 'support-bot';

function incident(id: string, over: Partial<IncidentDetailResponse> = {}): IncidentDetailResponse {
  const base: IncidentDetailResponse = {
    incident_id: id,
    agent_id: AGENT,
    source: 'anomaly',
    family: 'cost',
    rule_id: null,
    title: `Cost per session up ${id}`,
    status: 'open',
    severity: 'critical',
    peak_severity: 'critical',
    opened_at: '2026-11-28T10:20:00.000Z',
    first_breach_at: '2026-11-28T10:10:00.000Z',
    last_breach_at: '2026-11-28T12:00:00.000Z',
    normal_since: null,
    resolved_at: null,
    acknowledged_at: null,
    acknowledged_by: null,
    resolved_by: null,
    window: { from: '2026-11-28T10:00:00.000Z', to: '2026-11-29T02:00:00.000Z' },
    trigger: {
      metric: 'cost_per_session',
      slice: 'all',
      value: 0.412,
      expected: 0.101,
      lower: 0.06,
      upper: 0.15,
      z: 6.24,
      direction: 'up',
      severity: 'critical',
      volume: 31,
      window: { from: '2026-11-28T10:00:00.000Z', to: '2026-11-28T10:20:00.000Z' },
      at: '2026-11-28T10:20:00.000Z',
      reason: 'anomaly',
    },
    signals: [
      {
        metric: 'tokens_per_session',
        slice: 'tag:tier=pro',
        value: 18200,
        expected: 5100,
        lower: 3000,
        upper: 7900,
        z: 4.4,
        direction: 'up',
        severity: 'warning',
        volume: 12,
        window: { from: '2026-11-28T10:00:00.000Z', to: '2026-11-28T10:25:00.000Z' },
        at: '2026-11-28T10:25:00.000Z',
        reason: 'anomaly',
      },
    ],
    timeline: [
      { at: '2026-11-28T10:20:00.000Z', type: 'opened', severity: 'warning', detail: null },
      { at: '2026-11-28T10:45:00.000Z', type: 'escalated', severity: 'critical', detail: 'z 6.2' },
    ],
    deliveries: [
      {
        channel_id: 'ch-slack',
        type: 'incident.opened',
        status: 'sent',
        not_before: null,
        attempts: 1,
        last_attempt_at: '2026-11-28T10:20:01.000Z',
        error: null,
      },
      {
        channel_id: 'ch-hook',
        type: 'incident.opened',
        status: 'failed',
        not_before: null,
        attempts: 3,
        last_attempt_at: '2026-11-28T10:30:00.000Z',
        error: 'HTTP 502 from receiver',
      },
    ],
    links: {
      sessions: `/api/agents/${AGENT}/sessions?from=2026-11-28T10%3A00%3A00.000Z&to=2026-11-29T02%3A00%3A00.000Z&production=true`,
      top_sessions: `/api/agents/${AGENT}/sessions/top?by=cost`,
      metrics: `/api/agents/${AGENT}/overview?production=true`,
      baseline: `/api/agents/${AGENT}/baselines/series?metric=cost_per_session`,
    },
    top_sessions: [
      {
        session_id: 'demo-000777',
        started_at: '2026-11-28T10:31:00.000Z',
        status: 'finished',
        cost_usd: 2.31,
        duration_ms: 95_000,
        errors: 0,
        tokens: 48_000,
      },
    ],
    ...over,
  };
  return incidentDetailResponse.parse(base);
}

const listItem = (i: IncidentDetailResponse) => {
  const { top_sessions: _t, ...rest } = i;
  return rest;
};

const CHANNELS = {
  channels: [
    {
      channel_id: 'ch-slack',
      name: 'ops slack',
      type: 'slack',
      webhook_url: 'https://hooks.slack.com/…x9Qz',
      notify_anomalies: true,
      min_severity: 'warning',
      agents: '*',
      enabled: true,
      created_at: '2026-11-01T00:00:00.000Z',
      updated_at: '2026-11-01T00:00:00.000Z',
      last_delivery: null,
    },
  ],
};

const OPEN = [
  incident('inc-open-1'),
  incident('inc-open-2', {
    severity: 'warning',
    peak_severity: 'warning',
    family: 'errors',
    title: 'Error rate up',
  }),
];
const RESOLVED = incident('inc-old-1', {
  status: 'resolved',
  severity: 'warning',
  peak_severity: 'critical',
  resolved_at: '2026-11-20T13:00:00.000Z',
  opened_at: '2026-11-20T10:00:00.000Z',
  title: 'Latency p95 up',
  family: 'latency',
});
const RESOLVED_MORE = incident('inc-old-0', {
  status: 'resolved',
  resolved_at: '2026-11-10T08:00:00.000Z',
  opened_at: '2026-11-10T06:30:00.000Z',
  title: 'Sessions per hour down',
  family: 'volume',
});

function defaultRoutes(): Record<string, Route> {
  return {
    [`GET /api/agents/${AGENT}/incidents`]: ({ url }) => {
      const status = url.searchParams.get('status');
      if (status === 'open') return { incidents: OPEN.map(listItem), cursor: null };
      if (url.searchParams.get('cursor') === 'c1')
        return { incidents: [listItem(RESOLVED_MORE)], cursor: null };
      return { incidents: [listItem(RESOLVED)], cursor: 'c1' };
    },
    'GET /api/channels': () => CHANNELS,
  };
}

function fake(overrides: Record<string, Route> = {}) {
  const byId: Record<string, IncidentDetailResponse> = Object.fromEntries(
    [...OPEN, RESOLVED, RESOLVED_MORE].map((i) => [i.incident_id, i]),
  );
  const one = new RegExp(`^/api/agents/${AGENT}/incidents/([^/]+)$`);
  return recordingApi({ ...defaultRoutes(), ...overrides }, ({ method, url }) => {
    const m = method === 'GET' ? one.exec(url.pathname) : null;
    if (!m) return undefined;
    const found = byId[decodeURIComponent(m[1]!)];
    return () => found ?? json({ error: 'not-found', detail: 'incident not found' }, 404);
  });
}

function open(search: string, api = fake()) {
  // Manual acknowledge/resolve may go through the page's own fetch until the shared client has them.
  vi.stubGlobal('fetch', api.fetch);
  return openApp(search, api);
}

resetAppAroundEachTest();

describe('Incidents list', () => {
  it('lists open incidents first, then resolved ones of the window, with severity, times and duration', async () => {
    const api = open(`?agent=${AGENT}&view=incidents`);
    const openTable = await screen.findByRole('table', { name: 'Open incidents' });
    const resolvedTable = await screen.findByRole('table', { name: 'Resolved incidents' });
    // Open comes before resolved in the document.
    expect(openTable.compareDocumentPosition(resolvedTable) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    const rows = within(openTable).getAllByRole('row').slice(1);
    expect(rows.map((r) => r.getAttribute('data-incident'))).toEqual(['inc-open-1', 'inc-open-2']);
    expect(rows[0]!.querySelector('.severity-critical')!.textContent).toBe('critical');
    expect(rows[1]!.querySelector('.severity-warning')!.textContent).toBe('warning');
    expect(rows[0]!.textContent).toContain('cost · cost per session');
    expect(rows[0]!.textContent).toContain('Nov 28, 10:20');
    const old = within(resolvedTable).getAllByRole('row')[1]!;
    expect(old.textContent).toContain('Latency p95 up');
    expect(old.textContent).toContain('Nov 20, 13:00');
    expect(old.textContent).toContain('3h 0m');
    expect(old.textContent).toContain('peak critical');
    const open1 = api.calls('GET', '/incidents').find((r) => r.url.searchParams.get('status') === 'open')!;
    expect(Object.fromEntries(open1.url.searchParams)).toEqual({ status: 'open', limit: '25' });
    const res1 = api.calls('GET', '/incidents').find((r) => r.url.searchParams.get('status') === 'resolved')!;
    expect(Object.fromEntries(res1.url.searchParams)).toEqual({
      status: 'resolved',
      limit: '25',
      range: '7d',
    });
  });

  it('filters by status through the URL', async () => {
    const api = open(`?agent=${AGENT}&view=incidents`);
    await screen.findByRole('table', { name: 'Resolved incidents' });
    fireEvent.change(screen.getByLabelText('Incident status'), { target: { value: 'open' } });
    expect(params().get('status')).toBe('open');
    await waitFor(() => expect(screen.queryByRole('table', { name: 'Resolved incidents' })).toBeNull());
    expect(screen.getByRole('table', { name: 'Open incidents' })).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Incident status'), { target: { value: 'resolved' } });
    expect(params().get('status')).toBe('resolved');
    await screen.findByRole('table', { name: 'Resolved incidents' });
    expect(screen.queryByRole('table', { name: 'Open incidents' })).toBeNull();
    fireEvent.change(screen.getByLabelText('Incident status'), { target: { value: 'all' } });
    expect(params().get('status')).toBeNull();
    expect(
      api
        .calls('GET', '/incidents')
        .every((r) => ['open', 'resolved'].includes(r.url.searchParams.get('status')!)),
    ).toBe(true);
  });

  it('pages the resolved list with the cursor the API gave', async () => {
    const api = open(`?agent=${AGENT}&view=incidents&status=resolved&range=30d`);
    const table = await screen.findByRole('table', { name: 'Resolved incidents' });
    fireEvent.click(screen.getByRole('button', { name: 'Load more resolved incidents' }));
    await waitFor(() => expect(table.querySelector('[data-incident="inc-old-0"]')).toBeTruthy());
    const paged = api.calls('GET', '/incidents').at(-1)!;
    expect(Object.fromEntries(paged.url.searchParams)).toEqual({
      status: 'resolved',
      limit: '25',
      range: '30d',
      cursor: 'c1',
    });
    expect(screen.queryByRole('button', { name: 'Load more resolved incidents' })).toBeNull();
    expect(within(table).getAllByRole('row')).toHaveLength(3);
  });

  it('says when nothing is open', async () => {
    open(
      `?agent=${AGENT}&view=incidents&status=open`,
      fake({ [`GET /api/agents/${AGENT}/incidents`]: () => ({ incidents: [], cursor: null }) }),
    );
    await screen.findByText('No open incidents');
  });
});

describe('Incident detail', () => {
  it('opens from the list into a linkable URL and shows trigger, signals, timeline, deliveries and sessions', async () => {
    open(`?agent=${AGENT}&view=incidents&range=30d`);
    const table = await screen.findByRole('table', { name: 'Open incidents' });
    fireEvent.click(within(table).getByRole('link', { name: 'Cost per session up inc-open-1' }));
    expect(params().get('incident')).toBe('inc-open-1');
    expect(params().get('range')).toBe('30d');
    const detail = await waitFor(() => {
      const el = document.querySelector('[data-incident-detail="inc-open-1"]');
      if (!el) throw new Error('no detail yet');
      return el as HTMLElement;
    });
    const trigger = detail.querySelector('[data-signal="trigger"]')!;
    expect(trigger.querySelector('[data-fact="value"]')!.textContent).toBe('$0.412');
    expect(trigger.querySelector('[data-fact="expected"]')!.textContent).toBe('$0.101');
    expect(trigger.querySelector('[data-fact="band"]')!.textContent).toBe('$0.060 – $0.150');
    expect(trigger.querySelector('[data-fact="z"]')!.textContent).toBe('+6.2');
    expect(trigger.querySelector('[data-fact="window"]')!.textContent).toBe(
      'Nov 28, 10:00 – Nov 28, 10:20 UTC',
    );
    const signals = within(detail).getByRole('table', { name: 'Signals' });
    expect(signals.textContent).toContain('tokens per session');
    expect(signals.textContent).toContain('tag:tier=pro');
    expect(signals.textContent).toContain('18.2k');
    const timeline = within(detail).getByRole('list', { name: 'Timeline' });
    expect(timeline.textContent).toContain('Opened');
    expect(timeline.textContent).toContain('Escalated');
    const deliveries = within(detail).getByRole('table', { name: 'Deliveries' });
    await waitFor(() => expect(deliveries.textContent).toContain('ops slack (slack)'));
    const failed = deliveries.querySelector('[data-delivery="failed"]')!;
    expect(failed.textContent).toContain('ch-hook');
    expect(failed.textContent).toContain('3');
    expect(failed.textContent).toContain('HTTP 502 from receiver');
    // The affected window on other views: whole UTC days the window touches, the range dropped.
    const overview = new URLSearchParams(
      within(detail).getByRole('link', { name: 'Open on Overview' }).getAttribute('href')!,
    );
    expect(Object.fromEntries(overview)).toEqual({ agent: AGENT, from: '2026-11-28', to: '2026-11-29' });
    const sessions = new URLSearchParams(
      within(detail).getByRole('link', { name: 'Open on Sessions' }).getAttribute('href')!,
    );
    expect(sessions.get('view')).toBe('sessions');
    expect(sessions.get('from')).toBe('2026-11-28');
    expect(sessions.get('incident')).toBeNull();
    // A top session opens its deep dive.
    const top = within(detail).getByRole('table', { name: 'Top sessions' });
    expect(top.textContent).toContain('$2.31');
    fireEvent.click(within(top).getByRole('link', { name: 'demo-000777' }));
    expect(params().get('session')).toBe('demo-000777');
    expect(params().get('agent')).toBe(AGENT);
  });

  it('links an error incident to its failing sessions and keeps a tag slice', async () => {
    const errors = incident('inc-err', {
      family: 'errors',
      trigger: {
        ...OPEN[0]!.trigger,
        metric: 'error_rate',
        value: 0.31,
        expected: 0.04,
        lower: 0,
        upper: 0.09,
      },
      links: {
        ...OPEN[0]!.links,
        sessions: `/api/agents/${AGENT}/sessions?from=a&to=b&production=all&tag=tier%3Apro`,
      },
    });
    open(
      `?agent=${AGENT}&view=incidents&incident=inc-err`,
      fake({ [`GET /api/agents/${AGENT}/incidents/inc-err`]: () => errors }),
    );
    const link = await screen.findByRole('link', { name: 'Open on Sessions' });
    const sp = new URLSearchParams(link.getAttribute('href')!);
    expect(sp.get('has_error')).toBe('true');
    expect(sp.get('tag')).toBe('tier:pro');
    expect(sp.get('production')).toBe('all');
    expect(document.querySelector('[data-fact="value"]')!.textContent).toBe('31.0%');
  });

  it('shows a rule incident fired by its no-data policy without a value', async () => {
    const rule = incident('inc-rule', {
      source: 'rule',
      family: null,
      rule_id: 'rule-1',
      trigger: {
        ...OPEN[0]!.trigger,
        metric: 'sessions.count',
        value: null,
        expected: null,
        lower: null,
        upper: null,
        z: null,
        reason: 'no_data',
      },
    });
    open(
      `?agent=${AGENT}&view=incidents&incident=inc-rule`,
      fake({ [`GET /api/agents/${AGENT}/incidents/inc-rule`]: () => rule }),
    );
    await waitFor(() => expect(document.querySelector('[data-fact="value"]')?.textContent).toBe('no data'));
    expect(document.querySelector('[data-signal="trigger"]')!.textContent).toContain('no data (rule policy)');
  });

  it('says so when the incident does not exist', async () => {
    open(`?agent=${AGENT}&view=incidents&incident=nope`);
    const alert = await screen.findByText(/incident not found/);
    expect(alert.closest('[data-state="error"]')).toBeTruthy();
  });
});

describe('Acknowledge and resolve', () => {
  it('acknowledges with a note, then shows the updated incident', async () => {
    let acknowledged = false;
    const acked = () => ({
      ...OPEN[0]!,
      acknowledged_at: '2026-11-28T11:00:00.000Z',
      acknowledged_by: 'key ops',
      timeline: [
        ...OPEN[0]!.timeline,
        { at: '2026-11-28T11:00:00.000Z', type: 'acknowledged', severity: null, detail: 'looking' },
      ],
    });
    const api = open(
      `?agent=${AGENT}&view=incidents&incident=inc-open-1`,
      fake({
        [`GET /api/agents/${AGENT}/incidents/inc-open-1`]: () => (acknowledged ? acked() : OPEN[0]),
        [`POST /api/agents/${AGENT}/incidents/inc-open-1/acknowledge`]: () => {
          acknowledged = true;
          return acked();
        },
      }),
    );
    const actions = await screen.findByRole('group', { name: 'Incident actions' });
    fireEvent.change(within(actions).getByLabelText('Note'), { target: { value: ' looking ' } });
    fireEvent.click(within(actions).getByRole('button', { name: 'Acknowledge' }));
    await waitFor(() => expect(document.querySelector('[data-acknowledged="true"]')).toBeTruthy());
    const post = api.calls('POST', '/acknowledge');
    expect(post).toHaveLength(1);
    expect(post[0]!.body).toEqual({ note: 'looking' });
    expect(document.querySelector('[data-acknowledged="true"]')!.textContent).toContain('by key ops');
    expect(document.querySelector('[data-timeline="acknowledged"]')!.textContent).toContain('Acknowledged');
    // Acknowledged: only Resolve is left.
    expect(screen.queryByRole('button', { name: 'Acknowledge' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Resolve' })).toBeTruthy();
    // The lists were asked again.
    expect(
      api.calls('GET', '/incidents').filter((r) => r.url.searchParams.get('status') === 'open').length,
    ).toBeGreaterThan(1);
  });

  it('resolves without a note (empty body) and the incident leaves the open state', async () => {
    let resolved = false;
    const done = () => ({
      ...OPEN[0]!,
      status: 'resolved' as const,
      resolved_at: '2026-11-28T12:00:00.000Z',
      timeline: [
        ...OPEN[0]!.timeline,
        { at: '2026-11-28T12:00:00.000Z', type: 'manually_resolved', severity: null, detail: null },
      ],
    });
    const api = open(
      `?agent=${AGENT}&view=incidents&incident=inc-open-1`,
      fake({
        [`GET /api/agents/${AGENT}/incidents/inc-open-1`]: () => (resolved ? done() : OPEN[0]),
        [`POST /api/agents/${AGENT}/incidents/inc-open-1/resolve`]: () => {
          resolved = true;
          return done();
        },
      }),
    );
    fireEvent.click(await screen.findByRole('button', { name: 'Resolve' }));
    await waitFor(() => expect(document.querySelector('[data-timeline="manually_resolved"]')).toBeTruthy());
    expect(api.calls('POST', '/resolve')[0]!.body).toEqual({});
    expect(document.querySelector('[data-timeline="manually_resolved"]')!.textContent).toContain(
      'Resolved by hand',
    );
    expect(screen.queryByRole('group', { name: 'Incident actions' })).toBeNull();
  });

  it('explains a 404 from an API without the endpoints and keeps the incident as it was', async () => {
    // An API from before manual actions: no acknowledged_*/resolved_by fields at all.
    const { acknowledged_at: _a, acknowledged_by: _b, resolved_by: _r, ...older } = OPEN[0]!;
    open(
      `?agent=${AGENT}&view=incidents&incident=inc-open-1`,
      fake({
        [`GET /api/agents/${AGENT}/incidents/inc-open-1`]: () => older,
        [`POST /api/agents/${AGENT}/incidents/inc-open-1/acknowledge`]: () =>
          json(
            {
              error: 'not-found',
              detail: `no route for POST /api/agents/${AGENT}/incidents/inc-open-1/acknowledge`,
            },
            404,
          ),
      }),
    );
    fireEvent.click(await screen.findByRole('button', { name: 'Acknowledge' }));
    const alert = await within(screen.getByRole('group', { name: 'Incident actions' })).findByRole('alert');
    expect(alert.textContent).toMatch(/cannot acknowledge incidents by hand yet \(HTTP 404/);
    expect(screen.getByRole('button', { name: 'Acknowledge' })).toBeTruthy();
    expect(document.querySelector('[data-incident-detail="inc-open-1"]')).toBeTruthy();
  });

  it('tells a read-only key that resolving needs the admin scope', async () => {
    open(
      `?agent=${AGENT}&view=incidents&incident=inc-open-1`,
      fake({
        [`POST /api/agents/${AGENT}/incidents/inc-open-1/resolve`]: () =>
          json({ error: 'forbidden', detail: 'this key lacks the admin scope' }, 403),
      }),
    );
    fireEvent.click(await screen.findByRole('button', { name: 'Resolve' }));
    const alert = await within(screen.getByRole('group', { name: 'Incident actions' })).findByRole('alert');
    expect(alert.textContent).toContain(
      'cannot resolve incidents: changes need a key with the admin scope (403',
    );
  });

  it('offers no actions on a resolved incident', async () => {
    open(`?agent=${AGENT}&view=incidents&incident=inc-old-1`);
    await waitFor(() => expect(document.querySelector('[data-incident-detail="inc-old-1"]')).toBeTruthy());
    expect(screen.queryByRole('group', { name: 'Incident actions' })).toBeNull();
  });
});
