import type {
  CompareFigures,
  CompareResponse,
  CostSeriesResponse,
  LatencyResponse,
} from '../../../../../contracts/query-api';
import type { CompareParams } from '../../../lib/api-client';
import { type Polarity, type Tone, toneOf } from '../../../lib/change';
import type { Filters } from '../../../lib/filters';
import { aggregateParams } from '../../../lib/filters';
import {
  formatChangePct,
  formatChangePp,
  formatCount,
  formatMs,
  formatNumber,
  formatPct,
  formatUsd,
} from '../../../lib/format';

/** Comparison modes as the screen offers them; `wow` is the API's `previous` over a fixed 7 days. */
export const COMPARE_MODES = ['previous', 'wow', 'before_after', 'windows', 'tag', 'experiment'] as const;
export type CompareMode = (typeof COMPARE_MODES)[number];
export const COMPARE_MODE_LABELS: Record<CompareMode, string> = {
  previous: 'Previous period',
  wow: 'Week over week',
  before_after: 'Before / after a moment',
  windows: 'Two windows',
  tag: 'Tag A vs B',
  experiment: 'Experiment vs production',
};

export interface CompareState {
  mode: CompareMode;
  /** before_after: ISO time (UTC) of the deploy. */
  at: string | null;
  baselineFrom: string | null;
  baselineTo: string | null;
  tagKey: string | null;
  a: string | null;
  b: string | null;
  experiment: string | null;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function parseCompareState(sp: URLSearchParams): CompareState {
  const m = sp.get('mode');
  const at = sp.get('at');
  const bf = sp.get('baseline_from');
  const bt = sp.get('baseline_to');
  return {
    mode: (COMPARE_MODES as readonly string[]).includes(m ?? '') ? (m as CompareMode) : 'previous',
    at: at && !Number.isNaN(Date.parse(at)) ? at : null,
    baselineFrom: bf && DATE.test(bf) ? bf : null,
    baselineTo: bt && DATE.test(bt) ? bt : null,
    tagKey: sp.get('tag_key'),
    a: sp.get('a'),
    b: sp.get('b'),
    experiment: sp.get('experiment'),
  };
}

/**
 * The compare request for the state, or the reason it cannot be made yet (a missing choice). Tag and
 * experiment modes pick their own slices, so the filter bar's tag/model does not apply to them.
 */
export function compareRequest(s: CompareState, f: Filters): { params: CompareParams } | { missing: string } {
  const base = aggregateParams(f);
  const noSlice = { ...base, tag: undefined, model: undefined };
  switch (s.mode) {
    case 'previous':
      return { params: { ...base, mode: 'previous' } };
    case 'wow':
      return { params: { ...base, range: '7d', from: undefined, to: undefined, mode: 'previous' } };
    case 'before_after':
      return s.at
        ? { params: { ...base, mode: 'before_after', at: s.at } }
        : { missing: 'Pick the moment (a deploy) to split the window at.' };
    case 'windows':
      return s.baselineFrom && s.baselineTo
        ? { params: { ...base, mode: 'windows', baseline_from: s.baselineFrom, baseline_to: s.baselineTo } }
        : { missing: 'Pick the baseline window.' };
    case 'tag':
      return s.tagKey && s.a && s.b
        ? { params: { ...noSlice, mode: 'tag', tag_key: s.tagKey, a: s.a, b: s.b } }
        : { missing: 'Pick a tag and the two values to compare.' };
    case 'experiment':
      return s.experiment
        ? { params: { ...noSlice, mode: 'experiment', experiment: s.experiment } }
        : { missing: 'Pick an experiment.' };
  }
}

interface FigureSpec {
  key: keyof CompareFigures;
  label: string;
  format: (v: number | null) => string;
  polarity: Polarity;
  kind: 'relative' | 'points';
  headline?: boolean;
}

const usd = (v: number | null) => formatUsd(v);
const ms = (v: number | null) => formatMs(v);
const count = (v: number | null) => formatCount(v);
const pct = (v: number | null) => formatPct(v);

export const FIGURES: readonly FigureSpec[] = [
  {
    key: 'sessions',
    label: 'Sessions',
    format: count,
    polarity: 'neutral',
    kind: 'relative',
    headline: true,
  },
  {
    key: 'total_cost_usd',
    label: 'Total cost',
    format: usd,
    polarity: 'up-bad',
    kind: 'relative',
    headline: true,
  },
  { key: 'avg_cost_usd', label: 'Avg cost / session', format: usd, polarity: 'up-bad', kind: 'relative' },
  { key: 'p50_cost_usd', label: 'Median cost / session', format: usd, polarity: 'up-bad', kind: 'relative' },
  { key: 'p90_cost_usd', label: 'P90 cost / session', format: usd, polarity: 'up-bad', kind: 'relative' },
  { key: 'p99_cost_usd', label: 'P99 cost / session', format: usd, polarity: 'up-bad', kind: 'relative' },
  {
    key: 'avg_duration_ms',
    label: 'Avg duration',
    format: ms,
    polarity: 'up-bad',
    kind: 'relative',
    headline: true,
  },
  { key: 'p50_duration_ms', label: 'P50 duration', format: ms, polarity: 'up-bad', kind: 'relative' },
  { key: 'p95_duration_ms', label: 'P95 duration', format: ms, polarity: 'up-bad', kind: 'relative' },
  { key: 'p99_duration_ms', label: 'P99 duration', format: ms, polarity: 'up-bad', kind: 'relative' },
  {
    key: 'p95_event_latency_ms',
    label: 'P95 step latency',
    format: ms,
    polarity: 'up-bad',
    kind: 'relative',
  },
  { key: 'total_tokens', label: 'Tokens', format: count, polarity: 'neutral', kind: 'relative' },
  { key: 'llm_calls', label: 'LLM calls', format: count, polarity: 'neutral', kind: 'relative' },
  { key: 'error_count', label: 'Errors', format: count, polarity: 'up-bad', kind: 'relative' },
  { key: 'error_rate', label: 'Error rate', format: pct, polarity: 'up-bad', kind: 'points', headline: true },
  {
    key: 'success_rate',
    label: 'Success rate',
    format: pct,
    polarity: 'up-good',
    kind: 'points',
    headline: true,
  },
  {
    key: 'avg_eval',
    label: 'Avg eval',
    format: (v) => formatNumber(v, 3),
    polarity: 'up-good',
    kind: 'relative',
  },
];

export interface CompareRow {
  key: string;
  label: string;
  a: string;
  b: string;
  delta: string;
  tone: Tone;
  headline: boolean;
}

/** One row per figure: A, B and B − A (relative for amounts, in points for rates). */
export function prepareCompareRows(r: CompareResponse): CompareRow[] {
  return FIGURES.map((f) => {
    const d = r.deltas[f.key];
    const change = f.kind === 'points' ? (d?.change ?? null) : (d?.change_pct ?? null);
    const delta =
      f.kind === 'points'
        ? change === null
          ? '—'
          : formatChangePp(change)
        : change === null
          ? d?.change === null || d?.change === undefined || d.change === 0
            ? '—'
            : `${d.change > 0 ? '+' : '−'}${f.format(Math.abs(d.change))}`
          : formatChangePct(change);
    return {
      key: f.key,
      label: f.label,
      a: f.format(r.a.figures[f.key]),
      b: f.format(r.b.figures[f.key]),
      delta,
      tone: toneOf(change, f.polarity, f.kind === 'points' ? 0.002 : 0.02),
      headline: f.headline ?? false,
    };
  });
}

type Side = CompareResponse['a'];

/** Query parameters that reproduce one side (window and slice) on the series endpoints. */
export function sideParams(side: Side): Record<string, string> {
  const p: Record<string, string> = { from: side.window.from, to: side.window.to };
  const prod = side.filter.production;
  if (prod !== true) p.production = prod === 'all' ? 'all' : 'false';
  const s = side.filter.slice;
  const colon = s.indexOf(':');
  const kind = colon < 0 ? s : s.slice(0, colon);
  const value = colon < 0 ? '' : s.slice(colon + 1);
  if (kind === 'tag') p.tag = value.replace('=', ':');
  else if (kind === 'exp') p.experiment = value;
  else if (kind === 'model') p.model = value;
  else if (kind === 'type') p.event_type = value;
  else if (kind === 'err') p.error_type = value;
  return p;
}

/** The largest value over both sides, so the two charts share their y axis. */
export function sharedMax(a: CostSeriesResponse | null, b: CostSeriesResponse | null): number {
  return Math.max(
    0,
    ...(a?.points ?? []).map((p) => p.cost_usd),
    ...(b?.points ?? []).map((p) => p.cost_usd),
  );
}

export function sharedHistogramMax(a: LatencyResponse | null, b: LatencyResponse | null): number {
  return Math.max(
    0,
    ...(a?.histogram ?? []).map((h) => h.count),
    ...(b?.histogram ?? []).map((h) => h.count),
  );
}

/** A bucket that gives a readable number of points for a side's window. */
export function sideBucket(side: Side): '1h' | '1d' | '1w' {
  const len = Date.parse(side.window.to) - Date.parse(side.window.from);
  return len <= 3 * 86_400_000 ? '1h' : len <= 90 * 86_400_000 ? '1d' : '1w';
}
