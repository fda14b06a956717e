import { describe, expect, it } from 'vitest';
import { prepareAgentRows } from '../../frontend/src/features/agents/lib/prepare-agents';
import {
  prepareCostTrend,
  prepareKpiCards,
  prepareProjection,
} from '../../frontend/src/features/overview/lib/prepare-overview';
import { relativeChange, toneOf } from '../../frontend/src/lib/change';
import * as F from './fixtures';

describe('relativeChange and toneOf', () => {
  it('has no relative change from zero or unknown', () => {
    expect(relativeChange(5, 0)).toBeNull();
    expect(relativeChange(null, 3)).toBeNull();
    expect(relativeChange(15, 10)).toBeCloseTo(0.5);
  });

  it('colours a change by whether up is good, ignoring noise', () => {
    expect(toneOf(0.3, 'up-bad')).toBe('bad');
    expect(toneOf(0.3, 'up-good')).toBe('good');
    expect(toneOf(0.01, 'up-bad')).toBe('neutral');
    expect(toneOf(0.3, 'neutral')).toBe('neutral');
  });
});

describe('prepareAgentRows', () => {
  it('lists agents by cost with their 24 h changes', () => {
    const rows = prepareAgentRows(F.agentsSummary());
    expect(rows.map((r) => r.agentId)).toEqual(['research-agent', 'support-bot']);
    const support = rows[1]!;
    expect(support.cost).toBe('$4.07');
    expect(support.costChange).toBe('+369%');
    expect(support.costTone).toBe('bad');
    expect(support.errorRate).toBe('9.7%');
    expect(support.errorRateChange).toBe('+5.5 pp');
  });
});

describe('prepareKpiCards', () => {
  it('shows each figure with its change against the previous period', () => {
    const cards = prepareKpiCards(F.overview());
    const byId = Object.fromEntries(cards.map((c) => [c.id, c]));
    expect(cards.map((c) => c.id)).toEqual(['sessions', 'duration', 'cost', 'tokens', 'errors', 'success']);
    expect(byId.cost).toMatchObject({
      value: '$12.64',
      change: '−33% vs previous',
      tone: 'good',
      detail: '$0.039 per session',
    });
    expect(byId.duration).toMatchObject({ value: '9.58 s', tone: 'bad' });
    expect(byId.errors).toMatchObject({
      label: 'Error rate',
      value: '6.5%',
      change: '+1.0 pp vs previous',
      tone: 'bad',
      detail: '24 errors',
    });
    expect(byId.success).toMatchObject({ value: '82.6%', tone: 'bad' });
  });

  it('explains session figures missing under a model filter and falls back to the error count', () => {
    const none = { value: null, previous: null, change: null, change_pct: null };
    const o = F.overview(
      {
        sessions: none,
        avg_duration_ms: none,
        avg_cost_usd: none,
        error_rate: none,
        success_rate: none,
        avg_eval: none,
      },
      { slice: 'model:gpt-4o', level: 'event', production: true },
    );
    const cards = prepareKpiCards(o);
    const sessions = cards.find((c) => c.id === 'sessions')!;
    expect(sessions.value).toBe('—');
    expect(sessions.hint).toMatch(/model filter/);
    expect(cards.find((c) => c.id === 'errors')).toMatchObject({ label: 'Errors', value: '24' });
  });
});

describe('prepareCostTrend', () => {
  it('plots cost per bucket and leaves out a previous period that cost nothing', () => {
    const d = prepareCostTrend(F.costSeries());
    expect(d.series.map((s) => s.id)).toEqual(['cost']);
    expect(d.labels[0]).toBe('Nov 28');
    expect(d.series[0]!.values).toEqual([1.1, 2.2, 0.5, 3, 1.7, 2.1, 2]);
  });

  it('adds the previous period as a dashed line when there was spend', () => {
    const d = prepareCostTrend(F.costSeries([1, 2], [2, 2]));
    expect(d.series[1]).toMatchObject({ id: 'previous', dashed: true, values: [2, 2] });
  });
});

describe('prepareProjection', () => {
  it('accumulates this month and projects the run rate to the month end', () => {
    const p = prepareProjection(F.monthSeries());
    expect(p.monthLabel).toBe('December 2026');
    expect(p.projected).toBe('$60.50');
    expect(p.runRate).toBe('$2.00/day');
    const [actual, projection] = p.chart.series;
    expect(p.chart.labels).toHaveLength(31);
    expect(actual!.values.slice(0, 5)).toEqual([1, 3, 4.5, 6.5, null]);
    expect(projection!.values[2]).toBeNull();
    expect(projection!.values[3]).toBe(6.5);
    expect(projection!.values[30]).toBe(6.5 + 2 * 27);
  });
});
