import type { CostSeriesResponse, Kpi, OverviewResponse } from '../../../../../contracts/query-api';
import type { LineChartData } from '../../../components/ui/charts/layout';
import { describeChange, type Polarity, type Tone, toneOf } from '../../../lib/change';
import { formatCount, formatMs, formatPct, formatUsd } from '../../../lib/format';
import { bucketLabels, SERIES } from '../../../lib/series';

export interface KpiCard {
  id: string;
  label: string;
  value: string;
  change: string | null;
  tone: Tone;
  detail: string | null;
  hint?: string;
}

const EVENT_LEVEL_HINT =
  'Not available under a model filter: the model slice holds LLM-call figures, not whole sessions.';

function card(
  id: string,
  label: string,
  k: Kpi,
  format: (v: number | null) => string,
  polarity: Polarity,
  kind: 'relative' | 'points',
  detail: string | null,
  eventLevel: boolean,
): KpiCard {
  const change = describeChange(kind, k.change, k.change_pct);
  const signal = kind === 'points' ? k.change : k.change_pct;
  return {
    id,
    label,
    value: format(k.value),
    change: change === null ? null : `${change} vs previous`,
    tone: toneOf(signal, polarity, kind === 'points' ? 0.002 : 0.02),
    detail,
    ...(k.value === null && eventLevel ? { hint: EVENT_LEVEL_HINT } : {}),
  };
}

/** The overview's cards, each with its change against the previous period of the same length. */
export function prepareKpiCards(o: OverviewResponse): KpiCard[] {
  const k = o.kpis;
  const ev = o.filter.level === 'event';
  const unpriced = o.unpriced_events > 0 ? ` · ${o.unpriced_events} unpriced calls` : '';
  return [
    card('sessions', 'Sessions', k.sessions, formatCount, 'neutral', 'relative', null, ev),
    card('duration', 'Avg duration', k.avg_duration_ms, formatMs, 'up-bad', 'relative', null, ev),
    card(
      'cost',
      'Total cost',
      k.total_cost_usd,
      formatUsd,
      'up-bad',
      'relative',
      k.avg_cost_usd.value === null
        ? unpriced
          ? unpriced.slice(3)
          : null
        : `${formatUsd(k.avg_cost_usd.value)} per session${unpriced}`,
      ev,
    ),
    card(
      'tokens',
      'Total tokens',
      k.total_tokens,
      formatCount,
      'neutral',
      'relative',
      k.llm_calls.value === null ? null : `${formatCount(k.llm_calls.value)} LLM calls`,
      ev,
    ),
    {
      ...card(
        'errors',
        'Errors',
        k.error_rate.value === null ? k.error_count : k.error_rate,
        (v) => (v === null ? '—' : k.error_rate.value === null ? formatCount(v) : formatPct(v)),
        'up-bad',
        k.error_rate.value === null ? 'relative' : 'points',
        k.error_rate.value === null ? null : `${formatCount(k.error_count.value)} errors`,
        ev,
      ),
      label: k.error_rate.value === null ? 'Errors' : 'Error rate',
    },
    card(
      'success',
      'Success rate',
      k.success_rate,
      (v) => formatPct(v),
      'up-good',
      'points',
      k.avg_eval.value === null ? null : `avg eval ${k.avg_eval.value.toFixed(2)}`,
      ev,
    ),
  ];
}

/** Cost per bucket beside the same bucket one period earlier (left out when that period cost nothing). */
export function prepareCostTrend(s: CostSeriesResponse): LineChartData {
  const { labels, titles } = bucketLabels(
    s.points.map((p) => p.start),
    s.bucket,
  );
  const series: LineChartData['series'][number][] = [
    { id: 'cost', label: 'Cost', color: SERIES[0]!, values: s.points.map((p) => p.cost_usd) },
  ];
  if (s.previous_total_usd > 0) {
    series.push({
      id: 'previous',
      label: 'Previous period',
      color: SERIES[7]!,
      dashed: true,
      values: s.points.map((p) => p.previous_cost_usd),
    });
  }
  return { labels, titles, series, formatY: formatUsd };
}

export interface Projection {
  monthLabel: string;
  monthToDate: string;
  runRate: string;
  projected: string;
  chart: LineChartData;
}

const DAY_MS = 86_400_000;

/**
 * Month-end projection from a daily cost series of the month so far (month start to today): cumulative
 * spend per day, then a dashed line at the daily run rate (last 7 days) up to the month's last day.
 */
export function prepareProjection(month: CostSeriesResponse): Projection {
  const p = month.projection;
  const start = Date.parse(p.month_start);
  const end = Date.parse(p.month_end);
  const days = Math.max(1, Math.round((end - start) / DAY_MS));
  const daily = new Array<number>(days).fill(0);
  let lastDay = -1;
  for (const pt of month.points) {
    const i = Math.floor((Date.parse(pt.start) - start) / DAY_MS);
    if (i < 0 || i >= days) continue;
    daily[i] = (daily[i] ?? 0) + pt.cost_usd;
    lastDay = Math.max(lastDay, i);
  }
  const actual: Array<number | null> = [];
  let sum = 0;
  for (let i = 0; i < days; i++) {
    sum += daily[i] ?? 0;
    actual.push(i <= lastDay ? round6(sum) : null);
  }
  const today = Math.max(0, lastDay);
  const base = actual[today] ?? 0;
  const projected: Array<number | null> = actual.map((_, i) =>
    i < today ? null : round6(base + p.daily_run_rate_usd * (i - today)),
  );
  const labels = Array.from({ length: days }, (_, i) => String(i + 1));
  const monthLabel = new Date(start).toLocaleString('en-US', {
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  });
  return {
    monthLabel,
    monthToDate: formatUsd(p.month_to_date_usd),
    runRate: `${formatUsd(p.daily_run_rate_usd)}/day`,
    projected: formatUsd(p.projected_month_usd),
    chart: {
      labels,
      titles: labels.map((d) => `${monthLabel.split(' ')[0]} ${d}`),
      series: [
        { id: 'actual', label: 'Spent (cumulative)', color: SERIES[0]!, values: actual },
        { id: 'projection', label: 'Projection', color: SERIES[2]!, values: projected, dashed: true },
      ],
      formatY: formatUsd,
    },
  };
}

const round6 = (v: number) => Math.round(v * 1e6) / 1e6;
