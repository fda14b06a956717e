import { describe, expect, it } from 'vitest';
import { contentText, readPayload } from '../../frontend/src/features/sessions/lib/payload';
import { clampStep, replayOrder, replayState } from '../../frontend/src/features/sessions/lib/replay';
import { outcomeOf, prepareSessionFacts } from '../../frontend/src/features/sessions/lib/session-header';
import {
  listParams,
  parseListState,
  prepareSessionRows,
} from '../../frontend/src/features/sessions/lib/session-list';
import { layoutWaterfall, visibleRows } from '../../frontend/src/features/sessions/lib/waterfall';
import { parseFilters } from '../../frontend/src/lib/filters';
import * as F from './fixtures';

describe('layoutWaterfall', () => {
  const w = layoutWaterfall(F.sessionDetail());

  it("keeps the depth-first order and positions bars on the session's time axis", () => {
    expect(w.rows.map((r) => r.eventId)).toEqual(['root', 'llm-0', 'tool-0', 'llm-1']);
    expect(w.spanMs).toBe(6000);
    const tool = w.rows[2]!;
    expect(tool.left).toBeCloseTo((2000 / 6000) * 100);
    expect(tool.width).toBeCloseTo((400 / 6000) * 100);
    expect(tool).toMatchObject({ depth: 2, failed: true, ancestors: ['root', 'llm-0'] });
    expect(w.rows[1]!.cost).toBe('$0.010');
  });

  it('gives events without a duration a visible mark', () => {
    const d = F.sessionDetail();
    d.events[3] = { ...d.events[3]!, duration_ms: null };
    expect(layoutWaterfall(d).rows[3]!.width).toBeGreaterThan(0);
  });

  it('hides the subtree of a collapsed event', () => {
    expect(visibleRows(w.rows, new Set(['llm-0'])).map((r) => r.eventId)).toEqual(['root', 'llm-0', 'llm-1']);
    expect(visibleRows(w.rows, new Set(['root'])).map((r) => r.eventId)).toEqual(['root']);
  });

  it('labels the axis from 0 to the span', () => {
    expect(w.ticks.map((t) => t.label)).toEqual(['0 ms', '1.50 s', '3.00 s', '4.50 s', '6.00 s']);
  });
});

describe('replay', () => {
  const d = F.sessionDetail();
  const order = replayOrder(d.events);

  it('orders events by start time, parents first on ties', () => {
    const events = [
      F.event('b', { started_at: '2026-12-04T00:00:01Z' }),
      F.event('a', { started_at: '2026-12-04T00:00:00Z' }),
      F.event('c', { started_at: '2026-12-04T00:00:01Z' }),
    ];
    expect(replayOrder(events)).toEqual([1, 0, 2]);
  });

  it('accumulates cost, tokens, calls and errors up to the step', () => {
    const s = replayState(d.events, order, 2);
    expect(s.current!.event_id).toBe('tool-0');
    expect(s.costUsd).toBeCloseTo(0.01);
    expect(s.inputTokens).toBe(1000);
    expect(s).toMatchObject({ llmCalls: 1, toolCalls: 1, errors: 1, elapsedMs: 2000, step: 2, total: 4 });
    expect([...s.seen]).toEqual(['root', 'llm-0', 'tool-0']);
    expect(s.lastLlm!.event_id).toBe('llm-0');
  });

  it('knows which events are still running at the step', () => {
    const s = replayState(d.events, order, 2);
    expect([...s.running].sort()).toEqual(['root', 'tool-0']);
  });

  it('reaches the session totals at the last step', () => {
    const s = replayState(d.events, order, 99);
    expect(s.step).toBe(3);
    expect(s.costUsd).toBeCloseTo(0.03);
    expect(s.llmCalls).toBe(2);
  });

  it('clamps steps into the session', () => {
    expect(clampStep(-1, 4)).toBe(0);
    expect(clampStep(Number.NaN, 4)).toBe(0);
    expect(clampStep(2.7, 4)).toBe(2);
    expect(clampStep(3, 0)).toBe(0);
    expect(replayState([], [], 0).current).toBeNull();
  });
});

describe('readPayload', () => {
  it('reads chat messages (string or parts) and the response', () => {
    const p = readPayload(F.sessionDetail().events[1]!);
    expect(p.messages).toEqual([
      { role: 'system', content: 'You are support-bot.' },
      { role: 'user', content: 'Where is my order?' },
    ]);
    expect(p.response).toBe('Let me look that up.');
    expect(p.other).toBeNull();
  });

  it('reads tool arguments and results', () => {
    const p = readPayload(F.sessionDetail().events[2]!);
    expect(JSON.parse(p.arguments!)).toEqual({ order: 'A-1' });
    expect(p.result).toBe('not found');
  });

  it('reads an OpenAI completion object as the response and keeps unknown fields as JSON', () => {
    const p = readPayload({
      payload: { response: { choices: [{ message: { content: 'hi' } }] }, temperature: 0.2 },
    });
    expect(p.response).toBe('hi');
    expect(JSON.parse(p.other!)).toEqual({ temperature: 0.2 });
  });

  it('shows a non-object payload as is', () => {
    expect(readPayload({ payload: 'raw text' }).other).toBe('raw text');
    expect(readPayload({ payload: null })).toMatchObject({ messages: [], other: null });
    expect(contentText([{ type: 'image_url' }, 'x'])).toBe('[image]\nx');
  });
});

describe('session header and list', () => {
  it('summarises the session', () => {
    const facts = Object.fromEntries(prepareSessionFacts(F.sessionDetail()).map((f) => [f.label, f]));
    expect(facts.Duration!.value).toBe('6.00 s');
    expect(facts.Tokens!.detail).toBe('4.00k in · 300 out · 500 cached');
    expect(facts.Cost!.value).toBe('$0.030');
    expect(outcomeOf(F.sessionDetail())).toBe('success');
  });

  it("reads list filters from the URL and adds them to the filter bar's", () => {
    const s = parseListState(
      new URLSearchParams('sort=cost&order=asc&has_error=true&fingerprint=fp-1&min_cost=0.5&status=bad'),
    );
    expect(s).toEqual({
      sort: 'cost',
      order: 'asc',
      hasError: 'true',
      status: null,
      fingerprint: 'fp-1',
      minCost: 0.5,
    });
    expect(listParams(parseFilters('?range=24h&tag=tier:pro'), s)).toEqual({
      range: '24h',
      tag: 'tier:pro',
      sort: 'cost',
      order: 'asc',
      has_error: 'true',
      fingerprint: 'fp-1',
      min_cost: 0.5,
    });
  });

  it("shows each session's outcome and figures", () => {
    const rows = prepareSessionRows(F.sessionList().sessions);
    expect(rows[1]).toMatchObject({ outcome: 'failure', errors: 1, cost: '$0.025' });
    expect(
      prepareSessionRows([F.session('r', { status: 'running', duration_ms: null, is_successful: null })])[0],
    ).toMatchObject({
      duration: 'running',
      outcome: 'unknown',
    });
  });
});
