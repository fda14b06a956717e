import type { MetricGroup, MetricsResponse } from '../../contracts/metrics';
import { validationError } from './errors';
import { epochHour, HOUR_MS } from './model';
import type { RollupStore } from './ports';
import { mergeRecords, type RollupRecord } from './rollup';
import { Sketch } from './sketch';

export interface MetricsRequest {
  agentId: string;
  /** Inclusive start, epoch ms. */
  from: number;
  /** Exclusive end, epoch ms. */
  to: number;
  production: boolean | null;
  groups: MetricGroup[];
}

const DAY_MS = 86_400_000;
export const MAX_WINDOW_MS = 400 * DAY_MS;

/**
 * Parses the seed API's window: dates are whole UTC days (end date inclusive), timestamps are exact;
 * defaults to the last 7 days. Rollups are hourly, so the window is widened to whole hours.
 */
export function parseWindow(
  start: string | undefined,
  end: string | undefined,
  now: number,
): { from: number; to: number } {
  const isDate = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s);
  const to =
    end === undefined ? now : isDate(end) ? Date.parse(`${end}T00:00:00Z`) + DAY_MS : Date.parse(end);
  const from =
    start === undefined ? to - 7 * DAY_MS : Date.parse(isDate(start) ? `${start}T00:00:00Z` : start);
  if (!(from < to)) throw validationError('start_date', 'must be before end_date');
  if (to - from > MAX_WINDOW_MS) throw validationError('start_date', 'window must be at most 400 days');
  return { from, to };
}

export const windowHours = (from: number, to: number): [number, number] => [
  epochHour(from),
  Math.ceil(to / HOUR_MS),
];

const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);
const round = (v: number | null, digits = 6): number | null =>
  v === null ? null : Math.round(v * 10 ** digits) / 10 ** digits;

/** The seed's production metrics, merged from hourly rollups (never from events). */
export async function productionMetrics(
  rollups: RollupStore,
  req: MetricsRequest,
): Promise<Omit<MetricsResponse, 'start_date' | 'end_date'>> {
  const [fromHour, toHour] = windowHours(req.from, req.to);
  const key = { agentId: req.agentId, hour: fromHour, production: req.production ?? true, slice: 'all' };
  const all: RollupRecord = mergeRecords(
    await rollups.query(req.agentId, req.production, 'all', fromHour, toHour),
    key,
  );
  const c = all.counters;
  const out: Omit<MetricsResponse, 'start_date' | 'end_date'> = {
    agent_id: req.agentId,
    production: req.production ?? 'all',
  };
  const want = new Set(req.groups);
  if (want.has('sessions')) {
    out.sessions = {
      count: round(c.sessions, 3)!,
      finished: round(c.settledSessions, 3)!,
      success_rate: round(ratio(c.succeededSessions, c.succeededSessions + c.failedSessions), 4),
    };
  }
  if (want.has('cost')) {
    const sk = new Sketch(all.sketches.sessionCost);
    out.cost = {
      total_usd: round(c.costUsd, 6)!,
      avg_usd: round(ratio(c.costUsd, c.sessions), 6),
      p50_usd: round(sk.quantile(0.5), 6),
      p90_usd: round(sk.quantile(0.9), 6),
      p99_usd: round(sk.quantile(0.99), 6),
      unpriced_events: round(c.unpricedEvents, 3)!,
    };
  }
  if (want.has('duration')) {
    const sk = new Sketch(all.sketches.sessionDuration);
    out.duration = {
      avg_ms: round(ratio(c.sessionDurationSum, c.sessionDurationCount), 1),
      p50_ms: round(sk.quantile(0.5), 1),
      p95_ms: round(sk.quantile(0.95), 1),
      p99_ms: round(sk.quantile(0.99), 1),
    };
  }
  if (want.has('tokens')) {
    out.tokens = {
      input: round(c.inputTokens, 3)!,
      output: round(c.outputTokens, 3)!,
      cached_input: round(c.cachedInputTokens, 3)!,
      reasoning: round(c.reasoningTokens, 3)!,
      total: round(c.inputTokens + c.outputTokens, 3)!,
    };
  }
  if (want.has('errors')) {
    const byType: Record<string, number> = {};
    for (const r of await rollups.querySlices(req.agentId, req.production, 'err:', fromHour, toHour)) {
      const cat = r.key.slice.slice(4);
      byType[cat] = round((byType[cat] ?? 0) + r.counters.errors, 3)!;
    }
    out.errors = {
      count: round(c.errors, 3)!,
      rate: round(ratio(c.erroredSessions, c.settledSessions), 4),
      sessions_with_errors: round(c.erroredSessions, 3)!,
      by_type: byType,
    };
  }
  return out;
}
