import { describe, expect, it } from 'vitest';
import {
  compareRequest,
  parseCompareState,
  prepareCompareRows,
  sharedHistogramMax,
  sharedMax,
  sideBucket,
  sideParams,
} from '../../frontend/src/features/compare/lib/prepare-compare';
import { prepareSliceOptions, tagKeys, tagValues } from '../../frontend/src/features/filters/lib/options';
import {
  prepareQualityFigures,
  prepareQualityTrend,
  prepareRubrics,
  prepareSliceRows,
} from '../../frontend/src/features/quality/lib/prepare-quality';
import { parseFilters } from '../../frontend/src/lib/filters';
import * as F from './fixtures';

describe('quality preparation', () => {
  it('gives success rate and eval with changes against the previous period', () => {
    const [success, evals, settled] = prepareQualityFigures(F.quality());
    expect(success).toMatchObject({ value: '85.0%', change: '−3.0 pp vs previous', tone: 'bad' });
    expect(evals).toMatchObject({ value: '0.710', tone: 'bad' });
    expect(settled).toMatchObject({ value: '300', detail: '280 in the previous period' });
  });

  it('plots success rate and 0–1 evals, with gaps where nothing settled', () => {
    const d = prepareQualityTrend(F.quality());
    expect(d.series.map((s) => s.id)).toEqual(['success', 'eval']);
    expect(d.series[0]!.values[1]).toBeNull();
  });

  it('keeps evals off the percentage axis when they are not on a 0–1 scale', () => {
    const q = F.quality();
    q.points = q.points.map((p) => ({ ...p, avg_eval: p.avg_eval === null ? null : 4.2 }));
    expect(prepareQualityTrend(q).series.map((s) => s.id)).toEqual(['success']);
  });

  it('lists slices by size', () => {
    expect(prepareSliceRows(F.quality())[0]).toMatchObject({
      key: 'prompt-v2',
      success: '93.0%',
      successWidth: 93,
    });
  });

  it('summarises each rubric by its kind', () => {
    const [helpful, accuracy, tone] = prepareRubrics(F.quality().rubrics!, '1d');
    expect(helpful).toMatchObject({ headline: '89.1% pass', kind: 'boolean' });
    expect(helpful!.trend!.series[0]!.values).toEqual([0.9167]);
    expect(accuracy!.headline).toBe('avg 3.85');
    expect(accuracy!.trend!.series[0]!.values).toEqual([3.75, null]);
    expect(tone!.trend).toBeNull();
    expect(tone!.topValues).toEqual([
      { value: 'curt', count: '8', width: 100 },
      { value: 'friendly', count: '4', width: 50 },
    ]);
  });
});

describe('slice options', () => {
  it('collects tags from a session sample and models from the breakdown', () => {
    const o = prepareSliceOptions(F.breakdownByModel(), F.sessionList());
    expect(o.models.map((m) => m.value)).toEqual(['gpt-4o', 'gpt-4o-mini']);
    expect(o.tags.map((t) => t.value)).toContain('tier:free');
    expect(tagKeys(o)).toEqual(['feature', 'tier', 'version']);
    expect(tagValues(o, 'tier')).toEqual(['free', 'pro']);
  });
});

describe('compare preparation', () => {
  const filters = parseFilters('?range=30d&tag=tier:pro');

  it('reads the mode and its choices from the URL', () => {
    const s = parseCompareState(new URLSearchParams('mode=tag&tag_key=tier&a=free&b=pro&at=bad'));
    expect(s).toMatchObject({ mode: 'tag', tagKey: 'tier', a: 'free', b: 'pro', at: null });
    expect(parseCompareState(new URLSearchParams('mode=nope')).mode).toBe('previous');
  });

  it("builds each mode's request, with the filter slice only where the API allows it", () => {
    const req = (q: string) => compareRequest(parseCompareState(new URLSearchParams(q)), filters);
    expect(req('')).toEqual({ params: { range: '30d', tag: 'tier:pro', mode: 'previous' } });
    expect(req('mode=wow')).toMatchObject({ params: { range: '7d', mode: 'previous' } });
    expect(req('mode=before_after&at=2026-11-24T10:00:00Z')).toMatchObject({
      params: { mode: 'before_after', at: '2026-11-24T10:00:00Z', tag: 'tier:pro' },
    });
    expect(req('mode=tag&tag_key=tier&a=free&b=pro')).toMatchObject({
      params: { mode: 'tag', tag: undefined, tag_key: 'tier' },
    });
    expect(req('mode=experiment&experiment=prompt-v2')).toMatchObject({
      params: { mode: 'experiment', experiment: 'prompt-v2', tag: undefined },
    });
    expect(req('mode=windows&baseline_from=2026-10-01&baseline_to=2026-10-31')).toMatchObject({
      params: { baseline_from: '2026-10-01' },
    });
  });

  it('says what is missing before a request can be made', () => {
    expect(
      compareRequest(parseCompareState(new URLSearchParams('mode=before_after')), filters),
    ).toHaveProperty('missing');
    expect(
      compareRequest(parseCompareState(new URLSearchParams('mode=tag&tag_key=tier&a=free')), filters),
    ).toHaveProperty('missing');
    expect(compareRequest(parseCompareState(new URLSearchParams('mode=experiment')), filters)).toHaveProperty(
      'missing',
    );
  });

  it('shows A, B and B − A: relative for amounts, points for rates, coloured by direction', () => {
    const rows = Object.fromEntries(prepareCompareRows(F.compare()).map((r) => [r.key, r]));
    expect(rows.total_cost_usd).toMatchObject({
      a: '$12.00',
      b: '$15.00',
      delta: '+25%',
      tone: 'bad',
      headline: true,
    });
    expect(rows.success_rate).toMatchObject({ a: '90.0%', b: '80.0%', delta: '−10.0 pp', tone: 'bad' });
    expect(rows.p50_cost_usd).toMatchObject({ delta: '±0.0%', tone: 'neutral' });
    expect(rows.avg_eval).toMatchObject({ a: '—', delta: '—' });
  });

  it("reproduces a side's window and slice for its charts", () => {
    const c = F.compare();
    expect(sideParams(c.a)).toEqual({ from: c.a.window.from, to: c.a.window.to });
    expect(sideParams(c.b)).toMatchObject({ tag: 'tier:pro' });
    expect(
      sideParams({ ...c.b, filter: { slice: 'exp:prompt-v2', level: 'session', production: 'all' } }),
    ).toMatchObject({
      experiment: 'prompt-v2',
      production: 'all',
    });
    expect(sideBucket(c.a)).toBe('1d');
  });

  it('gives both sides one y scale', () => {
    expect(sharedMax(F.costSeries([1, 5]), F.costSeries([2, 3]))).toBe(5);
    expect(sharedMax(null, null)).toBe(0);
    expect(sharedHistogramMax(F.latency(), null)).toBe(130);
  });
});
