import type { QualityResponse, RubricView } from '../../../../../contracts/query-api';
import type { LineChartData } from '../../../components/ui/charts/layout';
import { relativeChange, type Tone, toneOf } from '../../../lib/change';
import { formatChangePct, formatChangePp, formatCount, formatNumber, formatPct } from '../../../lib/format';
import { bucketLabels, SERIES } from '../../../lib/series';

export interface QualityFigure {
  id: string;
  label: string;
  value: string;
  change: string | null;
  tone: Tone;
  detail?: string;
}

export function prepareQualityFigures(q: QualityResponse): QualityFigure[] {
  const t = q.totals;
  const p = q.previous;
  const rateChange =
    t.success_rate === null || p.success_rate === null ? null : t.success_rate - p.success_rate;
  const evalChange = relativeChange(t.avg_eval, p.avg_eval);
  return [
    {
      id: 'success',
      label: 'Success rate',
      value: formatPct(t.success_rate),
      change: rateChange === null ? null : `${formatChangePp(rateChange)} vs previous`,
      tone: toneOf(rateChange, 'up-good', 0.002),
      detail: `${formatCount(t.succeeded)} succeeded · ${formatCount(t.failed)} failed`,
    },
    {
      id: 'eval',
      label: 'Avg session eval',
      value: t.avg_eval === null ? '—' : formatNumber(t.avg_eval, 3),
      change: evalChange === null ? null : `${formatChangePct(evalChange)} vs previous`,
      tone: toneOf(evalChange, 'up-good'),
      detail: `${formatCount(t.evals)} evaluated sessions`,
    },
    {
      id: 'settled',
      label: 'Settled sessions',
      value: formatCount(t.settled_sessions),
      change: null,
      tone: 'neutral',
      detail:
        p.settled_sessions > 0 ? `${formatCount(p.settled_sessions)} in the previous period` : undefined,
    },
  ];
}

/** Success rate and average eval per bucket; buckets without settled sessions are gaps. */
export function prepareQualityTrend(q: QualityResponse): LineChartData {
  const { labels, titles } = bucketLabels(
    q.points.map((p) => p.start),
    q.bucket,
  );
  const evalsInUnit = q.points.every((p) => p.avg_eval === null || (p.avg_eval >= 0 && p.avg_eval <= 1));
  const series: LineChartData['series'][number][] = [
    {
      id: 'success',
      label: 'Success rate',
      color: SERIES[1]!,
      values: q.points.map((p) => (p.settled_sessions > 0 ? p.success_rate : null)),
    },
  ];
  // Evals share the 0–1 axis only when they are on that scale.
  if (evalsInUnit && q.points.some((p) => p.avg_eval !== null)) {
    series.push({
      id: 'eval',
      label: 'Avg eval',
      color: SERIES[4]!,
      values: q.points.map((p) => p.avg_eval),
    });
  }
  return { labels, titles, series, formatY: (v) => formatPct(v, 0) };
}

export interface SliceRow {
  key: string;
  settled: string;
  success: string;
  successWidth: number;
  failed: string;
  avgEval: string;
}

export function prepareSliceRows(q: QualityResponse): SliceRow[] {
  return [...q.rows]
    .sort((a, b) => b.settled_sessions - a.settled_sessions || a.key.localeCompare(b.key))
    .map((r) => ({
      key: r.key,
      settled: formatCount(r.settled_sessions),
      success: formatPct(r.success_rate),
      successWidth: Math.round((r.success_rate ?? 0) * 100),
      failed: formatCount(r.failed),
      avgEval: r.avg_eval === null ? '—' : formatNumber(r.avg_eval, 3),
    }));
}

export interface RubricCard {
  name: string;
  kind: RubricView['result_type'];
  headline: string;
  detail: string;
  trend: LineChartData | null;
  topValues: Array<{ value: string; count: string; width: number }>;
}

export function prepareRubrics(
  rubrics: readonly RubricView[],
  bucket: QualityResponse['bucket'],
): RubricCard[] {
  return rubrics.map((r) => {
    const { labels, titles } = bucketLabels(
      r.points.map((p) => p.start),
      bucket,
    );
    const values =
      r.result_type === 'boolean'
        ? r.points.map((p) => (p.count > 0 ? p.pass_rate : null))
        : r.result_type === 'number'
          ? r.points.map((p) => (p.count > 0 ? p.avg : null))
          : null;
    const maxCount = Math.max(1, ...r.top_values.map((v) => v.count));
    return {
      name: r.name,
      kind: r.result_type,
      headline:
        r.result_type === 'boolean'
          ? `${formatPct(r.pass_rate)} pass`
          : r.result_type === 'number'
            ? `avg ${formatNumber(r.avg, 2)}`
            : `${r.top_values.length} distinct values`,
      detail:
        r.result_type === 'number'
          ? `${formatCount(r.count)} results · min ${formatNumber(r.min, 2)} · max ${formatNumber(r.max, 2)}`
          : `${formatCount(r.count)} results`,
      trend: values?.some((v) => v !== null)
        ? {
            labels,
            titles,
            series: [
              {
                id: r.name,
                label: r.result_type === 'boolean' ? 'Pass rate' : 'Average',
                color: SERIES[4]!,
                values,
              },
            ],
            formatY: r.result_type === 'boolean' ? (v) => formatPct(v, 0) : (v) => formatNumber(v, 1),
          }
        : null,
      topValues: r.top_values.map((v) => ({
        value: v.value,
        count: formatCount(v.count),
        width: Math.round((v.count / maxCount) * 100),
      })),
    };
  });
}
