import { describe, expect, it } from 'vitest';
import type { DomainError } from '../../lambdas/domain/errors';
import type { StoredEvent } from '../../lambdas/domain/ports';
import { histogram } from '../../lambdas/domain/query/aggregates';
import { distribution, kpi } from '../../lambdas/domain/query/figures';
import { sliceFor, toFilter } from '../../lambdas/domain/query/filters';
import { rubricViews } from '../../lambdas/domain/query/quality';
import { nestEvents } from '../../lambdas/domain/query/views';
import { Sketch } from '../../lambdas/domain/sketch';

const ev = (eventId: string, parentEventId: string | null) => ({ eventId, parentEventId }) as StoredEvent;

describe('nestEvents', () => {
  it('lists children depth-first after their parent, in time order', () => {
    const out = nestEvents([ev('a', null), ev('b', 'a'), ev('c', null), ev('d', 'b'), ev('e', 'a')]);
    expect(out.map((n) => [n.event.eventId, n.depth, n.children])).toEqual([
      ['a', 0, 2],
      ['b', 1, 1],
      ['d', 2, 0],
      ['e', 1, 0],
      ['c', 0, 0],
    ]);
  });

  it('treats unknown parents as roots and survives parent cycles', () => {
    const out = nestEvents([ev('x', 'missing'), ev('p', 'q'), ev('q', 'p')]);
    expect(out.map((n) => n.event.eventId).sort()).toEqual(['p', 'q', 'x']);
    expect(out.find((n) => n.event.eventId === 'x')!.depth).toBe(0);
  });
});

describe('sliceFor', () => {
  it('maps one filter to its slice and level', () => {
    expect(sliceFor(toFilter({}))).toEqual({ slice: 'all', level: 'session', production: true });
    expect(sliceFor(toFilter({ tag: 'tier=pro', production: 'all' }))).toEqual({
      slice: 'tag:tier=pro',
      level: 'session',
      production: null,
    });
    expect(sliceFor(toFilter({ error_type: 'timeout', production: 'false' }))).toEqual({
      slice: 'err:timeout',
      level: 'event',
      production: false,
    });
    expect(sliceFor(toFilter({ tag: 'beta' as string }))).toMatchObject({ slice: 'tag:tag=beta' });
  });

  it('rejects two dimensions, naming the second', () => {
    try {
      sliceFor(toFilter({ experiment: 'x', event_type: 'llm' }));
      expect.unreachable();
    } catch (e) {
      expect((e as DomainError).field).toBe('event_type');
    }
  });
});

describe('figures', () => {
  it('gives percentiles as the sketch does, and the exact average when known', () => {
    const sk = new Sketch();
    for (let i = 1; i <= 100; i++) sk.add(i * 10);
    const d = distribution(sk.bins, 505);
    expect(d.count).toBe(100);
    expect(d.avg).toBe(505);
    expect(d.p50).toBe(Math.round(sk.quantile(0.5)! * 1e6) / 1e6);
    expect(d.p99).toBe(Math.round(sk.quantile(0.99)! * 1e6) / 1e6);
    expect(Math.abs(d.max! - 1000)).toBeLessThanOrEqual(10);
    expect(Math.abs(distribution(sk.bins).avg! - 505)).toBeLessThanOrEqual(5.05);
  });

  it('computes change and relative change, null against nothing', () => {
    expect(kpi(150, 100)).toEqual({ value: 150, previous: 100, change: 50, change_pct: 0.5 });
    expect(kpi(5, 0)).toEqual({ value: 5, previous: 0, change: 5, change_pct: null });
    expect(kpi(null, 3)).toEqual({ value: null, previous: 3, change: null, change_pct: null });
  });

  it('counts sketch bins into histogram buckets by their value', () => {
    const sk = new Sketch().add(50).add(700, 2).add(45_000).add(7_200_000);
    const h = histogram(sk.bins);
    const count = (min: number) => h.find((b) => b.min_ms === min)!.count;
    expect([count(0), count(500), count(30_000), count(3_600_000)]).toEqual([1, 2, 1, 1]);
    expect(h[h.length - 1]!.max_ms).toBeNull();
    expect(h.reduce((s, b) => s + b.count, 0)).toBe(5);
  });
});

describe('rubricViews', () => {
  it('summarises boolean, number and string rubrics overall and per bucket', () => {
    const day = 86_400_000;
    const buckets = [
      { from: 0, to: day },
      { from: day, to: 2 * day },
    ];
    const r = (startedAt: number, name: string, result: boolean | number | string) => ({
      startedAt,
      result: {
        name,
        result,
        resultType: typeof result as 'boolean' | 'number' | 'string',
        description: null,
        at: startedAt,
      },
    });
    const views = rubricViews(
      [
        r(10, 'ok', true),
        r(day + 1, 'ok', false),
        r(day + 2, 'ok', true),
        r(5, 'score', 2),
        r(6, 'score', 4),
        r(7, 'tone', 'calm'),
        r(8, 'tone', 'calm'),
        r(9, 'tone', 'curt'),
      ],
      buckets,
    );
    const byName = Object.fromEntries(views.map((v) => [v.name, v]));
    expect(byName.ok).toMatchObject({ count: 3, pass_rate: 0.6667 });
    expect(byName.ok!.points.map((p) => p.pass_rate)).toEqual([1, 0.5]);
    expect(byName.score).toMatchObject({ avg: 3, min: 2, max: 4, pass_rate: null });
    expect(byName.tone!.top_values).toEqual([
      { value: 'calm', count: 2 },
      { value: 'curt', count: 1 },
    ]);
  });
});
