import type {
  AgentsSummaryResponse,
  BreakdownResponse,
  CompareResponse,
  CostModelsResponse,
  CostSeriesResponse,
  Distribution,
  ErrorGroupsResponse,
  ErrorSeriesResponse,
  EventDetail,
  FilterView,
  LatencyResponse,
  OverviewResponse,
  PercentilesResponse,
  PricesResponse,
  QualityResponse,
  SessionDetailResponse,
  SessionListResponse,
  SessionSummary,
  TopSessionsResponse,
} from '../../contracts/query-api';

/** Small, typed answers of the query API for the dashboard's tests (shapes checked in fixtures.test.ts). */

export const WINDOW = { from: '2026-11-27T21:00:00.000Z', to: '2026-12-04T21:00:00.000Z' };
export const PREVIOUS = { from: '2026-11-20T21:00:00.000Z', to: '2026-11-27T21:00:00.000Z' };
export const FILTER: FilterView = { slice: 'all', level: 'session', production: true };
const DAY = 86_400_000;
const dayStart = (i: number) => new Date(Date.parse('2026-11-28T00:00:00.000Z') + i * DAY).toISOString();

export function distribution(p50: number, extra: Partial<Distribution> = {}): Distribution {
  return {
    count: 100,
    avg: p50 * 1.2,
    p50,
    p75: p50 * 1.4,
    p90: p50 * 2,
    p95: p50 * 2.5,
    p99: p50 * 6,
    max: p50 * 10,
    ...extra,
  };
}

export function agentsSummary(): AgentsSummaryResponse {
  return {
    window: { from: '2026-12-03T21:00:00.000Z', to: '2026-12-04T21:00:00.000Z' },
    production: true,
    agents: [
      {
        agent_id: 'support-bot',
        created_at: '2026-11-01T00:00:00.000Z',
        sessions: 62,
        cost_usd: 4.067413,
        errors: 6,
        error_rate: 0.0968,
        previous: { sessions: 48, cost_usd: 0.867144, error_rate: 0.0417 },
      },
      {
        agent_id: 'research-agent',
        created_at: '2026-11-01T00:00:00.000Z',
        sessions: 25,
        cost_usd: 9.179037,
        errors: 2,
        error_rate: 0.08,
        previous: { sessions: 20, cost_usd: 8.73144, error_rate: 0 },
      },
    ],
  };
}

const k = (value: number | null, previous: number | null) => ({
  value,
  previous,
  change: value === null || previous === null ? null : value - previous,
  change_pct: value === null || previous === null || previous === 0 ? null : (value - previous) / previous,
});

export function overview(
  overrides: Partial<OverviewResponse['kpis']> = {},
  filter: FilterView = FILTER,
): OverviewResponse {
  return {
    agent_id: 'support-bot',
    window: WINDOW,
    previous_window: PREVIOUS,
    filter,
    kpis: {
      sessions: k(322, 345),
      avg_duration_ms: k(9579.6, 8648.7),
      total_cost_usd: k(12.63543, 18.778721),
      avg_cost_usd: k(0.03924, 0.054431),
      total_tokens: k(8932443, 13412504),
      llm_calls: k(1169, 1332),
      error_count: k(24, 21),
      error_rate: k(0.0652, 0.0551),
      success_rate: k(0.8261, 0.8783),
      avg_eval: k(0.676, 0.7383),
      ...overrides,
    },
    unpriced_events: 0,
  };
}

export function costSeries(
  costs: number[] = [1.1, 2.2, 0.5, 3, 1.7, 2.1, 2],
  previous: number[] | null = null,
): CostSeriesResponse {
  return {
    agent_id: 'support-bot',
    window: WINDOW,
    previous_window: PREVIOUS,
    filter: FILTER,
    bucket: '1d',
    total_usd: costs.reduce((a, b) => a + b, 0),
    previous_total_usd: previous ? previous.reduce((a, b) => a + b, 0) : 0,
    points: costs.map((c, i) => ({
      start: dayStart(i),
      end: dayStart(i + 1),
      cost_usd: c,
      previous_cost_usd: previous?.[i] ?? 0,
      sessions: 40 + i,
      llm_calls: 150 + i,
      tokens: 600_000 + i,
    })),
    projection: {
      month_start: '2026-12-01T00:00:00.000Z',
      month_end: '2027-01-01T00:00:00.000Z',
      month_to_date_usd: 6.5,
      daily_run_rate_usd: 2,
      projected_month_usd: 6.5 + 2 * 27,
    },
  };
}

/** A month-to-date daily series (Dec 1–4) as the overview's projection reads it. */
export function monthSeries(): CostSeriesResponse {
  const s = costSeries([1, 2, 1.5, 2]);
  s.window = { from: '2026-12-01T00:00:00.000Z', to: '2026-12-05T00:00:00.000Z' };
  s.points = s.points.map((p, i) => ({
    ...p,
    start: new Date(Date.parse('2026-12-01T00:00:00.000Z') + i * DAY).toISOString(),
    end: new Date(Date.parse('2026-12-01T00:00:00.000Z') + (i + 1) * DAY).toISOString(),
  }));
  return s;
}

export function percentiles(sessionLevel = true): PercentilesResponse {
  return {
    agent_id: 'support-bot',
    window: WINDOW,
    filter: sessionLevel ? FILTER : { slice: 'model:gpt-4o', level: 'event', production: true },
    session_cost_usd: sessionLevel ? distribution(0.018496, { p90: 0.041997, p99: 0.57691 }) : null,
    session_duration_ms: sessionLevel ? distribution(8186.6) : null,
    event_latency_ms: distribution(1085.9),
    llm_call_cost_usd: distribution(0.00546),
    llm_call_tokens: distribution(3678),
  };
}

export function session(id: string, overrides: Partial<SessionSummary> = {}): SessionSummary {
  return {
    session_id: id,
    name: `chat #${id.slice(-3)}`,
    started_at: '2026-12-04T17:30:20.578Z',
    ended_at: '2026-12-04T17:30:26.377Z',
    status: 'finished',
    production: true,
    tags: ['tier:pro', 'feature:chat', 'version:1.5.0'],
    experiment_id: null,
    duration_ms: 5799,
    cost_usd: 0.0248,
    events: 3,
    llm_calls: 1,
    errors: 0,
    tokens: 5041,
    is_successful: true,
    session_eval: null,
    ...overrides,
  };
}

export function topSessions(): TopSessionsResponse {
  return {
    agent_id: 'support-bot',
    window: WINDOW,
    by: 'cost',
    p99: 0.57691,
    sessions: [
      { ...session('demo-001210', { name: 'refund #1210', cost_usd: 2.57339305 }), above_p99: true },
      { ...session('demo-001441', { cost_usd: 0.3 }), above_p99: false },
    ],
  };
}

export function costModels(alternative: string | null = null): CostModelsResponse {
  const rows = [
    { model: 'gpt-4o-mini', llm_calls: 495, cost: 0.552609, share: 0.0437, whatIf: 0.552609 },
    { model: 'gpt-4o', llm_calls: 566, cost: 11.17495, share: 0.8844, whatIf: 0.670497 },
    { model: 'claude-haiku-4-5', llm_calls: 108, cost: 0.907871, share: 0.0719, whatIf: 0.147108 },
  ];
  return {
    agent_id: 'support-bot',
    window: WINDOW,
    filter: FILTER,
    total_cost_usd: 12.63543,
    alternative: alternative
      ? { model: alternative, provider: 'openai', input_per_mtok: 0.15, output_per_mtok: 0.6 }
      : null,
    rows: rows.map((r) => ({
      model: r.model,
      llm_calls: r.llm_calls,
      input_tokens: r.llm_calls * 7000,
      output_tokens: r.llm_calls * 300,
      cached_input_tokens: 1000,
      reasoning_tokens: 0,
      cost_usd: r.cost,
      share: r.share,
      unpriced_events: 0,
      what_if_cost_usd: alternative ? r.whatIf : null,
      what_if_savings_usd: alternative ? r.cost - r.whatIf : null,
    })),
    what_if_total_usd: alternative ? 1.370214 : null,
  };
}

export function prices(): PricesResponse {
  return {
    at: '2026-12-04T20:00:00.000Z',
    models: [
      {
        provider: 'openai',
        model: 'gpt-4o',
        input_per_mtok: 2.5,
        output_per_mtok: 10,
        cached_input_per_mtok: 1.25,
        reasoning_per_mtok: null,
      },
      {
        provider: 'openai',
        model: 'gpt-4o-mini',
        input_per_mtok: 0.15,
        output_per_mtok: 0.6,
        cached_input_per_mtok: 0.075,
        reasoning_per_mtok: null,
      },
      {
        provider: 'anthropic',
        model: 'claude-haiku-4-5',
        input_per_mtok: 1,
        output_per_mtok: 5,
        cached_input_per_mtok: 0.1,
        reasoning_per_mtok: null,
      },
    ],
  };
}

export function breakdownByModel(): BreakdownResponse {
  return {
    agent_id: 'support-bot',
    window: WINDOW,
    by: 'model',
    level: 'event',
    production: true,
    total_cost_usd: 12.63543,
    rows: ['gpt-4o', 'gpt-4o-mini'].map((key, i) => ({
      key,
      sessions: null,
      events: 500 - i * 100,
      llm_calls: 500 - i * 100,
      errors: 3,
      error_rate: 0.006,
      cost_usd: 10 - i * 9,
      cost_share: i === 0 ? 0.9 : 0.1,
      input_tokens: 1000,
      output_tokens: 100,
      avg_latency_ms: 1500,
      p95_latency_ms: 4000,
      avg_session_cost_usd: null,
      success_rate: null,
    })),
  };
}

export function breakdownByExperiment(names: string[] = ['prompt-v2']): BreakdownResponse {
  return {
    ...breakdownByModel(),
    by: 'experiment',
    level: 'session',
    production: 'all',
    rows: breakdownByModel()
      .rows.slice(0, names.length)
      .map((r, i) => ({ ...r, key: names[i]! })),
  };
}

export function sessionList(
  ids: string[] = ['demo-000001', 'demo-000002'],
  cursor: string | null = null,
): SessionListResponse {
  return {
    agent_id: 'support-bot',
    window: WINDOW,
    sessions: ids.map((id, i) =>
      session(
        id,
        i === 1
          ? { tags: ['tier:free', 'feature:refund', 'version:1.4.2'], errors: 1, is_successful: false }
          : {},
      ),
    ),
    cursor,
  };
}

export function errorSeries(): ErrorSeriesResponse {
  const cats = [{ timeout: 2 }, {}, { rate_limit: 5, api: 1 }, { api: 1 }, {}, { tool: 3 }, {}];
  return {
    agent_id: 'support-bot',
    window: WINDOW,
    filter: FILTER,
    bucket: '1d',
    totals: {
      errors: 13,
      by_category: { timeout: 2, rate_limit: 5, api: 2, tool: 3, network: 1 },
      error_rate: 0.0451,
    },
    points: cats.map((by, i) => {
      const errors = Object.values(by).reduce((a: number, b) => a + (b as number), 0);
      return {
        start: dayStart(i),
        end: dayStart(i + 1),
        errors,
        by_category: by as Record<string, number>,
        errored_sessions: i === 4 ? null : errors,
        error_rate: i === 4 ? null : errors / 50,
      };
    }),
  };
}

export function errorGroups(cursor: string | null = null, prefix = 'fp'): ErrorGroupsResponse {
  return {
    agent_id: 'support-bot',
    window: WINDOW,
    groups: [
      {
        fingerprint: `${prefix}-rate`,
        category: 'rate_limit',
        type: 'RateLimitError',
        message: 'Rate limit reached for requests',
        stack: 'at OpenAI.request (client.ts:512)\nat step (agent.ts:40)',
        count: 5,
        estimated_count: 10,
        sessions: 4,
        first_seen: '2026-11-30T10:00:00.000Z',
        last_seen: '2026-12-01T12:00:00.000Z',
        sample_session_ids: ['demo-000007', 'demo-000008'],
        sample_event_id: 'demo-000007-llm-0',
      },
      {
        fingerprint: `${prefix}-tool`,
        category: 'tool',
        type: 'ConnectionError',
        message: 'orders-api: connection refused',
        stack: null,
        count: 3,
        estimated_count: 3,
        sessions: 3,
        first_seen: '2026-12-03T10:00:00.000Z',
        last_seen: '2026-12-03T12:00:00.000Z',
        sample_session_ids: ['demo-000009'],
        sample_event_id: 'demo-000009-tool-1',
      },
    ],
    cursor,
  };
}

export function latency(): LatencyResponse {
  const edges = [0, 100, 250, 500, 1000, 2000, 5000, 10000, 20000, 30000, 60000, 120000];
  const counts = [0, 0, 0, 0, 3, 76, 130, 107, 1, 1, 4, 0];
  return {
    agent_id: 'support-bot',
    window: WINDOW,
    filter: FILTER,
    bucket: '1d',
    session_duration_ms: distribution(8186.6, { p95: 16159.7, p99: 49528.8, count: 322 }),
    histogram: edges.map((min, i) => ({ min_ms: min, max_ms: edges[i + 1] ?? null, count: counts[i]! })),
    by_event_type: [
      { event_type: 'tool', latency_ms: distribution(242.3, { p95: 1587.9 }) },
      { event_type: 'llm', latency_ms: distribution(1556.5, { p95: 4492.8 }) },
      {
        event_type: 'generic',
        latency_ms: { count: 0, avg: null, p50: null, p75: null, p90: null, p95: null, p99: null, max: null },
      },
    ],
    by_model: [{ model: 'gpt-4o', latency_ms: distribution(2143.5) }],
    points: [0, 1, 2].map((i) => ({
      start: dayStart(i),
      end: dayStart(i + 1),
      session_p50_ms: i === 1 ? null : 8000 + i,
      session_p95_ms: i === 1 ? null : 15000 + i,
      session_p99_ms: i === 1 ? null : 40000 + i,
      event_p50_ms: 1000,
      event_p95_ms: 3500,
    })),
  };
}

const qf = (settled: number, rate: number | null, avgEval: number | null) => ({
  settled_sessions: settled,
  success_rate: rate,
  succeeded: Math.round(settled * (rate ?? 0)),
  failed: settled - Math.round(settled * (rate ?? 0)),
  avg_eval: avgEval,
  evals: Math.round(settled / 3),
});

export function quality(by: string | null = 'experiment'): QualityResponse {
  return {
    agent_id: 'support-bot',
    window: WINDOW,
    filter: FILTER,
    bucket: '1d',
    totals: qf(300, 0.85, 0.71),
    previous: qf(280, 0.88, 0.74),
    points: [0, 1, 2].map((i) => ({
      start: dayStart(i),
      end: dayStart(i + 1),
      ...(i === 1 ? qf(0, null, null) : qf(100, 0.8 + i / 100, 0.7)),
    })),
    by,
    rows: by ? [{ key: 'prompt-v2', ...qf(20, 0.93, 0.8) }] : [],
    rubrics: [
      {
        name: 'helpful',
        result_type: 'boolean',
        count: 46,
        pass_rate: 0.8913,
        avg: null,
        min: null,
        max: null,
        top_values: [],
        points: [{ start: dayStart(0), count: 12, pass_rate: 0.9167, avg: null }],
      },
      {
        name: 'accuracy',
        result_type: 'number',
        count: 46,
        pass_rate: null,
        avg: 3.85,
        min: 1,
        max: 5,
        top_values: [],
        points: [
          { start: dayStart(0), count: 12, pass_rate: null, avg: 3.75 },
          { start: dayStart(1), count: 0, pass_rate: null, avg: null },
        ],
      },
      {
        name: 'tone',
        result_type: 'string',
        count: 16,
        pass_rate: null,
        avg: null,
        min: null,
        max: null,
        top_values: [
          { value: 'curt', count: 8 },
          { value: 'friendly', count: 4 },
        ],
        points: [],
      },
    ],
    rubrics_truncated: false,
  };
}

export function compare(mode: CompareResponse['mode'] = 'previous'): CompareResponse {
  const figures = (scale: number) => ({
    sessions: Math.round(300 * scale),
    total_cost_usd: 12 * scale,
    avg_cost_usd: 0.04 * scale,
    p50_cost_usd: 0.018,
    p90_cost_usd: 0.04,
    p99_cost_usd: 0.5 * scale,
    avg_duration_ms: 9000 * scale,
    p50_duration_ms: 8000,
    p95_duration_ms: 16000,
    p99_duration_ms: 50000,
    p95_event_latency_ms: 3900,
    total_tokens: 9_000_000,
    llm_calls: 1100,
    error_count: 20,
    error_rate: 0.06 * scale,
    success_rate: scale > 1 ? 0.8 : 0.9,
    avg_eval: null,
  });
  const a = figures(1);
  const b = figures(1.25);
  const deltas: CompareResponse['deltas'] = {};
  for (const key of Object.keys(a) as Array<keyof typeof a>) {
    const va = a[key];
    const vb = b[key];
    deltas[key] =
      va === null || vb === null
        ? { change: null, change_pct: null }
        : { change: vb - va, change_pct: va === 0 ? null : (vb - va) / va };
  }
  return {
    agent_id: 'support-bot',
    mode,
    a: { label: 'previous period', window: PREVIOUS, filter: FILTER, figures: a },
    b: {
      label: 'current period',
      window: WINDOW,
      filter: { slice: 'tag:tier=pro', level: 'session', production: true },
      figures: b,
    },
    deltas,
  };
}

export function event(id: string, overrides: Partial<EventDetail> = {}): EventDetail {
  return {
    event_id: id,
    parent_event_id: null,
    depth: 0,
    child_count: 0,
    session_id: 'demo-000001',
    type: 'generic',
    raw_type: 'generic',
    name: id,
    started_at: '2026-12-04T17:30:20.000Z',
    duration_ms: null,
    model: null,
    provider: null,
    usage: null,
    cost: null,
    error: null,
    tags: [],
    metadata: null,
    payload: null,
    payload_ref: null,
    payload_pending: false,
    source: 'native',
    ...overrides,
  };
}

/** root → llm-0 → tool-0 (failed), root → llm-1; times 0 s, 0.5 s, 2 s, 3 s. */
export function sessionDetail(): SessionDetailResponse {
  const at = (ms: number) => new Date(Date.parse('2026-12-04T17:30:20.000Z') + ms).toISOString();
  const llmCost = (usd: number) => ({
    usd,
    source: 'server' as const,
    client_usd: null,
    server_usd: usd,
    price_id: 'openai/gpt-4o@2024',
    unpriced: false,
  });
  const events: EventDetail[] = [
    event('root', { name: 'chat-run', child_count: 2, started_at: at(0), duration_ms: 6000 }),
    event('llm-0', {
      parent_event_id: 'root',
      depth: 1,
      child_count: 1,
      type: 'llm',
      raw_type: 'llm',
      name: 'chat.step1',
      started_at: at(500),
      duration_ms: 1200,
      model: 'gpt-4o',
      provider: 'openai',
      usage: { input_tokens: 1000, output_tokens: 200, cached_input_tokens: 0, reasoning_tokens: 0 },
      cost: llmCost(0.01),
      payload: {
        messages: [
          { role: 'system', content: 'You are support-bot.' },
          { role: 'user', content: [{ type: 'text', text: 'Where is my order?' }] },
        ],
        response: 'Let me look that up.',
      },
    }),
    event('tool-0', {
      parent_event_id: 'llm-0',
      depth: 2,
      type: 'tool',
      raw_type: 'tool',
      name: 'lookup_order',
      started_at: at(2000),
      duration_ms: 400,
      payload: { arguments: { order: 'A-1' }, result: 'not found' },
      error: {
        category: 'tool',
        type: 'ConnectionError',
        message: 'orders-api: connection refused',
        stack: 'at lookup_order (tools/lookup_order.ts:41)',
        origin: 'user',
        recoverable: true,
        fingerprint: 'fp-tool',
      },
    }),
    event('llm-1', {
      parent_event_id: 'root',
      depth: 1,
      type: 'llm',
      raw_type: 'llm',
      name: 'chat.step2',
      started_at: at(3000),
      duration_ms: 2500,
      model: 'gpt-4o',
      provider: 'openai',
      usage: { input_tokens: 3000, output_tokens: 100, cached_input_tokens: 500, reasoning_tokens: 0 },
      cost: llmCost(0.02),
      payload: { messages: [{ role: 'user', content: 'Thanks' }], response: 'You are welcome.' },
    }),
  ];
  return {
    session: {
      ...session('demo-000001', {
        name: 'order-status #1',
        errors: 1,
        events: 4,
        llm_calls: 2,
        tokens: 4300,
        cost_usd: 0.03,
        duration_ms: 6000,
        ended_at: at(6000),
        started_at: at(0),
      }),
      agent_id: 'support-bot',
      task: 'Where is order A-1?',
      dataset_item_id: null,
      rubrics: [],
      sample_rate: 1,
      stub: false,
      is_successful_reason: null,
      session_eval_reason: null,
      evals: [{ name: 'helpful', result_type: 'boolean', result: true, description: null, at: at(7000) }],
      input_tokens: 4000,
      output_tokens: 300,
      cached_input_tokens: 500,
      reasoning_tokens: 0,
      unpriced_events: 0,
      source: 'native',
    },
    events,
    models: [{ model: 'gpt-4o', llm_calls: 2, input_tokens: 4000, output_tokens: 300, cost_usd: 0.03 }],
    llm_call_ids: ['llm-0', 'llm-1'],
    tool_call_ids: ['tool-0'],
    error_ids: ['tool-0'],
    truncated: false,
  };
}
