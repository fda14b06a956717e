// @vitest-environment jsdom
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import {
  type AnomalyMetric,
  type BaselineSeriesResponse,
  type BaselineStatusResponse,
  baselineListResponse,
  baselineSeriesResponse,
  baselineStatusResponse,
} from '../../contracts/alerts';
import { layoutBandChart } from '../../frontend/src/features/baselines/lib/band-layout';
import {
  chosenSlice,
  formatterFor,
  prepareBandChart,
  prepareBandCharts,
  prepareStatusRows,
  seriesWindow,
  sliceOfFilters,
  sliceOptions,
} from '../../frontend/src/features/baselines/lib/prepare-baselines';
import {
  prepareBaselineMarkers,
  statusSliceFor,
} from '../../frontend/src/features/overview/lib/baseline-badges';
import type { BaselineListResponse } from '../../frontend/src/lib/api-client';
import { type Filters, parseFilters } from '../../frontend/src/lib/filters';
import { fakeApi, json } from './fake-api';
import * as F from './fixtures';
import { chart, openApp as open, params, resetAppAroundEachTest } from './render-app';

// ---------------------------------------------------------------------------------------------------------
// Fixtures: answers of the baselines API, checked against the contract below.
// ---------------------------------------------------------------------------------------------------------

const HOUR = 3_600_000;
const START = Date.parse('2026-12-03T21:00:00.000Z');
const UNITS: Record<AnomalyMetric, string> = {
  cost_per_session: 'usd',
  tokens_per_session: 'tokens',
  session_duration_p50: 'ms',
  session_duration_p95: 'ms',
  event_latency_p95: 'ms',
  error_rate: 'ratio',
  event_error_rate: 'ratio',
  sessions_per_hour: 'sessions/h',
};
const FAMILY = {
  cost_per_session: 'cost',
  tokens_per_session: 'cost',
  session_duration_p50: 'latency',
  session_duration_p95: 'latency',
  event_latency_p95: 'latency',
  error_rate: 'errors',
  event_error_rate: 'errors',
  sessions_per_hour: 'volume',
} as const;
const METRICS = Object.keys(UNITS) as AnomalyMetric[];

interface SeriesOptions {
  hours?: number;
  /** Hours whose actual value is 3× the upper bound (outside when the baseline is ready). */
  spikes?: number[];
  /** Hours with no baseline (expected/lower/upper null). */
  noBand?: number[];
  ready?: boolean;
  slice?: string;
}

/** Every metric over `hours` hours: expected 10, band 5–20, actual 12, spikes 60 (shares: ×0.01). */
function series(o: SeriesOptions = {}): BaselineSeriesResponse {
  const hours = o.hours ?? 24;
  const ready = o.ready ?? true;
  return {
    agent_id: 'support-bot',
    slice: o.slice ?? 'all',
    window: { from: new Date(START).toISOString(), to: new Date(START + hours * HOUR).toISOString() },
    series: METRICS.map((metric) => ({
      metric,
      family: FAMILY[metric],
      unit: UNITS[metric],
      direction: metric === 'sessions_per_hour' ? ('both' as const) : ('up' as const),
      points: Array.from({ length: hours }, (_, i) => {
        // Shares are fractions: the same shape at a hundredth of the scale.
        const k = UNITS[metric] === 'ratio' ? 0.01 : 1;
        const band = !(o.noBand ?? []).includes(i);
        const spike = (o.spikes ?? []).includes(i);
        return {
          hour: new Date(START + i * HOUR).toISOString(),
          actual: (spike ? 60 : 12) * k,
          volume: 14,
          expected: band ? 10 * k : null,
          lower: band ? 5 * k : null,
          upper: band ? 20 * k : null,
          outside: ready && band && spike,
          baseline_date: band ? '2026-12-03' : null,
        };
      }),
    })),
  };
}

type StatusMetric = BaselineStatusResponse['metrics'][number];

function metricStatus(metric: AnomalyMetric, extra: Partial<StatusMetric> = {}): StatusMetric {
  return {
    metric,
    family: FAMILY[metric],
    unit: UNITS[metric],
    state: 'ok',
    severity: null,
    value: 0.04,
    expected: 0.05,
    lower: 0,
    upper: 0.12,
    z: 0.3,
    volume: 24,
    window: { from: '2026-12-04T19:00:00.000Z', to: '2026-12-04T20:40:00.000Z' },
    ...extra,
  };
}

function status(
  outside: Partial<Record<AnomalyMetric, Partial<StatusMetric>>> = {},
  baseline: BaselineStatusResponse['baseline'] = {
    date: '2026-12-04',
    status: 'ready',
    warmup_ends_at: null,
  },
  slice = 'all',
): BaselineStatusResponse {
  return {
    agent_id: 'support-bot',
    slice,
    at: '2026-12-04T20:40:00.000Z',
    baseline,
    metrics: METRICS.filter((m) => slice === 'all' || m !== 'sessions_per_hour').map((m) =>
      metricStatus(m, outside[m] ?? {}),
    ),
    open_incidents: 0,
  };
}

const ERROR_RATE_ABOVE: Partial<StatusMetric> = {
  state: 'outside',
  severity: 'critical',
  value: 0.42,
  expected: 0.05,
  lower: 0,
  upper: 0.12,
  z: 6.1,
};

const WARMING_UP = {
  date: '2026-12-04',
  status: 'warming_up' as const,
  warmup_ends_at: '2026-12-08T00:00:00.000Z',
};

function list(slices: string[] = ['all', 'tag:tier=pro', 'model:gpt-4o']): BaselineListResponse {
  return {
    agent_id: 'support-bot',
    baselines: slices.map((slice) => ({
      agent_id: 'support-bot',
      slice,
      production: true,
      date: '2026-12-04',
      computed_at: '2026-12-04T00:05:00.000Z',
      window: { from: '2026-11-20T00:00:00.000Z', to: '2026-12-04T00:00:00.000Z' },
      data_from: '2026-11-01T00:00:00.000Z',
      status: 'ready' as const,
      warmup_ends_at: null,
      excluded_hours: 0,
      metrics: [],
    })),
  };
}

const filters = (search = ''): Filters => parseFilters(search);

describe('baseline fixtures', () => {
  it('match the API contract', () => {
    expect(baselineSeriesResponse.safeParse(series({ spikes: [3], noBand: [5] })).success).toBe(true);
    expect(baselineStatusResponse.safeParse(status({ error_rate: ERROR_RATE_ABOVE })).success).toBe(true);
    expect(baselineStatusResponse.safeParse(status({}, null)).success).toBe(true);
    expect(baselineListResponse.safeParse(list()).success).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Pure shaping
// ---------------------------------------------------------------------------------------------------------

describe('prepareBandChart', () => {
  it('keeps band, expected and actual per hour and marks the hours outside with their side', () => {
    const s = series({ hours: 6, spikes: [2, 4] }).series.find((x) => x.metric === 'error_rate')!;
    const c = prepareBandChart(s);
    expect(c.label).toBe('Error rate (sessions)');
    expect(c.data.actual).toEqual([0.12, 0.12, 0.6, 0.12, 0.6, 0.12]);
    expect(c.data.upper).toEqual([0.2, 0.2, 0.2, 0.2, 0.2, 0.2]);
    expect(c.data.outside).toEqual([null, null, 'above', null, 'above', null]);
    expect(c.outsideCount).toBe(2);
    expect(c.state).toBe('ok');
    expect(c.baselineDate).toBe('2026-12-03');
    expect(c.data.formatY(0.125)).toBe('12.5%');
  });

  it('marks a fall below the band of a volume metric as below', () => {
    const s = series({ hours: 3 }).series.find((x) => x.metric === 'sessions_per_hour')!;
    s.points[1] = { ...s.points[1]!, actual: 1, outside: true };
    expect(prepareBandChart(s).data.outside).toEqual([null, 'below', null]);
  });

  it('tells a chart with no baseline from one with nothing measured', () => {
    const none = series({ hours: 4, noBand: [0, 1, 2, 3] }).series[0]!;
    expect(prepareBandChart(none).state).toBe('no_baseline');
    const empty = series({ hours: 4 }).series[0]!;
    empty.points = empty.points.map((p) => ({ ...p, actual: null }));
    expect(prepareBandChart(empty).state).toBe('no_data');
    // An hour with no sessions is a measured zero for the volume metric, not data.
    const quiet = series({ hours: 4 }).series.find((x) => x.metric === 'sessions_per_hour')!;
    quiet.points = quiet.points.map((p) => ({ ...p, actual: 0 }));
    expect(prepareBandChart(quiet).state).toBe('no_data');
  });

  it('clamps a negative lower bound to zero, and a share to 100 %', () => {
    const s = series({ hours: 2 }).series[0]!;
    s.points[0] = { ...s.points[0]!, lower: -3 };
    expect(prepareBandChart(s).data.lower[0]).toBe(0);
    const share = series({ hours: 2 }).series.find((x) => x.metric === 'error_rate')!;
    share.points[0] = { ...share.points[0]!, expected: 0.06, lower: 0, upper: 1.51 };
    expect(prepareBandChart(share).data.upper).toEqual([1, 0.2]);
  });

  it('labels a week by its midnights and a day by its hours', () => {
    const week = prepareBandChart(series({ hours: 7 * 24 }).series[0]!);
    expect(week.data.labels.filter(Boolean)).toEqual([
      'Dec 4',
      'Dec 5',
      'Dec 6',
      'Dec 7',
      'Dec 8',
      'Dec 9',
      'Dec 10',
    ]);
    expect(week.data.titles[0]).toBe('Dec 3 21:00 UTC');
    const l = layoutBandChart(week.data, { width: 900, height: 200 });
    expect(l.xTicks.map((t) => t.label)).toEqual(week.data.labels.filter(Boolean));
    const day = prepareBandChart(series({ hours: 24 }).series[0]!);
    expect(day.data.labels.slice(0, 4)).toEqual(['Dec 3 21:00', '22:00', '23:00', 'Dec 4 00:00']);
  });

  it('keeps the contract order and filters one metric', () => {
    const res = series({ hours: 2 });
    res.series.reverse();
    expect(prepareBandCharts(res).map((c) => c.metric)).toEqual(METRICS);
    expect(prepareBandCharts(res, 'event_latency_p95').map((c) => c.metric)).toEqual(['event_latency_p95']);
  });
});

describe('layoutBandChart', () => {
  it('draws one shaded band per run of hours with a baseline and a dot per actual value', () => {
    const c = prepareBandChart(series({ hours: 10, noBand: [4, 5], spikes: [7] }).series[0]!);
    const l = layoutBandChart(c.data, { width: 600, height: 200 });
    expect(l.bands).toHaveLength(2);
    for (const b of l.bands) expect(b).toMatch(/^M[\d.,L-]+Z$/);
    expect(l.dots).toHaveLength(10);
    expect(l.dots.filter((d) => d.outside).map((d) => d.key)).toEqual(['7']);
    expect(l.dots.find((d) => d.key === '7')!.title).toMatch(
      /\$60\.00 · expected \$10\.00, usual \$5\.00 – \$20\.00 · above the band/,
    );
    expect(l.dots.find((d) => d.key === '4')!.title).toContain('no baseline');
    // The expected line breaks where there is no baseline: two pen-downs.
    expect(l.expected.match(/M/g)).toHaveLength(2);
    expect(l.hasData).toBe(true);
  });

  it('puts a spike above the band and the band between its bounds on screen', () => {
    const c = prepareBandChart(series({ hours: 3, spikes: [1] }).series[0]!);
    const l = layoutBandChart(c.data, { width: 300, height: 200 });
    const spike = l.dots.find((d) => d.key === '1')!;
    const normal = l.dots.find((d) => d.key === '0')!;
    expect(spike.y).toBeLessThan(normal.y);
    expect(spike.y).toBeGreaterThanOrEqual(l.frame.top);
    expect(normal.y).toBeLessThanOrEqual(l.frame.bottom);
  });

  it('draws a lone hour with a baseline as a block, and reports no data without actual values', () => {
    const c = prepareBandChart(series({ hours: 3, noBand: [0, 2] }).series[0]!);
    const lone = layoutBandChart(c.data, { width: 300, height: 200 });
    expect(lone.bands).toHaveLength(1);
    expect(lone.bands[0]!.match(/L/g)).toHaveLength(3);
    const empty = { ...c.data, actual: [null, null, null] };
    expect(layoutBandChart(empty, { width: 300, height: 200 }).hasData).toBe(false);
  });
});

describe('seriesWindow', () => {
  const now = Date.parse('2026-12-04T20:40:00Z');

  it('uses the filter bar window, 7 days by default', () => {
    expect(seriesWindow(filters(''), now)).toEqual({ params: { range: '7d' }, note: null });
    expect(seriesWindow(filters('?range=30d'), now)).toEqual({ params: { range: '30d' }, note: null });
    expect(seriesWindow(filters('?from=2026-11-10&to=2026-12-01'), now).params).toEqual({
      from: '2026-11-10',
      to: '2026-12-01',
    });
  });

  it('keeps at most 31 days (the endpoint refuses more) and says so', () => {
    const r = seriesWindow(filters('?range=90d'), now);
    expect(r.params).toEqual({ range: '31d' });
    expect(r.note).toMatch(/at most 31 days/);
    expect(seriesWindow(filters('?from=2026-09-01&to=2026-12-01'), now).params).toEqual({
      from: '2026-11-01',
      to: '2026-12-01',
    });
  });
});

describe('slices', () => {
  it("maps the filter bar's tag or model onto the rollup slice names", () => {
    expect(sliceOfFilters(filters('?tag=tier:pro'))).toBe('tag:tier=pro');
    expect(sliceOfFilters(filters('?tag=tier=pro'))).toBe('tag:tier=pro');
    expect(sliceOfFilters(filters('?model=gpt-4o'))).toBe('model:gpt-4o');
    expect(sliceOfFilters(filters(''))).toBe('all');
  });

  it('prefers a well-formed slice parameter and ignores a malformed one', () => {
    expect(chosenSlice('exp:e1', filters('?tag=tier:pro'))).toBe('exp:e1');
    expect(chosenSlice('tag:nokey', filters('?tag=tier:pro'))).toBe('tag:tier=pro');
    expect(chosenSlice(null, filters(''))).toBe('all');
  });

  it('offers all first, then the slices with a baseline, and keeps the current one', () => {
    expect(sliceOptions(list(['tag:tier=pro', 'all', 'model:gpt-4o']), 'all').map((o) => o.value)).toEqual([
      'all',
      'model:gpt-4o',
      'tag:tier=pro',
    ]);
    expect(sliceOptions(null, 'tag:tier=free').map((o) => o.label)).toEqual(['All traffic', 'tier=free']);
  });
});

describe('prepareStatusRows', () => {
  it('formats each metric in its unit and names the side of a breach', () => {
    const rows = prepareStatusRows(
      status({
        error_rate: ERROR_RATE_ABOVE,
        cost_per_session: { value: 0.031, expected: 0.02, lower: 0.01, upper: 0.026 },
        sessions_per_hour: {
          state: 'outside',
          severity: 'warning',
          value: 1,
          expected: 9,
          lower: 4,
          upper: 18,
        },
        event_latency_p95: { state: 'insufficient_data', value: null, window: null },
      }),
    );
    const by = (m: string) => rows.find((r) => r.metric === m)!;
    expect(by('error_rate')).toMatchObject({
      stateLabel: 'Above usual range',
      severity: 'critical',
      tone: 'bad',
      value: '42.0%',
      expected: '5.0%',
      band: '0.0% – 12.0%',
    });
    expect(by('cost_per_session')).toMatchObject({ value: '$0.031', band: '$0.010 – $0.026', tone: 'good' });
    expect(by('sessions_per_hour')).toMatchObject({
      stateLabel: 'Below usual range',
      tone: 'warn',
      value: '1/h',
    });
    expect(by('event_latency_p95')).toMatchObject({
      stateLabel: 'Not enough data yet',
      value: '—',
      window: '—',
    });
    expect(rows.map((r) => r.metric)).toEqual(METRICS);
    expect(formatterFor('ms')(1530)).toBe('1.53 s');
  });
});

describe('prepareBaselineMarkers', () => {
  it('marks only the cards whose figure means the same as the metric, and lists the others', () => {
    const m = prepareBaselineMarkers(
      F.overview(),
      status({
        error_rate: ERROR_RATE_ABOVE,
        cost_per_session: { state: 'outside', severity: 'warning', value: 0.09, expected: 0.04, upper: 0.06 },
      }),
    );
    expect([...m.cards.keys()]).toEqual(['errors']);
    expect(m.cards.get('errors')).toMatchObject({
      side: 'above',
      text: 'above usual range',
      metric: 'error_rate',
    });
    expect(m.cards.get('errors')!.title).toMatch(
      /now 42\.0%: expected 5\.0%, usual range 0\.0% – 12\.0% \(critical\)/,
    );
    expect(m.others.map((b) => b.metric)).toEqual(['cost_per_session']);
  });

  it('marks the sessions card when traffic falls below its range', () => {
    const m = prepareBaselineMarkers(
      F.overview(),
      status({
        sessions_per_hour: {
          state: 'outside',
          severity: 'critical',
          value: 0,
          expected: 12,
          lower: 4,
          upper: 25,
        },
      }),
    );
    expect(m.cards.get('sessions')).toMatchObject({ side: 'below', text: 'below usual range' });
  });

  it('marks nothing while warming up, for another slice, or when the error card shows a count', () => {
    const outside = { error_rate: ERROR_RATE_ABOVE };
    expect(prepareBaselineMarkers(F.overview(), status(outside, WARMING_UP)).cards.size).toBe(0);
    expect(prepareBaselineMarkers(F.overview(), status(outside, null)).cards.size).toBe(0);
    expect(prepareBaselineMarkers(F.overview(), null).cards.size).toBe(0);
    expect(prepareBaselineMarkers(F.overview(), status(outside, undefined, 'tag:tier=pro')).cards.size).toBe(
      0,
    );
    const byModel = F.overview(
      { error_rate: { value: null, previous: null, change: null, change_pct: null } },
      { slice: 'model:gpt-4o', level: 'event', production: true },
    );
    const m = prepareBaselineMarkers(byModel, status(outside, undefined, 'model:gpt-4o'));
    expect(m.cards.size).toBe(0);
    expect(m.others.map((b) => b.metric)).toEqual(['error_rate']);
  });

  it('asks for the production slice of the filter bar, and nothing for other traffic', () => {
    expect(statusSliceFor(filters('?tag=tier:pro'))).toBe('tag:tier=pro');
    expect(statusSliceFor(filters('?production=all'))).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------------------
// Screens
// ---------------------------------------------------------------------------------------------------------

function baselinesApi(o: { series?: (u: URL) => unknown; status?: (u: URL) => unknown } = {}) {
  return fakeApi({
    '/baselines': () => list(),
    '/baselines/series':
      o.series ?? ((u) => series({ spikes: [5, 6], slice: u.searchParams.get('slice') ?? 'all' })),
    '/baselines/status': o.status ?? (() => status({ error_rate: ERROR_RATE_ABOVE })),
  });
}

resetAppAroundEachTest();

describe('Baselines view', () => {
  it('draws a band chart per metric with the hours outside the band marked, and the status table', async () => {
    const api = open('?agent=support-bot&view=baselines', baselinesApi());
    await waitFor(() => expect(chart('band-error_rate')?.getAttribute('data-has-data')).toBe('true'));
    for (const m of METRICS) expect(chart(`band-${m}`), m).toBeTruthy();
    const svg = chart('band-error_rate')!;
    expect(svg.getAttribute('role')).toBe('img');
    expect(svg.getAttribute('aria-label')).toMatch(/Error rate \(sessions\)/);
    expect(svg.querySelectorAll('.band-area path')).toHaveLength(1);
    expect(svg.querySelectorAll('circle[data-outside="above"]')).toHaveLength(2);
    expect(svg.querySelectorAll('circle:not([data-outside])')).toHaveLength(22);
    const panel = screen.getByRole('region', { name: 'Error rate (sessions)' });
    expect(panel.textContent).toContain('2 hours outside the usual range');

    const table = screen.getByRole('table', { name: 'Current status per metric' });
    const row = within(table).getByRole('row', { name: /Error rate \(sessions\)/ });
    expect(row.textContent).toMatch(/42\.0%.*5\.0%.*0\.0% – 12\.0%.*Above usual range \(critical\)/);
    expect(within(table).getAllByRole('row')).toHaveLength(1 + METRICS.length);

    const req = api.calls('/baselines/series').at(-1)!;
    expect(req.searchParams.get('range')).toBe('7d');
    expect(req.searchParams.get('slice')).toBe('all');
    expect(api.calls('/baselines/status').at(-1)!.searchParams.get('slice')).toBe('all');
  });

  it('says the baseline is warming up and marks no hour', async () => {
    open(
      '?agent=support-bot&view=baselines',
      baselinesApi({
        series: () => series({ spikes: [5, 6], ready: false }),
        status: () => status({}, WARMING_UP),
      }),
    );
    const notice = await screen.findByText('Warming up', { selector: 'strong' });
    expect(notice.closest('[data-baseline-state]')!.getAttribute('data-baseline-state')).toBe('warming_up');
    expect(notice.parentElement!.textContent).toMatch(/7 days of history.*Dec 8, 00:00 UTC/);
    await waitFor(() => expect(chart('band-error_rate')?.getAttribute('data-has-data')).toBe('true'));
    expect(document.querySelectorAll('circle[data-outside]')).toHaveLength(0);
  });

  it('says when there is no baseline yet and draws the actual values without a band', async () => {
    open(
      '?agent=support-bot&view=baselines',
      baselinesApi({
        series: () => series({ noBand: Array.from({ length: 24 }, (_, i) => i) }),
        status: () =>
          status(
            {
              ...Object.fromEntries(
                METRICS.map((m) => [
                  m,
                  {
                    state: 'no_baseline',
                    value: null,
                    expected: null,
                    lower: null,
                    upper: null,
                    z: null,
                    window: null,
                  },
                ]),
              ),
            },
            null,
          ),
      }),
    );
    const notice = await screen.findByText('No baseline yet', { selector: 'strong' });
    expect(notice.parentElement!.textContent).toMatch(/computed once a day/);
    await waitFor(() => expect(chart('band-cost_per_session')).toBeTruthy());
    expect(document.querySelectorAll('.band-area path')).toHaveLength(0);
    const panel = screen.getByRole('region', { name: 'Cost per session (median)' });
    expect(panel.getAttribute('data-chart-state')).toBe('no_baseline');
    expect(panel.textContent).toContain('No baseline for these hours yet');
    const table = screen.getByRole('table', { name: 'Current status per metric' });
    expect(within(table).getAllByText('No baseline')).toHaveLength(METRICS.length);
  });

  it('asks for the chosen slice and keeps it in the URL', async () => {
    const api = open('?agent=support-bot&view=baselines', baselinesApi());
    await waitFor(() => expect(chart('band-error_rate')).toBeTruthy());
    const select = screen.getByLabelText('Baseline slice') as HTMLSelectElement;
    await waitFor(() => expect([...select.options].map((o) => o.value)).toContain('tag:tier=pro'));
    expect([...select.options].map((o) => o.textContent)).toEqual([
      'All traffic',
      'model gpt-4o',
      'tier=pro',
    ]);
    fireEvent.change(select, { target: { value: 'tag:tier=pro' } });
    expect(params().get('slice')).toBe('tag:tier=pro');
    await waitFor(() =>
      expect(api.calls('/baselines/series').at(-1)!.searchParams.get('slice')).toBe('tag:tier=pro'),
    );
    await waitFor(() =>
      expect(api.calls('/baselines/status').at(-1)!.searchParams.get('slice')).toBe('tag:tier=pro'),
    );
  });

  it("starts from the filter bar's tag, and the metric picker shows one metric larger", async () => {
    const api = open('?agent=support-bot&view=baselines&tag=tier:pro&range=30d', baselinesApi());
    await waitFor(() => expect(chart('band-error_rate')).toBeTruthy());
    const req = api.calls('/baselines/series').at(-1)!;
    expect(req.searchParams.get('slice')).toBe('tag:tier=pro');
    expect(req.searchParams.get('range')).toBe('30d');
    fireEvent.change(screen.getByLabelText('Metric'), { target: { value: 'event_latency_p95' } });
    expect(params().get('metric')).toBe('event_latency_p95');
    await waitFor(() => expect(chart('band-error_rate')).toBeNull());
    expect(chart('band-event_latency_p95')).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Event latency p95', level: 2 })).toBeTruthy();
  });

  it('shows the API error with a retry when the series cannot be read', async () => {
    open(
      '?agent=support-bot&view=baselines',
      baselinesApi({
        series: () =>
          json({ error: 'validation', detail: 'from: window must be at most 31 days', field: 'from' }, 400),
      }),
    );
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('window must be at most 31 days');
    expect(within(alert).getByRole('button', { name: 'Retry' })).toBeTruthy();
  });
});

describe('Overview baseline markers', () => {
  it('marks a card whose metric is outside its band, linking to that metric in the Baselines view', async () => {
    const api = open('?agent=support-bot&range=30d', baselinesApi());
    await screen.findByText('$12.64');
    const card = document.querySelector('[data-stat="Error rate"]')!;
    const link = await within(card as HTMLElement).findByRole('link', { name: 'above usual range' });
    expect(link.getAttribute('title')).toMatch(
      /Error rate \(sessions\) now 42\.0%: expected 5\.0%, usual range 0\.0% – 12\.0%/,
    );
    const href = new URLSearchParams(link.getAttribute('href')!);
    expect([href.get('agent'), href.get('view'), href.get('metric'), href.get('range')]).toEqual([
      'support-bot',
      'baselines',
      'error_rate',
      '30d',
    ]);
    expect(document.querySelectorAll('.baseline-marker')).toHaveLength(1);
    expect(document.querySelector('[data-stat="Sessions"] .baseline-marker')).toBeNull();
    expect(api.calls('/baselines/status')[0]!.searchParams.get('slice')).toBe('all');
    fireEvent.click(link);
    expect(params().get('view')).toBe('baselines');
    await waitFor(() => expect(chart('band-error_rate')).toBeTruthy());
  });

  it('shows no marker when every metric is within its band', async () => {
    const api = open('?agent=support-bot', baselinesApi({ status: () => status() }));
    await screen.findByText('$12.64');
    await waitFor(() => expect(api.calls('/baselines/status')).toHaveLength(1));
    // Let the status answer render before asserting nothing was drawn from it.
    await waitFor(() => expect(document.querySelector('[data-stat="Error rate"]')).toBeTruthy());
    await new Promise((r) => setTimeout(r, 20));
    expect(document.querySelectorAll('.baseline-marker')).toHaveLength(0);
    expect(document.querySelector('[data-baseline-others]')).toBeNull();
  });

  it('lists metrics outside their band that no card shows', async () => {
    open(
      '?agent=support-bot',
      baselinesApi({
        status: () =>
          status({
            cost_per_session: {
              state: 'outside',
              severity: 'warning',
              value: 0.09,
              expected: 0.04,
              upper: 0.06,
            },
          }),
      }),
    );
    await screen.findByText('$12.64');
    const others = await waitFor(() => {
      const el = document.querySelector('[data-baseline-others]');
      if (!el) throw new Error('no list yet');
      return el as HTMLElement;
    });
    expect(within(others).getByRole('link', { name: 'Cost per session (median) (above)' })).toBeTruthy();
    expect(document.querySelectorAll('.baseline-marker')).toHaveLength(0);
  });

  it.each([
    ['404', () => json({ error: 'not-found', detail: 'no such route' }, 404)],
    ['500', () => json({ error: 'internal', detail: 'boom' }, 500)],
  ])('renders normally when the baseline status answers %s', async (_code, handler) => {
    const api = open('?agent=support-bot', baselinesApi({ status: handler }));
    await screen.findByText('$12.64');
    await waitFor(() => expect(api.calls('/baselines/status')).toHaveLength(1));
    await waitFor(() => expect(chart('cost-trend')?.getAttribute('data-has-data')).toBe('true'));
    await new Promise((r) => setTimeout(r, 20));
    expect(screen.queryByRole('alert')).toBeNull();
    expect(document.querySelectorAll('.stat-card')).toHaveLength(6);
    expect(document.querySelectorAll('.baseline-marker')).toHaveLength(0);
  });

  it('does not ask for baselines when the overview shows non-production traffic', async () => {
    const api = open('?agent=support-bot&production=all', baselinesApi());
    await screen.findByText('$12.64');
    await waitFor(() => expect(chart('cost-trend')?.getAttribute('data-has-data')).toBe('true'));
    expect(api.calls('/baselines/status')).toHaveLength(0);
  });
});
