import { describe, expect, it } from 'vitest';
import {
  parseCostBucket,
  prepareAlternatives,
  prepareCostBars,
  prepareCostPercentiles,
  prepareModels,
  prepareOutliers,
} from '../../frontend/src/features/cost/lib/prepare-cost';
import * as F from './fixtures';

describe('cost preparation', () => {
  it('accepts only the cost buckets and defaults to days', () => {
    expect(parseCostBucket('2w')).toBe('2w');
    expect(parseCostBucket('1h')).toBe('1d');
    expect(parseCostBucket(null)).toBe('1d');
  });

  it('turns the series into one bar per bucket with sessions and calls in the tooltip', () => {
    const d = prepareCostBars(F.costSeries());
    expect(d.values).toHaveLength(7);
    expect(d.values[3]).toEqual([3]);
    expect(d.titles![0]).toMatch(/40 sessions · 150 calls/);
  });

  it('gives median, p90 and p99 per session', () => {
    const v = prepareCostPercentiles(F.percentiles());
    expect(v.unit).toBe('session');
    expect(v.figures.map((f) => f.value).slice(0, 3)).toEqual(['$0.018', '$0.042', '$0.577']);
  });

  it('falls back to per-call figures when a model filter leaves no session figures', () => {
    const v = prepareCostPercentiles(F.percentiles(false));
    expect(v.unit).toBe('LLM call');
    expect(v.figures[0]!.label).toBe('Median per LLM call');
  });

  it('flags outliers above the p99 with how far above they are', () => {
    const rows = prepareOutliers(F.topSessions());
    expect(rows[0]).toMatchObject({
      name: 'refund #1210',
      cost: '$2.57',
      outlier: true,
      abovePct: '4.5× p99',
    });
    expect(rows[1]!.abovePct).toBeNull();
  });

  it('sorts models by spend with their share', () => {
    const v = prepareModels(F.costModels());
    expect(v.rows.map((r) => r.model)).toEqual(['gpt-4o', 'claude-haiku-4-5', 'gpt-4o-mini']);
    expect(v.rows[0]).toMatchObject({ share: '88.4%', shareWidth: 88.44, whatIf: null });
    expect(v.whatIf).toBeNull();
  });

  it('prices the same tokens at the cheaper model', () => {
    const v = prepareModels(F.costModels('gpt-4o-mini'));
    expect(v.whatIf).toEqual({ model: 'gpt-4o-mini', total: '$1.37', savings: '$11.27', change: '−89%' });
    expect(v.rows[0]).toMatchObject({ whatIf: '$0.670', savings: '$10.50' });
  });

  it('groups the price table by provider, cheapest output first', () => {
    const groups = prepareAlternatives(F.prices());
    expect(groups.map((g) => g.provider)).toEqual(['anthropic', 'openai']);
    expect(groups[1]!.models.map((m) => m.model)).toEqual(['gpt-4o-mini', 'gpt-4o']);
  });
});
