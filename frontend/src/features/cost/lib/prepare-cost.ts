import type {
  Bucket,
  CostModelsResponse,
  CostSeriesResponse,
  Distribution,
  PercentilesResponse,
  PricesResponse,
  TopSessionsResponse,
} from '../../../../../contracts/query-api';
import type { BarChartData } from '../../../components/ui/charts/layout';
import {
  formatChangePct,
  formatCount,
  formatMs,
  formatPct,
  formatTime,
  formatUsd,
} from '../../../lib/format';
import { bucketLabels, SERIES } from '../../../lib/series';

export const COST_BUCKETS = ['1d', '3d', '1w', '2w', '1mo'] as const satisfies readonly Bucket[];
export type CostBucket = (typeof COST_BUCKETS)[number];
export const COST_BUCKET_LABELS: Record<CostBucket, string> = {
  '1d': 'Day',
  '3d': '3 days',
  '1w': 'Week',
  '2w': '2 weeks',
  '1mo': 'Month',
};

export function parseCostBucket(v: string | null): CostBucket {
  return (COST_BUCKETS as readonly string[]).includes(v ?? '') ? (v as CostBucket) : '1d';
}

export function prepareCostBars(s: CostSeriesResponse): BarChartData {
  const { labels, titles } = bucketLabels(
    s.points.map((p) => p.start),
    s.bucket,
  );
  return {
    labels,
    titles: titles.map((t, i) => {
      const p = s.points[i]!;
      return `${t} · ${p.sessions === null ? '' : `${p.sessions} sessions · `}${formatCount(p.llm_calls)} calls`;
    }),
    stacks: [{ key: 'cost', label: 'Cost', color: SERIES[0]! }],
    values: s.points.map((p) => [p.cost_usd]),
    formatY: formatUsd,
  };
}

export interface Figure {
  id: string;
  label: string;
  value: string;
  detail?: string;
}

/** Median, p90, p99 cost per session; per LLM call when a model filter leaves no session figures. */
export function prepareCostPercentiles(p: PercentilesResponse): {
  unit: 'session' | 'LLM call';
  figures: Figure[];
} {
  const perSession = p.session_cost_usd !== null && p.session_cost_usd.count > 0;
  const d: Distribution = perSession ? p.session_cost_usd! : p.llm_call_cost_usd;
  const unit = perSession ? 'session' : 'LLM call';
  return {
    unit,
    figures: [
      { id: 'p50', label: `Median per ${unit}`, value: formatUsd(d.p50) },
      { id: 'p90', label: `P90 per ${unit}`, value: formatUsd(d.p90) },
      { id: 'p99', label: `P99 per ${unit}`, value: formatUsd(d.p99) },
      {
        id: 'avg',
        label: 'Average',
        value: formatUsd(d.avg),
        detail: `max ${formatUsd(d.max)} · ${formatCount(d.count)} ${unit}s`,
      },
    ],
  };
}

export interface OutlierRow {
  sessionId: string;
  name: string;
  started: string;
  cost: string;
  tokens: string;
  llmCalls: string;
  duration: string;
  errors: number;
  abovePct: string | null;
  outlier: boolean;
}

/** The most expensive sessions, with how far each is above the window's p99. */
export function prepareOutliers(t: TopSessionsResponse): OutlierRow[] {
  return t.sessions.map((s) => ({
    sessionId: s.session_id,
    name: s.name ?? s.session_id,
    started: formatTime(s.started_at),
    cost: formatUsd(s.cost_usd),
    tokens: formatCount(s.tokens),
    llmCalls: formatCount(s.llm_calls),
    duration: formatMs(s.duration_ms),
    errors: s.errors,
    abovePct: t.p99 && t.p99 > 0 && s.above_p99 ? `${(s.cost_usd / t.p99).toFixed(1)}× p99` : null,
    outlier: s.above_p99,
  }));
}

export interface ModelRow {
  model: string;
  calls: string;
  inputTokens: string;
  outputTokens: string;
  cost: string;
  share: string;
  /** 0–100, the width of the share bar. */
  shareWidth: number;
  whatIf: string | null;
  savings: string | null;
  unpriced: number;
}

export interface ModelsView {
  rows: ModelRow[];
  total: string;
  whatIf: { model: string; total: string; savings: string; change: string } | null;
}

/** Spend by model with its share, and the same tokens priced at the chosen cheaper model. */
export function prepareModels(m: CostModelsResponse): ModelsView {
  const rows = [...m.rows]
    .sort((a, b) => b.cost_usd - a.cost_usd)
    .map((r) => ({
      model: r.model,
      calls: formatCount(r.llm_calls),
      inputTokens: formatCount(r.input_tokens),
      outputTokens: formatCount(r.output_tokens),
      cost: formatUsd(r.cost_usd),
      share: formatPct(r.share),
      shareWidth: Math.max(0, Math.min(100, (r.share ?? 0) * 100)),
      whatIf: m.alternative ? formatUsd(r.what_if_cost_usd) : null,
      savings: m.alternative ? formatUsd(r.what_if_savings_usd) : null,
      unpriced: r.unpriced_events,
    }));
  const whatIf =
    m.alternative && m.what_if_total_usd !== null
      ? {
          model: m.alternative.model,
          total: formatUsd(m.what_if_total_usd),
          savings: formatUsd(m.total_cost_usd - m.what_if_total_usd),
          change:
            m.total_cost_usd > 0
              ? formatChangePct((m.what_if_total_usd - m.total_cost_usd) / m.total_cost_usd)
              : '—',
        }
      : null;
  return { rows, total: formatUsd(m.total_cost_usd), whatIf };
}

/** Models of the price table grouped by provider, cheapest output first, for the what-if picker. */
export function prepareAlternatives(
  p: PricesResponse,
): Array<{ provider: string; models: Array<{ model: string; label: string }> }> {
  const groups = new Map<string, Array<{ model: string; label: string; out: number }>>();
  for (const m of p.models) {
    const list = groups.get(m.provider) ?? [];
    list.push({
      model: m.model,
      label: `${m.model} ($${m.input_per_mtok} / $${m.output_per_mtok} per Mtok)`,
      out: m.output_per_mtok,
    });
    groups.set(m.provider, list);
  }
  return [...groups]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([provider, models]) => ({
      provider,
      models: models
        .sort((a, b) => a.out - b.out || a.model.localeCompare(b.model))
        .map(({ model, label }) => ({ model, label })),
    }));
}
