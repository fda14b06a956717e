import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import * as Q from '../../contracts/query-api';
import { defaultPriceBook } from '../../lambdas/domain/pricing/pricing';
import { FakeClock, type RunningVigil, startVigil } from '../helpers/local-runtime';

const NOW = Date.parse('2026-12-04T12:30:00Z');
const at = (iso: string) => `2026-12-${iso}Z`;
const price = (model: string, input: number, output: number) =>
  defaultPriceBook.price({
    model,
    provider: null,
    at: NOW,
    usage: { inputTokens: input, outputTokens: output, cachedInputTokens: 0, reasoningTokens: 0 },
  }).usd!;
const GPT4O = price('gpt-4o', 1_000_000, 100_000);
const MINI = price('gpt-4o-mini', 1_000_000, 0);
/** Sketch quantiles are within 1 % of a true value. */
const near = (actual: number, expected: number) =>
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(expected * 0.01 + 1e-9);

/**
 * Known traffic for one agent (window: range=24h ending 13:00 on Dec 4; previous: Dec 2 13:00 – Dec 3 13:00):
 *  s0 (previous period) tier:pro   gpt-4o $3.5, 90 s
 *  s1 tier:pro,version:1  gpt-4o $3.5, 60 s, success, eval 0.8, rubric helpful=true
 *  s2 tier:free           gpt-4o-mini, 30 s, one timeout error
 *  s3 tier:pro            gpt-4o $3.5 + child tool call, 120 s, rate-limit error, failure, eval 0.6, helpful=false
 */
async function seed(v: RunningVigil, agent: string) {
  const ev = (sid: string, id: string, start: string, extra: Record<string, unknown>) => ({
    event_id: id,
    session_id: sid,
    started_at: at(start),
    ...extra,
  });
  const llm = (model: string, input: number, output: number) => ({
    type: 'llm',
    duration_ms: 1000,
    model,
    provider: 'openai',
    usage: { input_tokens: input, output_tokens: output },
    payload: { messages: [{ role: 'user', content: 'hi' }], response: 'hello' },
  });
  const res = await v.call('POST', '/api/v1/batch', {
    agent_id: agent,
    sessions: [
      {
        session_id: 's0',
        production_monitoring: true,
        tags: ['tier:pro'],
        started_at: at('03T09:00:00'),
        ended_at: at('03T09:01:30'),
      },
      {
        session_id: 's1',
        production_monitoring: true,
        tags: ['tier:pro', 'version:1'],
        started_at: at('04T10:00:00'),
        ended_at: at('04T10:01:00'),
        is_successful: true,
        session_eval: 0.8,
      },
      {
        session_id: 's2',
        production_monitoring: true,
        tags: ['tier:free'],
        started_at: at('04T11:00:00'),
        ended_at: at('04T11:00:30'),
      },
      {
        session_id: 's3',
        production_monitoring: true,
        tags: ['tier=pro'],
        started_at: at('04T12:00:00'),
        ended_at: at('04T12:02:00'),
        is_successful: false,
        session_eval: 0.6,
      },
    ],
    events: [
      ev('s0', 'e0', '03T09:00:10', llm('gpt-4o', 1_000_000, 100_000)),
      ev('s1', 'e1', '04T10:00:10', llm('gpt-4o', 1_000_000, 100_000)),
      ev('s2', 'e2', '04T11:00:05', llm('gpt-4o-mini', 1_000_000, 0)),
      ev('s2', 'e2x', '04T11:00:10', {
        type: 'error',
        duration_ms: 200,
        error: {
          message: 'Request timed out after 30s',
          type: 'APITimeoutError',
          stack: 'at call (client.ts:10)',
        },
      }),
      ev('s3', 'e3', '04T12:00:10', llm('gpt-4o', 1_000_000, 100_000)),
      ev('s3', 'e3t', '04T12:00:20', {
        type: 'tool',
        name: 'search',
        duration_ms: 500,
        parent_event_id: 'e3',
      }),
      ev('s3', 'e3x', '04T12:00:30', {
        type: 'llm',
        model: 'gpt-4o',
        duration_ms: 100,
        error: { message: 'Rate limit reached, "retry"', type: 'RateLimitError', status_code: 429 },
        parent_event_id: 'e3',
      }),
    ],
  });
  expect(res.body.rejected).toBe(0);
  for (const [sid, result] of [
    ['s1', true],
    ['s3', false],
  ] as const) {
    const r = await v.call(
      'POST',
      '/api/sdk/evals',
      { session_id: sid, name: 'helpful', result },
      { 'x-agent-id': agent },
    );
    expect(r.status).toBe(201);
  }
}

describe('query API', () => {
  let v: RunningVigil;
  const agent = `agt_${randomUUID()}`;
  const base = `/api/agents/${agent}`;
  const get = (path: string) => v.call('GET', path);

  beforeAll(async () => {
    v = await startVigil({ clock: new FakeClock(NOW) });
    await seed(v, agent);
  });
  afterAll(async () => {
    await v.stop();
  });

  describe('overview', () => {
    it('gives each KPI with the previous period and the change', async () => {
      const r = await get(`${base}/overview?range=24h`);
      expect(r.status).toBe(200);
      expect(r.body.window).toEqual({ from: '2026-12-03T13:00:00.000Z', to: '2026-12-04T13:00:00.000Z' });
      const k = r.body.kpis;
      expect(k.sessions).toEqual({ value: 3, previous: 1, change: 2, change_pct: 2 });
      expect(k.total_cost_usd.value).toBeCloseTo(2 * GPT4O + MINI, 6);
      expect(k.total_cost_usd.previous).toBeCloseTo(GPT4O, 6);
      expect(k.avg_duration_ms.value).toBe(70_000);
      expect(k.avg_duration_ms.previous).toBe(90_000);
      expect(k.error_count.value).toBe(2);
      expect(k.error_rate.value).toBeCloseTo(2 / 3, 4);
      expect(k.error_rate.previous).toBe(0);
      expect(k.success_rate.value).toBe(0.5);
      expect(k.avg_eval.value).toBe(0.7);
      expect(k.total_tokens.value).toBe(3_200_000);
      expect(k.llm_calls.value).toBe(4);
    });

    it('answers a tag filter from the tag slice (either tag spelling)', async () => {
      const r = await get(`${base}/overview?range=24h&tag=tier:pro`);
      expect(r.body.filter).toEqual({ slice: 'tag:tier=pro', level: 'session', production: true });
      expect(r.body.kpis.sessions.value).toBe(2);
      expect(r.body.kpis.total_cost_usd.value).toBeCloseTo(2 * GPT4O, 6);
    });

    it('gives event figures only under an event-level filter', async () => {
      const r = await get(`${base}/overview?range=24h&model=gpt-4o`);
      expect(r.body.filter.level).toBe('event');
      expect(r.body.kpis.sessions.value).toBeNull();
      expect(r.body.kpis.total_cost_usd.value).toBeCloseTo(2 * GPT4O, 6);
      expect(r.body.kpis.error_count.value).toBe(1);
    });

    it('rejects two slice dimensions at once, naming the second field', async () => {
      const r = await get(`${base}/overview?range=24h&tag=tier:pro&model=gpt-4o`);
      expect(r.status).toBe(400);
      expect(r.body.field).toBe('model');
      expect(r.body.detail).toMatch(/cannot be combined with tag/);
    });

    it('answers an unknown agent with empty figures', async () => {
      const r = await get(`/api/agents/nobody-${randomUUID()}/overview`);
      expect(r.status).toBe(200);
      expect(r.body.kpis.sessions.value).toBe(0);
      expect(r.body.kpis.error_rate.value).toBeNull();
    });
  });

  describe('cost', () => {
    it('gives cost by bucket with the previous period beside it, and a month-end projection', async () => {
      const r = await get(`${base}/cost/series?range=24h&bucket=1h`);
      expect(r.status).toBe(200);
      expect(r.body.points).toHaveLength(24);
      const at10 = r.body.points.find((p: { start: string }) => p.start === '2026-12-04T10:00:00.000Z');
      expect(at10.cost_usd).toBeCloseTo(GPT4O, 6);
      expect(at10.sessions).toBe(1);
      const at9 = r.body.points.find((p: { start: string }) => p.start === '2026-12-04T09:00:00.000Z');
      expect(at9.previous_cost_usd).toBeCloseTo(GPT4O, 6);
      expect(r.body.previous_total_usd).toBeCloseTo(GPT4O, 6);
      const p = r.body.projection;
      expect(p.month_start).toBe('2026-12-01T00:00:00.000Z');
      expect(p.month_to_date_usd).toBeCloseTo(3 * GPT4O + MINI, 6);
      expect(p.daily_run_rate_usd).toBeCloseTo((3 * GPT4O + MINI) / 7, 6);
      const remainingDays = (Date.parse('2027-01-01T00:00:00Z') - NOW) / 86_400_000;
      expect(p.projected_month_usd).toBeCloseTo(
        3 * GPT4O + MINI + ((3 * GPT4O + MINI) / 7) * remainingDays,
        4,
      );
    });

    it('aligns daily buckets to UTC days', async () => {
      const r = await get(`${base}/cost/series?from=2026-12-01&to=2026-12-04&bucket=1d`);
      expect(r.body.points.map((p: { start: string }) => p.start.slice(0, 10))).toEqual([
        '2026-12-01',
        '2026-12-02',
        '2026-12-03',
        '2026-12-04',
      ]);
      expect(r.body.points[2].cost_usd).toBeCloseTo(GPT4O, 6);
    });

    it('gives cost by model with share of spend and a cheaper-model what-if', async () => {
      const r = await get(`${base}/cost/models?range=24h&alternative=gpt-4o-mini`);
      expect(r.status).toBe(200);
      const [top, second] = r.body.rows;
      expect(top.model).toBe('gpt-4o');
      expect(top.cost_usd).toBeCloseTo(2 * GPT4O, 6);
      expect(top.share).toBeCloseTo((2 * GPT4O) / (2 * GPT4O + MINI), 4);
      expect(top.llm_calls).toBe(3);
      expect(top.what_if_cost_usd).toBeCloseTo(price('gpt-4o-mini', 2_000_000, 200_000), 6);
      expect(top.what_if_savings_usd).toBeCloseTo(2 * GPT4O - price('gpt-4o-mini', 2_000_000, 200_000), 6);
      expect(second.model).toBe('gpt-4o-mini');
      expect(r.body.alternative.model).toBe('gpt-4o-mini');
    });

    it('rejects an unknown what-if model naming alternative', async () => {
      const r = await get(`${base}/cost/models?alternative=not-a-model-xyz`);
      expect(r.status).toBe(400);
      expect(r.body.field).toBe('alternative');
    });

    it('lists the most expensive sessions against the p99 line', async () => {
      const r = await get(`${base}/sessions/top?range=24h&by=cost&limit=2`);
      expect(r.body.sessions.map((s: { session_id: string }) => s.session_id)).toEqual(['s3', 's1']);
      near(r.body.p99, GPT4O);
      const longest = await get(`${base}/sessions/top?range=24h&by=duration&limit=1`);
      expect(longest.body.sessions[0]).toMatchObject({ session_id: 's3', duration_ms: 120_000 });
    });
  });

  describe('percentiles and latency', () => {
    it('gives per-session cost and duration percentiles within sketch accuracy', async () => {
      const r = await get(`${base}/percentiles?range=24h`);
      expect(r.body.session_cost_usd.count).toBe(3);
      near(r.body.session_cost_usd.p50, GPT4O);
      near(r.body.session_cost_usd.max, GPT4O);
      expect(r.body.session_cost_usd.avg).toBeCloseTo((2 * GPT4O + MINI) / 3, 6);
      near(r.body.session_duration_ms.p50, 60_000);
      // Lower interpolation over 3 sessions: p99 is the second value, max the third.
      near(r.body.session_duration_ms.p99, 60_000);
      near(r.body.session_duration_ms.max, 120_000);
      expect(r.body.event_latency_ms.count).toBe(6);
      expect(r.body.llm_call_cost_usd.count).toBe(3); // the failed call used no tokens: not priced
    });

    it('gives the duration histogram and latency by event type and model', async () => {
      const r = await get(`${base}/latency?range=24h`);
      expect(r.status).toBe(200);
      const bucket = (min: number) =>
        r.body.histogram.find((h: { min_ms: number }) => h.min_ms === min).count;
      expect(bucket(30_000)).toBe(1);
      expect(bucket(60_000)).toBe(2);
      const tool = r.body.by_event_type.find((t: { event_type: string }) => t.event_type === 'tool');
      near(tool.latency_ms.p50, 500);
      expect(r.body.by_model.map((m: { model: string }) => m.model)).toEqual(['gpt-4o', 'gpt-4o-mini']);
      const point = r.body.points.find((p: { start: string }) => p.start === '2026-12-04T12:00:00.000Z');
      near(point.session_p50_ms, 120_000);
    });
  });

  describe('breakdowns', () => {
    it('breaks down by tag key with session figures', async () => {
      const r = await get(`${base}/breakdown?range=24h&by=tag:tier`);
      expect(r.body.level).toBe('session');
      const rows = Object.fromEntries(r.body.rows.map((x: { key: string }) => [x.key, x]));
      expect(rows.pro).toMatchObject({ sessions: 2, errors: 1, success_rate: 0.5 });
      expect(rows.pro.error_rate).toBe(0.5);
      expect(rows.free).toMatchObject({ sessions: 1, errors: 1, error_rate: 1 });
    });

    it('breaks down by event type with event figures', async () => {
      const r = await get(`${base}/breakdown?range=24h&by=event_type`);
      const rows = Object.fromEntries(r.body.rows.map((x: { key: string }) => [x.key, x]));
      expect(rows.llm).toMatchObject({ sessions: null, events: 4, llm_calls: 4, errors: 1 });
      expect(rows.error.events).toBe(1);
      expect(rows.tool.events).toBe(1);
    });

    it('rejects an unknown dimension naming by', async () => {
      const r = await get(`${base}/breakdown?by=colour`);
      expect(r.status).toBe(400);
      expect(r.body.field).toBe('by');
    });
  });

  describe('errors', () => {
    it('gives errors by category over time', async () => {
      const r = await get(`${base}/errors/series?range=24h&bucket=1d`);
      expect(r.body.totals.errors).toBe(2);
      expect(r.body.totals.by_category).toEqual({ timeout: 1, rate_limit: 1 });
      expect(r.body.totals.error_rate).toBeCloseTo(2 / 3, 4);
      expect(r.body.points).toHaveLength(2);
      expect(r.body.points[1].by_category).toEqual({ timeout: 1, rate_limit: 1 });
    });

    it('groups errors by fingerprint with sample, first/last seen and affected sessions', async () => {
      const r = await get(`${base}/errors/groups?range=24h`);
      expect(r.body.groups).toHaveLength(2);
      const timeout = r.body.groups.find((g: { category: string }) => g.category === 'timeout');
      expect(timeout).toMatchObject({
        count: 1,
        estimated_count: 1,
        sessions: 1,
        type: 'APITimeoutError',
        message: 'Request timed out after 30s',
        stack: 'at call (client.ts:10)',
        first_seen: '2026-12-04T11:00:10.000Z',
        last_seen: '2026-12-04T11:00:10.000Z',
        sample_session_ids: ['s2'],
        sample_event_id: 'e2x',
      });
      const affected = await get(`${base}/sessions?range=24h&fingerprint=${timeout.fingerprint}`);
      expect(affected.body.sessions.map((s: { session_id: string }) => s.session_id)).toEqual(['s2']);
    });

    it('pages error groups with a cursor', async () => {
      const first = await get(`${base}/errors/groups?range=24h&limit=1`);
      expect(first.body.groups).toHaveLength(1);
      expect(first.body.cursor).toEqual(expect.any(String));
      const second = await get(`${base}/errors/groups?range=24h&limit=1&cursor=${first.body.cursor}`);
      expect(second.body.groups).toHaveLength(1);
      expect(second.body.cursor).toBeNull();
      expect(second.body.groups[0].fingerprint).not.toBe(first.body.groups[0].fingerprint);
    });

    it('filters error groups by session tag', async () => {
      const r = await get(`${base}/errors/groups?range=24h&tag=tier:free`);
      expect(r.body.groups.map((g: { category: string }) => g.category)).toEqual(['timeout']);
    });
  });

  describe('quality', () => {
    it('gives success rate, evals and per-rubric results', async () => {
      const r = await get(`${base}/quality?range=24h&bucket=1d&by=tag:tier`);
      expect(r.status).toBe(200);
      expect(r.body.totals).toMatchObject({
        settled_sessions: 3,
        success_rate: 0.5,
        succeeded: 1,
        failed: 1,
        avg_eval: 0.7,
        evals: 2,
      });
      expect(r.body.previous.settled_sessions).toBe(1);
      const pro = r.body.rows.find((x: { key: string }) => x.key === 'pro');
      expect(pro).toMatchObject({ settled_sessions: 2, success_rate: 0.5, avg_eval: 0.7 });
      expect(r.body.rubrics).toEqual([
        expect.objectContaining({ name: 'helpful', result_type: 'boolean', count: 2, pass_rate: 0.5 }),
      ]);
    });

    it('rejects an event-level filter naming it', async () => {
      const r = await get(`${base}/quality?model=gpt-4o`);
      expect(r.status).toBe(400);
      expect(r.body.field).toBe('model');
    });
  });

  describe('compare', () => {
    it('compares with the previous period', async () => {
      const r = await get(`${base}/compare?range=24h`);
      expect(r.body.a.figures.sessions).toBe(1);
      expect(r.body.b.figures.sessions).toBe(3);
      expect(r.body.deltas.sessions).toEqual({ change: 2, change_pct: 2 });
      expect(r.body.deltas.total_cost_usd.change).toBeCloseTo(GPT4O + MINI, 6);
    });

    it('compares two values of a tag side by side', async () => {
      const r = await get(`${base}/compare?range=24h&mode=tag&tag_key=tier&a=pro&b=free`);
      expect(r.body.a).toMatchObject({ label: 'tier:pro', filter: { slice: 'tag:tier=pro' } });
      expect(r.body.a.figures.sessions).toBe(2);
      expect(r.body.b.figures.sessions).toBe(1);
      expect(r.body.deltas.sessions).toEqual({ change: -1, change_pct: -0.5 });
      expect(r.body.deltas.error_rate.change).toBe(0.5);
    });

    it('compares before and after a moment', async () => {
      const r = await get(`${base}/compare?range=24h&mode=before_after&at=2026-12-04T11:00:00Z`);
      expect(r.body.a.window.to).toBe('2026-12-04T11:00:00.000Z');
      expect(r.body.a.figures.sessions).toBe(1);
      expect(r.body.b.figures.sessions).toBe(2);
    });

    it('compares two explicit windows', async () => {
      const r = await get(
        `${base}/compare?mode=windows&from=2026-12-04&to=2026-12-04&baseline_from=2026-12-03&baseline_to=2026-12-03`,
      );
      expect(r.body.a.figures.sessions).toBe(1);
      expect(r.body.b.figures.sessions).toBe(3);
    });

    it('names the missing parameter of a mode', async () => {
      const r = await get(`${base}/compare?mode=tag&tag_key=tier&a=pro`);
      expect(r.status).toBe(400);
      expect(r.body.field).toBe('b');
    });
  });

  describe('session list', () => {
    it('filters by any combination and sorts', async () => {
      const r = await get(`${base}/sessions?range=24h&tag=tier:pro&model=gpt-4o&sort=duration&order=asc`);
      expect(r.body.sessions.map((s: { session_id: string }) => s.session_id)).toEqual(['s1', 's3']);
      const mini = await get(`${base}/sessions?range=24h&model=gpt-4o-mini`);
      expect(mini.body.sessions.map((s: { session_id: string }) => s.session_id)).toEqual(['s2']);
      const errored = await get(`${base}/sessions?range=24h&has_error=true&sort=started_at&order=asc`);
      expect(errored.body.sessions.map((s: { session_id: string }) => s.session_id)).toEqual(['s2', 's3']);
      const two = await get(`${base}/sessions?range=24h&tag=tier:pro,version:1`);
      expect(two.body.sessions.map((s: { session_id: string }) => s.session_id)).toEqual(['s1']);
    });

    it('pages with a cursor through every session exactly once', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const r: { body: { sessions: Array<{ session_id: string }>; cursor: string | null } } = await get(
          `${base}/sessions?from=2026-12-01&sort=cost&limit=1${cursor ? `&cursor=${cursor}` : ''}`,
        );
        seen.push(...r.body.sessions.map((s) => s.session_id));
        cursor = r.body.cursor;
      } while (cursor);
      expect(seen).toEqual(['s3', 's1', 's0', 's2']);
    });

    it('rejects a bad sort, a bad cursor and an unknown parameter naming each', async () => {
      for (const [query, field] of [
        ['sort=price', 'sort'],
        ['cursor=%%%', 'cursor'],
        ['colour=red', 'colour'],
        ['range=yesterday', 'range'],
        ['bucket=5d', 'bucket'],
        ['limit=0', 'limit'],
        ['from=2026-12-04&to=2026-12-01', 'from'],
        ['range=24h&from=2026-12-01', 'range'],
        ['event_type=thought', 'event_type'],
      ]) {
        const path = field === 'bucket' ? `${base}/cost/series?${query}` : `${base}/sessions?${query}`;
        const r = await get(path);
        expect(r.status, query).toBe(400);
        expect(r.body.field, query).toBe(field);
      }
    });
  });

  describe('session deep dive and export', () => {
    it('gives one session in full with nested events', async () => {
      const r = await get(`${base}/sessions/s3`);
      expect(r.status).toBe(200);
      expect(r.body.session).toMatchObject({
        session_id: 's3',
        duration_ms: 120_000,
        errors: 1,
        is_successful: false,
      });
      expect(r.body.session.evals).toEqual([expect.objectContaining({ name: 'helpful', result: false })]);
      expect(r.body.events.map((e: { event_id: string; depth: number }) => [e.event_id, e.depth])).toEqual([
        ['e3', 0],
        ['e3t', 1],
        ['e3x', 1],
      ]);
      expect(r.body.events[0].child_count).toBe(2);
      expect(r.body.events[0].payload).toEqual({
        messages: [{ role: 'user', content: 'hi' }],
        response: 'hello',
      });
      expect(r.body.llm_call_ids).toEqual(['e3', 'e3x']);
      expect(r.body.tool_call_ids).toEqual(['e3t']);
      expect(r.body.error_ids).toEqual(['e3x']);
      expect(r.body.models).toEqual([
        { model: 'gpt-4o', llm_calls: 2, input_tokens: 1_000_000, output_tokens: 100_000, cost_usd: GPT4O },
      ]);
    });

    it('answers 404 for an unknown session', async () => {
      expect((await get(`${base}/sessions/nope`)).status).toBe(404);
    });

    it('exports one session as CSV, one row per event', async () => {
      const res = await fetch(`${v.url}${base}/sessions/s3/export?format=csv`, {
        headers: { authorization: `Api-Key ${v.key}` },
      });
      expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
      const lines = (await res.text()).trimEnd().split('\r\n');
      expect(lines[0]).toBe(
        'event_id,parent_event_id,depth,type,name,started_at,duration_ms,model,provider,input_tokens,output_tokens,cached_input_tokens,reasoning_tokens,cost_usd,error_category,error_type,error_message',
      );
      expect(lines).toHaveLength(4);
      expect(lines[1]).toBe(
        `e3,,0,llm,,2026-12-04T12:00:10.000Z,1000,gpt-4o,openai,1000000,100000,0,0,${GPT4O},,,`,
      );
      expect(lines[3]).toBe(
        'e3x,e3,1,llm,,2026-12-04T12:00:30.000Z,100,gpt-4o,,,,,,,rate_limit,RateLimitError,"Rate limit reached, ""retry"""',
      );
    });

    it('exports a filtered session list as JSON and CSV', async () => {
      const json = await get(`${base}/sessions/export?range=24h&tag=tier:pro&sort=started_at&order=asc`);
      expect(json.body.sessions.map((s: { session_id: string }) => s.session_id)).toEqual(['s1', 's3']);
      expect(json.body.truncated).toBe(false);
      const res = await fetch(
        `${v.url}${base}/sessions/export?range=24h&tag=tier:pro&sort=started_at&order=asc&format=csv`,
        {
          headers: { authorization: `Api-Key ${v.key}` },
        },
      );
      const lines = (await res.text()).trimEnd().split('\r\n');
      expect(lines).toHaveLength(3);
      expect(lines[1]).toMatch(
        /^s1,,2026-12-04T10:00:00.000Z,2026-12-04T10:01:00.000Z,finished,true,tier:pro;version:1,,60000,/,
      );
    });
  });

  describe('agents and prices', () => {
    it('summarises agents over the last 24 hours', async () => {
      const r = await get('/api/agents/summary');
      const row = r.body.agents.find((a: { agent_id: string }) => a.agent_id === agent);
      expect(row).toMatchObject({ sessions: 3, errors: 2, previous: { sessions: 1, error_rate: 0 } });
      expect(row.cost_usd).toBeCloseTo(2 * GPT4O + MINI, 6);
      expect(row.error_rate).toBeCloseTo(2 / 3, 4);
    });

    it('lists the price table for the what-if picker', async () => {
      const r = await get('/api/prices');
      expect(r.body.models.find((m: { model: string }) => m.model === 'gpt-4o')).toMatchObject({
        input_per_mtok: 2.5,
      });
    });
  });

  describe('contract', () => {
    it('answers every endpoint in the shape contracts/query-api.ts declares', async () => {
      const cases: Array<[string, z.ZodType]> = [
        [`${base}/overview?range=24h`, Q.overviewResponse],
        [`${base}/overview?range=24h&model=gpt-4o`, Q.overviewResponse],
        [`${base}/cost/series?range=7d&bucket=1d`, Q.costSeriesResponse],
        [`${base}/cost/models?range=24h&alternative=gpt-4o-mini`, Q.costModelsResponse],
        [`${base}/percentiles?range=24h`, Q.percentilesResponse],
        [`${base}/percentiles?range=24h&error_type=timeout`, Q.percentilesResponse],
        [`${base}/breakdown?range=24h&by=model`, Q.breakdownResponse],
        [`${base}/latency?range=24h`, Q.latencyResponse],
        [`${base}/errors/series?range=24h`, Q.errorSeriesResponse],
        [`${base}/errors/groups?range=24h`, Q.errorGroupsResponse],
        [`${base}/quality?range=24h&by=experiment`, Q.qualityResponse],
        [`${base}/compare?range=24h&mode=experiment&experiment=none`, Q.compareResponse],
        [`${base}/sessions?range=24h`, Q.sessionListResponse],
        [`${base}/sessions/top?range=24h`, Q.topSessionsResponse],
        [`${base}/sessions/s3`, Q.sessionDetailResponse],
        [`${base}/sessions/export?range=24h`, Q.sessionListExportResponse],
        ['/api/agents/summary', Q.agentsSummaryResponse],
        ['/api/prices', Q.pricesResponse],
      ];
      for (const [path, schema] of cases) {
        const r = await get(path);
        expect(r.status, path).toBe(200);
        const parsed = schema.safeParse(r.body);
        expect(parsed.success ? null : parsed.error.issues[0], path).toBeNull();
      }
    });
  });

  describe('freshness', () => {
    it('reflects new traffic in a whole-day window read before it arrived', async () => {
      const other = `agt_${randomUUID()}`;
      const path = `/api/agents/${other}/overview?from=2026-12-01&to=2026-12-03`;
      expect((await get(path)).body.kpis.sessions.value).toBe(0);
      await v.call('POST', '/api/v1/batch', {
        agent_id: other,
        sessions: [
          { session_id: 'late', production_monitoring: true, started_at: at('02T08:00:00'), finished: true },
        ],
      });
      expect((await get(path)).body.kpis.sessions.value).toBe(1);
    });
  });

  describe('auth', () => {
    it('refuses a key scoped to another agent and a key without read scope', async () => {
      const other = await v.call('POST', '/api/admin/keys', {
        name: 'other',
        scopes: ['read'],
        agents: ['someone-else'],
      });
      const ingestOnly = await v.call('POST', '/api/admin/keys', {
        name: 'ing',
        scopes: ['ingest'],
        agents: '*',
      });
      for (const key of [other.body.key, ingestOnly.body.key]) {
        for (const path of [
          `${base}/overview`,
          `${base}/sessions`,
          `${base}/sessions/s1`,
          `${base}/errors/groups`,
        ]) {
          const r = await v.call('GET', path, undefined, { authorization: `Api-Key ${key}` });
          expect(r.status, path).toBe(403);
        }
      }
      const summary = await v.call('GET', '/api/agents/summary', undefined, {
        authorization: `Api-Key ${other.body.key}`,
      });
      expect(summary.body.agents).toEqual([]);
      expect(
        (await v.call('GET', `${base}/overview`, undefined, { authorization: 'Api-Key nope-nope-nope' }))
          .status,
      ).toBe(401);
    });

    it('lets a key read its own agent', async () => {
      const mine = await v.call('POST', '/api/admin/keys', {
        name: 'mine',
        scopes: ['read'],
        agents: [agent],
      });
      const r = await v.call('GET', `${base}/overview?range=24h`, undefined, {
        authorization: `Api-Key ${mine.body.key}`,
      });
      expect(r.status).toBe(200);
      expect(r.body.kpis.sessions.value).toBe(3);
    });
  });
});
